"""The assistant's tools: the existing selectors and services, run with the team member's permissions
inside the business's scope.

Reading tools answer at once. Changing tools never change anything: they return a proposal (what will
happen, to whom) that the member accepts or rejects; only ``run_proposal`` — called on acceptance —
runs the service. What goes back to the model is minimal: ids, times, numbers, statuses; client names
only when the business allows it; never emails, phone numbers or notes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.common import formats
from coachos.credits.models import ClientPackage
from coachos.scheduling import selectors as scheduling_selectors
from coachos.scheduling import services as scheduling_services
from coachos.scheduling import visibility
from coachos.scheduling.models import Booking, TrainingSession

from . import metrics
from .ai_gateway import ToolSpec


class ToolError(Exception):
    """A refusal the model is told about (bad arguments, not found, not allowed)."""


@dataclass
class Context:
    viewer: metrics.Viewer
    user: Any
    names_allowed: bool
    now: datetime

    @property
    def tz(self) -> Any:
        return self.viewer.organization.tzinfo


def client_ref(ctx: Context, client: Client) -> dict[str, Any]:
    ref: dict[str, Any] = {"client_id": client.pk}
    if ctx.names_allowed:
        ref["name"] = f"{client.first_name} {client.last_name[:1]}.".strip()
    return ref


def _instant(ctx: Context, value: Any, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ToolError(_("%(field)s must be an ISO 8601 date-time.") % {"field": field})
    if moment.tzinfo is None:  # the model speaks the business's wall clock
        moment = moment.replace(tzinfo=ctx.tz)
    return moment


def _local(ctx: Context, moment: datetime) -> str:
    return moment.astimezone(ctx.tz).isoformat(timespec="minutes")


def _days(value: Any, default: int, high: int = 366) -> int:
    try:
        days = int(value if value is not None else default)
    except (TypeError, ValueError):
        raise ToolError(_("days must be a whole number."))
    if not 1 <= days <= high:
        raise ToolError(_("days must be between 1 and %(n)s.") % {"n": high})
    return days


# --- reading tools ------------------------------------------------------------------------------

def find_clients(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    query = str(args.get("name", "")).strip()[:60]
    if not query:
        raise ToolError(_("Give part of a name."))
    clients = ctx.viewer.clients()
    for term in query.split()[:3]:
        clients = clients.filter(Q(first_name__icontains=term) | Q(last_name__icontains=term))
    return {"clients": [client_ref(ctx, c) for c in clients.order_by("first_name", "pk")[:10]]}


def clients_without_booking(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    days = _days(args.get("days"), 21)
    since = ctx.now - timedelta(days=days)
    attended = Booking.objects.filter(status__in=metrics.ATTENDED)
    recent = attended.filter(session__starts_at__gte=since).values("client_id")
    clients = (ctx.viewer.clients().filter(pk__in=attended.values("client_id")).exclude(pk__in=recent)
               .order_by("first_name", "pk")[:50])
    return {"days": days, "clients": [client_ref(ctx, c) for c in clients]}


def sessions_between(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    start, end = _instant(ctx, args.get("start"), "start"), _instant(ctx, args.get("end"), "end")
    if not start < end <= start + timedelta(days=31):
        raise ToolError(_("The range must run forward and cover at most 31 days."))
    sessions = list(scheduling_selectors.sessions_in_range(start=start, end=end))
    hidden = visibility.hidden_in(ctx.viewer.membership, sessions)
    out = []
    for session in sessions[:60]:
        access = visibility.session_access(session, hidden)
        if access.busy:
            continue
        out.append({"session_id": session.pk, "starts_at": _local(ctx, session.starts_at),
                    "ends_at": _local(ctx, session.ends_at), "status": session.status,
                    "session_type": session.session_type.name, "coach_id": session.coach_id,
                    "clients": [client_ref(ctx, b.client) for b in access.bookings if b.is_active]})
    return {"sessions": out, "time_zone": ctx.viewer.organization.timezone}


def insights_summary(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    start, end = _instant(ctx, args.get("start"), "start"), _instant(ctx, args.get("end"), "end")
    if not start < end <= start + timedelta(days=400):
        raise ToolError(_("The range must run forward and cover at most 400 days."))
    numbers = metrics.headline(ctx.viewer, start, end)
    numbers["start"], numbers["end"] = _local(ctx, start), _local(ctx, end)
    numbers["currency"] = ctx.viewer.organization.currency
    numbers["late_cancelled"] = metrics.session_counts(ctx.viewer, start, end)["late_cancelled"]
    return numbers


def credits_expiring(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    days = _days(args.get("days"), 30)
    packages = (ClientPackage.objects.filter(status=ClientPackage.Status.ACTIVE, remaining__gt=0, expires_at__gt=ctx.now,
                                             expires_at__lte=ctx.now + timedelta(days=days),
                                             client__in=ctx.viewer.clients())
                .select_related("client").order_by("expires_at")[:50])
    return {"packages": [{**client_ref(ctx, p.client), "credits": p.remaining,
                          "expires_at": _local(ctx, p.expires_at)} for p in packages]}


# --- proposing tools (they change nothing) ---------------------------------------------------------

def _session_for_change(ctx: Context, session_id: Any) -> TrainingSession:
    try:
        pk = int(session_id)
    except (TypeError, ValueError):
        raise ToolError(_("session_id must be a number."))
    session = TrainingSession.objects.filter(pk=pk).select_related("session_type").prefetch_related(
        "bookings__client").first()
    if session is None:
        raise ToolError(_("No such session."))
    access = visibility.access_for(ctx.viewer.membership, session)
    if access.busy:
        raise ToolError(_("No such session."))
    if access.locked:
        raise ToolError(visibility.locked_message())
    if session.status != TrainingSession.Status.SCHEDULED:
        raise ToolError(_("Only a scheduled session can be changed."))
    return session


def _who(ctx: Context, session: TrainingSession) -> str:
    names = [f"{b.client.first_name} {b.client.last_name}".strip() for b in session.bookings.all() if b.is_active]
    return ", ".join(names) or _("nobody booked")


def propose_reschedule(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    session = _session_for_change(ctx, args.get("session_id"))
    new_start = _instant(ctx, args.get("new_start"), "new_start")
    if new_start <= ctx.now:
        raise ToolError(_("The new time must be in the future."))
    summary = _("Move %(type)s with %(who)s from %(old)s to %(new)s, and tell them.") % {
        "type": session.session_type.name, "who": _who(ctx, session),
        "old": formats.format_datetime(session.starts_at, zone=ctx.tz),
        "new": formats.format_datetime(new_start, zone=ctx.tz)}
    return {"proposal": {"action": "reschedule_session", "summary": summary,
                         "arguments": {"session_id": session.pk, "new_start": new_start.isoformat()}}}


def propose_cancel(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    session = _session_for_change(ctx, args.get("session_id"))
    reason = str(args.get("reason", ""))[:200]
    summary = _("Cancel %(type)s with %(who)s on %(when)s, and tell them.") % {
        "type": session.session_type.name, "who": _who(ctx, session),
        "when": formats.format_datetime(session.starts_at, zone=ctx.tz)}
    return {"proposal": {"action": "cancel_session", "summary": summary,
                         "arguments": {"session_id": session.pk, "reason": reason}}}


def propose_message(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    ids = args.get("client_ids")
    if not isinstance(ids, list) or not ids or len(ids) > 100:
        raise ToolError(_("client_ids must list 1 to 100 clients."))
    text = str(args.get("text", "")).strip()[:2000]
    if not text:
        raise ToolError(_("Write the message."))
    try:
        wanted = {int(i) for i in ids}
    except (TypeError, ValueError):
        raise ToolError(_("client_ids must be numbers."))
    clients = list(ctx.viewer.clients().filter(pk__in=wanted).order_by("first_name", "pk"))
    if len(clients) != len(wanted):
        raise ToolError(_("Some of those clients do not exist."))
    names = ", ".join(f"{c.first_name} {c.last_name}".strip() for c in clients[:10])
    if len(clients) > 10:
        names += _(" and %(n)s more") % {"n": len(clients) - 10}
    summary = _("Email %(names)s: “%(text)s”") % {"names": names, "text": text[:200]}
    return {"proposal": {"action": "message_clients", "summary": summary,
                         "arguments": {"client_ids": [c.pk for c in clients], "text": text}}}


@dataclass(frozen=True)
class Tool:
    spec: ToolSpec
    run: Callable[[Context, dict[str, Any]], dict[str, Any]]
    proposes: bool = False


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


DATE_TIME = {"type": "string", "description": "ISO 8601 date-time; without an offset it is the business's local time."}
TOOLS: dict[str, Tool] = {t.spec.name: t for t in (
    Tool(ToolSpec("find_clients", "Find clients by part of their name.",
                  _schema({"name": {"type": "string"}}, ["name"])), find_clients),
    Tool(ToolSpec("clients_without_booking", "Clients who booked before but have no booking in the last N days "
                  "(nor any booked ahead).", _schema({"days": {"type": "integer"}}, ["days"])), clients_without_booking),
    Tool(ToolSpec("sessions_between", "Sessions between two times (at most 31 days), with their clients.",
                  _schema({"start": DATE_TIME, "end": DATE_TIME}, ["start", "end"])), sessions_between),
    Tool(ToolSpec("insights_summary", "Revenue, sessions completed, no-shows and active clients for a period, "
                  "with the previous period and the year before.",
                  _schema({"start": DATE_TIME, "end": DATE_TIME}, ["start", "end"])), insights_summary),
    Tool(ToolSpec("credits_expiring", "Clients whose package credits expire within N days.",
                  _schema({"days": {"type": "integer"}}, ["days"])), credits_expiring),
    Tool(ToolSpec("propose_reschedule", "Prepare moving a session to a new start (the coach must accept).",
                  _schema({"session_id": {"type": "integer"}, "new_start": DATE_TIME}, ["session_id", "new_start"])),
         propose_reschedule, proposes=True),
    Tool(ToolSpec("propose_cancel_session", "Prepare cancelling a session (the coach must accept).",
                  _schema({"session_id": {"type": "integer"}, "reason": {"type": "string"}}, ["session_id"])),
         propose_cancel, proposes=True),
    Tool(ToolSpec("propose_message", "Prepare an email to some clients (the coach must accept).",
                  _schema({"client_ids": {"type": "array", "items": {"type": "integer"}}, "text": {"type": "string"}},
                          ["client_ids", "text"])), propose_message, proposes=True),
)}


# --- acceptance: only here does anything change ------------------------------------------------------

def run_proposal(ctx: Context, action: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Run an accepted proposal's service as the member; the same checks again (things may have changed)."""
    if action == "reschedule_session":
        session = _session_for_change(ctx, arguments["session_id"])
        moved = scheduling_services.session_move(session=session, starts_at=datetime.fromisoformat(
            arguments["new_start"]), actor=ctx.user, now=timezone.now())
        return {"session_id": moved.pk, "starts_at": _local(ctx, moved.starts_at)}
    if action == "cancel_session":
        session = _session_for_change(ctx, arguments["session_id"])
        cancelled = scheduling_services.session_cancel(session=session, actor=ctx.user, reason=arguments.get("reason", ""))
        return {"session_id": cancelled.pk, "status": cancelled.status}
    if action == "message_clients":
        from coachos.comms import compose

        clients = list(ctx.viewer.clients().filter(pk__in=arguments["client_ids"]))
        sent = []
        for client in clients:
            message = compose.message_send(organization=ctx.viewer.organization, actor=ctx.user, client=client,
                                           channel="email", body=arguments["text"], subject="")
            sent.append({"client_id": client.pk, "status": getattr(message, "status", "")})
        return {"messages": sent}
    raise PermissionDenied(_("Unknown action."))
