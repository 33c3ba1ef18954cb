"""On PostgreSQL, the database itself keeps the money ledger append-only.

UPDATE and DELETE of a money event are refused. The one change allowed is a foreign key to a
client, plan, session type or user becoming NULL (ON DELETE SET NULL when that row is removed);
the amount, kind, dates and ids can never change.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION books_moneyevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'money events are append-only (delete refused)';
    END IF;
    IF (NEW.id, NEW.organization_id, NEW.kind, NEW.amount_minor, NEW.currency, NEW.occurred_at,
        NEW.related_type, NEW.related_id, NEW.external_id, NEW.method, NEW.description,
        NEW.reverses_id, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.organization_id, OLD.kind, OLD.amount_minor, OLD.currency, OLD.occurred_at,
        OLD.related_type, OLD.related_id, OLD.external_id, OLD.method, OLD.description,
        OLD.reverses_id, OLD.created_at)
       OR (NEW.client_id IS NOT NULL AND NEW.client_id IS DISTINCT FROM OLD.client_id)
       OR (NEW.package_plan_id IS NOT NULL AND NEW.package_plan_id IS DISTINCT FROM OLD.package_plan_id)
       OR (NEW.session_type_id IS NOT NULL AND NEW.session_type_id IS DISTINCT FROM OLD.session_type_id)
       OR (NEW.created_by_id IS NOT NULL AND NEW.created_by_id IS DISTINCT FROM OLD.created_by_id)
    THEN
        RAISE EXCEPTION 'money events are append-only (update refused)';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER books_moneyevent_append_only
    BEFORE UPDATE OR DELETE ON books_moneyevent
    FOR EACH ROW EXECUTE FUNCTION books_moneyevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS books_moneyevent_append_only ON books_moneyevent;
DROP FUNCTION IF EXISTS books_moneyevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("books", "0001_money_ledger_and_expenses")]
    operations = [migrations.RunPython(forwards, backwards)]
