"""The money ledger: append-only, idempotent by provider id."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django_scopes import scope, scopes_disabled

from coachos.books.models import MoneyEvent
from coachos.books.services import BooksError, money_event_record, money_event_reverse
from tests.concurrency import run_concurrently
from tests.factories import ClientFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

is_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")


def record(org, **kwargs):
    defaults = {"organization": org, "kind": MoneyEvent.Kind.SALE, "amount_minor": 1000, "currency": "USD"}
    defaults.update(kwargs)
    with scope(organization=org):
        return money_event_record(**defaults)


def test_record_sets_related_from_instance(org):
    client = ClientFactory(organization=org)
    event = record(org, related=client, client=client, occurred_at=datetime(2026, 3, 1, tzinfo=UTC))
    assert (event.related_type, event.related_id) == ("client", client.pk)
    assert event.client == client
    assert event.occurred_at == datetime(2026, 3, 1, tzinfo=UTC)


def test_same_external_id_returns_the_first_row(org):
    first = record(org, external_id="ch_1")
    second = record(org, external_id="ch_1", amount_minor=999)
    assert first.pk == second.pk
    with scope(organization=org):
        assert MoneyEvent.objects.count() == 1
    # The same provider id under another kind is another row (a charge and its fee share an id).
    fee = record(org, kind=MoneyEvent.Kind.PROCESSING_FEE, external_id="ch_1", amount_minor=59)
    assert fee.pk != first.pk


def test_same_external_id_in_another_business_is_another_row(org, other_org):
    a = record(org, external_id="ch_1")
    b = record(other_org, external_id="ch_1", currency="USD")
    assert a.pk != b.pk


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"amount_minor": -1}, "negative"),
    ({"currency": "usd"}, "three-letter"),
    ({"currency": "US"}, "three-letter"),
    ({"kind": "gift"}, "Unknown kind"),
    ({"method": "barter"}, "Unknown payment method"),
    ({"occurred_at": datetime(2026, 1, 1)}, "time zone"),  # noqa: DTZ001
    ({"amount_minor": 10.5}, "whole number"),
])
def test_bad_input_is_refused(org, kwargs, message):
    with pytest.raises(BooksError, match=message):
        record(org, **kwargs)
    with scope(organization=org):
        assert MoneyEvent.objects.count() == 0


def test_client_of_another_business_is_refused(org, other_org):
    stranger = ClientFactory(organization=other_org)
    with pytest.raises(BooksError):
        record(org, client=stranger)


def test_model_refuses_update_and_delete(org):
    event = record(org)
    event.amount_minor = 1
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


@is_postgres
def test_database_refuses_update_and_delete(org):
    event = record(org)
    for sql in ("UPDATE books_moneyevent SET amount_minor = 1 WHERE id = %s",
                "UPDATE books_moneyevent SET kind = 'refund' WHERE id = %s",
                "DELETE FROM books_moneyevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [event.pk])
    with scopes_disabled():
        assert MoneyEvent.objects.get(pk=event.pk).amount_minor == 1000
    # A queryset update is refused too (it bypasses save()).
    with pytest.raises(DatabaseError), transaction.atomic(), scopes_disabled():
        MoneyEvent.objects.filter(pk=event.pk).update(description="changed")


@is_postgres
def test_deleting_a_client_keeps_the_money_and_forgets_the_link(org):
    client = ClientFactory(organization=org)
    event = record(org, client=client)
    with scopes_disabled():
        client.delete()
        kept = MoneyEvent.objects.get(pk=event.pk)
    assert kept.client_id is None and kept.amount_minor == 1000


def test_reverse_once(org, owner):
    event = record(org, kind=MoneyEvent.Kind.MANUAL_PAYMENT, occurred_at=datetime(2026, 2, 10, tzinfo=UTC))
    with scope(organization=org):
        reversal = money_event_reverse(event=event, actor=owner)
        assert reversal.reverses == event and reversal.kind == event.kind
        assert reversal.occurred_at == event.occurred_at and reversal.amount_minor == event.amount_minor
        with pytest.raises(BooksError, match="already been reversed"):
            money_event_reverse(event=event, actor=owner)
        with pytest.raises(BooksError, match="cannot itself"):
            money_event_reverse(event=reversal, actor=owner)


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("books_concurrency")
def test_ten_threads_same_external_id_make_one_row():
    org = OrganizationFactory(slug="books-threads")
    def worker(_i: int) -> int:
        with transaction.atomic():
            return record(org, external_id="ch_same", amount_minor=4200).pk

    ids = run_concurrently(worker, 10, timeout=60).values
    assert len(ids) == 10 and len(set(ids)) == 1
    with scopes_disabled():
        assert MoneyEvent.objects.filter(organization=org, external_id="ch_same").count() == 1


def test_platform_admin_reads_the_ledger_but_cannot_change_it(org):
    from tests.conftest import login_as
    from tests.factories import UserFactory

    event = record(org)
    admin = login_as(UserFactory(is_staff=True, is_superuser=True))
    assert admin.get("/admin/books/moneyevent/").status_code == 200
    assert admin.get(f"/admin/books/moneyevent/{event.pk}/change/").status_code == 200
    assert admin.get(f"/admin/books/moneyevent/{event.pk}/delete/").status_code == 403
    assert admin.get("/admin/books/expense/").status_code == 200
