"""Requests that arrive together: real threads, real transactions, PostgreSQL. Six ratings of the same
session at once make one (the others are 409); six saves from the same version make one new version
(the others are conflicts, nothing overwritten)."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.notes.models import Note, NoteVersion, SessionRating
from tests.concurrency import run_concurrently

from .conftest import Person, call, completed_session

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("concurrency")]


@pytest.mark.django_db(transaction=True)
def test_rating_the_same_session_at_once_makes_one(org, olivia: Person) -> None:
    session, _booking = completed_session(org, olivia.client)

    def rate(n: int) -> int:
        return call(DjangoClient(), "post", f"/api/v1/sessions/{session.pk}/rating", olivia,
                    {"stars": 1 + n % 5}).status_code

    statuses = sorted(run_concurrently(rate, 6, timeout=120).values)
    assert statuses == [201] + [409] * 5
    with scope(organization=org):
        assert SessionRating.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_saves_from_the_same_version_at_once_make_one_change(org, coach: Person, olivia: Person) -> None:
    with scope(organization=org):
        note = Note.objects.create(organization=org, client=olivia.client, author=coach.user, body_html="<p>v1</p>")
        NoteVersion.objects.create(organization=org, note=note, version=1, body_html="<p>v1</p>")

    def save(n: int) -> int:
        return call(DjangoClient(), "patch", f"/api/v1/notes/{note.pk}", coach,
                    {"base_version": 1, "body_html": f"<p>tab {n}</p>"}).status_code

    statuses = sorted(run_concurrently(save, 6, timeout=120).values)
    assert statuses == [200] + [409] * 5
    with scope(organization=org):
        note.refresh_from_db()
        assert note.version == 2 and NoteVersion.objects.filter(note=note).count() == 2
