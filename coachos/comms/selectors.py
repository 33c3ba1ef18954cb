"""Reads the message pages and the API share: the outbox with filters, why a message did not go,
a client's conversation, the inbox, the wording of each template, and preview data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import CharField, DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachos.clients.models import Client
from coachos.tenancy.models import Organization

from . import catalog, context, outbox
from .models import Channel, InboundMessage, MessageTemplate, OutboundMessage

Status = OutboundMessage.Status

# How each status reads on the pages, and its badge colour.
STATUS_LABELS: dict[str, Promise] = {
    Status.QUEUED: gettext_lazy("Queued"), Status.DEFERRED: gettext_lazy("Held: quiet hours"),
    Status.SENDING: gettext_lazy("Sending"), Status.SENT: gettext_lazy("Sent"),
    Status.DELIVERED: gettext_lazy("Delivered"), Status.FAILED: gettext_lazy("Failed"),
    Status.SUPPRESSED: gettext_lazy("Not sent"),
}
STATUS_BADGES: dict[str, str] = {Status.DEFERRED: "warning", Status.SENT: "success", Status.DELIVERED: "success",
                 Status.FAILED: "danger", Status.SUPPRESSED: "muted"}


# --- the outbox ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class OutboxFilters:
    status: str = ""
    channel: str = ""
    kind: str = ""
    q: str = ""  # the client's name, email or phone, or the address it went to
    date_from: date | None = None  # in the business's zone
    date_to: date | None = None  # inclusive
    client_id: int | None = None


def _day_start(organization: Organization, day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=organization.tzinfo)


def about_clients(messages: QuerySet[Any], clients: QuerySet[Client] | None) -> QuerySet[Any]:
    """Messages (in or out) without those to or from clients outside ``clients`` (pass
    ``clients_visible_to(membership)``; None keeps every message). Messages to no client stay."""
    if clients is None:
        return messages
    return messages.filter(Q(client__isnull=True) | Q(client__in=clients))


def outbox_list(*, organization: Organization, filters: OutboxFilters,
                clients: QuerySet[Client] | None = None) -> QuerySet[OutboundMessage]:
    """Every outgoing message (about the clients of ``clients``, if given), newest first (by when
    it was written)."""
    messages = about_clients(OutboundMessage.objects.select_related("client", "user"), clients)
    if filters.status:
        messages = messages.filter(status=filters.status)
    if filters.channel:
        messages = messages.filter(channel=filters.channel)
    if filters.kind:
        messages = messages.filter(kind=filters.kind)
    if filters.client_id is not None:
        messages = messages.filter(client_id=filters.client_id)
    for term in filters.q.split()[:5]:
        messages = messages.filter(
            Q(client__first_name__icontains=term) | Q(client__last_name__icontains=term)
            | Q(client__email__icontains=term) | Q(client__phone__icontains=term) | Q(to__icontains=term)
        )
    if filters.date_from is not None:
        messages = messages.filter(created_at__gte=_day_start(organization, filters.date_from))
    if filters.date_to is not None:
        messages = messages.filter(created_at__lt=_day_start(organization, filters.date_to + timedelta(days=1)))
    return messages.order_by("-created_at", "-id")


def status_counts(*, clients: QuerySet[Client] | None = None) -> dict[str, int]:
    """How many messages need a look: failed, and held back (not sent)."""
    from django.db.models import Count

    rows = about_clients(OutboundMessage.objects.all(), clients).filter(status__in=[Status.FAILED, Status.SUPPRESSED, Status.DEFERRED]) \
        .values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


# Provider error codes, said the way a coach would say them (https://www.twilio.com/docs/api/errors).
ERROR_EXPLANATIONS: dict[str, Promise] = {
    "21610": gettext_lazy("The recipient has opted out of texts from your number (they replied STOP), so Twilio "
                          "refused it. They can text START to your number to opt back in."),
    "21211": gettext_lazy("The phone number is not a valid number. Check it on the client's profile."),
    "21614": gettext_lazy("The phone number is not a mobile number, so it cannot receive texts."),
    "21612": gettext_lazy("Twilio cannot deliver texts to this number from your SMS number."),
    "21408": gettext_lazy("Your Twilio account is not allowed to text this country or region."),
    "21606": gettext_lazy("Your SMS number cannot send texts. Check it in Settings and in your Twilio account."),
    "21659": gettext_lazy("Your SMS number is not a Twilio number. Check it in Settings."),
    "30003": gettext_lazy("The phone was unreachable (switched off or out of coverage)."),
    "30004": gettext_lazy("The recipient's carrier or phone blocked the text."),
    "30005": gettext_lazy("The number does not exist (or no longer does)."),
    "30006": gettext_lazy("The number is a landline or its carrier cannot receive texts."),
    "recipient_refused": gettext_lazy("The mail server refused the email address. Check it on the client's "
                                      "profile."),
}


def _explain(code: str) -> str:
    text = ERROR_EXPLANATIONS.get(code)
    return str(text) if text is not None else ""


def reason_for(message: OutboundMessage, organization: Organization) -> str:
    """Why a message has not gone (or will go later), in plain words; "" when there is nothing to explain."""
    if message.status == Status.DEFERRED:
        start = context.local_time(organization, organization.quiet_hours_start)
        end = context.local_time(organization, organization.quiet_hours_end)
        return _("Held by quiet hours (%(start)s–%(end)s, your time zone) until %(when)s, then sent.") % {
            "start": start, "end": end, "when": context.local_datetime(organization, message.scheduled_for)}
    if message.status in (Status.FAILED, Status.SUPPRESSED):
        return _explain(message.error_code) or message.last_error or _("No reason was recorded.")
    if message.status == Status.QUEUED and message.last_error:
        return _("The last try failed (%(error)s). Next try: %(when)s.") % {
            "error": _explain(message.error_code) or message.last_error,
            "when": context.local_datetime(organization, message.scheduled_for)}
    return ""


def can_resend(message: OutboundMessage) -> bool:
    return message.status in (Status.FAILED, Status.SUPPRESSED)


def related_link(message: OutboundMessage, org_slug: str) -> tuple[str, str]:
    """(label, url) for the object the message is about; url may be "" when it has no page."""
    from django.urls import NoReverseMatch, reverse

    if not message.related_type or not message.related_id:
        return "", ""
    label = f"{message.related_type.replace('_', ' ').capitalize()} #{message.related_id}"
    try:
        if message.related_type == "booking":
            from coachos.scheduling.models import Booking

            booking = Booking.objects.filter(pk=message.related_id).select_related("session").first()
            if booking is None:
                return label + " " + _("(deleted)"), ""
            label = _("Booking #%(id)s") % {"id": booking.pk}
            return label, reverse("calendar:session", kwargs={"org_slug": org_slug, "session_id": booking.session_id})
        if message.related_type == "trainingsession":
            return _("Session #%(id)s") % {"id": message.related_id}, reverse(
                "calendar:session", kwargs={"org_slug": org_slug, "session_id": message.related_id})
        if message.related_type == "inboundmessage":
            return _("Text from the client #%(id)s") % {"id": message.related_id}, reverse(
                "comms:inbox", kwargs={"org_slug": org_slug}) + f"#text-{message.related_id}"
        if message.related_type == "client":
            return _("Client #%(id)s") % {"id": message.related_id}, reverse(
                "clients:detail", kwargs={"org_slug": org_slug, "client_id": message.related_id})
    except NoReverseMatch:
        pass
    return label, ""


# --- a client's conversation --------------------------------------------------------------------

@dataclass(frozen=True)
class ThreadItem:
    direction: str  # "out" | "in"
    at: datetime
    message: Any  # OutboundMessage | InboundMessage


def client_thread(*, client: Client) -> QuerySet[Any]:
    """Every message to and from the client, interleaved by time, newest first, as (direction, id, at)
    rows — one query the page can paginate; ``thread_items`` turns a page of them into messages."""
    outgoing = OutboundMessage.objects.filter(client=client).annotate(
        direction=Value("out", output_field=CharField()),
        at=Coalesce("sent_at", "scheduled_for", output_field=DateTimeField()),
    ).order_by().values_list("direction", "id", "at")
    incoming = InboundMessage.objects.filter(client=client).annotate(
        direction=Value("in", output_field=CharField()), at=F("received_at"),
    ).order_by().values_list("direction", "id", "at")
    return outgoing.union(incoming, all=True).order_by("-at", "-id")  # type: ignore[no-any-return]


def thread_items(rows: list[tuple[str, int, datetime]]) -> list[ThreadItem]:
    out_ids = [pk for direction, pk, _at in rows if direction == "out"]
    in_ids = [pk for direction, pk, _at in rows if direction == "in"]
    outgoing = OutboundMessage.objects.in_bulk(out_ids)
    incoming = InboundMessage.objects.select_related("booking").in_bulk(in_ids)
    items = []
    for direction, pk, at in rows:
        message = outgoing.get(pk) if direction == "out" else incoming.get(pk)
        if message is not None:
            items.append(ThreadItem(direction, at, message))
    return items


def send_blockers(*, organization: Organization, client: Client) -> dict[str, str]:
    """Per channel, why the team cannot message this client now ("" when they can)."""
    return {
        Channel.SMS: outbox.suppression_reason(organization=organization, channel=Channel.SMS, to=client.phone,
                                               client=client, promotional=False),
        Channel.EMAIL: outbox.suppression_reason(organization=organization, channel=Channel.EMAIL,
                                                 to=client.email, client=client, promotional=False),
    }


# --- the inbox ----------------------------------------------------------------------------------

def inbox_list(*, unread_only: bool = False, clients: QuerySet[Client] | None = None) -> QuerySet[InboundMessage]:
    """Texts from clients (of ``clients``, if given): unread first, then newest."""
    texts = about_clients(InboundMessage.objects.select_related("client", "booking__session"), clients)
    if unread_only:
        texts = texts.filter(read_at__isnull=True)
    return texts.order_by(F("read_at").asc(nulls_first=True), "-received_at", "-id")


def unread_count(*, clients: QuerySet[Client] | None = None) -> int:
    """Unread texts (from the clients of ``clients``, if given, and from numbers of no client)."""
    return about_clients(InboundMessage.objects.filter(read_at__isnull=True), clients).count()


def reply_blocker(*, organization: Organization, text: InboundMessage) -> str:
    return outbox.suppression_reason(organization=organization, channel=Channel.SMS, to=text.from_number,
                                     client=text.client, promotional=False)


# --- templates ----------------------------------------------------------------------------------

COMMON_VARIABLES = ("client_first_name", "client_name", "business_name", "business_phone", "link", "portal_link",
                    "booking_link")
BOOKING_VARIABLES = ("session_type", "session_date", "session_time", "coach_name", "session_location")


def editable_kind(key: str) -> catalog.Kind | None:
    spec = catalog.KINDS.get(key)
    return spec if spec is not None and spec.audience == "client" else None


def channels_of(spec: catalog.Kind) -> list[str]:
    """The channels a kind has wording for (a few replies exist only as texts)."""
    found = []
    if spec.sms:
        found.append(Channel.SMS.value)
    if spec.email:
        found.append(Channel.EMAIL.value)
    return found


def variables_for(spec: catalog.Kind) -> list[str]:
    """The variables a kind's messages are given, so its wording may use them."""
    if spec.variables:
        return [v for v in spec.variables if v in catalog.VARIABLES]
    names = set(COMMON_VARIABLES)
    for text in (spec.sms, spec.subject, spec.email):
        names.update(catalog.PLACEHOLDER.findall(str(text)))
    if spec.booking:
        names.update(BOOKING_VARIABLES)
    return [v for v in catalog.VARIABLES if v in names]


def template_rows(organization: Organization) -> list[dict[str, Any]]:
    """Each client message with its SMS and email wording: the business's own or the default."""
    own = {(t.kind, t.channel): t for t in MessageTemplate.objects.all()}
    rows = []
    for spec in catalog.CLIENT_EDITABLE:
        channels = {}
        for channel in channels_of(spec):
            subject, body, enabled = outbox.template_for(organization, spec, channel)
            channels[channel] = {"subject": subject, "body": body, "enabled": enabled,
                                 "custom": (spec.key, channel) in own}
        rows.append({"kind": spec, "sms": channels.get(Channel.SMS), "email": channels.get(Channel.EMAIL)})
    return rows


def sample_variables(organization: Organization, *, now: datetime | None = None) -> dict[str, str]:
    """Believable values for a preview: a session tomorrow at 17:30 in the business's zone, whatever
    zone the person previewing is in."""
    from coachos.scheduling.models import Coach, SessionType

    zone = organization.tzinfo
    today = timezone.localtime(now or timezone.now(), zone).date()
    starts = datetime.combine(today + timedelta(days=1), time(17, 30), tzinfo=zone)
    was = datetime.combine(today + timedelta(days=1), time(9, 0), tzinfo=zone)
    coach = Coach.objects.filter(active=True).select_related("membership__user").order_by("pk").first()
    session_type = SessionType.objects.order_by("pk").first()
    location = organization.address.replace("\n", ", ") or organization.name
    values = context.build(organization=organization, extra={
        "client_first_name": _("Alex"), "client_name": _("Alex Rivera"),
        "coach_name": coach.name if coach is not None else _("Jordan"),
        "session_type": session_type.name if session_type is not None else _("Personal training"),
        "session_date": context.local_date(organization, starts),
        "session_time": context.local_time(organization, starts),
        "session_location": location,
        "old_session_date": context.local_date(organization, was),
        "old_session_time": context.local_time(organization, was),
        "credits_left": "2", "package_name": _("10 sessions"),
        "expires_on": context.local_date(organization, starts + timedelta(days=30)),
        "amount": context.money(organization, 12000),
        "message": _("Running ten minutes late today, see you soon!"),
    })
    if not values.get("business_phone"):
        values["business_phone"] = organization.sms_number or "+13125550100"
    return values


def preview(organization: Organization, *, subject: str, body: str, now: datetime | None = None) -> dict[str, str]:
    values = sample_variables(organization, now=now)
    return {"subject": catalog.render(subject, values), "body": catalog.render(body, values)}
