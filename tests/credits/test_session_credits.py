"""Every path a session takes uses the credit service: complete (from two tabs), no-show,
cancellation inside or outside the window, the completion job (twice at once)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from coachos.credits.models import ClientPackage, CreditEntry
from coachos.credits.services import package_grant
from coachos.scheduling.models import Booking, TrainingSession
from coachos.scheduling.services import booking_cancel, session_cancel, session_complete, session_no_show
from coachos.scheduling.services.completion import sessions_autocomplete

from ..concurrency import run_concurrently
from ..factories import BookingFactory, PackagePlanFactory

pytestmark = pytest.mark.django_db


def _booked(org, *, starts_in: timedelta, credits: int = 5):
    start = (timezone.now() + starts_in).replace(microsecond=0)
    booking = BookingFactory(session__coach__organization=org, session__starts_at=start,
                             session__ends_at=start + timedelta(hours=1))
    with scope(organization=org):
        package = package_grant(client=booking.client, plan=PackagePlanFactory(organization=org, sessions=credits),
                                actor=None)
    return booking, package


def _remaining(package) -> int:
    with scope(organization=package.organization):
        return ClientPackage.objects.get(pk=package.pk).remaining


def test_completing_a_session_uses_one_credit_however_often(org):
    booking, package = _booked(org, starts_in=-timedelta(hours=2))
    with scope(organization=org):
        session_complete(session=booking.session, actor=None)
        session_complete(session=booking.session, actor=None)
    assert _remaining(package) == 4


@pytest.mark.postgres
@pytest.mark.xdist_group("concurrency")
@pytest.mark.django_db(transaction=True)
def test_completing_from_two_tabs_at_once_deducts_once(org):
    booking, package = _booked(org, starts_in=-timedelta(hours=2))
    def complete(_i: int) -> None:
        with scope(organization=org):
            session_complete(session=TrainingSession(pk=booking.session_id), actor=None)

    run_concurrently(complete, 2, timeout=60)
    assert _remaining(package) == 4
    with scope(organization=org):
        assert CreditEntry.objects.filter(kind=CreditEntry.Kind.USE).count() == 1


@pytest.mark.postgres
@pytest.mark.xdist_group("concurrency")
@pytest.mark.django_db(transaction=True)
def test_the_completion_job_run_twice_at_once_deducts_once(org):
    bookings = [_booked(org, starts_in=-timedelta(hours=6 + i * 2)) for i in range(3)]
    def run(_i: int) -> int:
        with scope(organization=org):
            return sessions_autocomplete(organization=org)

    done = run_concurrently(run, 2, timeout=60).values
    assert sum(done) == 3
    for _booking, package in bookings:
        assert _remaining(package) == 4
    with scope(organization=org):
        assert CreditEntry.objects.filter(kind=CreditEntry.Kind.USE).count() == 3
        assert set(TrainingSession.objects.values_list("status", flat=True)) == {TrainingSession.Status.COMPLETED}


def test_the_job_waits_for_the_grace_period(org):
    org.auto_complete_after_hours = 3
    org.save()
    recent, recent_package = _booked(org, starts_in=-timedelta(hours=2))  # ended 1 h ago
    with scope(organization=org):
        assert sessions_autocomplete(organization=org) == 0
        assert sessions_autocomplete(organization=org, now=timezone.now() + timedelta(hours=3)) == 1
    assert _remaining(recent_package) == 4


@pytest.mark.parametrize("forfeits, expected", [(True, 4), (False, 5)])
def test_a_no_show_follows_the_business_policy(org, forfeits, expected):
    org.no_show_forfeits_credit = forfeits
    org.save()
    booking, package = _booked(org, starts_in=-timedelta(hours=2))
    with scope(organization=org):
        session_no_show(session=booking.session, actor=None)
    assert _remaining(package) == expected


@pytest.mark.parametrize("forfeits, expected", [(True, 4), (False, 5)])
def test_a_late_cancellation_follows_the_business_policy(org, forfeits, expected):
    org.late_cancellation_allowed = True
    org.late_cancellation_forfeits_credit = forfeits
    org.save()
    booking, package = _booked(org, starts_in=timedelta(hours=3))  # inside the 24 h window
    with scope(organization=org):
        cancelled = booking_cancel(booking=booking, actor=None, by="client")
    assert cancelled.late_cancellation is True
    assert _remaining(package) == expected


def test_a_timely_cancellation_uses_nothing(org):
    booking, package = _booked(org, starts_in=timedelta(days=3))
    with scope(organization=org):
        booking_cancel(booking=booking, actor=None, by="client")
        assert Booking.objects.get(pk=booking.pk).late_cancellation is False
    assert _remaining(package) == 5


def test_cancelling_a_session_returns_credits_already_used(org):
    booking, package = _booked(org, starts_in=timedelta(days=2))
    from coachos.credits.services import use_session

    with scope(organization=org):
        use_session(client=booking.client, booking=booking, actor=None)
        assert _remaining(package) == 4
        session_cancel(session=booking.session, actor=None)
    assert _remaining(package) == 5


def test_a_session_without_credits_still_completes_and_is_flagged(org):
    from coachos.tenancy.models import AuditEntry

    start = timezone.now() - timedelta(hours=2)
    booking = BookingFactory(session__coach__organization=org, session__starts_at=start,
                             session__ends_at=start + timedelta(hours=1))
    with scope(organization=org):
        session_complete(session=booking.session, actor=None)
        assert TrainingSession.objects.get(pk=booking.session_id).status == TrainingSession.Status.COMPLETED
        assert AuditEntry.objects.filter(action="credit.none_available", object_id=str(booking.pk)).exists()
