"""The gentle journal reminder: once a week at most, late in the week, to a client who set a weekly
goal, asked to be reminded, and is behind it.

From Thursday 18:00 in the client's own zone (the business's when they have none) until the week
ends, a client with fewer entries this week than their goal gets one message (``journal_reminder``:
a bell in the portal and an email; their notification preferences and the business's switch apply).
Each goal's week is claimed with one conditional UPDATE before anything is written, so two jobs at
once remind a client once; the outbox's dedupe key says the same again.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime, time, timedelta, tzinfo

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import ngettext
from django_scopes import scope, scopes_disabled

from coachos.comms import notify
from coachos.comms.context import reader_language
from coachos.notes.kinds import JOURNAL_REMINDER
from coachos.notes.models import JournalEntry, JournalGoal

logger = logging.getLogger("coachos.notes")

REMIND_WEEKDAY = 3  # Thursday
REMIND_HOUR = 18
BATCH = 500


def _zone(goal: JournalGoal) -> tzinfo:
    name = goal.client.timezone
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return goal.organization.tzinfo


def week_key(local: datetime) -> str:
    year, week, _day = local.isocalendar()
    return f"{year}-W{week:02d}"


def due(local: datetime) -> bool:
    return local.weekday() > REMIND_WEEKDAY or (local.weekday() == REMIND_WEEKDAY and local.hour >= REMIND_HOUR)


def _week_start(local: datetime, zone: tzinfo) -> datetime:
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time.min, tzinfo=zone)


def _remind(goal: JournalGoal, *, now: datetime) -> bool:
    zone = _zone(goal)
    local = timezone.localtime(now, zone)
    if not due(local):
        return False
    week = week_key(local)
    if goal.reminded_for == week:
        return False
    written = JournalEntry.objects.filter(client_id=goal.client_id, draft=False,
                                          created_at__gte=_week_start(local, zone), created_at__lte=now).count()
    if written >= goal.entries_per_week:
        return False
    with transaction.atomic():
        claimed = JournalGoal.objects.filter(pk=goal.pk).exclude(reminded_for=week).update(reminded_for=week)
        if not claimed:
            return False
        with translation.override(reader_language(goal.organization, client=goal.client)):
            message = ngettext(
                "Your goal is %(goal)d entries a week, and you have written %(written)d this week. A few "
                "minutes is enough.",
                "Your goal is %(goal)d entries a week, and you have written %(written)d this week. A few "
                "minutes is enough.", goal.entries_per_week) % {"goal": goal.entries_per_week, "written": written}
        notify.client(organization=goal.organization, kind=JOURNAL_REMINDER, client=goal.client,
                      context={"message": message}, related=goal, dedupe_key=f"journal-goal:{goal.pk}:{week}")
    return True


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind every client who is due and behind. Returns how many were reminded."""
    now = now or timezone.now()
    sent = 0
    last_id = 0
    while True:
        with scopes_disabled():
            goals = list(JournalGoal.objects.filter(remind=True, pk__gt=last_id)
                         .select_related("client__user", "organization").order_by("pk")[:BATCH])
        if not goals:
            return sent
        last_id = goals[-1].pk
        for goal in goals:
            with scope(organization=goal.organization):
                try:
                    sent += _remind(goal, now=now)
                except Exception:  # one client's failure must not stop the others
                    logger.exception("journal reminder failed", extra={"goal_id": goal.pk,
                                                                       "organization_id": goal.organization_id})
