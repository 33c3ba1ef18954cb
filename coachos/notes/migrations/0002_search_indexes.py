"""Full-text search indexes (PostgreSQL only): GIN on the very expression ``coachos.notes.search.vector``
builds, so the notes list and the journal search use them. SQLite searches with icontains instead."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEXES = (("Note", "notes_note_search"), ("JournalEntry", "notes_journal_search"))


def _index(name: str) -> GinIndex:
    # The same expression as coachos.notes.search.vector("title", "body_text").
    return GinIndex(SearchVector("title", "body_text", config="simple"), name=name)


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, name in INDEXES:
        schema_editor.add_index(apps.get_model("notes", model_name), _index(name))


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, name in INDEXES:
        schema_editor.remove_index(apps.get_model("notes", model_name), _index(name))


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
