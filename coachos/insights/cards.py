"""Insight cards: rules over the same numbers that point at one action, each with its "why".

Each rule is a few SQL aggregates at ``now``. A card carries a ``fingerprint`` of the facts it was
built from; a member who dismisses it does not see it again until the facts change (another client at
risk, one more credit expiring…).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncWeek
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coachos.billing.models import ClientMembership, Purchase
from coachos.credits.models import ClientPackage
from coachos.scheduling.models import Booking, TrainingSession
from coachos.scheduling.slots import local_to_utc

from .metrics import ATTENDED, Viewer, rate
from .models import CardDismissal

AT_RISK_DAYS = 21  # "no booking for N days"
REGULAR_BOOKINGS = 3  # "were regular": this many places in the 90 days before
FULL_WEEKS = 3  # "a slot that is full N weeks running"
EXPIRING_DAYS = 14
NO_SHOW_MIN_SESSIONS = 5
NO_SHOW_FLOOR = 0.1


@dataclass(frozen=True)
class Card:
    kind: str
    title: str
    why: str
    action: str
    action_url: str
    fingerprint: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "title": self.title, "why": self.why, "action": self.action,
                "action_url": self.action_url}


def _fingerprint(*facts: Any) -> str:
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:32]


def _url(name: str, viewer: Viewer) -> str:
    return reverse(name, args=[viewer.organization.slug])


def at_risk(viewer: Viewer, now: datetime) -> Card | None:
    quiet_since = now - timedelta(days=AT_RISK_DAYS)
    bookings = Booking.objects.filter(status__in=ATTENDED)
    recent = bookings.filter(session__starts_at__gte=quiet_since).values("client_id")
    regular = (viewer.clients().exclude(pk__in=recent)
               .annotate(n=Count("bookings", filter=Q(bookings__status__in=ATTENDED,
                                                      bookings__session__starts_at__gte=now - timedelta(days=90),
                                                      bookings__session__starts_at__lt=quiet_since)))
               .filter(n__gte=REGULAR_BOOKINGS))
    ids = sorted(regular.values_list("pk", flat=True))
    if not ids:
        return None
    return Card(
        kind="clients_at_risk",
        title=ngettext("%(n)s regular client has stopped booking", "%(n)s regular clients have stopped booking",
                       len(ids)) % {"n": len(ids)},
        why=_("They booked at least %(regular)s times in the last three months but nothing in the last %(days)s "
              "days, and nothing is booked ahead.") % {"regular": REGULAR_BOOKINGS, "days": AT_RISK_DAYS},
        action=_("Message them"), action_url=_url("chat:index", viewer), fingerprint=_fingerprint(ids),
    )


def full_slots(viewer: Viewer, now: datetime) -> Card | None:
    tz = viewer.organization.tzinfo
    # The last N whole local weeks (Monday to Sunday) before this one.
    today = now.astimezone(tz).date()
    this_week = local_to_utc(today - timedelta(days=today.weekday()), time(0), tz)
    since = local_to_utc(today - timedelta(days=today.weekday(), weeks=FULL_WEEKS), time(0), tz)
    sessions = TrainingSession.objects.filter(status__in=TrainingSession.ACTIVE, starts_at__gte=since,
                                              starts_at__lt=this_week)
    if viewer.limited:
        sessions = sessions.filter(coach__membership=viewer.membership)
    full_ids = (sessions.annotate(taken=Count("bookings", filter=Q(bookings__status__in=ATTENDED)))
                .filter(taken__gte=F("capacity")).values("pk"))
    full = (TrainingSession.objects.filter(pk__in=full_ids)
            .annotate(dow=ExtractIsoWeekDay("starts_at", tzinfo=tz), hour=ExtractHour("starts_at", tzinfo=tz),
                      week=TruncWeek("starts_at", tzinfo=tz)))
    rows = sorted((r["coach_id"], r["dow"], r["hour"]) for r in
                  full.order_by().values("coach_id", "dow", "hour").annotate(weeks=Count("week", distinct=True))
                  .filter(weeks__gte=FULL_WEEKS).values("coach_id", "dow", "hour"))
    if not rows:
        return None
    from django.utils.dates import WEEKDAYS as DAY_NAMES

    _coach, dow, hour = rows[0]
    return Card(
        kind="slot_full",
        title=ngettext("%(n)s time is full every week", "%(n)s times are full every week", len(rows)) % {"n": len(rows)},
        why=_("%(day)s at %(hour)s:00 was fully booked each of the last %(weeks)s weeks: clients may be turned "
              "away.") % {"day": DAY_NAMES[dow - 1], "hour": f"{hour:02d}", "weeks": FULL_WEEKS},
        action=_("Add availability"), action_url=_url("setup:index", viewer), fingerprint=_fingerprint(rows),
    )


def expiring_credits(viewer: Viewer, now: datetime) -> Card | None:
    packages = ClientPackage.objects.filter(status=ClientPackage.Status.ACTIVE, remaining__gt=0, expires_at__gt=now,
                                            expires_at__lte=now + timedelta(days=EXPIRING_DAYS))
    if viewer.limited:
        packages = packages.filter(client__in=viewer.clients())
    rows = sorted(packages.values_list("pk", "remaining"))
    if not rows:
        return None
    credits = sum(r for _pk, r in rows)
    clients = packages.values("client_id").distinct().count()
    return Card(
        kind="credits_expiring",
        title=ngettext("%(n)s credit expires soon", "%(n)s credits expire soon", credits) % {"n": credits},
        why=ngettext("%(c)s client has credits expiring in the next %(days)s days.",
                     "%(c)s clients have credits expiring in the next %(days)s days.", clients)
        % {"c": clients, "days": EXPIRING_DAYS},
        action=_("Remind them"), action_url=_url("packages:index", viewer), fingerprint=_fingerprint(rows),
    )


def no_shows_up(viewer: Viewer, now: datetime) -> Card | None:
    month, before = now - timedelta(days=30), now - timedelta(days=60)
    sessions = TrainingSession.objects.filter(starts_at__gte=before, starts_at__lt=now)
    if viewer.limited:
        sessions = sessions.filter(coach__membership=viewer.membership)
    recent, earlier = Q(starts_at__gte=month), Q(starts_at__lt=month)
    done = (TrainingSession.Status.COMPLETED, TrainingSession.Status.NO_SHOW)
    rows = sessions.values("coach_id").annotate(
        now_all=Count("id", filter=recent & Q(status__in=done)),
        now_ns=Count("id", filter=recent & Q(status=TrainingSession.Status.NO_SHOW)),
        then_all=Count("id", filter=earlier & Q(status__in=done)),
        then_ns=Count("id", filter=earlier & Q(status=TrainingSession.Status.NO_SHOW)),
    ).order_by("coach_id")
    worse = []
    for row in rows:
        current, previous = rate(row["now_ns"], row["now_all"]), rate(row["then_ns"], row["then_all"])
        if row["now_all"] >= NO_SHOW_MIN_SESSIONS and current >= NO_SHOW_FLOOR and current > previous:
            worse.append((row["coach_id"], current, previous))
    if not worse:
        return None
    _coach, current, previous = max(worse, key=lambda w: w[1])
    return Card(
        kind="no_shows_up",
        title=_("No-shows are up"),
        why=_("%(now)s of sessions in the last 30 days were no-shows, up from %(then)s the month before.")
        % {"now": f"{current:.0%}", "then": f"{previous:.0%}"},
        action=_("Turn on 2-hour reminders"), action_url=_url("comms:templates", viewer),
        fingerprint=_fingerprint(worse),
    )


def unpaid(viewer: Viewer, now: datetime) -> Card | None:
    if not viewer.sees_money:
        return None
    purchases = Purchase.objects.filter(Q(status=Purchase.Status.FAILED, created_at__gte=now - timedelta(days=30))
                                        | Q(status=Purchase.Status.PENDING, created_at__lt=now - timedelta(days=2)))
    members = ClientMembership.objects.filter(status=ClientMembership.Status.PAST_DUE)
    if viewer.limited:
        purchases, members = purchases.filter(client__in=viewer.clients()), members.filter(client__in=viewer.clients())
    ids = sorted(purchases.values_list("pk", flat=True)), sorted(members.values_list("pk", flat=True))
    count = len(ids[0]) + len(ids[1])
    if not count:
        return None
    return Card(
        kind="payments_unpaid",
        title=ngettext("%(n)s payment needs following up", "%(n)s payments need following up", count) % {"n": count},
        why=_("Failed or unpaid payments and memberships whose last payment failed."),
        action=_("Follow up"), action_url=_url("billing:index", viewer), fingerprint=_fingerprint(ids),
    )


RULES: tuple[Callable[[Viewer, datetime], Card | None], ...] = (
    at_risk, full_slots, expiring_credits, no_shows_up, unpaid)


def all_cards(viewer: Viewer, now: datetime) -> list[Card]:
    return [card for rule in RULES if (card := rule(viewer, now)) is not None]


def cards_for(viewer: Viewer, now: datetime) -> list[Card]:
    """The cards the member has not dismissed (or whose facts changed since)."""
    cards = all_cards(viewer, now)
    if viewer.membership is None or not cards:
        return cards
    dismissed = set(CardDismissal.objects.filter(membership=viewer.membership, kind__in=[c.kind for c in cards])
                    .values_list("kind", "fingerprint"))
    return [c for c in cards if (c.kind, c.fingerprint) not in dismissed]
