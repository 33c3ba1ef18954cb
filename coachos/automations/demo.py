"""Demo automations for Northside Strength: the four recipes, with a run history. Idempotent.

- Birthday message (on): a run 12 days ago that texted a client, yesterday's daily check that
  found nobody, and one 2 days ago that **failed**: the only client with a birthday that day had
  texted STOP (the messaging demo records that opt-out), so the text was not sent — with the
  outbox's own reason. One client's birthday is today, so its dry run shows someone.
- Win-back after 30 days (on): yesterday's daily check, for whoever really had no booking in 30
  days (in the demo everyone has a session coming up, so it truthfully reached nobody).
- Low-credit nudge (on): three runs as clients' packages went down to their last credit, each a
  text (not sent where the client never agreed to texts: the run is then "partly done") and a
  to-do for the coach; the oldest to-do is ticked off.
- Review request after the 5th session (off: the coach has not switched it on yet).

The records are what the runner would have written (``runner.summarize``; the outbox's consent
and opt-out checks decide what was sent; message rows as the sender leaves them), dated in the
past; a history is written only when its automation is created, so a second run changes nothing.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope

from coachos.clients.models import Client
from coachos.comms import catalog, context, outbox
from coachos.comms.models import OutboundMessage
from coachos.credits.models import ClientPackage
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from . import actions as A
from . import audience, runner, services
from .models import Automation, AutomationRun, ConditionFire, Todo
from .recipes import RECIPES

OPTED_OUT_CLIENT = "james.davis@example.com"  # texted STOP (the messaging demo)
BIRTHDAY_TODAY = "amelia.thomas@example.com"
LOW_CREDIT_CLIENTS = (("lucas.wilson@example.com", 12), ("elijah.garcia@example.com", 4),
                      ("sophia.miller@example.com", 1))  # (client, days ago)


def _at(organization: Organization, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=organization.tzinfo)


def _set_birthday(email: str, day: date) -> Client | None:
    client = Client.objects.filter(email=email).first()
    if client is None:
        return None
    if client.birthday is None:
        Client.objects.filter(pk=client.pk).update(birthday=day.replace(year=1988))  # a leap year
        client.refresh_from_db()
    return client


def _message(organization: Organization, run: AutomationRun, index: int, action: dict[str, Any], client: Client,
             at: datetime, related: Any) -> runner.Outcome:
    """What the SMS action did for this client: the outbox's own check, and a sent row if it went."""
    reason = outbox.suppression_reason(organization=organization, channel="sms", to=client.phone, client=client,
                                       promotional=False)
    if reason:
        return runner.Outcome(runner.NOT_SENT, f"SMS not sent: {reason}")
    key = f"automation:{run.pk}:{index}:{client.pk}"
    variables = context.build(organization=organization, client=client, related=related,
                              extra={k: v for k, v in runner._package_variables(organization, related).items()})
    message = OutboundMessage.objects.create(
        organization=organization, channel="sms", kind=A.OWN_TEXT, client=client, to=client.phone,
        sender=outbox.sender_for(organization, "sms"), body=catalog.render(action["text"], variables),
        dedupe_key=key, scheduled_for=at, status=OutboundMessage.Status.DELIVERED, attempts=1, sent_at=at,
        delivered_at=at + timedelta(seconds=5),
        provider_id="SMdemo" + hashlib.sha256(f"{organization.pk}:{key}".encode()).hexdigest()[:26])
    OutboundMessage.objects.filter(pk=message.pk).update(created_at=at, updated_at=at + timedelta(seconds=5))
    return runner.Outcome(runner.OK, "Queued.", message.pk)


def _record(organization: Organization, automation: Automation, *, trigger: str, at: datetime,
            targets: list[tuple[Client, str, Any]], due: bool = True,
            trigger_data: dict[str, Any] | None = None, event_key: str | None = None) -> AutomationRun:
    run = AutomationRun.objects.create(
        organization=organization, automation=automation, trigger=trigger, started_at=at,
        due_at=at if due else None, event_key=event_key, trigger_data=trigger_data or {})
    outcomes = []
    for client, _key, related in targets:
        for index, action in enumerate(automation.actions):
            if action["type"] == A.SEND_SMS:
                outcome = _message(organization, run, index, action, client, at, related)
            elif action["type"] == A.CREATE_TODO:
                title = catalog.render(action["title"], runner._variables(organization, client, related))
                todo = Todo.objects.create(organization=organization, title=title, client=client, automation=automation,
                                           run=run, due=at.astimezone(organization.tzinfo).date()
                                           + timedelta(days=action.get("due_in_days", 0)))
                Todo.objects.filter(pk=todo.pk).update(created_at=at)
                outcome = runner.Outcome(runner.OK, f"To-do #{todo.pk} created.")
            else:
                continue
            outcomes.append({"client": client.pk, "action": index, "status": outcome.status,
                             "detail": outcome.detail, "message": outcome.message_id,
                             "related": [related._meta.model_name, related.pk] if related is not None else None})
    if automation.trigger_type == Automation.Trigger.CONDITION:
        ConditionFire.objects.bulk_create([
            ConditionFire(organization=organization, automation=automation, client=client, key=key, run=run,
                          fired_at=at) for client, key, _related in targets], ignore_conflicts=True)
    status, error, results = runner.summarize(automation.actions, outcomes)
    AutomationRun.objects.filter(pk=run.pk).update(
        status=status, error=error, results=results, outcomes=outcomes, client_ids=sorted(c.pk for c, _k, _r in targets),
        clients_reached=runner.reached_count(outcomes), finished_at=at + timedelta(seconds=2))
    return run


def _texter(organization: Organization, exclude: list[str]) -> Client | None:
    """A client a text may go to (agreed to texts, not opted out)."""
    for client in Client.objects.filter(sms_consent=True, birthday__isnull=True).exclude(phone="").exclude(
            email__in=exclude).order_by("last_name", "pk"):
        if not outbox.is_opted_out(organization, client.phone):
            return client
    return None


def _birthday_history(organization: Organization, automation: Automation, today: date) -> None:
    texter = _texter(organization, [OPTED_OUT_CLIENT, BIRTHDAY_TODAY])
    if texter is not None:
        day = today - timedelta(days=12)
        _set_birthday(texter.email, day)
        _record(organization, automation, trigger="condition", at=_at(organization, day, 9),
                targets=[(texter, f"birthday:{day.year}", None)])
    stopped = _set_birthday(OPTED_OUT_CLIENT, today - timedelta(days=2))
    if stopped is not None:
        day = today - timedelta(days=2)
        _record(organization, automation, trigger="condition", at=_at(organization, day, 9),
                targets=[(stopped, f"birthday:{day.year}", None)])
    _record(organization, automation, trigger="condition", at=_at(organization, today - timedelta(days=1), 9),
            targets=[])
    _set_birthday(BIRTHDAY_TODAY, today)


def _win_back_history(organization: Organization, automation: Automation, today: date) -> None:
    at = _at(organization, today - timedelta(days=1), 10)
    chosen = audience.audience(automation, now=at)[:3]
    clients = Client.objects.in_bulk([t.client_id for t in chosen])
    _record(organization, automation, trigger="condition", at=at,
            targets=[(clients[t.client_id], t.key, None) for t in chosen if t.client_id in clients])


def _low_credit_history(organization: Organization, automation: Automation, today: date) -> None:
    for email, days_ago in LOW_CREDIT_CLIENTS:
        client = Client.objects.filter(email=email).first()
        package = ClientPackage.objects.filter(client=client).order_by("remaining", "-pk").first() \
            if client is not None else None
        if client is None or package is None:
            continue
        _record(organization, automation, trigger="event", at=_at(organization, today - timedelta(days=days_ago), 18),
                targets=[(client, "", package)], due=False,
                event_key=f"package.low_credits:clientpackage:{package.pk}",
                trigger_data={"name": "package.low_credits", "object_type": "clientpackage", "object_id": package.pk,
                              "data": {"remaining": min(package.remaining, 1)}})


HISTORY = {"birthday": _birthday_history, "win_back": _win_back_history, "low_credit": _low_credit_history}
SWITCHED_ON = {"win_back": True, "birthday": True, "low_credit": True, "review_request": False}


def seed_automations(organization: Organization) -> None:
    with scope(organization=organization):
        owner = Membership.objects.filter(role=Role.OWNER).select_related("user").order_by("pk").first()
        actor = owner.user if owner is not None else None
        today = timezone.localtime(timezone.now(), organization.tzinfo).date()
        for key, enabled in SWITCHED_ON.items():
            recipe = RECIPES[key]
            if Automation.objects.filter(name=recipe.data["name"]).exists():
                continue
            automation = services.automation_create(organization=organization, actor=actor,
                                                    data={**recipe.data, "enabled": enabled})
            Automation.objects.filter(pk=automation.pk).update(created_at=timezone.now() - timedelta(days=20))
            if key in HISTORY:
                HISTORY[key](organization, automation, today)
        oldest = Todo.objects.filter(done=False).order_by("created_at", "id").first()
        if oldest is not None and not Todo.objects.filter(done=True).exists() and Todo.objects.count() > 1:
            Todo.objects.filter(pk=oldest.pk).update(done=True, done_at=oldest.created_at + timedelta(days=1))
