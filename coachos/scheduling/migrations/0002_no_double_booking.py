"""On PostgreSQL, the database itself refuses two active sessions of one coach that overlap.

Half-open ranges, so [10:00, 11:00) and [11:00, 12:00) both fit. SQLite gets the same
guarantee from its write lock (settings: transaction_mode IMMEDIATE) plus the service's check.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_trainingsession
    ADD CONSTRAINT session_coach_no_overlap
    EXCLUDE USING gist (coach_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status <> 'cancelled');
"""

DROP = "ALTER TABLE scheduling_trainingsession DROP CONSTRAINT IF EXISTS session_coach_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
