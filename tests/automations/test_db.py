"""The bulk writes and fast reads behind the scheduler store and read exactly what the ORM would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import DataError, connection, transaction
from django_scopes import scopes_disabled

from coachos.automations import db
from coachos.automations.models import AutomationRun, ConditionFire
from coachos.clients.models import Client
from tests.factories import ClientFactory

from .conftest import make

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture(params=["postgresql", "other"])
def vendor(request, monkeypatch) -> str:
    """Each helper on PostgreSQL (one statement) and as on any other database (its fallback)."""
    if request.param == "other":
        monkeypatch.setattr(connection, "vendor", "sqlite", raising=False)
    return request.param


def test_insert_rows_then_update_rows_store_what_the_orm_reads_back(org, vendor):
    automation = make(org, trigger_type="schedule", frequency="daily")
    with scopes_disabled():
        ids = db.insert_rows(AutomationRun, ["organization", "automation", "trigger", "due_at"],
                             [(org.pk, automation.pk, "schedule", AT), (org.pk, automation.pk, "manual", None)],
                             same={"status": "running", "started_at": AT})
        first, second = (AutomationRun.objects.get(pk=pk) for pk in ids)
        assert (first.trigger, first.due_at, second.trigger, second.due_at) == ("schedule", AT, "manual", None)
        assert (first.status, first.started_at, first.results, first.trigger_data, first.error) == (
            "running", AT, [], {}, "")
        outcomes = [{"client": 7, "detail": "Quote ' and \" and \\ and {braces} and ünïcode", "related": None}]
        db.update_rows(AutomationRun, ["status", "error", "outcomes", "client_ids", "clients_reached", "finished_at"],
                       [("partial", "line one\nline two", outcomes, [7, 8], 1, AT + timedelta(seconds=1), first.pk),
                        ("succeeded", "", [], [], 0, None, second.pk)])
        first.refresh_from_db()
        second.refresh_from_db()
    assert (first.status, first.error, first.outcomes, first.client_ids, first.clients_reached) == (
        "partial", "line one\nline two", outcomes, [7, 8], 1)
    assert first.finished_at == AT + timedelta(seconds=1) and second.finished_at is None
    assert (second.status, second.outcomes) == ("succeeded", [])


def test_update_many_saves_the_fields_of_model_instances(org, vendor):
    automation = make(org, trigger_type="schedule", frequency="daily")
    with scopes_disabled():
        runs = [AutomationRun.objects.create(organization=org, automation=automation, trigger="manual", started_at=AT)
                for _ in range(3)]
        for n, run in enumerate(runs):
            run.status, run.clients_reached = "failed", n
        db.update_many(runs, ["status", "clients_reached"])
        assert sorted(AutomationRun.objects.values_list("status", "clients_reached")) == [
            ("failed", 0), ("failed", 1), ("failed", 2)]


@pytest.mark.postgres
def test_a_value_too_long_fails_instead_of_being_cut(org):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not enforce text lengths")
    automation = make(org, trigger_type="schedule", frequency="daily")
    with scopes_disabled():
        run = AutomationRun.objects.create(organization=org, automation=automation, trigger="manual", started_at=AT)
        with pytest.raises(DataError), transaction.atomic():
            db.update_rows(AutomationRun, ["status"], [("x" * 11, run.pk)])
        with pytest.raises(DataError), transaction.atomic():
            db.insert_rows(ConditionFire, ["organization", "automation", "client", "key", "fired_at"],
                           [(org.pk, automation.pk, ClientFactory(organization=org).pk, "k" * 81, AT)])


def test_rows_reads_what_the_orm_reads(org, vendor):
    ClientFactory(organization=org, birthday=None)
    ClientFactory(organization=org, birthday=date(1990, 2, 28))
    automation = make(org, trigger_type="schedule", frequency="daily")
    with scopes_disabled():
        values = Client.objects.filter(organization=org).order_by("id").values_list("id", "status", "birthday",
                                                                                     "created_at")
        found = db.rows(values)
        assert found == list(values) and len(found) == 2
        assert all(row[3].tzinfo is not None and row[3].utcoffset() == timedelta(0) for row in found)
        assert db.rows(Client.objects.filter(pk__in=[]).values_list("id")) == []
        # A column that needs converting (JSON) is read through the ORM: a list, not its text.
        AutomationRun.objects.create(organization=org, automation=automation, trigger="manual", started_at=AT,
                                     results=[{"action": 0}])
        assert db.rows(AutomationRun.objects.values_list("results", "started_at")) == [([{"action": 0}], AT)]
