"""Reads of the books shared by the pages, the CSV export, the API and the dashboard.

Every report is a handful of SQL aggregates over the money ledger (never a Python loop over
rows). Months and years are those of the business's time zone: an event at 23:30 local time on
the last day of a month belongs to that month. A reversal row (``reverses`` set) counts
negatively in the sums of its kind.

Only entries in the business's currency are summed; entries in another currency (possible if
the business changed its currency) are counted and reported, never silently added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import BigIntegerField, Case, Count, ExpressionWrapper, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone

from coachos.credits.models import ClientPackage
from coachos.scheduling.models import TrainingSession
from coachos.tenancy.models import Organization

from .models import MoneyEvent

K = MoneyEvent.Kind
INCOME = (K.SALE, K.MANUAL_PAYMENT)
FEES = (K.PLATFORM_FEE, K.PROCESSING_FEE)

# +amount for an ordinary row, −amount for a reversal.
SIGNED = Case(When(reverses__isnull=False, then=F("amount_minor") * -1), default=F("amount_minor"),
              output_field=BigIntegerField())
ZERO = Value(0, output_field=BigIntegerField())


def _sum(kinds: tuple[str, ...] | str) -> Coalesce:
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    return Coalesce(Sum(SIGNED, filter=Q(kind__in=kinds)), ZERO)


@dataclass
class PnlRow:
    """One line of the P&L. ``net`` = income − refunds − fees − expenses; payouts stand apart
    (moving money from Stripe to the bank is a transfer, not a gain or a cost)."""

    label: str = ""
    year: int = 0
    month: int | None = None
    income: int = 0
    refunds: int = 0
    fees: int = 0
    expenses: int = 0
    payouts: int = 0

    @property
    def net(self) -> int:
        return self.income - self.refunds - self.fees - self.expenses

    @property
    def revenue(self) -> int:
        """Income net of refunds."""
        return self.income - self.refunds

    @property
    def is_empty(self) -> bool:
        return not any((self.income, self.refunds, self.fees, self.expenses, self.payouts))

    def add(self, kind: str, amount: int) -> None:
        if kind in INCOME:
            self.income += amount
        elif kind == K.REFUND:
            self.refunds += amount
        elif kind in FEES:
            self.fees += amount
        elif kind == K.EXPENSE:
            self.expenses += amount
        elif kind == K.PAYOUT:
            self.payouts += amount


@dataclass
class PnlYear:
    year: int
    currency: str
    months: list[PnlRow]
    total: PnlRow
    other_currency_entries: int = 0
    years: list[int] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.total.is_empty


def local_month_bounds(organization: Organization, year: int, month: int) -> tuple[datetime, datetime]:
    tz = organization.tzinfo
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def local_year_bounds(organization: Organization, year: int) -> tuple[datetime, datetime]:
    tz = organization.tzinfo
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def local_today(organization: Organization, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(organization.tzinfo).date()


def pnl_years(*, organization: Organization, now: datetime | None = None) -> list[int]:
    """The years that have entries, and the current year, newest first (one query)."""
    tz = organization.tzinfo
    years = set(
        MoneyEvent.objects.annotate(y=ExtractYear("occurred_at", tzinfo=tz)).values_list("y", flat=True)
        .distinct().order_by()
    )
    years.add(local_today(organization, now).year)
    return sorted(years, reverse=True)


def pnl_for_year(*, organization: Organization, year: int, now: datetime | None = None) -> PnlYear:
    """Income, refunds, fees, expenses, net and payouts per month of ``year`` (in the business's
    zone) and for the whole year. Three queries whatever the number of entries."""
    tz = organization.tzinfo
    start, end = local_year_bounds(organization, year)
    in_year = MoneyEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    months = [PnlRow(label=date(year, m, 1).strftime("%Y-%m"), year=year, month=m) for m in range(1, 13)]
    total = PnlRow(label=str(year), year=year)
    rows = (
        in_year.filter(currency=organization.currency)
        .annotate(m=ExtractMonth("occurred_at", tzinfo=tz))
        .values("m", "kind").order_by().annotate(total=Coalesce(Sum(SIGNED), ZERO))
    )
    for row in rows:
        months[row["m"] - 1].add(row["kind"], row["total"])
        total.add(row["kind"], row["total"])
    other = in_year.exclude(currency=organization.currency).count()
    return PnlYear(year=year, currency=organization.currency, months=months, total=total,
                   other_currency_entries=other, years=pnl_years(organization=organization, now=now))


def pnl_by_year(*, organization: Organization) -> list[PnlRow]:
    """One P&L line per year that has entries, newest first (one query)."""
    tz = organization.tzinfo
    by_year: dict[int, PnlRow] = {}
    rows = (
        MoneyEvent.objects.filter(currency=organization.currency)
        .annotate(y=ExtractYear("occurred_at", tzinfo=tz))
        .values("y", "kind").order_by().annotate(total=Coalesce(Sum(SIGNED), ZERO))
    )
    for row in rows:
        by_year.setdefault(row["y"], PnlRow(label=str(row["y"]), year=row["y"])).add(row["kind"], row["total"])
    return [by_year[y] for y in sorted(by_year, reverse=True)]


def period_totals(*, organization: Organization, start: datetime, end: datetime) -> PnlRow:
    """The P&L of any period [start, end) in one query."""
    totals = MoneyEvent.objects.filter(
        occurred_at__gte=start, occurred_at__lt=end, currency=organization.currency,
    ).aggregate(
        income=_sum(INCOME), refunds=_sum(K.REFUND), fees=_sum(FEES), expenses=_sum(K.EXPENSE),
        payouts=_sum(K.PAYOUT),
    )
    return PnlRow(**totals)


@dataclass
class RevenueRow:
    key: int | None
    name: str
    income: int
    refunds: int
    entries: int

    @property
    def net(self) -> int:
        return self.income - self.refunds


BREAKDOWNS = {
    "session_type": ("session_type_id", "session_type__name"),
    "package_plan": ("package_plan_id", "package_plan__name"),
    "client": ("client_id", None),
}


def revenue_by(*, organization: Organization, dimension: str, start: datetime, end: datetime,
               limit: int | None = None, clients: QuerySet[Any] | None = None) -> list[RevenueRow]:
    """Income and refunds in [start, end) grouped by session type, package plan or client,
    biggest net revenue first (one query). Entries linked to none form the row with key None.
    ``clients`` (``clients_visible_to(membership)``) keeps only those clients' entries."""
    key, name_field = BREAKDOWNS[dimension]
    qs = MoneyEvent.objects.filter(
        occurred_at__gte=start, occurred_at__lt=end, currency=organization.currency,
        kind__in=(*INCOME, K.REFUND),
    )
    if clients is not None:
        qs = qs.filter(client__in=clients)
    names: tuple[str, ...] = (name_field,) if name_field else ("client__first_name", "client__last_name")
    rows = (
        qs.values(key, *names).order_by()
        .annotate(income=_sum(INCOME), refunds=_sum(K.REFUND), entries=Count("id"))
        .annotate(net=F("income") - F("refunds"))
        .order_by("-net", key)
    )
    if limit is not None:
        rows = rows[:limit]
    result = []
    for row in rows:
        if name_field:
            name = row[name_field] or ""
        else:
            name = f"{row['client__first_name'] or ''} {row['client__last_name'] or ''}".strip()
        result.append(RevenueRow(key=row[key], name=name, income=row["income"], refunds=row["refunds"],
                                 entries=row["entries"]))
    return result


def money_event_list(*, kind: str = "", month: tuple[int, int] | None = None, client_id: int | None = None,
                     organization: Organization | None = None, related_type: str = "",
                     related_id: int | None = None) -> QuerySet[MoneyEvent]:
    """The ledger, newest first, filtered. ``month`` is (year, month) in the business's zone."""
    qs = MoneyEvent.objects.select_related("client", "reverses")
    if kind:
        qs = qs.filter(kind=kind)
    if month is not None and organization is not None:
        start, end = local_month_bounds(organization, *month)
        qs = qs.filter(occurred_at__gte=start, occurred_at__lt=end)
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    if related_type:
        qs = qs.filter(related_type=related_type)
    if related_id is not None:
        qs = qs.filter(related_id=related_id)
    return qs.order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class CreditsOutstanding:
    """Sessions the business still owes its clients on active, unexpired packages, and what they
    are worth at their plan's current price per session (rounded down per package; a package
    without a plan is counted in sessions only)."""

    sessions: int
    value_minor: int
    packages: int


def credits_outstanding(*, now: datetime | None = None) -> CreditsOutstanding:
    now = now or timezone.now()
    priced = Q(plan__isnull=False, plan__sessions__gt=0)
    totals = ClientPackage.objects.filter(
        status=ClientPackage.Status.ACTIVE, expires_at__gt=now, remaining__gt=0,
    ).aggregate(
        sessions=Coalesce(Sum("remaining"), Value(0)),
        value=Coalesce(Sum(ExpressionWrapper(F("remaining") * F("plan__price_minor") / F("plan__sessions"),
                                             output_field=BigIntegerField()), filter=priced), ZERO),
        packages=Count("id"),
    )
    return CreditsOutstanding(sessions=totals["sessions"], value_minor=int(totals["value"]),
                              packages=totals["packages"])


@dataclass(frozen=True)
class Owed:
    """Money clients owe the business, from the payments app."""

    awaiting_count: int  # purchases (checkouts, payment links) not paid yet
    awaiting_minor: int
    past_due_count: int  # memberships whose last payment failed
    past_due_minor: int  # one month of each

    @property
    def total_minor(self) -> int:
        return self.awaiting_minor + self.past_due_minor


def outstanding_balances(*, organization: Organization, now: datetime | None = None) -> dict[str, Any]:
    """What the business and its clients owe each other: ``credits`` (sessions owed to clients on
    the packages they hold) and ``owed`` (payments clients have not made yet)."""
    return {"credits": credits_outstanding(now=now), "owed": unpaid_purchases(organization=organization)}


# What clients owe and which memberships renew are billing's (floor 5, above books): billing
# registers where to read them (``register_billing_sources`` in its AppConfig.ready), so that the
# books never import billing. Without billing, nobody owes anything and nothing renews.
OwedSource = Callable[[Organization], Owed]
RenewalsSource = Callable[[Organization, int, datetime, int], list["Renewal"]]
PurchasesSource = Callable[[], QuerySet[Any]]
_billing_sources: dict[str, Any] = {}


def register_billing_sources(*, owed: OwedSource, renewals: RenewalsSource,
                             purchases: PurchasesSource | None = None) -> None:
    _billing_sources.update(owed=owed, renewals=renewals)
    if purchases is not None:
        _billing_sources["purchases"] = purchases


def register_booking_purchases(source: Any) -> None:
    """Billing names the purchases a booking was paid with (``source(booking_id) -> [ids]``)."""
    _billing_sources["booking_purchases"] = source


def booking_purchase_ids(booking_id: int) -> list[int]:
    source = _billing_sources.get("booking_purchases")
    return list(source(booking_id)) if source is not None else []


def purchase_exists(*, purchase_id: int, clients: QuerySet[Any] | None = None) -> bool:
    """Whether the business has this purchase (of one of ``clients``, ``clients_visible_to``, if
    given): the ledger's filter by purchase answers 404 otherwise. Without billing, none exists."""
    source = _billing_sources.get("purchases")
    if source is None:
        return False
    purchases = source()
    if clients is not None:
        purchases = purchases.filter(client__in=clients)
    return bool(purchases.filter(pk=purchase_id).exists())


def unpaid_purchases(*, organization: Organization) -> Owed:
    """Purchases awaiting payment and memberships past due, in the business's currency."""
    source = _billing_sources.get("owed")
    if source is None:
        return Owed(awaiting_count=0, awaiting_minor=0, past_due_count=0, past_due_minor=0)
    return source(organization)


@dataclass(frozen=True)
class Renewal:
    client: str
    client_id: int
    name: str
    renews_at: datetime
    amount_minor: int


def upcoming_renewals(*, organization: Organization, days: int = 30, now: datetime | None = None,
                      limit: int = 10) -> list[Renewal]:
    """Active memberships whose period ends (and renews) in the next ``days`` days, soonest first."""
    source = _billing_sources.get("renewals")
    if source is None:
        return []
    return source(organization, days, now or timezone.now(), limit)


@dataclass(frozen=True)
class DashboardMoney:
    month_start: date
    revenue: int
    refunds: int
    sessions_delivered: int
    credits: CreditsOutstanding
    renewals: list[Renewal]
    currency: str


def dashboard_money(*, organization: Organization, now: datetime | None = None) -> DashboardMoney:
    """This month (in the business's zone): revenue net of refunds, sessions delivered; and the
    credits owed to clients and the memberships renewing in the next 30 days. Four queries."""
    now = now or timezone.now()
    today = local_today(organization, now)
    start, end = local_month_bounds(organization, today.year, today.month)
    month = period_totals(organization=organization, start=start, end=end)
    delivered = TrainingSession.objects.filter(
        status=TrainingSession.Status.COMPLETED, starts_at__gte=start, starts_at__lt=end,
    ).count()
    return DashboardMoney(
        month_start=today.replace(day=1), revenue=month.revenue, refunds=month.refunds,
        sessions_delivered=delivered, credits=credits_outstanding(now=now),
        renewals=upcoming_renewals(organization=organization, days=30, now=now), currency=organization.currency,
    )


def default_period(organization: Organization, now: datetime | None = None) -> tuple[date, date]:
    """This calendar year so far, as local dates [first, last]."""
    today = local_today(organization, now)
    return date(today.year, 1, 1), today


def local_dates_to_range(organization: Organization, first: date, last: date) -> tuple[datetime, datetime]:
    """Inclusive local dates → [start, end) instants."""
    tz = organization.tzinfo
    return (datetime(first.year, first.month, first.day, tzinfo=tz),
            datetime(last.year, last.month, last.day, tzinfo=tz) + timedelta(days=1))
