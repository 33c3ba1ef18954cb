"""use_session / release_session: the only ways session credits move."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone
from django_scopes import scope

from coachos.credits.models import ClientPackage, CreditEntry
from coachos.credits.services import (
    NO_CREDITS,
    CreditError,
    package_adjust,
    package_grant,
    packages_expire,
    release_session,
    use_session,
)

from ..concurrency import run_concurrently
from ..factories import BookingFactory, ClientFactory, PackagePlanFactory, SessionTypeFactory

pytestmark = pytest.mark.django_db


def _ledger_sum(package: ClientPackage) -> int:
    with scope(organization=package.organization):
        return CreditEntry.objects.filter(package=package).aggregate(s=Sum("amount"))["s"] or 0


@pytest.mark.postgres
@pytest.mark.xdist_group("concurrency")
@pytest.mark.django_db(transaction=True)
def test_two_hundred_concurrent_uses_of_fifty_credits(org):
    """200 calls at once. PostgreSQL here allows 100 connections, so, as behind a production
    connection pool, they share 50 connections: 50 threads released together, 4 calls each."""
    client = ClientFactory(organization=org)
    plan = PackagePlanFactory(organization=org, sessions=50)
    with scope(organization=org):
        package = package_grant(client=client, plan=plan, actor=None)
    threads_count, calls_each = 50, 4

    def use(t: int) -> list[str]:
        outcomes: list[str] = []
        for c in range(calls_each):
            try:
                with scope(organization=org):
                    use_session(client=client, actor=None, idempotency_key=f"manual-{t}-{c}")
                outcomes.append("ok")
            except CreditError as exc:
                outcomes.append(exc.code + ": " + str(exc))
        return outcomes

    outcomes = [o for each in run_concurrently(use, threads_count, timeout=120).values for o in each]
    assert len(outcomes) == 200
    assert outcomes.count("ok") == 50
    refused = [o for o in outcomes if o != "ok"]
    assert len(refused) == 150
    assert all(o.startswith(f"{NO_CREDITS}: No credits left") for o in refused)
    with scope(organization=org):
        package.refresh_from_db()
        assert package.remaining == 0
        assert CreditEntry.objects.filter(package=package, kind=CreditEntry.Kind.USE).count() == 50
    assert _ledger_sum(package) == package.remaining


def test_a_repeated_request_deducts_once(org):
    client = ClientFactory(organization=org)
    with scope(organization=org):
        package = package_grant(client=client, plan=PackagePlanFactory(organization=org, sessions=5), actor=None)
        first = use_session(client=client, actor=None, idempotency_key="click-1")
        second = use_session(client=client, actor=None, idempotency_key="click-1")
        package.refresh_from_db()
    assert first.pk == second.pk
    assert package.remaining == 4


def test_a_booking_deducts_once_and_releases_once(org):
    booking = BookingFactory(session__coach__organization=org)
    client = booking.client
    with scope(organization=org):
        package = package_grant(client=client, plan=PackagePlanFactory(organization=org, sessions=3), actor=None)
        use_session(client=client, booking=booking, actor=None)
        use_session(client=client, booking=booking, actor=None)
        package.refresh_from_db()
        assert package.remaining == 2
        assert release_session(booking=booking, actor=None) is not None
        release_session(booking=booking, actor=None)
        package.refresh_from_db()
        assert package.remaining == 3
        assert _ledger_sum(package) == 3


def test_release_without_a_deduction_moves_nothing(org):
    booking = BookingFactory(session__coach__organization=org)
    with scope(organization=org):
        package = package_grant(client=booking.client, plan=PackagePlanFactory(organization=org, sessions=2),
                                actor=None)
        assert release_session(booking=booking, actor=None) is None
        package.refresh_from_db()
    assert package.remaining == 2


def test_the_package_expiring_first_is_used_and_types_are_respected(org):
    client = ClientFactory(organization=org)
    pt = SessionTypeFactory(organization=org, name="PT")
    yoga = SessionTypeFactory(organization=org, name="Yoga")
    now = timezone.now()
    with scope(organization=org):
        later = package_grant(client=client, plan=PackagePlanFactory(organization=org, validity_days=90), actor=None)
        sooner = package_grant(client=client, plan=PackagePlanFactory(organization=org, validity_days=30), actor=None)
        yoga_only = package_grant(client=client, plan=PackagePlanFactory(organization=org, validity_days=5), actor=None)
        yoga_only.session_types.set([yoga])
        booking = BookingFactory(client=client, session__coach__organization=org, session__session_type=pt)
        entry = use_session(client=client, booking=booking, actor=None, now=now)
    assert entry.package_id == sooner.pk
    assert later.pk != sooner.pk


def test_no_valid_package_is_a_clear_error_and_writes_nothing(org):
    client = ClientFactory(organization=org)
    with scope(organization=org):
        package = package_grant(client=client, plan=PackagePlanFactory(organization=org, sessions=1), actor=None)
        packages_expire(now=timezone.now() + timedelta(days=365))
        with pytest.raises(CreditError) as caught:
            use_session(client=client, actor=None, idempotency_key="k")
        assert caught.value.code == NO_CREDITS
        assert not CreditEntry.objects.filter(kind=CreditEntry.Kind.USE).exists()
        package.refresh_from_db()
    assert package.status == ClientPackage.Status.EXPIRED
    assert package.remaining == 0
    assert _ledger_sum(package) == 0


def test_adjustments_need_a_reason_and_keep_the_sum(org):
    client = ClientFactory(organization=org)
    with scope(organization=org):
        package = package_grant(client=client, plan=PackagePlanFactory(organization=org, sessions=2), actor=None)
        with pytest.raises(CreditError):
            package_adjust(package=package, amount=1, reason=" ", actor=None)
        with pytest.raises(CreditError):
            package_adjust(package=package, amount=-3, reason="typo", actor=None)
        package_adjust(package=package, amount=3, reason="goodwill", actor=None)
        package.refresh_from_db()
    assert package.remaining == 5
    assert _ledger_sum(package) == 5
