"""The dashboard's "Get started" checklist: each step reads real data, so it ticks itself."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from coachos.accounts.models import Invitation
from coachos.billing.models import BillingAccount
from coachos.credits.models import PackagePlan
from coachos.scheduling.models import SessionType, WeeklyAvailability
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Perm, Role

from .models import SetupProgress


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    url: str
    perm: str
    done: bool
    skip_choice: str = ""  # a SETUP_CHOICES key: the step may be ticked by a choice instead
    skip_label: str = ""


def setup_steps(*, organization: Organization) -> list[Step]:
    """The seven steps from a new business to a bookable one, in order (one query for the facts)."""
    facts = Organization.objects.filter(pk=organization.pk).annotate(
        has_hours=Exists(WeeklyAvailability.objects.filter(organization=OuterRef("pk"))),
        has_type=Exists(SessionType.objects.filter(organization=OuterRef("pk"), active=True)),
        has_plan=Exists(PackagePlan.objects.filter(organization=OuterRef("pk"), active=True)),
        has_stripe=Exists(BillingAccount.objects.filter(organization=OuterRef("pk"), charges_enabled=True)),
        has_client=Exists(Membership.objects.filter(organization=OuterRef("pk"), role=Role.CLIENT)),
        has_client_invite=Exists(Invitation.objects.filter(organization=OuterRef("pk"), role=Role.CLIENT)),
    ).values("sms_number", "has_hours", "has_type", "has_plan", "has_stripe", "has_client", "has_client_invite").get()
    progress = SetupProgress.objects.filter(organization=organization).first()
    slug = organization.slug

    def url(name: str) -> str:
        return reverse(name, kwargs={"org_slug": slug})

    return [
        Step("hours", _("Set your working hours"), url("setup:index"), Perm.BACKOFFICE, facts["has_hours"]),
        Step("types", _("Add your session types and prices"), url("setup:types"), Perm.BACKOFFICE,
             facts["has_type"]),
        Step("package", _("Create a package of sessions"), url("packages:plan_create"), Perm.BACKOFFICE,
             facts["has_plan"]),
        Step("payments", _("Connect Stripe to take card payments"), url("billing:index"), Perm.SETTINGS,
             facts["has_stripe"] or bool(progress and progress.manual_payments_at),
             skip_choice="manual_payments", skip_label=_("I'll take cash or bank payments")),
        Step("sms", _("Add your SMS number"), url("backoffice:settings"), Perm.SETTINGS,
             bool(facts["sms_number"]) or bool(progress and progress.sms_skipped_at),
             skip_choice="sms_skip", skip_label=_("Skip SMS for now")),
        Step("link", _("Share your booking link"), url("backoffice:dashboard") + "#booking-link", Perm.BACKOFFICE,
             bool(progress and progress.booking_link_shared_at)),
        Step("client", _("Invite your first client"), url("backoffice:team") + "#invite", Perm.INVITE_CLIENTS,
             facts["has_client"] or facts["has_client_invite"]),
    ]
