"""Every notes, journal and ratings endpoint that names an object answers 404 to another business —
to its owner and to its clients (the generic walker in tests/test_cross_tenant.py tries owners only) —
and a list filtered by another business's id finds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.api import api as ninja_api
from coachos.notes.models import (
    JournalEntry,
    JournalPrompt,
    Note,
    NoteActionItem,
    NoteAttachment,
    NoteTemplate,
    NoteVersion,
)
from coachos.scheduling.models import Coach, TrainingSession
from tests.factories import (
    JournalEntryFactory,
    JournalPromptRecipientFactory,
    NoteActionItemFactory,
    NoteTemplateFactory,
    NoteVersionFactory,
)
from tests.test_cross_tenant import OPENAPI_PARAM_RE

from .conftest import Person, call, completed_session, portal_client, team_member

pytestmark = pytest.mark.django_db

TAGS = {"notes", "journal", "ratings"}


def _operations() -> list[tuple[str, str]]:
    found = []
    for path, item in ninja_api.get_openapi_schema()["paths"].items():
        for method, spec in item.items():
            if method in {"get", "post", "put", "patch", "delete"} and TAGS & set(spec.get("tags", [])) \
                    and "{" in path:
                found.append((path, method))
    return found


def test_every_notes_endpoint_is_a_404_for_another_business(org, other_org) -> None:
    olivia = portal_client(org)
    session, _booking = completed_session(org, olivia.client)
    with scope(organization=org):
        note = Note.objects.create(organization=org, client=olivia.client, body_html="<p>a</p>", shared=True)
        version = NoteVersionFactory(note=note, organization=org)
        item = NoteActionItemFactory(note=note, organization=org, client=olivia.client)
        entry = JournalEntryFactory(client=olivia.client, organization=org, shared=True)
        prompt = JournalPromptRecipientFactory(organization=org, client=olivia.client).prompt
        template = NoteTemplateFactory(organization=org)
        attachment = NoteAttachment.objects.create(organization=org, note=note, key="k" * 32, extension="pdf",
                                                   name="plan.pdf", size=10, content_type="application/pdf")
    a: dict[str, Any] = {"noteattachment_id": attachment.pk, "client_id": olivia.client.pk, "note_id": note.pk, "noteversion_id": version.pk,
                         "noteactionitem_id": item.pk, "journalentry_id": entry.pk, "journalprompt_id": prompt.pk,
                         "session_id": session.pk, "notetemplate_id": template.pk, "coach_id": session.coach_id}
    outsiders: list[Person] = [team_member(other_org, "owner"), portal_client(other_org, first_name="Bea")]
    http = DjangoClient()
    failures = []
    operations = _operations()
    for path, method in operations:
        url = OPENAPI_PARAM_RE.sub(lambda m: str(a[m["parameter"]]), path)
        for person in outsiders:
            response = call(http, method, url, person, {} if method in {"post", "put", "patch"} else None)
            if response.status_code != 404 or response["Content-Type"] != "application/problem+json":
                failures.append(f"{method.upper()} {path} as {person.user.email}: {response.status_code}")
    assert len(operations) >= 20
    assert not failures, "\n".join(failures)
    with scope(organization=org):  # nothing of A's changed
        assert Note.objects.get(pk=note.pk).version == 1 and JournalEntry.objects.get(pk=entry.pk).shared
        assert NoteTemplate.objects.filter(pk=template.pk).exists() and NoteActionItem.objects.get(pk=item.pk).done \
            is False
        assert NoteVersion.objects.filter(pk=version.pk).exists() and JournalPrompt.objects.filter(pk=prompt.pk)
        assert TrainingSession.objects.filter(pk=session.pk).exists() and Coach.objects.filter(pk=session.coach_id)
        assert NoteAttachment.objects.filter(pk=attachment.pk).exists()


def test_lists_filtered_by_another_business_ids_find_nothing(org, other_org) -> None:
    olivia = portal_client(org)
    with scope(organization=org):
        Note.objects.create(organization=org, client=olivia.client, body_html="<p>a</p>")
        JournalEntryFactory(client=olivia.client, organization=org, shared=True)
    owner_b = team_member(other_org, "owner")
    http = DjangoClient()
    for url in (f"/api/v1/notes?client={olivia.client.pk}", f"/api/v1/journal?client={olivia.client.pk}"):
        response = call(http, "get", url, owner_b)
        assert response.status_code == 200 and response.json()["results"] == []
    prompt = call(http, "post", "/api/v1/journal-prompts", owner_b, {"text": "Hi", "clients": [olivia.client.pk]})
    assert prompt.status_code == 422
