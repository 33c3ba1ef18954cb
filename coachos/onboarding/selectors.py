"""Reads of onboarding: which steps a client has, which are done, and the coach's overview.

The steps are computed from two kinds of facts: the business's (its onboarding forms, current
required waivers, settings and packages on offer; read once) and each client's (progress row,
answered forms, signed versions, bookings, paid purchases). ``onboarding_overview`` reads the
clients' facts in one query per kind for all clients at once, so its query count does not grow
with the number of clients.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.tenancy.models import Organization

from .models import (
    IntakeForm,
    IntakeResponse,
    OnboardingProgress,
    OnboardingSettings,
    WaiverSignature,
    WaiverTemplate,
    WaiverVersion,
)

# Purchases that count as "bought a package": a package or a membership that was paid (online,
# confirmed by Stripe's webhook, or recorded by hand). Refunded later still counts: it was paid.
PACKAGE_KINDS = ("one_off", "membership")


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    url: str
    # "skipped" (offered package not bought), "pending" (payment awaiting confirmation),
    # "failed" (the last payment attempt failed); "" otherwise.
    state: str = ""


@dataclass
class OrgFacts:
    """What the steps need to know about the business; read once per page."""

    organization: Organization
    forms: list[IntakeForm]
    waivers: list[WaiverVersion]
    package_mode: str
    package_plans: list[Any]  # PackagePlan, on sale, in the settings' order
    urls: dict[str, str]


@dataclass
class ClientFacts:
    progress: OnboardingProgress | None
    answered_form_ids: set[int] = field(default_factory=set)
    signed_version_ids: set[int] = field(default_factory=set)
    has_booking: bool = False
    has_paid_package: bool = False


def onboarding_forms(organization: Organization) -> list[IntakeForm]:
    return list(IntakeForm.objects.filter(organization=organization, active=True, onboarding=True))


def current_waivers(organization: Organization) -> list[WaiverVersion]:
    """The latest version of each active required waiver (two queries however many there are)."""
    templates = list(WaiverTemplate.objects.filter(organization=organization, active=True, required=True))
    latest: dict[int, WaiverVersion] = {}
    versions = WaiverVersion.objects.filter(template__in=templates).order_by("template_id", "-number")
    for version in versions:
        latest.setdefault(version.template_id, version)
    found = []
    for template in templates:
        current = latest.get(template.pk)
        if current is not None:
            current.template = template  # the caller reads its title; no query per waiver
            found.append(current)
    return found


def offered_plans(setting: OnboardingSettings) -> list[Any]:
    """The packages a client can choose during onboarding: those the coach picked that are still on
    sale (active, with a price). Empty when the business does not ask for a package."""
    if setting.package_step == OnboardingSettings.PackageStep.OFF or setting.pk is None:
        return []
    return list(setting.package_plans.filter(active=True, price_minor__gt=0).order_by("price_minor", "name", "id"))


def settings_of(organization: Organization) -> OnboardingSettings:
    found = OnboardingSettings.objects.filter(organization=organization).first()
    return found if found is not None else OnboardingSettings(organization=organization)


def org_facts(organization: Organization) -> OrgFacts:
    setting = settings_of(organization)
    slug = organization.slug
    urls = {key: reverse(f"onboarding_portal:{name}", kwargs={"org_slug": slug})
            for key, name in (("profile", "profile"), ("forms", "forms"), ("waiver", "waiver"),
                              ("package", "package"), ("booking", "book"))}
    return OrgFacts(organization=organization, forms=onboarding_forms(organization),
                    waivers=current_waivers(organization), package_mode=setting.package_step,
                    package_plans=offered_plans(setting), urls=urls)


def paid_package_purchases() -> Any:
    from coachos.billing.models import Purchase

    return Purchase.objects.filter(paid_at__isnull=False, kind__in=PACKAGE_KINDS)


def package_step_state(org: OrgFacts, facts: ClientFacts) -> tuple[bool, str]:
    """(done, state) of the package step."""
    progress = facts.progress
    if (progress is not None and progress.package_done_at is not None) or facts.has_paid_package:
        return True, ""
    if progress is not None and progress.package_skipped_at is not None \
            and org.package_mode == OnboardingSettings.PackageStep.OFFER:
        return True, "skipped"
    purchase = progress.package_purchase if progress is not None and progress.package_purchase_id else None
    if purchase is not None and purchase.status == "pending":
        return False, "pending"
    if purchase is not None and purchase.status == "failed":
        return False, "failed"
    return False, ""


def build_steps(org: OrgFacts, facts: ClientFacts) -> list[Step]:
    """The client's steps in order: details → questionnaire → waiver → package → first booking. A
    step the business has nothing for (no onboarding form, no required waiver, no package on
    offer) is left out."""
    progress = facts.progress
    forms_done = (progress is not None and progress.forms_done_at is not None) \
        or all(f.pk in facts.answered_form_ids for f in org.forms)
    waiver_done = (progress is not None and progress.waiver_done_at is not None) \
        or all(v.pk in facts.signed_version_ids for v in org.waivers)
    booked = (progress is not None and progress.booking_done_at is not None) or facts.has_booking
    steps = [Step("profile", str(_("Your details")), progress is not None and progress.profile_done_at is not None,
                  org.urls["profile"])]
    if org.forms:
        steps.append(Step("forms", str(_("Questionnaire")), forms_done, org.urls["forms"]))
    if org.waivers:
        steps.append(Step("waiver", str(_("Waiver")), waiver_done, org.urls["waiver"]))
    package_done, state = package_step_state(org, facts)
    already = progress is not None and progress.package_done_at is not None
    if org.package_mode != OnboardingSettings.PackageStep.OFF and (org.package_plans or already):
        steps.append(Step("package", str(_("Choose a package")), package_done, org.urls["package"], state))
    steps.append(Step("booking", str(_("Your first session")), booked, org.urls["booking"]))
    return steps


def client_facts(client: Client, org: OrgFacts, progress: OnboardingProgress | None) -> ClientFacts:
    """One client's facts (the portal's pages)."""
    from coachos.scheduling.models import Booking

    return ClientFacts(
        progress=progress,
        answered_form_ids=set(IntakeResponse.objects.filter(client=client, form__in=org.forms)
                              .values_list("form_id", flat=True)) if org.forms else set(),
        signed_version_ids=set(WaiverSignature.objects.filter(client=client, version__in=org.waivers)
                               .values_list("version_id", flat=True)) if org.waivers else set(),
        has_booking=progress is not None and progress.booking_done_at is not None
        or Booking.objects.filter(client=client).exists(),
        has_paid_package=bool(org.package_mode != OnboardingSettings.PackageStep.OFF and (
            (progress is not None and progress.package_done_at is not None)
            or paid_package_purchases().filter(client=client).exists())),
    )


def clients_facts(client_ids: Iterable[int], org: OrgFacts) -> dict[int, ClientFacts]:
    """Many clients' facts, one query per kind of fact (not per client)."""
    from coachos.scheduling.models import Booking

    ids = list(client_ids)
    if not ids:
        return {}
    facts = {pk: ClientFacts(progress=None) for pk in ids}
    for progress in OnboardingProgress.objects.filter(client_id__in=ids).select_related("package_purchase"):
        facts[progress.client_id].progress = progress
    answered: dict[int, set[int]] = defaultdict(set)
    if org.forms:
        for client_id, form_id in IntakeResponse.objects.filter(client_id__in=ids, form__in=org.forms) \
                .order_by().values_list("client_id", "form_id").distinct():
            answered[client_id].add(form_id)
    signed: dict[int, set[int]] = defaultdict(set)
    if org.waivers:
        for client_id, version_id in WaiverSignature.objects.filter(client_id__in=ids, version__in=org.waivers) \
                .order_by().values_list("client_id", "version_id").distinct():
            signed[client_id].add(version_id)
    booked = set(Booking.objects.filter(client_id__in=ids).order_by().values_list("client_id", flat=True).distinct())
    paid: set[int] = set()
    if org.package_mode != OnboardingSettings.PackageStep.OFF:
        paid = set(paid_package_purchases().filter(client_id__in=ids).order_by()
                   .values_list("client_id", flat=True).distinct())
    for pk, item in facts.items():
        item.answered_form_ids, item.signed_version_ids = answered[pk], signed[pk]
        item.has_booking, item.has_paid_package = pk in booked, pk in paid
    return facts


def stuck_label(steps: list[Step]) -> str:
    """Where a client is, in the coach's words: the first step not done."""
    waiting = next((s for s in steps if not s.done), None)
    if waiting is None:
        return str(_("Onboarded"))
    if waiting.key == "package":
        return str({"pending": _("Payment pending"), "failed": _("Payment failed, no package yet")}
                   .get(waiting.state, _("No package bought yet")))
    labels = {
        "profile": _("Signed up, profile missing"),
        "forms": _("Profile done, form missing"),
        "waiver": _("Waiver not signed"),
        "booking": _("Ready, not booked yet"),
    }
    return str(labels[waiting.key])


def onboarding_overview(organization: Organization,
                        visible: QuerySet[Client] | None = None) -> list[dict[str, Any]]:
    """Each client with a login or an invitation, and where they are. A constant number of
    queries, however many clients (no row is written here). Given ``visible``
    (``clients_visible_to(membership)``), only those, and no invitation without a client record."""
    from coachos.accounts.models import Invitation
    from coachos.tenancy.roles import Role

    rows: list[dict[str, Any]] = []
    invitations = {i.email.lower(): i for i in Invitation.objects.filter(role=Role.CLIENT).order_by("created_at")}
    clients = []
    base = visible if visible is not None else Client.objects.all()
    for client in base.filter(organization=organization).exclude(status=Client.Status.ARCHIVED):
        invitation = invitations.get(client.email.lower()) if client.email else None
        if client.user_id is None and invitation is None:
            continue
        clients.append((client, invitation))
    org = org_facts(organization)
    facts = clients_facts([c.pk for c, _i in clients if c.user_id is not None], org)
    seen: set[str] = set()
    for client, invitation in clients:
        seen.add(client.email.lower())
        if client.user_id is None:
            steps: list[Step] = []
            label = str(_("Invited, not signed up"))
        else:
            steps = build_steps(org, facts[client.pk])
            label = stuck_label(steps)
        waiting = next((s for s in steps if not s.done), None)
        rows.append({"client": client, "name": client.full_name, "steps": steps, "label": label,
                     "done_count": sum(1 for s in steps if s.done), "invitation": invitation,
                     "at_package": waiting is not None and waiting.key == "package"})
    for email, invitation in invitations.items():
        if visible is None and email not in seen and invitation.status == Invitation.Status.PENDING:
            rows.append({"client": None, "name": invitation.name or invitation.email, "steps": [],
                         "label": str(_("Invited, not signed up")), "done_count": 0, "invitation": invitation,
                         "at_package": False})
    return rows
