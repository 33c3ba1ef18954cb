"""Sessions nobody marked become completed (and use their credit) after the grace period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import TrainingSession
from .bookings import session_complete


def sessions_autocomplete(*, organization: Any, now: datetime | None = None) -> int:
    """Complete every scheduled session of the business that ended more than the grace period
    ago. Each goes through session_complete under a row lock, so two runs at once complete
    (and deduct) each session once."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=organization.auto_complete_after_hours)
    due = list(TrainingSession.objects.filter(status=TrainingSession.Status.SCHEDULED, ends_at__lte=cutoff)
               .order_by("ends_at").values_list("pk", flat=True))
    completed = 0
    for pk in due:
        with transaction.atomic():
            session = TrainingSession.objects.select_for_update().get(pk=pk)
            if session.status != TrainingSession.Status.SCHEDULED:
                continue  # another run got there first
            session_complete(session=session, actor=None, now=now)
            completed += 1
    return completed
