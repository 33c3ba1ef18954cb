"""Demo insights for Northside Strength: the settings (digest on, the assistant opted in — it stays off
until the platform configures a model, e.g. ``AI_BASE_URL`` pointing at a local stand-in), this month's
revenue target, and a little history that makes the cards speak: a regular client who stopped booking,
a Tuesday 06:00 slot full three weeks running, credits about to expire.

Idempotent: once the business has insights settings, a second run writes nothing. Works on SQLite.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Sum
from django.utils import timezone
from django_scopes import scope

from coachos.books.models import MoneyEvent
from coachos.clients.models import Client
from coachos.credits.models import ClientPackage, PackagePlan
from coachos.credits.services import package_grant
from coachos.scheduling.models import Booking, Coach, SessionType, TrainingSession
from coachos.tenancy.models import Organization

from .models import InsightsSettings, RevenueTarget


def _at(organization: Organization, day: object, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=organization.tzinfo)  # type: ignore[arg-type]


def seed_insights(organization: Organization) -> None:
    with scope(organization=organization):
        if InsightsSettings.objects.filter(organization=organization).exists():
            return
        now = timezone.now()
        InsightsSettings.objects.create(organization=organization, weekly_digest=True, assistant_enabled=True)
        today = now.astimezone(organization.tzinfo).date()
        month = today.replace(day=1)
        last_month = (month - timedelta(days=1)).replace(day=1)
        earned = MoneyEvent.objects.filter(occurred_at__gte=_at(organization, last_month, 0),
                                           occurred_at__lt=_at(organization, month, 0),
                                           kind__in=("sale", "manual_payment")).aggregate(s=Sum("amount_minor"))["s"]
        RevenueTarget.objects.create(organization=organization, month=month,
                                     amount_minor=max(int((earned or 0) * 1.1), 200000))
        coach = Coach.objects.order_by("pk").first()
        kind = SessionType.objects.filter(capacity=1).order_by("pk").first()
        clients = list(Client.objects.order_by("pk")[:8])
        if coach is None or kind is None or len(clients) < 3:
            return
        lapsed, regular, expiring = clients[-1], clients[-2], clients[-3]

        def session(day: object, hour: int, client: Client) -> None:
            starts = _at(organization, day, hour)
            if TrainingSession.objects.filter(coach=coach, starts_at__lt=starts + timedelta(hours=1),
                                              ends_at__gt=starts).exclude(status="cancelled").exists():
                return
            s = TrainingSession.objects.create(organization=organization, coach=coach, session_type=kind,
                                               starts_at=starts, ends_at=starts + timedelta(hours=1),
                                               status="completed", completed_at=starts + timedelta(hours=1))
            Booking.objects.create(organization=organization, session=s, client=client, status="completed")

        # A regular who stopped: three early-morning sessions 40–80 days ago, nothing since.
        if not Booking.objects.filter(client=lapsed, session__starts_at__gte=now - timedelta(days=21)).exists():
            for days in (80, 60, 40):
                session(today - timedelta(days=days), 6, lapsed)
        # Tuesday 06:00 full each of the last three weeks.
        this_monday = today - timedelta(days=today.weekday())
        for weeks in (1, 2, 3):
            session(this_monday - timedelta(weeks=weeks) + timedelta(days=1), 6, regular)
        # Credits about to expire.
        plan = PackagePlan.objects.order_by("pk").first()
        if plan is not None:  # the same key again returns the same package: the step stays idempotent
            # Through the service, so the ledger holds the grant; granted long enough ago to end in 6 days.
            package_grant(client=expiring, plan=plan, actor=None, source=ClientPackage.Source.GIVEN,
                          now=now + timedelta(days=6) - timedelta(days=plan.validity_days),
                          idempotency_key="demo:insights:expiring")
