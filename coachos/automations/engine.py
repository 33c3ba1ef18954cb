"""The due-driven engine: the scheduler's tick, the due runs of one business, events, runs by
hand and retries.

The tick (every minute, through the platform job ``run-automations``):

1. marks runs still ``running`` after an hour as failed ("interrupted"), so nothing stays
   "running" for ever and the coach can retry them;
2. claims due automations — ``enabled`` with ``next_run_at <= now`` — in batches, inside one
   transaction each: ``SELECT … FOR UPDATE SKIP LOCKED`` (a second scheduler at the same moment
   skips the rows the first holds, and once the first commits their ``next_run_at`` is in the
   future), advances each ``next_run_at`` to its next due time after now, and writes one
   ``AutomationRun`` per claimed due time (unique per automation and due time: the same due time
   can never run twice, even if a claim were repeated). On SQLite, whose transactions take the
   write lock at their start, the second scheduler waits and then finds nothing due.
3. hands each claimed batch to one task (``tasks.run_due_automations``), which reads the facts
   of all the batch's businesses in a fixed number of queries, evaluates every run, and then,
   business by business (each in its scope, zone and savepoint), does the actions; the runs'
   records are written with them, in the batch's one transaction (see ``run_due``).

A due time missed while nothing ran (the worker was down) is run once when the scheduler comes
back — not once per missed occurrence — and the next due time is the first one after now.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scope, scopes_disabled

from coachos.clients.models import Client
from coachos.common.events import Event
from coachos.comms import outbox
from coachos.scheduling.models import Booking
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from . import audience, runner, schedule
from .audience import Target
from .db import insert_rows, update_rows
from .dispatch import HANDLE_EVENT, RUN_DUE_AUTOMATIONS, task_by_name
from .models import Automation, AutomationRun, ConditionFire

logger = logging.getLogger("coachos.automations")

CLAIM_BATCH = 1000
STALE_AFTER = timedelta(hours=1)
Run = AutomationRun
Trigger = Automation.Trigger


class AutomationError(Exception):
    """Something the coach asked that cannot be done; the message is for people."""


# --- due times ----------------------------------------------------------------------------------

def next_run_for(automation: Automation, *, after: datetime) -> datetime | None:
    """The automation's next due time after ``after`` (None: not timed, or switched off)."""
    if not automation.enabled or not automation.is_timed:
        return None
    return _due_after(after=after, tz=automation.organization.tzinfo, trigger=automation.trigger_type,
                      at=automation.time_of_day, frequency=automation.frequency, weekdays=automation.weekdays or (),
                      day_of_month=automation.day_of_month)


def _due_after(*, after: datetime, tz: ZoneInfo, trigger: str, at: time, frequency: str, weekdays: Iterable[int],
               day_of_month: int | None) -> datetime:
    if trigger == Trigger.SCHEDULE:
        return schedule.next_due(after=after, tz=tz, at=at, frequency=frequency, weekdays=weekdays,
                                 day_of_month=day_of_month)
    # A condition is checked once a day, at the automation's time.
    return schedule.next_due(after=after, tz=tz, at=at, frequency=schedule.DAILY)


# --- the tick -----------------------------------------------------------------------------------

INTERRUPTED = gettext_lazy("The run was interrupted before it finished (the background worker stopped), so nothing "
                           "it would have done was kept. Retry it to run it again.")


def sweep_stale(*, now: datetime) -> int:
    """Runs left ``running`` by a worker that stopped: failed, with the reason, retryable; the
    coach is told."""
    return _end_failed(AutomationRun.objects.filter(status=Run.Status.RUNNING, started_at__lt=now - STALE_AFTER),
                       error=str(INTERRUPTED), now=now)


def _end_failed(runs: QuerySet[AutomationRun], *, error: str, now: datetime) -> int:
    """Mark the runs that are still running failed, with ``error``, and tell each business's team
    (one transaction; runs another worker holds are left to it)."""
    with transaction.atomic():
        ended = list(runs.filter(status=Run.Status.RUNNING).select_for_update(skip_locked=True, of=("self",))
                     .select_related("automation", "organization"))
        if not ended:
            return 0
        AutomationRun.objects.filter(pk__in=[run.pk for run in ended]).update(
            status=Run.Status.FAILED, finished_at=now, error=error)
        for run in ended:
            run.status, run.finished_at, run.error = Run.Status.FAILED, now, error
            run.automation.organization = run.organization
            with scope(organization=run.organization):
                runner.notify_failure(run)
    return len(ended)


CLAIMED = ("pk", "organization_id", "trigger_type", "frequency", "weekdays", "day_of_month", "time_of_day",
           "next_run_at", "organization__timezone")


class Claimed(NamedTuple):
    pk: int  # the run's
    organization_id: int


def claim_due(*, now: datetime, limit: int = CLAIM_BATCH) -> list[Claimed]:
    """Claim up to ``limit`` due automations and write their runs (one transaction).

    Plain rows, not model instances, and each distinct schedule's next due time worked out once:
    a thousand automations with a few kinds of schedule cost a few statements."""
    with transaction.atomic():
        due = list(
            Automation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(enabled=True, next_run_at__isnull=False, next_run_at__lte=now)
            .order_by("next_run_at", "id").values_list(*CLAIMED)[:limit]
        )
        if not due:
            return []
        following: dict[tuple[Any, ...], datetime] = {}
        advanced: list[tuple[datetime | None, int]] = []
        runs: dict[tuple[int, Any], tuple[int, int, str, datetime]] = {}
        for pk, organization_id, trigger, frequency, weekdays, day_of_month, at, due_at, zone in due:
            if trigger not in (Trigger.SCHEDULE, Trigger.CONDITION):  # not timed: never due again
                advanced.append((None, pk))
                continue
            key = (zone, trigger, at, frequency, tuple(weekdays or ()), day_of_month)
            if key not in following:
                following[key] = _due_after(after=now, tz=ZoneInfo(zone), trigger=trigger, at=at, frequency=frequency,
                                            weekdays=key[4], day_of_month=day_of_month)
            advanced.append((following[key], pk))
            runs[(pk, due_at)] = (organization_id, pk, trigger, due_at)
        update_rows(Automation, ["next_run_at"], advanced)
        if not runs:
            return []
        for done in AutomationRun.objects.filter(
                automation_id__in=[pk for pk, _due in runs], due_at__in={due for _pk, due in runs},
                trigger__in=[Trigger.SCHEDULE, Trigger.CONDITION]).values_list("automation_id", "due_at"):
            runs.pop(done, None)
        rows = list(runs.values())
        ids = insert_rows(AutomationRun, ["organization", "automation", "trigger", "due_at"], rows,
                          same={"status": Run.Status.RUNNING, "started_at": now})
    return [Claimed(pk, row[0]) for pk, row in zip(ids, rows, strict=True)]


def _dispatch(run_ids: list[int]) -> None:
    task_by_name(RUN_DUE_AUTOMATIONS).delay(run_ids=run_ids)


def tick(*, now: datetime | None = None, dispatch: Callable[[list[int]], None] | None = None) -> dict[str, int]:
    """Claim everything due and hand each claimed batch (≤ CLAIM_BATCH runs, any businesses) to a
    worker task."""
    now = now or timezone.now()
    dispatch = dispatch or _dispatch
    totals: Counter[str] = Counter()
    with scopes_disabled():
        totals["interrupted"] = sweep_stale(now=now)
        while True:
            runs = claim_due(now=now)
            if runs:
                dispatch([run.pk for run in runs])
            totals["runs"] += len(runs)
            totals["businesses"] += len({run.organization_id for run in runs})
            totals["tasks"] += 1 if runs else 0
            if len(runs) < CLAIM_BATCH:
                break
    return dict(totals)


# --- running due runs: read for all their businesses at once, then act business by business -----------

@dataclass
class Plan:
    targets: dict[int, list[Target]]  # run id → whom it acts for (occurrences already acted on removed)
    clients: dict[int, Client]
    related: dict[Any, Any]


def _plan(runs: list[AutomationRun], now: datetime) -> Plan:
    """Evaluate ``runs`` of any businesses: a fixed number of queries for all of them."""
    automations = [run.automation for run in runs]
    organizations = list({run.organization_id: run.organization for run in runs}.values())
    tags = audience.tag_filters(automations)
    facts = audience.load_facts_many(organizations=organizations, automations=automations, tags=tags, now=now)
    targets = {run.pk: audience.evaluate(run.automation, facts[run.organization_id], tags[run.automation_id])
               for run in runs}
    fired = audience.already_fired(automations, {run.automation_id: targets[run.pk] for run in runs})
    for run in runs:
        targets[run.pk] = audience.remove_fired(run.automation, targets[run.pk], fired)
    everyone = [t for group in targets.values() for t in group]
    return Plan(targets=targets, clients=audience.clients_of(everyone) if everyone else {},
                related=audience.related_objects(everyone))


def _act(organization: Organization, runs: list[AutomationRun], plan: Plan, now: datetime) -> None:
    """Do the actions of one business's runs that have clients to act for, mark the occurrences
    acted on, fill in the runs' records and tell the team of those that failed — all in the
    caller's savepoint (a database error undoes the business's runs together, and they are
    recorded as failed with nothing kept). The caller saves the records."""
    insert_rows(ConditionFire, ["organization", "automation", "client", "key", "run", "fired_at"],
                [(organization.pk, run.automation_id, t.client_id, t.key, run.pk, now)
                 for run in runs if run.automation.trigger_type == Trigger.CONDITION for t in plan.targets[run.pk]])
    cache: dict[Any, Any] = {}
    for run in runs:
        mine = plan.targets[run.pk]
        outcomes = runner.perform(run=run, targets=mine, clients=plan.clients, related=plan.related, now=now,
                                  cache=cache)
        runner.finish(run, targets=mine, outcomes=outcomes)
    for run in runs:
        runner.notify_failure(run)


def _stopped(exc: Exception) -> str:
    return _("The run stopped on an error (%(kind)s) and nothing it did was kept. Retry it; if it fails again, "
             "tell support.") % {"kind": type(exc).__name__}


def _fail(run_ids: list[int], exc: Exception) -> None:
    logger.exception("automation runs stopped", extra={"runs": len(run_ids)})
    with scopes_disabled():
        _end_failed(AutomationRun.objects.filter(pk__in=run_ids), error=_stopped(exc), now=timezone.now())


# What running due runs never reads (the record's fields are written whole by ``runner.finish``):
# left out of the query that loads a thousand runs with their automations.
UNREAD = ("trigger_data", "event_key", "retry_of", "created_by", "due_at", "finished_at", "error", "results",
          "outcomes", "client_ids", "automation__created_at", "automation__updated_at", "automation__next_run_at",
          "automation__created_by")


def run_due(run_ids: list[int]) -> int:
    """Do claimed runs (schedule, condition, by hand, full retries) — those still running — of any
    businesses.

    Their facts are read for all businesses at once (scopes disabled, every query filtered by the
    businesses' ids). Then, in one transaction, each business acts inside its own scope, zone and
    savepoint: a business whose runs fail is rolled back alone, its runs recorded as failed, and the
    others go on. The records of every run (those that acted and those that found nobody) are
    written together at the end, in the same transaction as what they did: they commit together,
    once, or — the worker stopped, the database went away — not at all, and the runs are then
    found still running and recorded as interrupted. (One commit per batch rather than per
    business: a commit waits for the disk, and a busy minute has a thousand businesses.)"""
    with scopes_disabled():
        runs = list(AutomationRun.objects.filter(pk__in=run_ids, status=Run.Status.RUNNING)
                    .select_related("automation").defer(*UNREAD).order_by("organization_id", "id"))
        if not runs:
            return 0
        now = timezone.now()
        organizations = Organization.objects.in_bulk({run.organization_id for run in runs})
        for run in runs:
            run.organization = run.automation.organization = organizations[run.organization_id]
        try:
            plan = _plan(runs, now)
        except Exception as exc:
            _fail([run.pk for run in runs], exc)
            return len(runs)
        for client in plan.clients.values():
            client.organization = organizations[client.organization_id]
    by_business: dict[int, list[AutomationRun]] = defaultdict(list)
    done: list[AutomationRun] = []
    for run in runs:
        if plan.targets[run.pk]:
            by_business[run.organization_id].append(run)
        else:
            done.append(runner.finish(run, targets=[], outcomes=[]))
    try:
        with transaction.atomic():
            for busy in by_business.values():
                organization = busy[0].organization
                try:
                    with scope(organization=organization), timezone.override(organization.tzinfo), \
                            transaction.atomic(), outbox.batch():
                        _act(organization, busy, plan, now)
                except Exception as exc:
                    _fail([run.pk for run in busy], exc)
                else:
                    done.extend(busy)
            with scopes_disabled():
                runner.save_records(done)
    except Exception as exc:
        _fail([run.pk for run in runs], exc)
    return len(runs)


def run_due_for_business(*, organization: Organization, run_ids: list[int]) -> int:
    """Do one business's claimed runs (a run by hand, a full retry)."""
    return run_due(run_ids)


# --- events -------------------------------------------------------------------------------------

def on_event(event: Event) -> None:
    """The listener (inside the emitting service's transaction): if any automation of the business
    listens to this event, evaluate them once the transaction has committed."""
    with scopes_disabled():
        listening = Automation.objects.filter(organization_id=event.organization_id, enabled=True,
                                              trigger_type=Trigger.EVENT, event=event.name).exists()
    if not listening or event.client_id is None:
        return
    payload = event.as_dict()
    transaction.on_commit(lambda: _dispatch_event(payload))


def _dispatch_event(payload: dict[str, Any]) -> None:
    try:
        task_by_name(HANDLE_EVENT).delay(organization_id=payload["organization_id"], event=payload)
    except Exception:
        logger.exception("could not queue an automation event", extra={"event": payload.get("name")})


def _nth_completed(booking_id: int | None, client_id: int) -> int | None:
    if booking_id is None:
        return None
    booking = Booking.objects.select_related("session").filter(pk=booking_id).first()
    if booking is None:
        return None
    return Booking.objects.filter(client_id=client_id, status=Booking.Status.COMPLETED,
                                  session__starts_at__lte=booking.session.starts_at).count()


def event_matches(automation: Automation, event: Event) -> bool:
    """The automation's own conditions on the event (its filters are checked separately)."""
    if event.name == "package.low_credits":
        remaining = event.data.get("remaining")
        return isinstance(remaining, int) and remaining <= (automation.credits_threshold or 0)
    if event.name == "booking.completed" and automation.session_number:
        return _nth_completed(event.object_id, event.client_id or 0) == automation.session_number
    return True


def _related_of(event_data: dict[str, Any]) -> tuple[str, int] | None:
    object_type, object_id = event_data.get("object_type"), event_data.get("object_id")
    if object_type in ("booking", "clientpackage") and isinstance(object_id, int):
        return (object_type, object_id)
    return None


def handle_event(*, organization: Organization, event: Event) -> list[AutomationRun]:
    """Run each enabled automation listening to ``event`` for its client. Inside the scope."""
    automations = list(Automation.objects.filter(enabled=True, trigger_type=Trigger.EVENT, event=event.name)
                       .order_by("id"))
    client = Client.objects.filter(pk=event.client_id).first() if event.client_id is not None else None
    if not automations or client is None:
        return []
    tags = audience.tag_filters(automations)
    facts = audience.load_facts(organization=organization, automations=automations, tags=tags,
                                now=timezone.now(), client_ids=[client.pk])
    row = facts.clients.get(client.pk)
    made = []
    for automation in automations:
        if row is None or not audience.passes_filters(automation, row, tags[automation.pk], facts):
            continue
        if not event_matches(automation, event):
            continue
        run = _start_event_run(organization, automation, event, client)
        if run is not None:
            made.append(_complete(run, [Target(client.pk, related=_related_of(run.trigger_data))]))
    return made


def _start_event_run(organization: Organization, automation: Automation, event: Event,
                     client: Client) -> AutomationRun | None:
    """The run's row, committed before anything is done (a crash then leaves a visible, retryable
    record). None if this event already had its run (a task delivered twice)."""
    try:
        with transaction.atomic():
            return AutomationRun.objects.create(
                organization=organization, automation=automation, trigger=Run.TriggerKind.EVENT,
                event_key=event.key[:120], started_at=timezone.now(), client_ids=[client.pk],
                trigger_data={"name": event.name, "object_type": event.object_type, "object_id": event.object_id,
                              "data": event.data})
    except IntegrityError:
        return None


def _complete(run: AutomationRun, targets: list[Target], *,
              only: set[tuple[int | None, int]] | None = None) -> AutomationRun:
    """Do ``run``'s actions for ``targets`` (already chosen) and record the result."""
    now = timezone.now()
    try:
        with transaction.atomic(), outbox.batch():
            clients = audience.clients_of(targets)
            outcomes = runner.perform(run=run, targets=targets, clients=clients,
                                      related=audience.related_objects(targets), now=now, only=only)
            runner.finish(run, targets=targets, outcomes=outcomes)
            run.save(update_fields=runner.RECORD_FIELDS)
            runner.notify_failure(run)
    except Exception as exc:
        _fail([run.pk], exc)
        run.refresh_from_db()
    return run


# --- by hand: run now, retry ----------------------------------------------------------------------

def run_now(*, automation: Automation, actor: Any) -> AutomationRun:
    """Run a scheduled or condition automation now, for whom it would reach now."""
    if not automation.is_timed:
        raise AutomationError(_("This automation runs when its event happens; it cannot be run by hand."))
    run = AutomationRun.objects.create(
        organization=automation.organization, automation=automation, trigger=Run.TriggerKind.MANUAL,
        started_at=timezone.now(), created_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.log(organization=automation.organization, actor=actor, action="automation.run_by_hand", obj=automation,
              data={"run": run.pk})
    run_due_for_business(organization=automation.organization, run_ids=[run.pk])
    run.refresh_from_db()
    return run


def _retry_targets(original: AutomationRun) -> tuple[list[Target], set[tuple[int | None, int]]]:
    pairs: set[tuple[int | None, int]] = set()
    related: dict[int, tuple[str, int] | None] = {}
    for outcome in original.outcomes:
        if outcome["status"] == runner.OK:
            continue
        pairs.add((outcome["client"], outcome["action"]))
        if outcome["client"] is not None:
            raw = outcome.get("related")
            related[outcome["client"]] = (raw[0], raw[1]) if raw else None
    targets = [Target(client_id, related=rel) for client_id, rel in sorted(related.items())]
    if not targets and any(client is None for client, _action in pairs):
        # Only the coach's notification failed: it is about the clients the run was for.
        targets = [Target(client_id) for client_id in original.client_ids]
    return targets, pairs


def retry(*, run: AutomationRun, actor: Any) -> AutomationRun:
    """Retry a failed or partly done run as a new run (trigger ``retry``).

    Only what did not happen is redone: each (client, action) pair that failed or was not sent,
    and a failed notification to the coach; what succeeded is never repeated (no second text).
    A run that did nothing at all (interrupted, or stopped on an error) is run again in full:
    for a scheduled or condition automation, for whom it reaches now.
    """
    with transaction.atomic():
        original = AutomationRun.objects.select_for_update().select_related("automation").get(pk=run.pk)
        if not original.can_retry:
            raise AutomationError(_("Only a failed or partly done run can be retried."))
        again = AutomationRun.objects.filter(retry_of=original).order_by("id").first()
        if again is not None:
            raise AutomationError(_("This run was already retried (run #%(id)s): retry that one if needed.")
                                  % {"id": again.pk})
        new = AutomationRun.objects.create(
            organization=original.organization, automation=original.automation, trigger=Run.TriggerKind.RETRY,
            retry_of=original, started_at=timezone.now(), trigger_data=original.trigger_data,
            created_by=actor if getattr(actor, "is_authenticated", False) else None)
        audit.log(organization=original.organization, actor=actor, action="automation_run.retried", obj=original,
                  data={"retry": new.pk})
    automation = original.automation
    if original.outcomes:
        targets, only = _retry_targets(original)
        return _complete(new, targets, only=only)
    if automation.trigger_type == Trigger.EVENT:
        targets = [Target(client_id, related=_related_of(original.trigger_data)) for client_id in original.client_ids]
        return _complete(new, targets)
    run_due_for_business(organization=automation.organization, run_ids=[new.pk])
    new.refresh_from_db()
    return new
