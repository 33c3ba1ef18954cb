"""The business's numbers for any range [start, end), aggregated in the database.

Each metric is a handful of SQL aggregates (no Python loop over sessions, bookings or payments): the
page, its CSV and PDF, the API, the cards, the digest and the assistant all read them from here.
A ``Viewer`` says whose numbers: the whole business for an owner, the clients a coach may see for a
coach the owner limited to their own clients (``clients_visible_to``), and money only for a member
with ``Perm.MONEY``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Avg, BigIntegerField, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay, TruncDay, TruncMonth, TruncWeek

from coachos.billing.models import ClientMembership
from coachos.books.models import MoneyEvent
from coachos.books.selectors import INCOME, SIGNED
from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.credits.models import ClientPackage, CreditEntry
from coachos.notes.models.ratings import SessionRating
from coachos.scheduling.models import Booking, Coach, TrainingSession
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Perm

from . import availability

ZERO = Value(0, output_field=BigIntegerField())
S = TrainingSession.Status
B = Booking.Status
ATTENDED = (B.CONFIRMED, B.COMPLETED, B.NO_SHOW)  # a client's place that counts as "booked"
EXPIRING_DAYS = 30


@dataclass(frozen=True)
class Viewer:
    organization: Organization
    membership: Membership | None

    @property
    def limited(self) -> bool:
        return self.membership is not None and self.membership.own_clients_only

    @property
    def sees_money(self) -> bool:
        return self.membership is None or self.membership.has(Perm.MONEY)

    def clients(self) -> QuerySet[Client]:
        return clients_visible_to(self.membership) if self.membership is not None else Client.objects.all()


def rate(part: int, whole: int) -> float:
    """part ÷ whole rounded to 4 places; 0.0 when there is nothing to divide."""
    return round(part / whole, 4) if whole else 0.0


def change(current: float, previous: float) -> float | None:
    """The relative change from ``previous`` to ``current`` (0.25 = +25 %); None without a base."""
    return round((current - previous) / previous, 4) if previous else None


# --- sessions -------------------------------------------------------------------------------------

def _sessions(viewer: Viewer, start: datetime, end: datetime) -> QuerySet[TrainingSession]:
    """Sessions overlapping [start, end): the same rule as ``GET /api/v1/sessions``."""
    sessions = TrainingSession.objects.filter(starts_at__lt=end, ends_at__gt=start)
    if viewer.limited:
        own = Q(coach__membership=viewer.membership) | Q(pk__in=Booking.objects.filter(
            client__in=viewer.clients()).values("session_id"))
        sessions = sessions.filter(own)
    return sessions


def _bookings(viewer: Viewer) -> QuerySet[Booking]:
    bookings = Booking.objects.all()
    return bookings.filter(client__in=viewer.clients()) if viewer.limited else bookings


def session_counts(viewer: Viewer, start: datetime, end: datetime) -> dict[str, Any]:
    counts = _sessions(viewer, start, end).aggregate(
        completed=Count("id", filter=Q(status=S.COMPLETED)), no_show=Count("id", filter=Q(status=S.NO_SHOW)),
        scheduled=Count("id", filter=Q(status=S.SCHEDULED)), cancelled=Count("id", filter=Q(status=S.CANCELLED)),
    )
    counts["late_cancelled"] = _bookings(viewer).filter(
        late_cancellation=True, session__starts_at__lt=end, session__ends_at__gt=start).count()
    counts["no_show_rate"] = rate(counts["no_show"], counts["completed"] + counts["no_show"])
    counts["late_cancel_rate"] = rate(counts["late_cancelled"],
                                      counts["completed"] + counts["no_show"] + counts["late_cancelled"])
    return counts


# --- revenue ----------------------------------------------------------------------------------------

def _money(viewer: Viewer, start: datetime, end: datetime) -> QuerySet[MoneyEvent]:
    events = MoneyEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end,
                                       currency=viewer.organization.currency)
    return events.filter(client__in=viewer.clients()) if viewer.limited else events


def _net_sum() -> Any:
    """Income − refunds, reversals counted negatively (the books' rule)."""
    return Coalesce(Sum(SIGNED, filter=Q(kind__in=INCOME)), ZERO) - Coalesce(
        Sum(SIGNED, filter=Q(kind=MoneyEvent.Kind.REFUND)), ZERO)


def revenue_total(viewer: Viewer, start: datetime, end: datetime) -> int:
    return int(_money(viewer, start, end).aggregate(net=_net_sum())["net"])


def bucket_for(start: datetime, end: datetime) -> str:
    days = (end - start).days
    return "day" if days <= 31 else "week" if days <= 183 else "month"


TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def revenue_series(viewer: Viewer, start: datetime, end: datetime) -> list[dict[str, Any]]:
    bucket = bucket_for(start, end)
    tz = viewer.organization.tzinfo
    rows = (_money(viewer, start, end).annotate(period=TRUNC[bucket]("occurred_at", tzinfo=tz))
            .values("period").annotate(net=_net_sum()).order_by("period"))
    return [{"period": _day(row["period"], tz), "net_minor": int(row["net"])} for row in rows]


def _day(value: Any, tz: Any) -> date:
    return value.astimezone(tz).date() if isinstance(value, datetime) else value


def forecast(viewer: Viewer, start: datetime, end: datetime, now: datetime, actual: int) -> dict[str, int]:
    """What the range should bring in: money already in, plus the booked sessions still to come at
    their price, plus the active memberships' renewals due before the end. The packages' deferred
    revenue (sessions paid for, not yet delivered) is shown beside it, not added: it is already in."""
    ahead_from = max(start, now)
    booked = memberships = 0
    if end > ahead_from:
        booked = int(_bookings(viewer).filter(
            status=B.CONFIRMED, session__status=S.SCHEDULED,
            session__starts_at__gte=ahead_from, session__starts_at__lt=end,
        ).aggregate(v=Coalesce(Sum("session__session_type__price_minor", output_field=BigIntegerField()), ZERO))["v"])
        members = ClientMembership.objects.filter(status=ClientMembership.Status.ACTIVE,
                                                  current_period_end__gte=ahead_from, current_period_end__lt=end)
        if viewer.limited:
            members = members.filter(client__in=viewer.clients())
        memberships = int(members.aggregate(v=Coalesce(Sum("plan__price_minor", output_field=BigIntegerField()), ZERO))["v"])
    return {"actual_minor": actual, "booked_minor": booked, "memberships_minor": memberships,
            "total_minor": actual + booked + memberships, "deferred_minor": deferred_revenue(viewer, now)}


def deferred_revenue(viewer: Viewer, now: datetime) -> int:
    priced = Q(plan__isnull=False, plan__sessions__gt=0)
    value = ExpressionWrapper(F("remaining") * F("plan__price_minor") / F("plan__sessions"),
                              output_field=BigIntegerField())
    return int(_packages(viewer).filter(status=ClientPackage.Status.ACTIVE, expires_at__gt=now, remaining__gt=0)
               .aggregate(v=Coalesce(Sum(value, filter=priced), ZERO))["v"])


# --- clients ----------------------------------------------------------------------------------------

def _active_clients(viewer: Viewer, start: datetime, end: datetime) -> QuerySet[Any]:
    return (_bookings(viewer).filter(status__in=ATTENDED, session__starts_at__gte=start, session__starts_at__lt=end)
            .values("client_id"))


def client_counts(viewer: Viewer, start: datetime, end: datetime) -> dict[str, int]:
    """active: booked in the range; new: active, and never booked before it; retained: active in
    the range and in the one of the same length just before; churned: active before, not now."""
    before = start - (end - start)
    now_ids, prev_ids = _active_clients(viewer, start, end), _active_clients(viewer, before, start)
    earlier = _bookings(viewer).filter(status__in=ATTENDED, session__starts_at__lt=start).values("client_id")
    clients = viewer.clients()
    return {
        "active": clients.filter(pk__in=now_ids).count(),
        "new": clients.filter(pk__in=now_ids).exclude(pk__in=earlier).count(),
        "retained": clients.filter(pk__in=now_ids).filter(pk__in=prev_ids).count(),
        "churned": clients.filter(pk__in=prev_ids).exclude(pk__in=now_ids).count(),
    }


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def cohorts(viewer: Viewer, end: datetime, months: int = 12) -> list[dict[str, Any]]:
    """Monthly cohort retention: clients by the month of their first booking (the last ``months``
    cohorts up to ``end``), and how many of them booked in each following month."""
    tz = viewer.organization.tzinfo
    last = end.astimezone(tz).date() - timedelta(days=1) if end.astimezone(tz).time() == datetime.min.time() \
        else end.astimezone(tz).date()
    first_index = _month_index(last) - (months - 1)
    first_month = date(first_index // 12, first_index % 12 + 1, 1)
    counts: dict[tuple[date, int], int] = {}
    if connection.vendor == "postgresql":
        counts = _cohort_counts_sql(viewer, end, first_month)
    else:
        pairs = (_bookings(viewer).filter(status__in=ATTENDED, session__starts_at__lt=end)
                 .annotate(m=TruncMonth("session__starts_at", tzinfo=tz)).values_list("client_id", "m").distinct())
        firsts: dict[int, date] = {}
        seen: list[tuple[int, date]] = []
        for client_id, m in pairs:
            month = _day(m, tz)
            seen.append((client_id, month))
            firsts[client_id] = min(firsts.get(client_id, month), month)
        for client_id, month in seen:
            cohort = firsts[client_id]
            if cohort >= first_month:
                key = (cohort, _month_index(month) - _month_index(cohort))
                counts[key] = counts.get(key, 0) + 1
    rows = []
    for index in range(first_index, _month_index(last) + 1):
        month = date(index // 12, index % 12 + 1, 1)
        size = counts.get((month, 0), 0)
        span = _month_index(last) - index
        rows.append({"month": month, "size": size,
                     "retention": [rate(counts.get((month, k), 0), size) for k in range(1, span + 1)]})
    return rows


def _cohort_counts_sql(viewer: Viewer, end: datetime, first_month: date) -> dict[tuple[date, int], int]:
    booking, session = Booking._meta.db_table, TrainingSession._meta.db_table
    params: list[Any] = [viewer.organization.timezone, viewer.organization.pk, list(ATTENDED), end]
    limit = ""
    if viewer.limited:
        limit = "AND b.client_id = ANY(%s)"
        params.append(list(viewer.clients().values_list("pk", flat=True)))
    params.append(first_month)
    sql = f"""
        WITH act AS (
            SELECT b.client_id, date_trunc('month', s.starts_at AT TIME ZONE %s)::date AS m
            FROM {booking} b JOIN {session} s ON s.id = b.session_id
            WHERE b.organization_id = %s AND b.status = ANY(%s) AND s.starts_at < %s {limit}
            GROUP BY 1, 2
        ), firsts AS (SELECT client_id, min(m) AS c FROM act GROUP BY 1)
        SELECT f.c, ((extract(year FROM a.m) * 12 + extract(month FROM a.m))
                     - (extract(year FROM f.c) * 12 + extract(month FROM f.c)))::int AS k, count(*)
        FROM act a JOIN firsts f USING (client_id)
        WHERE f.c >= %s
        GROUP BY 1, 2
    """  # noqa: S608 - table names come from the models, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(c, k): n for c, k, n in cursor.fetchall()}


# --- demand, utilization ---------------------------------------------------------------------------

def heatmap(viewer: Viewer, start: datetime, end: datetime) -> list[list[int]]:
    """Booked places by local weekday (0 = Monday) × hour of the start."""
    tz = viewer.organization.tzinfo
    rows = (_bookings(viewer).filter(status__in=ATTENDED, session__starts_at__gte=start, session__starts_at__lt=end)
            .annotate(dow=ExtractIsoWeekDay("session__starts_at", tzinfo=tz),
                      hour=ExtractHour("session__starts_at", tzinfo=tz))
            .values("dow", "hour").annotate(n=Count("id")).order_by())
    grid = [[0] * 24 for _ in range(7)]
    for row in rows:
        grid[row["dow"] - 1][row["hour"]] = row["n"]
    return grid


def utilization(viewer: Viewer, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Per coach: booked hours (active sessions starting in the range) ÷ available hours (the weekly
    hours and extra time, minus time off, as the slot engine expands them)."""
    coaches = Coach.objects.select_related("membership__user").order_by("pk")
    if viewer.limited:
        coaches = coaches.filter(membership=viewer.membership)
    coach_list = list(coaches)
    booked = dict(
        TrainingSession.objects.filter(coach__in=coach_list, status__in=TrainingSession.ACTIVE,
                                       starts_at__gte=start, starts_at__lt=end)
        .values("coach_id").annotate(d=Sum(ExpressionWrapper(F("ends_at") - F("starts_at"),
                                                             output_field=DurationField())))
        .values_list("coach_id", "d"))
    available = availability.available_hours(coach_list, viewer.organization.tzinfo, start, end)
    rows = []
    for coach in coach_list:
        hours_booked = round((booked.get(coach.pk) or timedelta(0)).total_seconds() / 3600, 2)
        hours_open = round(available.get(coach.pk, 0.0), 2)
        if not hours_open and not hours_booked:
            continue
        rows.append({"coach": coach.pk, "name": coach.display_name or coach.membership.user.name,
                     "booked_hours": hours_booked, "available_hours": hours_open,
                     "utilization": rate(int(hours_booked * 100), int(hours_open * 100))})
    return rows


# --- packages, ratings ---------------------------------------------------------------------------------

def _packages(viewer: Viewer) -> QuerySet[ClientPackage]:
    packages = ClientPackage.objects.all()
    return packages.filter(client__in=viewer.clients()) if viewer.limited else packages


def package_counts(viewer: Viewer, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    """Sold in the range (and how much of what was sold is used by now: the sell-through), credits
    used in the range, credits outstanding now and those expiring in the next 30 days."""
    sold = _packages(viewer).filter(source=ClientPackage.Source.SOLD, created_at__gte=start, created_at__lt=end) \
        .aggregate(n=Count("id"), credits=Coalesce(Sum("total"), 0), left=Coalesce(Sum("remaining"), 0))
    entries = CreditEntry.objects.filter(created_at__gte=start, created_at__lt=end,
                                         kind__in=(CreditEntry.Kind.USE, CreditEntry.Kind.RELEASE))
    if viewer.limited:
        entries = entries.filter(package__client__in=viewer.clients())
    used = -int(entries.aggregate(n=Coalesce(Sum("amount"), 0))["n"])
    valid = _packages(viewer).filter(status=ClientPackage.Status.ACTIVE, expires_at__gt=now, remaining__gt=0)
    soon = now + timedelta(days=EXPIRING_DAYS)
    held = valid.aggregate(
        outstanding=Coalesce(Sum("remaining"), 0),
        expiring=Coalesce(Sum("remaining", filter=Q(expires_at__lte=soon)), 0),
        expiring_clients=Count("client_id", filter=Q(expires_at__lte=soon), distinct=True),
    )
    return {"sold": sold["n"], "credits_sold": sold["credits"],
            "sell_through": rate(sold["credits"] - sold["left"], sold["credits"]), "credits_used": used,
            "credits_outstanding": held["outstanding"], "credits_expiring": held["expiring"],
            "clients_expiring": held["expiring_clients"], "expiring_days": EXPIRING_DAYS}


def rating(viewer: Viewer, start: datetime, end: datetime) -> dict[str, Any]:
    ratings = SessionRating.objects.filter(session__starts_at__gte=start, session__starts_at__lt=end)
    if viewer.limited:
        ratings = ratings.filter(client__in=viewer.clients())
    row = ratings.aggregate(average=Avg("stars"), count=Count("id"))
    return {"average": round(float(row["average"]), 2) if row["average"] is not None else None,
            "count": row["count"]}


# --- everything --------------------------------------------------------------------------------------

@dataclass
class Report:
    start: datetime
    end: datetime
    currency: str
    revenue: dict[str, Any] | None
    sessions: dict[str, Any]
    clients: dict[str, int]
    utilization: list[dict[str, Any]]
    heatmap: list[list[int]]
    cohorts: list[dict[str, Any]]
    packages: dict[str, Any]
    rating: dict[str, Any]
    comparisons: dict[str, dict[str, Any]] = field(default_factory=dict)


def headline(viewer: Viewer, start: datetime, end: datetime) -> dict[str, Any]:
    """The few numbers periods are compared on."""
    sessions = session_counts(viewer, start, end)
    out: dict[str, Any] = {"start": start, "end": end, "completed": sessions["completed"],
                           "no_show": sessions["no_show"], "no_show_rate": sessions["no_show_rate"],
                           "active_clients": _active_clients(viewer, start, end).distinct().count()}
    if viewer.sees_money:
        out["revenue_minor"] = revenue_total(viewer, start, end)
    return out


def shift_year(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def compare(viewer: Viewer, start: datetime, end: datetime, current: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The range against the one of the same length just before it (week over week for a week,
    month over month for a month…) and against the same dates a year earlier."""
    tz = viewer.organization.tzinfo
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    periods = {"previous_period": (start - (end - start), start),
               "previous_year": (shift_year(local_start, -1), shift_year(local_end, -1))}
    out = {}
    for name, (p_start, p_end) in periods.items():
        numbers = headline(viewer, p_start, p_end)
        numbers["change"] = {key: change(current[key], numbers[key])
                             for key in ("completed", "no_show_rate", "active_clients", "revenue_minor")
                             if key in numbers and key in current}
        out[name] = numbers
    return out


def report(viewer: Viewer, start: datetime, end: datetime, now: datetime) -> Report:
    sessions = session_counts(viewer, start, end)
    revenue = None
    if viewer.sees_money:
        total = revenue_total(viewer, start, end)
        revenue = {"total_minor": total, "currency": viewer.organization.currency,
                   "bucket": bucket_for(start, end), "series": revenue_series(viewer, start, end),
                   "forecast": forecast(viewer, start, end, now, total)}
    clients = client_counts(viewer, start, end)
    current: dict[str, Any] = {"completed": sessions["completed"], "no_show_rate": sessions["no_show_rate"],
                               "active_clients": clients["active"]}
    if revenue is not None:
        current["revenue_minor"] = revenue["total_minor"]
    return Report(
        start=start, end=end, currency=viewer.organization.currency, revenue=revenue, sessions=sessions,
        clients=clients, utilization=utilization(viewer, start, end), heatmap=heatmap(viewer, start, end),
        cohorts=cohorts(viewer, end), packages=package_counts(viewer, start, end, now),
        rating=rating(viewer, start, end), comparisons=compare(viewer, start, end, current),
    )
