"""A booking's credit follows its current state, whatever the sequence of changes.

A Hypothesis state machine drives the real services over one package and three bookings (each
its own session, an hour in the past): complete, no-show, cancel (in time or late), reinstate,
a manual use or release of a booking's credit, a manual "Use 1 session", and the business
changing its no-show / late-cancellation policies. A simple model says where each booking's credit
should be; after every step the database must agree with it, ``remaining`` must equal the total
minus the net uses in the ledger, and never go below zero.

Each example runs inside a transaction that is rolled back at its end, so examples do not see
each other's rows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django_scopes import scope
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from coachos.common import events
from coachos.credits.models import BookingCredit, ClientPackage, CreditEntry
from coachos.credits.services import CreditError, package_grant, release_session, use_session
from coachos.scheduling.models import Booking, TrainingSession
from coachos.scheduling.services import SchedulingError, booking_cancel, session_complete, session_no_show

from ..factories import BookingFactory, ClientFactory, OrganizationFactory, PackagePlanFactory

pytestmark = pytest.mark.django_db

TOTAL = 3
BOOKINGS = 3
MARKABLE = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


class CreditFollowsBooking(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.org = OrganizationFactory(late_cancellation_allowed=True, no_show_forfeits_credit=True,
                                       late_cancellation_forfeits_credit=True)
        self._scope = scope(organization=self.org)
        self._scope.__enter__()
        client = ClientFactory(organization=self.org)
        self.package = package_grant(client=client, plan=PackagePlanFactory(organization=self.org, sessions=TOTAL),
                                     actor=None)
        start = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
        self.bookings = [
            BookingFactory(client=client, session__coach__organization=self.org,
                           session__starts_at=start - timedelta(days=i), session__ends_at=start - timedelta(days=i)
                           + timedelta(hours=1))
            for i in range(BOOKINGS)
        ]
        # The model: where each booking's credit should be, and what the package should hold.
        self.status = {b.pk: Booking.Status.CONFIRMED for b in self.bookings}
        self.late = {b.pk: False for b in self.bookings}
        self.used = {b.pk: False for b in self.bookings}
        self.remaining = TOTAL
        self.manual_uses = 0

    def teardown(self) -> None:
        self._scope.__exit__(None, None, None)
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- the model ---------------------------------------------------------------------------------

    def _uses_a_credit(self, pk: int) -> bool:
        status = self.status[pk]
        if status == Booking.Status.COMPLETED:
            return True
        if status == Booking.Status.NO_SHOW:
            return self.org.no_show_forfeits_credit
        if status in (Booking.Status.CANCELLED_BY_CLIENT, Booking.Status.CANCELLED_BY_COACH):
            return self.late[pk] and self.org.late_cancellation_forfeits_credit
        return False

    def _model_use(self, pk: int) -> None:
        if not self.used[pk] and self.remaining > 0:
            self.used[pk] = True
            self.remaining -= 1

    def _model_release(self, pk: int) -> None:
        if self.used[pk]:
            self.used[pk] = False
            self.remaining += 1

    def _model_follow(self, pk: int) -> None:
        if self._uses_a_credit(pk):
            self._model_use(pk)
        else:
            self._model_release(pk)

    # --- the rules ---------------------------------------------------------------------------------

    def _mark(self, index: int, status: str) -> None:
        booking = self.bookings[index]
        session = TrainingSession.objects.get(pk=booking.session_id)
        mark = session_complete if status == Booking.Status.COMPLETED else session_no_show
        try:
            mark(session=session, actor=None)
        except SchedulingError:
            assert session.status == TrainingSession.Status.CANCELLED
            return
        if session.status == status or self.status[booking.pk] not in MARKABLE:
            return  # marked the same again (nothing happens twice), or the booking was cancelled
        self.status[booking.pk] = status
        self._model_follow(booking.pk)

    @rule(index=st.integers(0, BOOKINGS - 1))
    def complete(self, index: int) -> None:
        self._mark(index, Booking.Status.COMPLETED)

    @rule(index=st.integers(0, BOOKINGS - 1))
    def no_show(self, index: int) -> None:
        self._mark(index, Booking.Status.NO_SHOW)

    @rule(index=st.integers(0, BOOKINGS - 1), late=st.booleans(), by=st.sampled_from(["client", "coach"]))
    def cancel(self, index: int, late: bool, by: str) -> None:
        booking = self.bookings[index]
        starts_at = TrainingSession.objects.get(pk=booking.session_id).starts_at
        # Cancel "before" the session: inside the 24 h window (late, when the client cancels) or well before.
        now = starts_at - (timedelta(hours=1) if late else timedelta(days=3))
        try:
            booking_cancel(booking=booking, actor=None, by=by, now=now)
        except SchedulingError:
            assert self.status[booking.pk] != Booking.Status.CONFIRMED
            return
        self.status[booking.pk] = Booking.Status.CANCELLED_BY_CLIENT if by == "client" else \
            Booking.Status.CANCELLED_BY_COACH
        self.late[booking.pk] = late and by == "client"
        self._model_follow(booking.pk)

    @rule(index=st.integers(0, BOOKINGS - 1))
    def reinstate(self, index: int) -> None:
        """A cancelled booking confirmed again (and its session scheduled again): what a
        reinstating service in scheduling writes and emits."""
        booking = Booking.objects.get(pk=self.bookings[index].pk)
        if booking.status not in (Booking.Status.CANCELLED_BY_CLIENT, Booking.Status.CANCELLED_BY_COACH):
            return
        with transaction.atomic():
            Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CONFIRMED, late_cancellation=False,
                                                          cancelled_at=None)
            TrainingSession.objects.filter(pk=booking.session_id).update(status=TrainingSession.Status.SCHEDULED,
                                                                         cancelled_at=None)
            events.emit("booking.reinstated", organization=self.org, client=booking.client_id, obj=booking)
        self.status[booking.pk] = Booking.Status.CONFIRMED
        self.late[booking.pk] = False
        self._model_follow(booking.pk)

    @rule(index=st.integers(0, BOOKINGS - 1))
    def use(self, index: int) -> None:
        booking = self.bookings[index]
        try:
            use_session(client=booking.client, booking=booking, actor=None)
        except CreditError:
            assert self.remaining == 0 and not self.used[booking.pk]
            return
        self._model_use(booking.pk)

    @rule(index=st.integers(0, BOOKINGS - 1))
    def release(self, index: int) -> None:
        release_session(booking=self.bookings[index], actor=None)
        self._model_release(self.bookings[index].pk)

    @rule()
    def use_by_hand(self) -> None:
        key = f"by-hand-{self.manual_uses}-{self.package.pk}"
        try:
            use_session(client=self.package.client, actor=None, idempotency_key=key)
        except CreditError:
            assert self.remaining == 0
            return
        self.manual_uses += 1
        self.remaining -= 1

    @rule(no_show=st.booleans(), late=st.booleans())
    def change_policy(self, no_show: bool, late: bool) -> None:
        self.org.no_show_forfeits_credit = no_show
        self.org.late_cancellation_forfeits_credit = late
        self.org.save(update_fields=["no_show_forfeits_credit", "late_cancellation_forfeits_credit"])

    # --- what must always hold ---------------------------------------------------------------------

    @invariant()
    def remaining_is_the_ledger(self) -> None:
        package = ClientPackage.objects.get(pk=self.package.pk)
        ledger = CreditEntry.objects.filter(package=package)
        net_uses = -(ledger.filter(kind__in=[CreditEntry.Kind.USE, CreditEntry.Kind.RELEASE])
                     .aggregate(s=Sum("amount"))["s"] or 0)
        assert package.remaining >= 0
        assert package.remaining == package.total - net_uses
        assert package.remaining == ledger.aggregate(s=Sum("amount"))["s"]
        assert package.remaining == self.remaining

    @invariant()
    def each_booking_credit_is_where_the_model_says(self) -> None:
        for booking in self.bookings:
            entries = CreditEntry.objects.filter(booking=booking)
            uses = entries.filter(kind=CreditEntry.Kind.USE).count()
            releases = entries.filter(kind=CreditEntry.Kind.RELEASE).count()
            assert uses - releases == (1 if self.used[booking.pk] else 0), (booking.pk, uses, releases)
            link = BookingCredit.objects.filter(booking=booking).first()
            if self.used[booking.pk]:
                assert link is not None and link.state == BookingCredit.State.USED and link.turns == uses
            else:
                assert link is None or link.state == BookingCredit.State.RELEASED

    @invariant()
    def the_status_is_the_models(self) -> None:
        for booking in self.bookings:
            assert Booking.objects.get(pk=booking.pk).status == self.status[booking.pk]


def test_a_bookings_credit_follows_its_state_through_any_sequence(db: None) -> None:
    run_state_machine_as_test(CreditFollowsBooking, settings=settings(
        max_examples=20, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    ))


def _past_booking(org: Any, credits: int = 5) -> tuple[Booking, ClientPackage]:
    start = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    booking = BookingFactory(session__coach__organization=org, session__starts_at=start,
                             session__ends_at=start + timedelta(hours=1))
    with scope(organization=org):
        package = package_grant(client=booking.client, plan=PackagePlanFactory(organization=org, sessions=credits),
                                actor=None)
    return booking, package


def test_complete_no_show_complete_with_a_kept_credit_ends_where_it_started(org: Any) -> None:
    """The issue's case: a no-show keeps its credit; Complete -> No-show -> Complete is 4 -> 5 -> 4."""
    org.no_show_forfeits_credit = False
    org.save()
    booking, package = _past_booking(org)
    seen = []
    with scope(organization=org):
        for mark in (session_complete, session_no_show, session_complete):
            mark(session=TrainingSession.objects.get(pk=booking.session_id), actor=None)
            seen.append(ClientPackage.objects.get(pk=package.pk).remaining)
        uses = CreditEntry.objects.filter(booking=booking, kind=CreditEntry.Kind.USE).order_by("turn")
        assert [e.turn for e in uses] == [1, 2]
    assert seen == [4, 5, 4]


def test_no_show_complete_no_show_moves_the_credit_each_time(org: Any) -> None:
    org.no_show_forfeits_credit = False
    org.save()
    booking, package = _past_booking(org)
    seen = []
    with scope(organization=org):
        for mark in (session_no_show, session_complete, session_no_show, session_complete):
            mark(session=TrainingSession.objects.get(pk=booking.session_id), actor=None)
            seen.append(ClientPackage.objects.get(pk=package.pk).remaining)
    assert seen == [5, 4, 5, 4]


def test_a_credit_moves_with_the_booking_change_or_not_at_all(org: Any) -> None:
    """The credits listener runs in the emitting transaction: a rolled-back completion uses nothing."""
    booking, package = _past_booking(org)
    with scope(organization=org), pytest.raises(RuntimeError), transaction.atomic():
        session_complete(session=TrainingSession.objects.get(pk=booking.session_id), actor=None)
        assert ClientPackage.objects.get(pk=package.pk).remaining == 4
        raise RuntimeError("the page failed after the change")
    with scope(organization=org):
        assert not CreditEntry.objects.filter(booking=booking).exists()
        assert not BookingCredit.objects.filter(booking=booking).exists()
        assert ClientPackage.objects.get(pk=package.pk).remaining == 5
