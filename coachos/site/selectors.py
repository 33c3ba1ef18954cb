"""Reads that combine several apps, for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from coachos.automations.models import Todo
from coachos.billing.models import ClientMembership, Purchase
from coachos.clients.models import Client
from coachos.clients.selectors import EXPIRING_DAYS, client_list_annotated, low_credits_q
from coachos.credits.models import BookingCredit, ClientPackage
from coachos.scheduling.models import Booking, Coach, SkippedOccurrence, TrainingSession
from coachos.scheduling.selectors import conflicts_for
from coachos.tenancy.models import Organization


def dashboard_counts(*, now: datetime | None = None, base: QuerySet[Client] | None = None) -> dict[str, int]:
    """Clients low on credits (as the client list's "Low on credits" filter counts them) and
    packages with credits left that expire within 14 days, among the clients of ``base`` (pass
    ``clients_visible_to(membership)``; every client by default)."""
    now = now or timezone.now()
    soon = now + timedelta(days=EXPIRING_DAYS)
    clients = client_list_annotated(now=now, base=base).exclude(status=Client.Status.ARCHIVED)
    expiring = ClientPackage.objects.filter(status=ClientPackage.Status.ACTIVE, remaining__gt=0,
                                            expires_at__gt=now, expires_at__lte=soon)
    if base is not None:
        expiring = expiring.filter(client__in=base)
    return {"low_credits": clients.filter(low_credits_q(soon)).count(), "expiring_packages": expiring.count()}


@dataclass(frozen=True)
class DayBooking:
    client_name: str
    client_id: int
    confirmed: bool  # the client answered Y to the confirmation message
    credit_used: bool


@dataclass(frozen=True)
class DaySession:
    session: TrainingSession
    bookings: list[DayBooking]


def day_bounds(*, organization: Organization, day: date) -> tuple[datetime, datetime]:
    """The instants a day of the business's calendar starts and ends (23 or 25 hours at DST)."""
    tz = organization.tzinfo
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def dashboard_sessions(*, organization: Organization, day: date, coach: Coach | None,
                       clients: QuerySet[Client] | None = None) -> list[DaySession]:
    """A day's sessions (not cancelled) with their active bookings, in two queries whatever the
    number of sessions and bookings. With ``clients`` (``clients_visible_to``), only the bookings
    of those clients, and no session whose bookings are all of other clients (one query more)."""
    start, end = day_bounds(organization=organization, day=day)
    sessions = (TrainingSession.objects.filter(starts_at__gte=start, starts_at__lt=end)
                .exclude(status=TrainingSession.Status.CANCELLED)
                .select_related("session_type", "coach__membership__user")
                .prefetch_related(Prefetch(
                    "bookings",
                    queryset=Booking.objects.filter(status__in=Booking.ACTIVE)
                    .select_related("client", "credit_link").order_by("client__first_name", "pk"),
                    to_attr="active_bookings"))
                .order_by("starts_at", "pk"))
    if coach is not None:
        sessions = sessions.filter(coach=coach)
    sessions_list = list(sessions)
    shown: set[int] | None = None
    if clients is not None:
        booked = {b.client_id for s in sessions_list for b in s.active_bookings}  # type: ignore[attr-defined]
        shown = set(clients.filter(pk__in=booked).values_list("pk", flat=True)) if booked else set()
    result = []
    for s in sessions_list:
        bookings = [b for b in s.active_bookings if shown is None or b.client_id in shown]  # type: ignore[attr-defined]
        if s.active_bookings and not bookings:  # type: ignore[attr-defined]
            continue  # another coach's client's session: not theirs to list
        rows = []
        for b in bookings:
            link = getattr(b, "credit_link", None)
            rows.append(DayBooking(client_name=b.client.full_name, client_id=b.client_id,
                                   confirmed=b.client_confirmed_at is not None,
                                   credit_used=bool(link and link.state == BookingCredit.State.USED)))
        result.append(DaySession(session=s, bookings=rows))
    return result


def dashboard_attention(*, organization: Organization, coach: Coach | None, coaches: list[Coach],
                        with_money: bool, now: datetime | None = None,
                        base: QuerySet[Client] | None = None) -> dict[str, int]:
    """What needs a person today: counts, each linking to the page that resolves it."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now, organization.tzinfo).date() + timedelta(days=1)
    start, end = day_bounds(organization=organization, day=tomorrow)
    unconfirmed = Booking.objects.filter(
        status=Booking.Status.CONFIRMED, client_confirmed_at__isnull=True,
        session__status=TrainingSession.Status.SCHEDULED, session__starts_at__gte=start, session__starts_at__lt=end)
    skipped = SkippedOccurrence.objects.filter(status=SkippedOccurrence.Status.OPEN)
    if coach is not None:
        unconfirmed = unconfirmed.filter(session__coach=coach)
        skipped = skipped.filter(coach=coach)
    in_view = [coach] if coach is not None else coaches
    todos = Todo.objects.filter(done=False)
    counts = {
        "unconfirmed_tomorrow": unconfirmed.count(),
        "conflicts": skipped.count() + sum(len(conflicts_for(coach=c, now=now)) for c in in_view),
        "todos": (todos if base is None else todos.filter(Q(client__isnull=True) | Q(client__in=base))).count(),
        "low_credits": dashboard_counts(now=now, base=base)["low_credits"],
    }
    if with_money:
        failed = Purchase.objects.filter(status=Purchase.Status.FAILED, created_at__gte=now - timedelta(days=30))
        past_due = ClientMembership.objects.filter(status=ClientMembership.Status.PAST_DUE)
        if base is not None:
            failed, past_due = failed.filter(client__in=base), past_due.filter(client__in=base)
        counts["failed_payments"] = failed.count() + past_due.count()
    return counts
