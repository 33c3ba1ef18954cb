"""The weekly digest: on Monday from 08:00 in each business's zone, its owners get last week's numbers
and the cards worth acting on, through the outbox (``comms.notify.team``: a bell entry and an email as
each owner chose on their notification settings). Due-driven: ``InsightsSettings.digest_next_at`` is
claimed with one conditional UPDATE per batch, so two workers send each week's digest once (the
dedupe key ``insights-digest:<monday>`` stops a second email even then)."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scope, scopes_disabled

from coachos.common import formats
from coachos.comms import catalog, notify
from coachos.scheduling.slots import local_to_utc
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from . import cards, metrics
from .models import InsightsSettings

logger = logging.getLogger("coachos.insights")
KIND = "insights_weekly_digest"
SEND_AT = time(8, 0)
BATCH = 500


def register() -> None:
    if KIND not in catalog.KINDS:
        catalog.register(catalog.Kind(KIND, gettext_lazy("Weekly insights digest"), audience="team",
                                      subject=gettext_lazy("Your week at {business_name}"),
                                      email="{message}\n\n{link}", notify_default=("in_app", "email")))


def next_send(organization: Organization, now: datetime) -> datetime:
    """The next Monday 08:00 in the business's zone after ``now``."""
    tz = organization.tzinfo
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    candidate = local_to_utc(monday, SEND_AT, tz)
    while candidate <= now:
        monday += timedelta(days=7)
        candidate = local_to_utc(monday, SEND_AT, tz)
    return candidate


def _ensure_settings(now: datetime) -> None:
    """Businesses without settings get a row (digest on), due next Monday."""
    missing = Organization.objects.exclude(pk__in=InsightsSettings.objects.values("organization_id"))
    InsightsSettings.objects.bulk_create(
        [InsightsSettings(organization=org, digest_next_at=next_send(org, now)) for org in missing],
        ignore_conflicts=True, batch_size=1000)


def text_for(organization: Organization, week_start: date, now: datetime) -> str:
    viewer = metrics.Viewer(organization=organization, membership=None)
    tz = organization.tzinfo
    start, end = local_to_utc(week_start, time(0), tz), local_to_utc(week_start + timedelta(days=7), time(0), tz)
    sessions = metrics.session_counts(viewer, start, end)
    clients = metrics.client_counts(viewer, start, end)
    revenue = metrics.revenue_total(viewer, start, end)
    lines = [
        _("Your week from %(day)s:") % {"day": formats.format_date(week_start, style="medium")},
        _("Revenue: %(money)s") % {"money": formats.format_money(revenue, organization.currency)},
        _("Sessions completed: %(n)s; no-shows: %(ns)s (%(rate)s)") % {
            "n": sessions["completed"], "ns": sessions["no_show"], "rate": f"{sessions['no_show_rate']:.0%}"},
        _("Active clients: %(n)s (%(new)s new)") % {"n": clients["active"], "new": clients["new"]},
    ]
    found = cards.all_cards(viewer, now)
    if found:
        lines.append("")
        lines.append(_("Worth doing this week:"))
        lines += [f"- {card.title}: {card.why}" for card in found]
    return "\n".join(lines)


def send_due(now: datetime | None = None, limit: int = BATCH) -> int:
    """Send every digest that is due; returns how many businesses got one."""
    now = now or timezone.now()
    sent = 0
    with scopes_disabled():
        _ensure_settings(now)
        while True:
            with transaction.atomic():
                due = list(InsightsSettings.objects.select_for_update(skip_locked=True)
                           .filter(digest_next_at__lte=now).select_related("organization")
                           .order_by("digest_next_at")[:limit])
                if not due:
                    break
                for row in due:
                    row.digest_next_at = next_send(row.organization, now)
                InsightsSettings.objects.bulk_update(due, ["digest_next_at"])
                for row in due:
                    if row.weekly_digest and _send(row.organization, now):
                        sent += 1
    return sent


def _send(organization: Organization, now: datetime) -> bool:
    with scope(organization=organization), transaction.atomic():
        owners = [m.user for m in Membership.objects.filter(organization=organization, role=Role.OWNER,
                                                            user__is_active=True).select_related("user")]
        if not owners:
            return False
        today = now.astimezone(organization.tzinfo).date()
        week_start = today - timedelta(days=today.weekday() + 7)
        from django.urls import reverse

        notify.team(organization=organization, kind=KIND, users=owners,
                    context={"message": text_for(organization, week_start, now)},
                    dedupe_key=f"insights-digest:{week_start.isoformat()}",
                    url=reverse("insights:index", args=[organization.slug]))
    logger.info("weekly digest written", extra={"organization_id": organization.pk})
    return True


