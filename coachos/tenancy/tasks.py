"""The base for tasks that work inside one business: they take its id and enter its scope."""

from __future__ import annotations

from typing import Any

from celery import Task
from django.utils import timezone
from django_scopes import scope

from .models import Organization


class OrgTask(Task):  # type: ignore[misc]
    """Call with ``organization_id=<id>``; the body runs inside that business's scope and zone.

    A task for a business that no longer exists does nothing.
    """

    abstract = True

    def __call__(self, *args: Any, organization_id: int, **kwargs: Any) -> Any:
        organization = Organization.objects.filter(pk=organization_id).first()
        if organization is None:
            return None
        with scope(organization=organization), timezone.override(organization.tzinfo):
            return super().__call__(*args, organization_id=organization_id, **kwargs)
