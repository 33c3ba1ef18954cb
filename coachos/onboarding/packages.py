"""The "Choose a package" onboarding step: its settings and every write of it.

Money goes through billing's services only: the client's choice becomes a billing purchase and
its checkout (``purchase_create`` + ``purchase_checkout``, coming back to this step), the coach's
cash or bank payment a billing manual payment (``manual_payment_record``). The step is done once
a purchase of the client is paid — for an online payment, when Stripe's webhook confirms it, which
is also when the credits arrive — never when the client merely comes back from the checkout.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.credits.models import PackagePlan
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from . import selectors
from .models import OnboardingSettings
from .services import OnboardingError, _mark, progress_for, settings_for

logger = logging.getLogger(__name__)

PackageStep = OnboardingSettings.PackageStep


def offerable_plans() -> Any:
    """Packages a coach can offer during onboarding: on sale and with a price (billing sells no
    free package; those are given from the client's page). Needs the business's scope."""
    return PackagePlan.objects.filter(active=True, price_minor__gt=0).order_by("price_minor", "name", "id")


def return_path(organization: Organization) -> str:
    return reverse("onboarding_portal:package", kwargs={"org_slug": organization.slug})


def package_checkout_start(*, client: Client, plan: PackagePlan, actor: Any) -> Any:
    """The client chose ``plan``: a pending billing purchase and its checkout, which sends the
    client back to this step. Choosing the same package again while its checkout is open reuses
    it (a double click makes one purchase). Returns the purchase (with ``checkout_url``)."""
    from coachos.billing import gateway
    from coachos.billing import services as billing
    from coachos.billing.models import Purchase

    organization = client.organization
    setting = settings_for(organization)
    if plan.pk not in {p.pk for p in selectors.offered_plans(setting)}:
        raise OnboardingError(_("This package is not offered during onboarding. Please choose another one."))
    progress = progress_for(client)
    if progress.package_done_at is not None or selectors.paid_package_purchases().filter(client=client).exists():
        raise OnboardingError(_("You have already bought a package. Thank you!"))
    current = progress.package_purchase
    try:
        if current is not None and current.status == Purchase.Status.PENDING and current.plan_id == plan.pk:
            purchase = billing.purchase_checkout(purchase=current, return_path=return_path(organization))
            if purchase.checkout_url:
                return purchase
        purchase = billing.purchase_create(client=client, plan=plan, actor=actor, source=Purchase.Source.PORTAL)
        progress.package_purchase = purchase
        progress.save(update_fields=["package_purchase", "updated_at"])
        purchase = billing.purchase_checkout(purchase=purchase, return_path=return_path(organization))
    except billing.PaymentError as exc:
        raise OnboardingError(str(exc)) from exc
    except gateway.GatewayError as exc:
        logger.warning("onboarding checkout failed", extra={"organization_id": organization.pk, "plan_id": plan.pk})
        raise OnboardingError(_("The payment page could not be opened. Please try again in a minute.")) from exc
    audit.log(organization=organization, actor=actor, action="onboarding.package_checkout_started", obj=purchase,
              data={"client": client.pk, "plan": plan.pk})
    return purchase


def package_step_skip(*, client: Client, actor: Any) -> None:
    """Offer mode: the client goes on without a package (they can still buy one later)."""
    setting = settings_for(client.organization)
    if setting.package_step != PackageStep.OFFER:
        raise OnboardingError(_("Your coach asks you to choose a package before your first session, so this "
                                "step cannot be skipped."))
    _mark(client, "package_skipped_at")
    audit.log(organization=client.organization, actor=actor, action="onboarding.package_skipped", obj=client)


@transaction.atomic
def package_step_record_payment(*, client: Client, plan: PackagePlan, method: str, amount_minor: int, actor: Any,
                                note: str = "") -> Any:
    """The coach was paid outside the app (cash, bank transfer, card terminal): billing's manual
    payment, which grants the package's credits and puts it in the books; the step is done."""
    from coachos.billing import services as billing

    if plan.organization_id != client.organization_id:
        raise OnboardingError(_("That package belongs to another business."))
    try:
        purchase = billing.manual_payment_record(client=client, amount_minor=amount_minor, method=method,
                                                 actor=actor, plan=plan, note=note)
        # The online payment the client started here is no longer wanted: cancel it, so it does
        # not sit in Payments as awaiting payment.
        started = progress_for(client).package_purchase
        if started is not None and started.status == started.Status.PENDING:
            billing.purchase_cancel(purchase=started, actor=actor)
    except billing.PaymentError as exc:
        raise OnboardingError(str(exc)) from exc
    _mark(client, "package_done_at", when=purchase.paid_at)
    audit.log(organization=client.organization, actor=actor, action="onboarding.package_paid_by_hand", obj=client,
              data={"purchase": purchase.pk})
    return purchase


@transaction.atomic
def package_step_mark_done(*, client: Client, actor: Any) -> None:
    """The coach marks the step done without a payment here (e.g. a package given, or paid
    before the client was invited)."""
    _mark(client, "package_done_at", when=timezone.now())
    audit.log(organization=client.organization, actor=actor, action="onboarding.package_marked_done", obj=client)


def package_required(organization: Organization) -> bool:
    setting = selectors.settings_of(organization)
    return setting.package_step == PackageStep.REQUIRE and bool(selectors.offered_plans(setting))
