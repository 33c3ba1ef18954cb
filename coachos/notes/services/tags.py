"""The business's note tags and a client's journal tags, made on first use (a race makes one)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction

from coachos.clients.models import Client
from coachos.notes.models import JournalTag, NoteTag
from coachos.tenancy.models import Organization


def note_tags_for(*, organization: Organization, names: Sequence[str]) -> list[NoteTag]:
    """The tags with these (clean) names, made when missing; the existing spelling wins."""
    found: list[NoteTag] = []
    for name in names:
        tag = NoteTag.objects.filter(organization=organization, name__iexact=name).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = NoteTag.objects.create(organization=organization, name=name)
            except IntegrityError:
                tag = NoteTag.objects.get(organization=organization, name__iexact=name)
        found.append(tag)
    return found


def journal_tags_for(*, client: Client, names: Sequence[str]) -> list[JournalTag]:
    found: list[JournalTag] = []
    for name in names:
        tag = JournalTag.objects.filter(client=client, name__iexact=name).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = JournalTag.objects.create(organization_id=client.organization_id, client=client, name=name)
            except IntegrityError:
                tag = JournalTag.objects.get(client=client, name__iexact=name)
        found.append(tag)
    return found
