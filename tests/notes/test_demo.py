"""The demo's notes, journal and ratings (``seed_notes``): made once, shared and private as described."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from coachos.accounts.models import User
from coachos.notes.demo import seed_notes
from coachos.notes.models import JournalEntry, Note, NoteActionItem, SessionRating
from coachos.tenancy.models import Organization
from tests.conftest import login_as

from .conftest import Person, completed_session

pytestmark = pytest.mark.django_db


def test_demo_notes_journal_and_ratings(org, coach: Person, olivia: Person) -> None:
    for hours in (30, 60):
        completed_session(org, olivia.client, coach_membership=coach.membership,
                          ended_ago=timedelta(hours=hours))
    seed_notes(org)
    seed_notes(org)  # a second run writes nothing
    with scope(organization=org):
        assert Note.objects.count() == 3
        assert Note.objects.filter(shared=True).count() == 1
        assert sorted(NoteActionItem.objects.values_list("assignee", flat=True)) == ["client", "client", "coach"]
        entries = JournalEntry.objects.filter(client=olivia.client)
        assert entries.count() == 6 and entries.filter(shared=False).count() == 2
        assert entries.filter(prompt__isnull=False).count() == 1
        assert SessionRating.objects.count() == 2
        assert all("<script" not in n.body_html for n in Note.objects.all())


def test_make_runs_demo_has_notes_from_templates_a_journal_and_ratings() -> None:
    """The demo business (``seed_demo``, what ``make run`` loads) runs the notes step: the coach's notes
    page lists notes made from the built-in templates, Olivia's journal has shared and private entries,
    and sessions are rated."""
    call_command("seed_demo")
    with scopes_disabled():
        org = Organization.objects.get(slug="northside")
        coach = User.objects.get(email="coach@northside.example")
    with scope(organization=org):
        notes = list(Note.objects.select_related("template"))
        assert {n.template.builtin_key for n in notes} == {"soap", "session_review", "initial_assessment"}
        assert any(n.session_id for n in notes)  # on the portal client's completed sessions
        entries = JournalEntry.objects.filter(client__email="client@northside.example")
        assert entries.filter(shared=True).exists() and entries.filter(shared=False).exists()
        assert SessionRating.objects.exists()
    page = login_as(coach).get("/o/northside/notes/").content.decode()
    assert "Knee and squat depth" in page and "Initial assessment" in page
