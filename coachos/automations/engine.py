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
   business by business (in its scope, zone and transaction), does the actions and records them.

A due time missed while nothing ran (the worker was down) is run once when the scheduler comes
back — not once per missed occurrence — and the next due time is the first one after now.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from coachos.clients.models import Client
from coachos.common.events import Event
from coachos.scheduling.models import Booking
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from . import audience, runner, schedule
from .audience import Target
from .db import update_many
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
    tz = automation.organization.tzinfo
    if automation.trigger_type == Trigger.SCHEDULE:
        return schedule.next_due(after=after, tz=tz, at=automation.time_of_day, frequency=automation.frequency,
                                 weekdays=automation.weekdays or (), day_of_month=automation.day_of_month)
    # A condition is checked once a day, at the automation's time.
    return schedule.next_due(after=after, tz=tz, at=automation.time_of_day, frequency=schedule.DAILY)


# --- the tick -----------------------------------------------------------------------------------

def sweep_stale(*, now: datetime) -> int:
    """Runs left ``running`` by a worker that stopped: failed, with the reason, retryable."""
    return AutomationRun.objects.filter(status=Run.Status.RUNNING, started_at__lt=now - STALE_AFTER).update(
        status=Run.Status.FAILED, finished_at=now,
        error=_("The run was interrupted before it finished (the background worker stopped), so nothing it "
                "would have done was kept. Retry it to run it again."))


def claim_due(*, now: datetime, limit: int = CLAIM_BATCH) -> list[AutomationRun]:
    """Claim up to ``limit`` due automations and write their runs (one transaction)."""
    with transaction.atomic():
        due = list(
            Automation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(enabled=True, next_run_at__isnull=False, next_run_at__lte=now)
            .select_related("organization").order_by("next_run_at", "id")[:limit]
        )
        if not due:
            return []
        runs = []
        for automation in due:
            due_at = automation.next_run_at
            automation.next_run_at = next_run_for(automation, after=now)
            if due_at is None or not automation.is_timed:
                continue
            runs.append(AutomationRun(
                organization_id=automation.organization_id, automation=automation, trigger=automation.trigger_type,
                due_at=due_at, status=Run.Status.RUNNING, started_at=now))
        update_many(due, ["next_run_at"])
        if runs:
            done = set(AutomationRun.objects.filter(
                automation_id__in=[r.automation_id for r in runs], due_at__in={r.due_at for r in runs},
                trigger__in=[Trigger.SCHEDULE, Trigger.CONDITION]).values_list("automation_id", "due_at"))
            runs = [r for r in runs if (r.automation_id, r.due_at) not in done]
            AutomationRun.objects.bulk_create(runs)
    return runs


def _dispatch(run_ids: list[int]) -> None:
    from .tasks import run_due_automations

    run_due_automations.delay(run_ids=run_ids)


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
    acted on, and record the runs — all in the caller's transaction (a database error undoes the
    business's runs together, and they are recorded as failed with nothing kept)."""
    fires = [ConditionFire(organization=organization, automation_id=run.automation_id, client_id=t.client_id,
                           key=t.key, run=run, fired_at=now)
             for run in runs if run.automation.trigger_type == Trigger.CONDITION for t in plan.targets[run.pk]]
    if fires:
        ConditionFire.objects.bulk_create(fires)
    for client in plan.clients.values():
        if client.organization_id == organization.pk:
            client.organization = organization
    cache: dict[Any, Any] = {}
    for run in runs:
        mine = plan.targets[run.pk]
        outcomes = runner.perform(run=run, targets=mine, clients=plan.clients, related=plan.related, now=now,
                                  cache=cache)
        runner.finish(run, targets=mine, outcomes=outcomes)
    runner.save_records(runs)


def _stopped(exc: Exception) -> str:
    return _("The run stopped on an error (%(kind)s) and nothing it did was kept. Retry it; if it fails again, "
             "tell support.") % {"kind": type(exc).__name__}


def _fail(run_ids: list[int], exc: Exception) -> None:
    logger.exception("automation runs stopped", extra={"runs": len(run_ids)})
    with scopes_disabled():
        AutomationRun.objects.filter(pk__in=run_ids, status=Run.Status.RUNNING).update(
            status=Run.Status.FAILED, finished_at=timezone.now(), error=_stopped(exc))


def run_due(run_ids: list[int]) -> int:
    """Do claimed runs (schedule, condition, by hand, full retries) — those still running — of any
    businesses. Their facts are read for all businesses at once (scopes disabled, every query
    filtered by the businesses' ids); then each business acts inside its own scope, zone and
    transaction, and a business whose runs fail does not stop the others. Runs that found nobody
    are recorded together at the end (they did nothing that their record must commit with)."""
    with scopes_disabled():
        runs = list(AutomationRun.objects.filter(pk__in=run_ids, status=Run.Status.RUNNING)
                    .select_related("automation", "organization").order_by("organization_id", "id"))
        if not runs:
            return 0
        now = timezone.now()
        for run in runs:
            run.automation.organization = run.organization
        try:
            plan = _plan(runs, now)
        except Exception as exc:
            _fail([run.pk for run in runs], exc)
            return len(runs)
    by_business: dict[int, list[AutomationRun]] = defaultdict(list)
    idle: list[AutomationRun] = []
    for run in runs:
        if plan.targets[run.pk]:
            by_business[run.organization_id].append(run)
        else:
            idle.append(runner.finish(run, targets=[], outcomes=[]))
    for busy in by_business.values():
        organization = busy[0].organization
        try:
            with scope(organization=organization), timezone.override(organization.tzinfo), transaction.atomic():
                _act(organization, busy, plan, now)
        except Exception as exc:
            _fail([run.pk for run in busy], exc)
    with scopes_disabled():
        runner.save_records(idle)
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
    from .tasks import handle_event

    try:
        handle_event.delay(organization_id=payload["organization_id"], event=payload)
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
        with transaction.atomic():
            clients = audience.clients_of(targets)
            outcomes = runner.perform(run=run, targets=targets, clients=clients,
                                      related=audience.related_objects(targets), now=now, only=only)
            runner.finish(run, targets=targets, outcomes=outcomes)
            run.save(update_fields=runner.RECORD_FIELDS)
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
