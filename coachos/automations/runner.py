"""Doing a run's actions and recording, truthfully, what happened to each client.

Each (client, action) pair gets one outcome:
  ok        done: the tag was added, the to-do made, the message handed to the outbox (queued,
            or held by quiet hours until the morning)
  not_sent  a message the outbox would not send to this client — no consent, opted out (STOP),
            no number or address, the message switched off. Not a fault of the system, but the
            client was not reached, and the run says so.
  failed    something went wrong (the outbox refused it, the provider failed it, an error)

The run is ``succeeded`` when every pair is ok (or there was nobody to act for), ``failed`` when
none is, and ``partial`` otherwise. Its ``error`` sums up what did not happen in words a coach
can read; ``results`` has one entry per action (counts and the reasons), ``outcomes`` one per pair.

Actions run in order, each for all of the run's clients before the next, in batches (a to-do
action is one insert, a tag action a few queries, whatever the number of clients; messages go
through the outbox one by one). A refused or failing action is an outcome and the others go on;
a database error stops the work, whose transaction (see ``engine``) then undoes all of it, and
the run is recorded as failed with nothing kept — never half-written. Message dedupe keys name the
run, the action and the client, so a run whose task is delivered twice sends nothing twice; a
retry is a new run that redoes only the pairs that were not ok.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coachos.clients import services as client_services
from coachos.clients.models import Client
from coachos.common.errors import validation_message
from coachos.comms import catalog, context, notify, outbox
from coachos.comms.models import OutboundMessage
from coachos.tenancy.models import Organization

from . import actions as A
from .audience import Target
from .db import update_many
from .models import Automation, AutomationRun, Todo

logger = logging.getLogger("coachos.automations")

OK, NOT_SENT, FAILED = "ok", "not_sent", "failed"
Run = AutomationRun


@dataclass
class Outcome:
    status: str
    detail: str = ""
    message_id: int | None = None


def _package_variables(organization: Organization, related: Any) -> dict[str, Any]:
    if related is None or related._meta.model_name != "clientpackage":
        return {}
    expires = timezone.localtime(related.expires_at, organization.tzinfo).date()
    return {"credits_left": related.remaining, "package_name": related.name, "expires_on": expires}


def _variables(organization: Organization, client: Client | None, related: Any) -> dict[str, str]:
    values: dict[str, str] = {"business_name": organization.name}
    if client is not None:
        values.update(client_first_name=client.first_name, client_name=client.full_name)
    values.update({k: context.local_date(organization, v) if isinstance(v, date) else str(v)
                   for k, v in _package_variables(organization, related).items()})
    return values


def _send(*, run: AutomationRun, index: int, action: dict[str, Any], client: Client, related: Any) -> Outcome:
    organization = run.automation.organization
    channel = "sms" if action["type"] == A.SEND_SMS else "email"
    kind = action.get("message_kind") or A.OWN_TEXT
    own_text = kind in A.TEXT_KINDS
    message = outbox.enqueue(
        organization=organization, channel=channel, kind=kind, client=client,
        context=_package_variables(organization, related), related=related,
        dedupe_key=f"automation:{run.pk}:{index}:{client.pk}",
        body=action.get("text") if own_text else None,
        subject=(action.get("subject") or None) if channel == "email" and own_text else None,
    )
    what = _("SMS") if channel == "sms" else _("Email")
    if message is None:
        return Outcome(NOT_SENT, _("%(what)s not sent: this message is switched off in your message settings.")
                       % {"what": what})
    if message.status == OutboundMessage.Status.SUPPRESSED:
        return Outcome(NOT_SENT, _("%(what)s not sent: %(reason)s") % {"what": what, "reason": message.last_error},
                       message.pk)
    if message.status == OutboundMessage.Status.FAILED:
        return Outcome(FAILED, _("%(what)s failed: %(reason)s") % {"what": what, "reason": message.last_error},
                       message.pk)
    if message.status == OutboundMessage.Status.DEFERRED:
        until = context.local_time(organization, message.scheduled_for)
        return Outcome(OK, _("Queued; held by quiet hours until %(time)s.") % {"time": until},
                       message.pk)
    return Outcome(OK, _("Queued."), message.pk)


Batch = list[tuple[Client, Any]]  # (client, the object the action is about) for one action of one run


def _tags(*, run: AutomationRun, action: dict[str, Any], batch: Batch, cache: dict[Any, Any]) -> list[Outcome]:
    """Add or remove one tag for every client of the run: a few queries whatever their number.
    ``cache``: tags already looked up by the caller's other runs (one business, one transaction)."""
    from coachos.clients.services_tags import tag_by_name
    from coachos.tenancy.models import AuditEntry

    organization = run.automation.organization
    through = Client.tags.through
    ids = [client.pk for client, _obj in batch]
    name = action["tag"]
    key = ("tag", " ".join(name.split()).lower())
    if action["type"] == A.ADD_TAG:
        tag = cache.get(key) or client_services.tag_get_or_create(organization=organization, actor=None, name=name)
        cache[key] = tag
        had = set(through.objects.filter(tag_id=tag.pk, client_id__in=ids).values_list("client_id", flat=True))
        new = [pk for pk in ids if pk not in had]
        through.objects.bulk_create([through(client_id=pk, tag_id=tag.pk) for pk in new], ignore_conflicts=True)
        action_name, done, already = "client.tagged", _("Tagged “%(tag)s”."), _("Already tagged “%(tag)s”.")
    else:
        found = cache[key] if key in cache else tag_by_name(name)
        cache[key] = found
        if found is None:
            return [Outcome(OK, _("Did not have the tag “%(tag)s”.") % {"tag": name}) for _pair in batch]
        tag = found
        new = list(through.objects.filter(tag_id=tag.pk, client_id__in=ids).values_list("client_id", flat=True))
        through.objects.filter(tag_id=tag.pk, client_id__in=new).delete()
        action_name, done, already = "client.untagged", _("Tag “%(tag)s” removed."), _("Did not have the tag “%(tag)s”.")
    changed = set(new)
    AuditEntry.objects.bulk_create([
        AuditEntry(organization=organization, action=action_name, object_type=Client._meta.label,
                   object_id=str(client.pk), object_repr=str(client)[:200],
                   data={"tag": tag.pk, "automation_run": run.pk})
        for client, _obj in batch if client.pk in changed])
    return [Outcome(OK, (done if client.pk in changed else already) % {"tag": name}) for client, _obj in batch]


def _todos(*, run: AutomationRun, action: dict[str, Any], batch: Batch, now: datetime) -> list[Outcome]:
    organization = run.automation.organization
    due = timezone.localtime(now, organization.tzinfo).date() + timedelta(days=action.get("due_in_days", 0))
    todos = Todo.objects.bulk_create([
        Todo(organization=organization, client=client, due=due, automation=run.automation, run=run,
             title=catalog.render(action["title"], _variables(organization, client, obj))[:200] or run.automation.name)
        for client, obj in batch])
    return [Outcome(OK, _("To-do #%(id)s created.") % {"id": todo.pk} if todo.pk else _("To-do created."))
            for todo in todos]


def run_url(run: AutomationRun) -> str:
    return reverse("automations:run", kwargs={"org_slug": run.automation.organization.slug,
                                              "automationrun_id": run.pk})


def _notify_team(*, run: AutomationRun, index: int, action: dict[str, Any], clients: list[Client]) -> Outcome:
    automation = run.automation
    names = ", ".join(c.full_name for c in clients[:5]) + ("…" if len(clients) > 5 else "")
    note = action.get("text", "")
    summary = ngettext("“%(name)s” ran for %(n)d client: %(names)s", "“%(name)s” ran for %(n)d clients: %(names)s",
                       len(clients)) % {"name": automation.name, "n": len(clients), "names": names}
    text = f"{note} — {summary}" if note else summary
    delivery = notify.team(organization=automation.organization, kind="automation_notice",
                           context={"message": text[:300]}, dedupe_key=f"automation-notice:{run.pk}:{index}",
                           client=clients[0] if len(clients) == 1 else None, url=run_url(run))
    if not delivery.notifications and not delivery.messages:
        return Outcome(NOT_SENT, _("Nobody on the team gets these notifications."))
    return Outcome(OK, ngettext("%(n)d person notified.", "%(n)d people notified.", len(delivery.notifications))
                   % {"n": len(delivery.notifications)})


def _error_outcome(exc: Exception) -> Outcome:
    if isinstance(exc, ValidationError):
        return Outcome(FAILED, validation_message(exc))
    if isinstance(exc, outbox.CommsError | ValueError):
        return Outcome(FAILED, str(exc))
    logger.exception("automation action failed")
    return Outcome(FAILED, _("Unexpected error (%(kind)s); the team has been told in the logs.")
                   % {"kind": type(exc).__name__})


def _do_batch(run: AutomationRun, index: int, action: dict[str, Any], batch: Batch, now: datetime,
              cache: dict[Any, Any]) -> list[Outcome]:
    """One action for every client of the batch. A Python error is that action's outcome; a
    database error stops the run (the caller's savepoint undoes it and records why)."""
    kind = action["type"]
    if kind in A.MESSAGE_TYPES:
        outcomes = []
        for client, obj in batch:
            try:
                outcomes.append(_send(run=run, index=index, action=action, client=client, related=obj))
            except DatabaseError:
                raise
            except Exception as exc:
                outcomes.append(_error_outcome(exc))
        return outcomes
    try:
        if kind in (A.ADD_TAG, A.REMOVE_TAG):
            return _tags(run=run, action=action, batch=batch, cache=cache)
        if kind == A.CREATE_TODO:
            return _todos(run=run, action=action, batch=batch, now=now)
    except DatabaseError:
        raise
    except Exception as exc:
        return [_error_outcome(exc)] * len(batch)
    return [Outcome(FAILED, _("Unknown action."))] * len(batch)


def perform(*, run: AutomationRun, targets: list[Target], clients: dict[int, Client], related: dict[Any, Any],
            now: datetime, only: set[tuple[int | None, int]] | None = None,
            cache: dict[Any, Any] | None = None) -> list[dict[str, Any]]:
    """Do the automation's actions, in order, for every target (and the run-level ones once): each
    action for all the run's clients before the next action. ``only``: the (client id or None,
    action index) pairs to do — a retry's; None means every pair. Returns the outcomes (dicts, as
    stored). Call it inside a transaction: a database error propagates and leaves nothing behind."""
    automation = run.automation
    cache = {} if cache is None else cache
    pairs = [(clients[t.client_id], t) for t in targets if t.client_id in clients]  # deleted since: skipped
    reached = [client for client, _target in pairs]
    stored: list[dict[str, Any]] = []
    for index, action in enumerate(automation.actions):
        if action["type"] in A.RUN_LEVEL:
            if not reached or (only is not None and (None, index) not in only):
                continue
            try:
                with transaction.atomic():
                    outcome = _notify_team(run=run, index=index, action=action, clients=reached)
            except DatabaseError:
                raise
            except Exception as exc:
                outcome = _error_outcome(exc)
            stored.append({"client": None, "action": index, "status": outcome.status, "detail": outcome.detail,
                           "message": None, "related": None})
            continue
        chosen = [(client, target) for client, target in pairs if only is None or (client.pk, index) in only]
        if not chosen:
            continue
        batch = [(client, related.get(target.related) if target.related is not None else None)
                 for client, target in chosen]
        for (client, target), outcome in zip(chosen, _do_batch(run, index, action, batch, now, cache), strict=True):
            stored.append({"client": client.pk, "action": index, "status": outcome.status, "detail": outcome.detail,
                           "message": outcome.message_id,
                           "related": list(target.related) if target.related is not None else None})
    stored.sort(key=lambda o: (o["client"] is None, o["client"] or 0, o["action"]))
    return stored


def _reason_text(reasons: Counter[str]) -> str:
    return "; ".join(f"{text} ({n})" if n > 1 else text for text, n in reasons.most_common(3))


@functools.lru_cache(maxsize=2048)
def _described(language: str | None, action: tuple[tuple[str, Any], ...]) -> str:
    return A.describe(dict(action))


def _label(action: dict[str, Any]) -> str:
    """``actions.describe``, worked out once per action and language (every run records it)."""
    try:
        return _described(translation.get_language(), tuple(sorted(action.items())))
    except TypeError:  # a value that cannot be a key
        return A.describe(action)


def summarize(actions: list[dict[str, Any]], outcomes: Iterable[dict[str, Any]]) -> tuple[str, str, list[dict[str, Any]]]:
    """(status, error, results) from the outcomes (see the module doc)."""
    outcomes = list(outcomes)
    results: list[dict[str, Any]] = []
    problems: list[str] = []
    for index, action in enumerate(actions):
        mine = [o for o in outcomes if o["action"] == index]
        counts = Counter(o["status"] for o in mine)
        reasons = Counter(o["detail"] for o in mine if o["status"] != OK)
        if not mine:
            status = "skipped"
        elif counts[OK] == len(mine):
            status = OK
        elif counts[OK] == 0:
            status = FAILED
        else:
            status = "partial"
        detail = _reason_text(reasons)
        label = _label(action)
        results.append({"action": index, "type": action["type"], "label": label, "status": status,
                        "ok": counts[OK], "not_sent": counts[NOT_SENT], "failed": counts[FAILED], "detail": detail})
        if reasons:
            problems.append(_("%(label)s — %(bad)d of %(all)d not done: %(why)s")
                            % {"label": A.TYPES.get(action["type"], action["type"]), "bad": len(mine) - counts[OK],
                               "all": len(mine), "why": detail})
    total = len(outcomes)
    ok = sum(1 for o in outcomes if o["status"] == OK)
    if total == 0 or ok == total:
        status = Run.Status.SUCCEEDED
    elif ok == 0:
        status = Run.Status.FAILED
    else:
        status = Run.Status.PARTIAL
    return status, "\n".join(problems), results


def reached_count(outcomes: Iterable[dict[str, Any]]) -> int:
    """Clients for whom every client action was done."""
    by_client: dict[int, bool] = {}
    for o in outcomes:
        if o["client"] is None:
            continue
        by_client[o["client"]] = by_client.get(o["client"], True) and o["status"] == OK
    return sum(1 for done in by_client.values() if done)


def finish(run: AutomationRun, *, targets: list[Target], outcomes: list[dict[str, Any]],
           note: str = "") -> AutomationRun:
    """Fill in the run's record (the caller saves it, alone or in bulk)."""
    status, error, results = summarize(run.automation.actions, outcomes)
    run.status = status
    run.error = "\n".join(x for x in (note, error) if x)
    run.results = results
    run.outcomes = outcomes
    run.client_ids = sorted({t.client_id for t in targets})
    run.clients_reached = reached_count(outcomes)
    run.finished_at = max(timezone.now(), run.started_at)
    return run


RECORD_FIELDS = ["status", "error", "results", "outcomes", "client_ids", "clients_reached", "finished_at"]


def failure_notice(run: AutomationRun) -> str:
    """What the coach is told about a run that ended failed or partly done (its first reason)."""
    reason = next((line.strip() for line in run.error.splitlines() if line.strip()), "")
    values = {"name": run.automation.name, "reason": reason}
    if run.status == Run.Status.PARTIAL:
        text = _("“%(name)s” was only partly done: %(reason)s") if reason else _("“%(name)s” was only partly done.")
    else:
        text = _("“%(name)s” failed: %(reason)s") if reason else _("“%(name)s” failed.")
    return (text % values)[:300]


def notify_failure(run: AutomationRun) -> None:
    """A run that ended failed or partly done: the coach hears of it (a bell entry, and email as each
    person chose), once per run. Call it in the transaction that records the run's end. It never
    fails the run: a problem telling the team is logged (its savepoint undoes what it wrote)."""
    if run.status not in (Run.Status.FAILED, Run.Status.PARTIAL):
        return
    try:
        with transaction.atomic():
            notify.team(organization=run.automation.organization, kind="automation_failed",
                        context={"message": failure_notice(run)}, related=run,
                        dedupe_key=f"automation-failed:{run.pk}", url=run_url(run))
    except Exception:
        logger.exception("could not tell the team about a failed automation run", extra={"run": run.pk})


def save_records(runs: list[AutomationRun]) -> None:
    """Write the records of many runs in one statement (see ``db.update_many``)."""
    update_many(runs, RECORD_FIELDS)


def automation_summary(automation: Automation) -> str:
    return "; ".join(A.describe(a) for a in automation.actions)
