"""The demo seed runs once, into an empty database (runs on PostgreSQL and SQLite: the smoke marker)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.comms.models import OutboundMessage
from coachos.scheduling.models import Booking, TrainingSession
from coachos.tenancy.models import Organization

from ..factories import OrganizationFactory

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def row_counts() -> dict[str, int]:
    """Rows of every model of the project's apps."""
    tables = set(connection.introspection.table_names())
    with scopes_disabled():
        return {model._meta.label: model._base_manager.count() for model in apps.get_models()
                if model.__module__.startswith("coachos.") and model._meta.db_table in tables}


def test_seeding_again_keeps_a_moved_booking_and_changes_nothing(capsys):
    call_command("seed_demo")
    assert capsys.readouterr().out.strip().splitlines() == [
        "Demo business 'Northside Strength' is at /o/northside/ (logins use the password coachos-demo)."]
    with scopes_disabled():
        org = Organization.objects.get(slug="northside")
    with scope(organization=org):
        booking = (Booking.objects.filter(status=Booking.Status.CONFIRMED, client__isnull=False,
                                          session__status=TrainingSession.Status.SCHEDULED,
                                          session__starts_at__gt=timezone.now())
                   .select_related("session").order_by("session__starts_at").first())
        assert booking is not None
        session = booking.session
        old_starts_at = session.starts_at
        # What a move writes: the session's new times (the user dragged it later, to a time the coach
        # has free: the demo's day depends on when the test runs, so the first free shift is taken).
        shift = next(
            offset for offset in (timedelta(minutes=90 * n) for n in range(1, 200))
            if not TrainingSession.objects.filter(coach=session.coach, starts_at__lt=session.ends_at + offset,
                                                  ends_at__gt=session.starts_at + offset)
            .exclude(pk=session.pk).exclude(status=TrainingSession.Status.CANCELLED).exists())
        session.starts_at += shift
        session.ends_at += shift
        session.save(update_fields=["starts_at", "ends_at"])
    before = row_counts()

    call_command("seed_demo")

    assert row_counts() == before
    with scope(organization=org):
        session.refresh_from_db()
        assert session.starts_at == old_starts_at + shift
        assert not TrainingSession.objects.filter(coach=session.coach, starts_at=old_starts_at).exists()
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed == ["Demo data not loaded: the database already has a business (it is seeded once)."]


def test_a_database_with_a_business_of_its_own_gets_no_demo_data():
    OrganizationFactory(name="My Gym", slug="my-gym")
    before = row_counts()

    call_command("seed_demo")

    assert row_counts() == before
    with scopes_disabled():
        assert not Organization.objects.filter(slug="northside").exists()


def test_the_seed_leaves_nothing_due_for_the_worker_to_send():
    """What the demo's services queued is history: the first `make run` does not mail it all out."""
    call_command("seed_demo")
    with scopes_disabled():
        receipts = OutboundMessage.objects.filter(kind="receipt")
        assert receipts.exists()  # the billing step's sales wrote them through the outbox
        assert set(receipts.values_list("status", flat=True)) == {OutboundMessage.Status.SENT}
        due = OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED, scheduled_for__lte=timezone.now())
        assert list(due.values_list("kind", flat=True)) == []
