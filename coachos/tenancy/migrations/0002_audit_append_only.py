"""On PostgreSQL, the database itself refuses updates to audit entries (append-only).

Deletes stay possible only as part of deleting a whole business (cascade); the model refuses
deleting a single entry.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tenancy_auditentry_no_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tenancy_auditentry_append_only
    BEFORE UPDATE ON tenancy_auditentry
    FOR EACH ROW EXECUTE FUNCTION tenancy_auditentry_no_update();
"""

DROP = """
DROP TRIGGER IF EXISTS tenancy_auditentry_append_only ON tenancy_auditentry;
DROP FUNCTION IF EXISTS tenancy_auditentry_no_update();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
