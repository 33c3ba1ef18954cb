"""Booking that settles itself (#19): the API contract, credits reserved and released once, card
payments confirmed by the webhook once, late payments refunded, the cancellation policy."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled

from coachos.billing import booking_payments
from coachos.billing.models import BookingPayment, Purchase
from coachos.books.models import MoneyEvent
from coachos.credits.models import ClientPackage, CreditEntry
from coachos.scheduling import services as scheduling
from coachos.scheduling.models import Booking, SessionType
from coachos.scheduling.services.errors import SchedulingError
from tests.conftest import bearer
from tests.factories import (
    ClientFactory,
    CoachFactory,
    PackagePlanFactory,
    SessionTypeFactory,
    WeeklyAvailabilityFactory,
)

from ..concurrency import run_concurrently
from .conftest import signed, stripe_event

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # Monday 06:00 in Chicago
SLOT = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)  # Wednesday 10:00 in Chicago
PROBLEM = "application/problem+json"


def call(http: DjangoClient, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    kwargs: dict[str, Any] = dict(headers)
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    elif method != "get":
        kwargs.update(data="", content_type="application/json")
    return getattr(http, method)(path, **kwargs)


@pytest.fixture
def setup(org: Any, owner: Any) -> dict[str, Any]:
    coach = CoachFactory(organization=org, min_notice_minutes=0, slot_step_minutes=30,
                         cancellation_window_hours=24)
    for weekday in range(5):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(9), end_time=time(12))
    session_type = SessionTypeFactory(organization=org, duration_minutes=60, price_minor=8500)
    client = ClientFactory(organization=org, email="pat@example.com")
    return {"coach": coach, "type": session_type, "client": client, "headers": bearer(owner, org)}


@pytest.fixture
def frozen(time_machine: Any) -> datetime:
    time_machine.move_to(NOW, tick=False)
    return NOW


def set_mode(s: dict[str, Any], mode: str, deposit: int = 0, **extra: Any) -> None:
    response = call(DjangoClient(), "patch", f"/api/v1/session-types/{s['type'].pk}", s["headers"],
                    {"payment": {"mode": mode, "deposit_minor": deposit, **extra}})
    assert response.status_code == 200, response.content


def book(s: dict[str, Any], starts_at: datetime = SLOT, client: Any = None, **extra: Any) -> Any:
    body = {"coach": s["coach"].pk, "session_type": s["type"].pk, "client": (client or s["client"]).pk,
            "starts_at": starts_at.isoformat(), **extra}
    return call(DjangoClient(), "post", "/api/v1/bookings", s["headers"], body)


def give_package(org: Any, client: Any, sessions: int = 10) -> ClientPackage:
    from coachos.credits.services import package_grant

    plan = PackagePlanFactory(organization=org, name="10-pack", sessions=sessions, price_minor=70000)
    with scope(organization=org):
        return package_grant(client=client, plan=plan, actor=None)


def paid_event(booking_id: int, purchase: Purchase, *, event_id: str | None = None) -> dict[str, Any]:
    """Stripe's checkout.session.completed for a booking: only ``metadata.coachos_booking_id``."""
    session = {
        "id": f"cs_test_booking_{booking_id}", "object": "checkout.session", "mode": "payment",
        "status": "complete", "payment_status": "paid", "amount_total": purchase.amount_minor,
        "currency": purchase.currency.lower(), "metadata": {"coachos_booking_id": str(booking_id)},
        "payment_intent": f"pi_test_booking_{booking_id}", "customer": None, "subscription": None,
    }
    return stripe_event("checkout.session.completed", session, event_id=event_id)


def deliver(body: dict[str, Any]) -> int:
    payload, header = signed(body)
    return DjangoClient().post("/webhooks/stripe", data=payload, content_type="application/json",
                               HTTP_STRIPE_SIGNATURE=header).status_code


def purchase_of(booking_id: int) -> Purchase:
    with scopes_disabled():
        return BookingPayment.objects.select_related("purchase").get(booking_id=booking_id).purchase


def money(org: Any, **filters: Any) -> list[MoneyEvent]:
    with scope(organization=org):
        return list(MoneyEvent.objects.filter(**filters).order_by("id"))


# --- the contract ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_session_type_payment_is_read_and_patched(setup: dict[str, Any], other_org: Any) -> None:
    http, headers, pk = DjangoClient(), setup["headers"], setup["type"].pk
    body = call(http, "get", f"/api/v1/session-types/{pk}", headers).json()
    assert body["payment"] == {"mode": "free", "price_minor": 8500, "deposit_minor": 0, "currency": "USD",
                               "new_clients_only": False}
    response = call(http, "patch", f"/api/v1/session-types/{pk}", headers,
                    {"payment": {"mode": "pay", "price_minor": 8500, "deposit_minor": 2000}})
    assert response.status_code == 200, response.content
    assert response.json()["payment"]["mode"] == "pay"
    assert call(http, "get", f"/api/v1/session-types/{pk}", headers).json()["payment"]["deposit_minor"] == 2000
    # a deposit of the whole price or more, an unknown mode: 422, nothing changed
    for bad in ({"mode": "pay", "deposit_minor": 8500}, {"mode": "barter"}):
        refused = call(http, "patch", f"/api/v1/session-types/{pk}", headers, {"payment": bad})
        assert refused.status_code == 422 and refused["Content-Type"] == PROBLEM
    with scopes_disabled():
        assert SessionType.objects.get(pk=pk).deposit_minor == 2000
    foreign = SessionTypeFactory(organization=other_org)
    assert call(http, "get", f"/api/v1/session-types/{foreign.pk}", headers).status_code == 404
    assert call(http, "patch", f"/api/v1/session-types/{foreign.pk}", headers,
                {"payment": {"mode": "pay"}}).status_code == 404


@pytest.mark.django_db
def test_a_free_booking_says_none(frozen: datetime, setup: dict[str, Any]) -> None:
    response = book(setup)
    assert response.status_code == 201, response.content
    assert response.json()["payment"]["status"] == "none"


# --- card: pending, paid by the webhook once ---------------------------------------------------

@pytest.mark.django_db
def test_a_paid_type_is_pending_with_a_checkout_then_paid_by_the_webhook(frozen: datetime, setup: dict[str, Any],
                                                                       org: Any) -> None:
    set_mode(setup, "pay")
    response = book(setup)
    assert response.status_code == 201, response.content
    payment = response.json()["payment"]
    assert payment["status"] == "pending" and payment["checkout_url"]
    booking_id = response.json()["id"]
    purchase = purchase_of(booking_id)
    assert purchase.amount_minor == 8500 and purchase.status == "pending"
    headers = setup["headers"]
    assert call(DjangoClient(), "get", f"/api/v1/money-events?booking={booking_id}", headers).json()["results"] == []

    assert deliver(paid_event(booking_id, purchase)) == 200
    assert deliver(paid_event(booking_id, purchase)) == 200  # delivered again: nothing twice

    got = call(DjangoClient(), "get", f"/api/v1/bookings/{booking_id}", headers).json()
    assert got["payment"]["status"] == "paid" and got["status"] == "confirmed"
    events = call(DjangoClient(), "get", f"/api/v1/money-events?booking={booking_id}", headers).json()["results"]
    assert [e["kind"] for e in events if e["kind"] == "sale"] == ["sale"]
    assert [e["amount_minor"] for e in events if e["kind"] == "sale"] == [8500]


@pytest.mark.django_db
def test_money_events_of_another_business_booking_are_404(frozen: datetime, setup: dict[str, Any],
                                                          other_org: Any, org: Any) -> None:
    set_mode(setup, "pay")
    booking_id = book(setup).json()["id"]
    from coachos.tenancy.roles import Role
    from tests.factories import member

    stranger = member(other_org, Role.OWNER, email="other-owner@example.com")
    response = call(DjangoClient(), "get", f"/api/v1/money-events?booking={booking_id}", bearer(stranger, other_org))
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_deposit_is_charged_and_the_rest_is_due_at_the_session(frozen: datetime, setup: dict[str, Any]) -> None:
    set_mode(setup, "pay", deposit=2000)
    with scope(organization=setup["type"].organization):
        setup["type"].refresh_from_db()
        preview = booking_payments.preview(client=setup["client"], session_type=setup["type"])
    assert preview.text == "Pay a $20.00 deposit now, $65.00 at the session."
    response = book(setup)
    assert response.json()["payment"]["amount_minor"] == 2000
    assert purchase_of(response.json()["id"]).amount_minor == 2000


@pytest.mark.xdist_group("billing-concurrency")
@pytest.mark.django_db(transaction=True)
def test_ten_paid_webhooks_at_once_make_one_payment_and_one_money_event(setup: dict[str, Any], org: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test runs on PostgreSQL")
    set_mode(setup, "pay")
    starts = datetime.now(UTC).replace(hour=16, minute=0, second=0, microsecond=0) + timedelta(days=1)
    while starts.weekday() > 4:
        starts += timedelta(days=1)
    response = book(setup, starts_at=starts)
    assert response.status_code == 201, response.content
    booking_id = response.json()["id"]
    purchase = purchase_of(booking_id)
    bodies = [signed(paid_event(booking_id, purchase, event_id=f"evt_booking_{i}")) for i in range(10)]

    def one(i: int) -> int:
        payload, header = bodies[i]
        return DjangoClient().post("/webhooks/stripe", data=payload, content_type="application/json",
                                   HTTP_STRIPE_SIGNATURE=header).status_code

    statuses = run_concurrently(one, 10, timeout=120).values
    assert statuses == [200] * 10
    with scopes_disabled():
        assert Purchase.objects.get(pk=purchase.pk).status == "paid"
        assert BookingPayment.objects.get(booking_id=booking_id).status == "paid"
    assert len(money(org, kind="sale", related_type="purchase", related_id=purchase.pk)) == 1


@pytest.mark.django_db
def test_a_payment_after_the_hold_expired_and_the_slot_was_taken_is_refunded(
        time_machine: Any, setup: dict[str, Any], org: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    set_mode(setup, "pay")
    booking_id = book(setup).json()["id"]
    purchase = purchase_of(booking_id)

    time_machine.move_to(NOW + timedelta(minutes=11), tick=False)
    assert booking_payments.expire_unpaid() == 1
    with scopes_disabled():
        assert Booking.objects.get(pk=booking_id).status == "cancelled_by_coach"
    other = ClientFactory(organization=org)
    taken = book(setup, client=other)  # the freed slot is booked by someone else
    assert taken.status_code == 201, taken.content

    assert deliver(paid_event(booking_id, purchase)) == 200
    with scopes_disabled():
        purchase.refresh_from_db()
        row = BookingPayment.objects.get(booking_id=booking_id)
    assert purchase.status == "refunded" and purchase.refunded_minor == 8500
    assert row.status == "refunded"
    assert len(money(org, kind="refund", related_type="purchase", related_id=purchase.pk)) == 1
    with scopes_disabled():
        from coachos.comms.models import OutboundMessage

        assert OutboundMessage.objects.filter(kind="booking_payment_refunded").count() >= 1


@pytest.mark.django_db
def test_an_unpaid_hold_frees_the_slot(time_machine: Any, setup: dict[str, Any], org: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    set_mode(setup, "pay")
    booking_id = book(setup).json()["id"]
    time_machine.move_to(NOW + timedelta(minutes=9), tick=False)
    assert booking_payments.expire_unpaid() == 0  # still held
    time_machine.move_to(NOW + timedelta(minutes=10), tick=False)
    assert booking_payments.expire_unpaid() == 1
    assert booking_payments.expire_unpaid() == 0  # once
    with scopes_disabled():
        assert BookingPayment.objects.get(booking_id=booking_id).status == "expired"
        assert purchase_of(booking_id).status == "cancelled"
    assert book(setup, client=ClientFactory(organization=org)).status_code == 201


# --- credits ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_credit_booking_reserves_one_credit_and_cancelling_gives_it_back_once(
        frozen: datetime, setup: dict[str, Any], org: Any) -> None:
    set_mode(setup, "credit")
    package = give_package(org, setup["client"])
    with scope(organization=org):
        setup["type"].refresh_from_db()
        text = booking_payments.preview(client=setup["client"], session_type=setup["type"]).text
    assert text == "Uses 1 credit of your 10-pack (9 left)."
    response = book(setup)
    assert response.status_code == 201, response.content
    payment = response.json()["payment"]
    assert payment["status"] == "credit_used" and payment["client_package"] == package.pk
    assert payment["credits_left"] == 9
    booking_id = response.json()["id"]

    cancelled = call(DjangoClient(), "post", f"/api/v1/bookings/{booking_id}/cancel", setup["headers"])
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["credit_released"] is True
    assert cancelled.json()["refund_minor"] == 0 and cancelled.json()["fee_kept_minor"] == 0
    again = call(DjangoClient(), "post", f"/api/v1/bookings/{booking_id}/cancel", setup["headers"])
    assert again.status_code == 422
    with scopes_disabled():
        package.refresh_from_db()
        assert package.remaining == 10
        assert CreditEntry.objects.filter(booking_id=booking_id, kind="use").count() == 1
        assert CreditEntry.objects.filter(booking_id=booking_id, kind="release").count() == 1


@pytest.mark.django_db
def test_a_credit_type_without_a_credit_is_409_and_books_nothing(frozen: datetime, setup: dict[str, Any]) -> None:
    set_mode(setup, "credit")
    response = book(setup)
    assert response.status_code == 409 and response["Content-Type"] == PROBLEM
    with scopes_disabled():
        assert not Booking.objects.exists()


@pytest.mark.django_db
def test_either_uses_a_credit_when_there_is_one_else_the_card(frozen: datetime, setup: dict[str, Any],
                                                                org: Any) -> None:
    set_mode(setup, "either")
    assert book(setup).json()["payment"]["status"] == "pending"  # no package: the card
    other = ClientFactory(organization=org)
    give_package(org, other)
    later = SLOT + timedelta(hours=1)
    assert book(setup, starts_at=later, client=other).json()["payment"]["status"] == "credit_used"
    third = ClientFactory(organization=org)
    give_package(org, third)
    chose_card = book(setup, starts_at=SLOT + timedelta(days=1), client=third, pay_with="card")
    assert chose_card.json()["payment"]["status"] == "pending"


@pytest.mark.xdist_group("billing-concurrency")
@pytest.mark.django_db(transaction=True)
def test_a_credit_booking_cancelled_in_two_tabs_gives_one_credit_back(setup: dict[str, Any], org: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test runs on PostgreSQL")
    set_mode(setup, "credit")
    package = give_package(org, setup["client"])
    starts = datetime.now(UTC).replace(hour=16, minute=0, second=0, microsecond=0) + timedelta(days=3)
    while starts.weekday() > 4:
        starts += timedelta(days=1)
    booking_id = book(setup, starts_at=starts).json()["id"]
    with scopes_disabled():
        booking = Booking.objects.get(pk=booking_id)

    def cancel(_i: int) -> Booking:
        with scope(organization=org):
            return scheduling.booking_cancel(booking=booking, actor=None, by=scheduling.CLIENT)

    results = run_concurrently(cancel, 2, expected=(SchedulingError,), timeout=120)
    assert len(results.values) == 1 and len(results.errors) == 1
    with scopes_disabled():
        package.refresh_from_db()
        assert package.remaining == 10
        assert CreditEntry.objects.filter(booking_id=booking_id, kind="release").count() == 1


# --- the cancellation policy ------------------------------------------------------------------

def _paid_booking(setup: dict[str, Any], deposit: int = 0) -> tuple[int, Purchase]:
    set_mode(setup, "pay", deposit=deposit)
    booking_id = book(setup).json()["id"]
    purchase = purchase_of(booking_id)
    assert deliver(paid_event(booking_id, purchase)) == 200
    return booking_id, purchase


@pytest.mark.django_db
def test_a_late_cancellation_keeps_exactly_the_stated_deposit(time_machine: Any, setup: dict[str, Any],
                                                              org: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    org.late_cancellation_allowed = True
    org.save()
    booking_id, purchase = _paid_booking(setup, deposit=2000)
    with scope(organization=org):
        setup["type"].refresh_from_db()
        policy = booking_payments.preview(client=setup["client"], session_type=setup["type"]).policy
    assert "$20.00" in policy
    time_machine.move_to(SLOT - timedelta(hours=2), tick=False)  # inside the 24-hour window
    with scope(organization=org), scopes_disabled():
        scheduling.booking_cancel(booking=Booking.objects.get(pk=booking_id), actor=None, by=scheduling.CLIENT)
    with scopes_disabled():
        row = BookingPayment.objects.get(booking_id=booking_id)
        purchase.refresh_from_db()
    assert row.fee_kept_minor == 2000 and row.refund_minor == 0
    assert purchase.refunded_minor == 0 and purchase.status == "paid"
    assert money(org, kind="refund") == []


@pytest.mark.django_db
def test_an_in_time_cancellation_refunds_in_full(time_machine: Any, setup: dict[str, Any], org: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    booking_id, purchase = _paid_booking(setup)
    with scope(organization=org), scopes_disabled():
        scheduling.booking_cancel(booking=Booking.objects.get(pk=booking_id), actor=None, by=scheduling.CLIENT)
    with scopes_disabled():
        row = BookingPayment.objects.get(booking_id=booking_id)
        purchase.refresh_from_db()
    assert (row.refund_minor, row.fee_kept_minor, row.status) == (8500, 0, "refunded")
    assert purchase.refunded_minor == 8500
    assert [e.amount_minor for e in money(org, kind="refund")] == [8500]


@pytest.mark.django_db
def test_the_business_cancelling_waives_the_fee_and_the_api_says_so(time_machine: Any, setup: dict[str, Any],
                                                                    org: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    booking_id, _purchase = _paid_booking(setup, deposit=2000)
    time_machine.move_to(SLOT - timedelta(hours=2), tick=False)
    response = call(DjangoClient(), "post", f"/api/v1/bookings/{booking_id}/cancel", setup["headers"])
    assert response.status_code == 200, response.content
    assert response.json()["refund_minor"] == 2000 and response.json()["fee_kept_minor"] == 0


# --- intro offers ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_intro_offer_is_for_new_clients_only(frozen: datetime, setup: dict[str, Any], org: Any) -> None:
    set_mode(setup, "pay", new_clients_only=True)
    assert book(setup).status_code == 201
    again = book(setup, starts_at=SLOT + timedelta(days=1))
    assert again.status_code == 422 and again.json()["code"] == "new_clients_only"
    with scopes_disabled():
        assert Booking.objects.filter(client=setup["client"]).count() == 1
