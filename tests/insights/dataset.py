"""A hand-built business whose numbers are known (the answers are worked out in the comments).

Time is 2026-03-20 12:00 in Chicago; the range is March 2026 (local). The business is in
America/Chicago (DST starts on 8 March: wall-clock hours stay whole hours).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django_scopes import scope

from coachos.books.models import MoneyEvent
from coachos.credits.models import ClientPackage, CreditEntry
from coachos.scheduling.models import Booking, Coach, TrainingSession
from coachos.tenancy.models import Membership, Organization
from tests.factories import (
    AvailabilityAdditionFactory,
    BlockedSlotFactory,
    BookingFactory,
    ClientFactory,
    ClientMembershipFactory,
    ClientPackageFactory,
    CreditEntryFactory,
    MembershipPlanFactory,
    MoneyEventFactory,
    PackagePlanFactory,
    SessionRatingFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
)

TZ = ZoneInfo("America/Chicago")
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=TZ)


def local(month: int, day: int, hour: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TZ)


@dataclass
class Dataset:
    org: Organization
    coach: Coach
    clients: dict[str, Any] = field(default_factory=dict)
    sessions: dict[str, TrainingSession] = field(default_factory=dict)


def coach_of(membership: Membership) -> Coach:
    coach = Coach.objects.filter(membership=membership).first()
    return coach or Coach.objects.create(organization=membership.organization, membership=membership)


def build(org: Organization, membership: Membership) -> Dataset:
    with scope(organization=org):
        coach = coach_of(membership)
        data = Dataset(org=org, coach=coach)
        # Hours: Monday 09–17 (8 h × 5 Mondays in March = 40 h), Wednesday 09–13 (4 h × 4 = 16 h),
        # minus time off on Monday 16 March 09–11 (−2 h), plus extra time on Saturday 21 March 10–12 (+2 h)
        # → 56 available hours.
        WeeklyAvailabilityFactory(coach=coach, weekday=0, start_time=time(9), end_time=time(17))
        WeeklyAvailabilityFactory(coach=coach, weekday=2, start_time=time(9), end_time=time(13))
        BlockedSlotFactory(coach=coach, starts_at=local(3, 16, 9), ends_at=local(3, 16, 11))
        AvailabilityAdditionFactory(coach=coach, starts_at=local(3, 21, 10), ends_at=local(3, 21, 12))
        kind = SessionTypeFactory(organization=org, price_minor=8000)
        for name in "ABCDEF":
            data.clients[name] = ClientFactory(organization=org, first_name=name, last_name="Known")

        def session(key: str, at: datetime, client: str, status: str, booking: str, late: bool = False) -> None:
            s = TrainingSessionFactory(coach=coach, session_type=kind, starts_at=at, ends_at=at + timedelta(hours=1),
                                       status=status)
            BookingFactory(session=s, client=data.clients[client], status=booking, late_cancellation=late)
            data.sessions[key] = s

        done, ns, sched, cancelled = "completed", "no_show", "scheduled", "cancelled"
        # January: C's first booking (cohort January).
        session("jan_c", local(1, 5), "C", done, done)
        # The previous 31 days (29 January – 28 February): A, E, F completed → 3 completed, 3 clients.
        session("feb_a", local(2, 9), "A", done, done)
        session("feb_e", local(2, 11), "E", done, done)
        session("feb_f", local(2, 20), "F", done, done)
        # March: 4 completed, 1 no-show, 1 cancelled late, 2 still scheduled.
        session("m1", local(3, 2), "A", done, done)  # Monday 10:00
        session("m2", local(3, 4), "B", done, done)  # Wednesday 10:00
        session("m3", local(3, 9), "A", ns, ns)  # Monday 10:00
        session("m4", local(3, 11), "C", done, done)  # Wednesday 10:00
        session("m5", local(3, 16, 14), "B", cancelled, Booking.Status.CANCELLED_BY_CLIENT, late=True)
        session("m6", local(3, 18, 11), "D", done, done)  # Wednesday 11:00
        session("m7", local(3, 25), "A", sched, "confirmed")  # Wednesday 10:00, ahead
        session("m8", local(3, 30), "E", sched, "confirmed")  # Monday 10:00, ahead

        # Money in March: 8,000 + 16,000 − 3,000 refund, a 5,000 sale and its reversal (0), a fee and a
        # sale in euros that do not count → 21,000. February: 4,000. March 2025: 10,000.
        def money(kind: str, amount: int, at: datetime, **extra: Any) -> MoneyEvent:
            return MoneyEventFactory(organization=org, kind=kind, amount_minor=amount, occurred_at=at, **extra)

        K = MoneyEvent.Kind
        money(K.SALE, 8000, local(3, 2, 12))
        money(K.MANUAL_PAYMENT, 16000, local(3, 10, 12))
        money(K.REFUND, 3000, local(3, 12, 12))
        mistaken = money(K.SALE, 5000, local(3, 14, 12))
        money(K.SALE, 5000, local(3, 14, 12), reverses=mistaken)
        money(K.PLATFORM_FEE, 500, local(3, 2, 12))
        money(K.SALE, 9999, local(3, 3, 12), currency="EUR")
        money(K.SALE, 4000, local(2, 15, 12))
        money(K.SALE, 10000, local(3, 10, 12, year=2025))

        # Memberships: 5,000 renewing on 28 March (in the forecast); another renewing in April (not).
        plan = MembershipPlanFactory(organization=org, price_minor=5000)
        ClientMembershipFactory(client=data.clients["B"], plan=plan, current_period_end=local(3, 28))
        ClientMembershipFactory(client=data.clients["D"], plan=plan, current_period_end=local(4, 5))

        # Packages: A bought 10 for 60,000 on 3 March, 4 left, expiring 1 April (within 30 days; deferred
        # 4 × 6,000 = 24,000); C was given 5, all left, expiring 30 June. Sell-through 6/10.
        package_plan = PackagePlanFactory(organization=org, sessions=10, price_minor=60000)
        sold = ClientPackageFactory(client=data.clients["A"], plan=package_plan, total=10, remaining=4,
                                    source=ClientPackage.Source.SOLD, expires_at=local(4, 1))
        given = ClientPackageFactory(client=data.clients["C"], total=5, remaining=5, expires_at=local(6, 30))
        ClientPackage.objects.filter(pk=sold.pk).update(created_at=local(3, 3))
        ClientPackage.objects.filter(pk=given.pk).update(created_at=local(3, 5))
        # Credits used in March: three uses and one release → 2.
        for day, kind_, amount in ((2, "use", -1), (9, "use", -1), (18, "use", -1), (16, "release", 1)):
            entry = CreditEntryFactory(package=sold, kind=kind_, amount=amount)
            CreditEntry.objects.filter(pk=entry.pk).update(created_at=local(3, day, 12))

        # Ratings of March sessions: 5, 4, 3 → 4.0 from 3; one of February (1 star) does not count.
        for key, stars in (("m1", 5), ("m2", 4), ("m4", 3), ("feb_a", 1)):
            s = data.sessions[key]
            SessionRatingFactory(organization=org, booking=s.bookings.get(), session=s, coach=coach,
                                 client=s.bookings.get().client, stars=stars)
        return data
