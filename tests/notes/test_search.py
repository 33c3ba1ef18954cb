"""Search over notes and journal entries: PostgreSQL full-text with prefixes, icontains on SQLite —
the same answers either way (this test runs on both: ``make test`` runs smoke tests on SQLite too)."""

from __future__ import annotations

import pytest
from django_scopes import scope

from coachos.notes.models import JournalEntry, Note
from coachos.notes.search import search, terms
from tests.factories import ClientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_every_word_must_match_and_a_beginning_is_enough(org) -> None:
    with scope(organization=org):
        client = ClientFactory(organization=org)
        rows = {title: Note.objects.create(organization=org, client=client, title=title, body_text=text)
                for title, text in (("Running form", "Cadence drills, 180 steps"), ("Strength", "Deadlift day"),
                                    ("Mobility", "Hips and running warm-up"))}
        JournalEntry.objects.create(organization=org, client=client, title="Évasion", body_text="Très bien couru")

        def found(q: str) -> set[str]:
            return set(search(Note.objects.all(), q).values_list("title", flat=True))

        assert found("runn") == {"Running form", "Mobility"}
        assert found("running cadence") == {"Running form"}
        assert found("DEADLIFT") == {"Strength"}
        assert found("") == set(rows)
        assert found("swim") == set()
        assert found("'; drop table notes_note; --") == set()  # only words reach the query
        assert list(search(JournalEntry.objects.all(), "très bi").values_list("title", flat=True)) == ["Évasion"]


def test_terms_are_words_only() -> None:
    assert terms("run:* & (fast | !slow)") == ["run", "fast", "slow"]
    assert len(terms("a " * 20)) == 8
