import pytest
from django.db import DatabaseError, connection, transaction

from coachos.tenancy.models import AuditEntry

from .factories import AuditEntryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_postgres_refuses_updates_to_audit_entries(org):
    entry = AuditEntryFactory(organization=org, action="organization.updated")
    assert connection.vendor == "postgresql"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry._base_manager.filter(pk=entry.pk).update(action="tampered")
    assert AuditEntry._base_manager.get(pk=entry.pk).action == "organization.updated"
