"""Bring the old notes into Notes without loss: every ``clients.ClientNote`` row and every session's
``TrainingSession.notes`` text becomes a private Note (see ``coachos.notes.services.legacy``). The old
rows and the field are only read; removing them is a later step."""

from django.db import migrations


def forwards(apps, schema_editor):
    from coachos.notes.services.legacy import import_legacy_notes

    import_legacy_notes(apps)


def backwards(apps, schema_editor):
    apps.get_model("notes", "Note").objects.exclude(legacy_source="").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0002_search_indexes"),
        ("clients", "0004_client_timezone"),
        ("scheduling", "0003_skipped_occurrence"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
