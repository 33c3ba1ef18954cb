"""The "Choose a package" onboarding step: settings (on-sale plans of this business only), where
it sits among the steps, pending until Stripe's webhook says paid (credits only then), skipping
in offer mode only, resuming, the local test checkout coming back to onboarding, and the coach's
view and manual payment."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from coachos.billing import gateway
from coachos.billing.models import Purchase
from coachos.credits.models import ClientPackage
from coachos.onboarding import packages, services
from coachos.onboarding.models import OnboardingProgress, OnboardingSettings
from coachos.tenancy.roles import Role

from ..billing.conftest import checkout_completed, post_event
from ..conftest import login_as
from ..factories import BookingFactory, IntakeFormFactory, IntakeQuestionFactory, PackagePlanFactory, member


@pytest.fixture(autouse=True)
def _local_gateway(settings: Any) -> Any:
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret_for_the_suite"
    gateway.use_gateway(None)
    yield
    gateway.use_gateway(None)


@pytest.fixture
def plans(org: Any) -> dict[str, Any]:
    return {
        "five": PackagePlanFactory(organization=org, name="Five pack", sessions=5, price_minor=40000),
        "ten": PackagePlanFactory(organization=org, name="Ten pack", sessions=10, price_minor=75000),
        "off": PackagePlanFactory(organization=org, name="Old pack", sessions=3, price_minor=10000, active=False),
        "free": PackagePlanFactory(organization=org, name="Free taster", sessions=1, price_minor=0),
    }


def portal(name: str, org: Any, **kwargs: Any) -> str:
    return reverse(f"onboarding_portal:{name}", kwargs={"org_slug": org.slug, **kwargs})


def ask_for_package(org: Any, owner: Any, mode: str, *chosen: Any) -> None:
    with scope(organization=org):
        services.settings_update(organization=org, actor=owner, enabled=True, require_waiver=False,
                                 package_step=mode, package_plans=list(chosen))


def keys(client: Any) -> list[str]:
    with scope(organization=client.organization):
        return [s.key for s in services.steps_for(client)]


def package_step(client: Any) -> Any:
    with scope(organization=client.organization):
        return next(s for s in services.steps_for(client) if s.key == "package")


def fresh_progress(client: Any) -> OnboardingProgress:
    with scopes_disabled():
        return OnboardingProgress.objects.get(client=client)


def finish_profile(web: Any, org: Any) -> None:
    response = web.post(portal("profile", org), {"first_name": "Casey", "last_name": "Client", "phone": ""})
    assert response.status_code == 302


# --- settings ---------------------------------------------------------------------------------

def test_only_plans_on_sale_can_be_offered(org: Any, owner: Any, plans: dict[str, Any]) -> None:
    web = login_as(owner)
    url = reverse("onboarding:settings", kwargs={"org_slug": org.slug})
    page = web.get(reverse("onboarding:index", kwargs={"org_slug": org.slug})).content.decode()
    assert "Five pack" in page and "Ten pack" in page
    assert "Old pack" not in page and "Free taster" not in page  # off sale, or free: not listed

    base = {"enabled": "on", "package_step": "offer"}
    for bad in (plans["off"], plans["free"]):
        refused = web.post(url, {**base, "package_plans": [plans["five"].pk, bad.pk]})
        assert refused.status_code == 400
        assert "Select a valid choice" in refused.content.decode()
    nothing = web.post(url, {**base})
    assert nothing.status_code == 400 and "Choose at least one package to offer." in nothing.content.decode()
    with scopes_disabled():
        setting = OnboardingSettings.objects.filter(organization=org).first()
        assert setting is None or (setting.package_step == "off" and not setting.package_plans.exists())

    assert web.post(url, {**base, "package_plans": [plans["five"].pk, plans["ten"].pk]}).status_code == 302
    with scopes_disabled():
        setting = OnboardingSettings.objects.get(organization=org)
        assert setting.package_step == "offer"
        assert set(setting.package_plans.values_list("pk", flat=True)) == {plans["five"].pk, plans["ten"].pk}

    # The service checks again: an off-sale plan is refused there too.
    with scope(organization=org), pytest.raises(services.OnboardingError, match="not on sale"):
        services.settings_update(organization=org, actor=owner, enabled=True, require_waiver=False,
                                 package_step="require", package_plans=[plans["off"]])
    # A form without the package fields (e.g. an older page) leaves them as they are.
    assert web.post(url, {"enabled": "on", "require_waiver": "on"}).status_code == 302
    with scopes_disabled():
        setting.refresh_from_db()
        assert setting.package_step == "offer" and setting.require_waiver and setting.package_plans.count() == 2


def test_another_businesss_plan_is_refused(org: Any, other_org: Any, owner: Any, plans: dict[str, Any]) -> None:
    theirs = PackagePlanFactory(organization=other_org, name="Their pack", sessions=5, price_minor=1000)
    url = reverse("onboarding:settings", kwargs={"org_slug": org.slug})
    refused = login_as(owner).post(url, {"enabled": "on", "package_step": "require",
                                         "package_plans": [plans["five"].pk, theirs.pk]})
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    with scopes_disabled():
        assert not OnboardingSettings.objects.filter(organization=org, package_step="require").exists()
    with scope(organization=org), pytest.raises(services.OnboardingError, match="another business"):
        services.settings_update(organization=org, actor=owner, enabled=True, require_waiver=False,
                                 package_step="offer", package_plans=[theirs])
    # A client of this business cannot buy it through onboarding either.
    ask_for_package(org, owner, "offer", plans["five"])
    user = member(org, Role.CLIENT, email="pat@example.com")
    from ..factories import ClientFactory

    ClientFactory(organization=org, user=user, email=user.email)
    assert login_as(user).post(portal("package_buy", org, packageplan_id=theirs.pk)).status_code == 404
    with scopes_disabled():
        assert not Purchase.objects.exists()


def test_only_the_settings_permission_changes_them(org: Any, owner: Any, plans: dict[str, Any]) -> None:
    coach = member(org, Role.COACH, email="coach@example.com")
    url = reverse("onboarding:settings", kwargs={"org_slug": org.slug})
    data = {"enabled": "on", "package_step": "require", "package_plans": [plans["five"].pk]}
    assert login_as(coach).post(url, data).status_code == 403
    with scopes_disabled():
        assert not OnboardingSettings.objects.filter(package_step="require").exists()


# --- the steps --------------------------------------------------------------------------------

def test_the_package_step_comes_after_the_waiver_and_before_the_booking(org: Any, owner: Any, client_record: Any,
                                                                        plans: dict[str, Any]) -> None:
    IntakeQuestionFactory(form=IntakeFormFactory(organization=org), required=True)
    with scope(organization=org):
        services.waiver_template_create(organization=org, actor=owner, title="Liability waiver", text="Risk.")
    assert keys(client_record) == ["profile", "forms", "waiver", "booking"]  # not asked for: no step
    ask_for_package(org, owner, "offer", plans["five"])
    assert keys(client_record) == ["profile", "forms", "waiver", "package", "booking"]
    # Every offered package went off sale: nothing to choose, so no step (the client is not stuck).
    with scopes_disabled():
        plans["five"].active = False
        plans["five"].save()
    assert keys(client_record) == ["profile", "forms", "waiver", "booking"]


def test_a_purchase_is_pending_until_the_webhook_says_paid(org: Any, owner: Any, client_user: Any,
                                                           client_record: Any, plans: dict[str, Any]) -> None:
    ask_for_package(org, owner, "require", plans["five"], plans["ten"])
    web = login_as(client_user)
    finish_profile(web, org)
    assert web.get(portal("start", org))["Location"] == portal("package", org)
    page = web.get(portal("package", org)).content.decode()
    assert "Five pack" in page and "Ten pack" in page and "Old pack" not in page
    assert "Skip for now" not in page  # required

    response = web.post(portal("package_buy", org, packageplan_id=plans["ten"].pk))
    assert response.status_code == 302
    assert f"/portal/{org.slug}/payments/test-checkout/" in response["Location"]
    with scopes_disabled():
        purchase = Purchase.objects.get(client=client_record)
    assert purchase.status == "pending" and purchase.plan_id == plans["ten"].pk and purchase.source == "portal"
    assert fresh_progress(client_record).package_purchase_id == purchase.pk

    # Back from the checkout before Stripe's webhook: pending, not done, no credits.
    back = web.get(portal("package", org) + f"?paid={purchase.pk}")
    assert back.status_code == 200
    html = back.content.decode()
    assert "Payment pending" in html and "update this page as soon as it does" in html
    assert 'hx-trigger="every 3s"' in html and portal("package_status", org) in html
    step = package_step(client_record)
    assert not step.done and step.state == "pending"
    assert fresh_progress(client_record).package_done_at is None
    with scopes_disabled():
        assert not ClientPackage.objects.filter(client=client_record).exists()
    poll = web.get(portal("package_status", org), HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "Payment pending" in poll.content.decode()
    # Resuming later lands on the same step, still pending.
    again = login_as(client_user)
    assert again.get(portal("start", org))["Location"] == portal("package", org)
    # The booking step waits for the package when the business requires one.
    assert again.get(portal("book", org))["Location"] == portal("package", org)

    # Stripe's signed webhook arrives: paid, credits granted, the step is done.
    assert post_event(checkout_completed(purchase)).status_code == 200
    poll = web.get(portal("package_status", org), HTTP_HX_REQUEST="true")
    assert poll.status_code == 204 and poll["HX-Redirect"] == portal("package", org)
    assert package_step(client_record).done
    assert fresh_progress(client_record).package_done_at is not None
    with scopes_disabled():
        package = ClientPackage.objects.get(client=client_record)
    assert package.remaining == 10
    done = web.get(portal("package", org)).content.decode()
    assert "Paid. Thank you!" in done and "Payment pending" not in done
    assert web.get(portal("start", org))["Location"] == portal("book", org)
    assert web.get(portal("book", org)).status_code == 200
    # Choosing again once paid buys nothing more.
    web.post(portal("package_buy", org, packageplan_id=plans["five"].pk))
    with scopes_disabled():
        assert Purchase.objects.filter(client=client_record).count() == 1


def test_the_local_test_checkout_comes_back_to_onboarding(org: Any, owner: Any, client_user: Any,
                                                          client_record: Any, plans: dict[str, Any]) -> None:
    ask_for_package(org, owner, "offer", plans["five"])
    web = login_as(client_user)
    finish_profile(web, org)
    checkout_url = web.post(portal("package_buy", org, packageplan_id=plans["five"].pk))["Location"]
    # A double click: the same purchase and checkout, not a second one.
    assert web.post(portal("package_buy", org, packageplan_id=plans["five"].pk))["Location"] == checkout_url
    with scopes_disabled():
        purchase = Purchase.objects.get(client=client_record)
    checkout = web.get(checkout_url).content.decode()
    assert portal("package", org) in checkout  # "Cancel and go back" returns to onboarding

    declined = web.post(checkout_url, {"outcome": "decline"})
    assert declined.status_code == 302
    assert package_step(client_record).state == "failed"
    assert "go through, and nothing was charged" in web.get(portal("package", org)).content.decode()

    paid = web.post(checkout_url, {"outcome": "pay"})  # through the signed webhook code path
    assert paid.status_code == 302 and paid["Location"] == portal("package", org) + f"?paid={purchase.pk}"
    landed = web.get(paid["Location"], follow=True)
    assert landed.redirect_chain[-1][0] == portal("book", org)
    assert "Your payment is confirmed" in landed.content.decode()
    with scopes_disabled():
        purchase.refresh_from_db()
        assert purchase.status == "paid" and ClientPackage.objects.get(client=client_record).remaining == 5


def test_offer_mode_can_be_skipped_and_require_mode_cannot(org: Any, owner: Any, client_user: Any,
                                                           client_record: Any, plans: dict[str, Any]) -> None:
    ask_for_package(org, owner, "require", plans["five"])
    web = login_as(client_user)
    finish_profile(web, org)
    refused = web.post(portal("package_skip", org), follow=True)
    assert "cannot be skipped" in refused.content.decode()
    assert fresh_progress(client_record).package_skipped_at is None
    assert not package_step(client_record).done

    ask_for_package(org, owner, "offer", plans["five"])
    assert "Skip for now" in web.get(portal("package", org)).content.decode()
    skipped = web.post(portal("package_skip", org))
    assert skipped.status_code == 302 and skipped["Location"] == portal("book", org)
    step = package_step(client_record)
    assert step.done and step.state == "skipped"
    assert fresh_progress(client_record).package_skipped_at is not None
    with scopes_disabled():
        assert not Purchase.objects.exists()
    assert "(skipped)" in web.get(portal("book", org)).content.decode()

    # The coach then requires a package: a skip no longer counts.
    ask_for_package(org, owner, "require", plans["five"])
    assert not package_step(client_record).done
    assert web.get(portal("start", org))["Location"] == portal("package", org)


# --- the coach ----------------------------------------------------------------------------------

def test_the_coach_sees_the_package_step_and_records_a_cash_payment(org: Any, owner: Any, client_user: Any,
                                                                   client_record: Any, plans: dict[str, Any]) -> None:
    ask_for_package(org, owner, "require", plans["five"], plans["ten"])
    web = login_as(client_user)
    finish_profile(web, org)
    coach = login_as(owner)
    index = reverse("onboarding:index", kwargs={"org_slug": org.slug})
    record = reverse("onboarding:client_package", kwargs={"org_slug": org.slug, "client_id": client_record.pk})
    html = coach.get(index).content.decode()
    assert "No package bought yet" in html and record in html

    web.post(portal("package_buy", org, packageplan_id=plans["ten"].pk))
    html = coach.get(index).content.decode()
    assert "Payment pending" in html and "Choose a package: payment pending" in html

    # Front desk staff do not handle money.
    staff = member(org, Role.STAFF, email="desk@example.com")
    assert login_as(staff).get(record).status_code == 403
    assert record not in login_as(staff).get(index).content.decode()

    form = coach.get(record)
    assert form.status_code == 200 and "Ten pack" in form.content.decode()
    assert f'<option value="{plans["ten"].pk}" selected>' in form.content.decode()  # the one they chose
    bad = coach.post(record, {"action": "pay", "plan": plans["off"].pk, "method": "cash"})
    assert bad.status_code == 400
    response = coach.post(record, {"action": "pay", "plan": plans["ten"].pk, "method": "cash", "note": "At the desk"})
    assert response.status_code == 302 and response["Location"] == index
    with scopes_disabled():
        manual = Purchase.objects.get(client=client_record, method="cash")
        assert manual.status == "paid" and manual.amount_minor == 75000 and manual.source == "manual"
        # The online payment started in onboarding is cancelled: it no longer awaits payment.
        assert Purchase.objects.get(client=client_record, method="stripe").status == "cancelled"
        assert ClientPackage.objects.get(client=client_record).remaining == 10
    assert fresh_progress(client_record).package_done_at is not None
    assert package_step(client_record).done
    assert "Ready, not booked yet" in coach.get(index).content.decode()


def test_the_coach_can_mark_the_step_done_without_a_payment(org: Any, owner: Any, client_user: Any,
                                                            client_record: Any, plans: dict[str, Any]) -> None:
    ask_for_package(org, owner, "require", plans["five"])
    record = reverse("onboarding:client_package", kwargs={"org_slug": org.slug, "client_id": client_record.pk})
    assert login_as(owner).post(record, {"action": "done"}).status_code == 302
    assert package_step(client_record).done
    with scopes_disabled():
        assert not Purchase.objects.exists()


def test_a_package_bought_elsewhere_counts(org: Any, owner: Any, client_record: Any, plans: dict[str, Any]) -> None:
    """Bought on the portal's payments page (or paid before onboarding): the step is done."""
    ask_for_package(org, owner, "require", plans["five"])
    with scope(organization=org):
        packages.package_step_record_payment(client=client_record, plan=plans["ten"], method="bank_transfer",
                                             amount_minor=70000, actor=owner)
    assert package_step(client_record).done


# --- the overview's queries -------------------------------------------------------------------------

def _clients_in_every_state(org: Any, owner: Any, plans: dict[str, Any], start: int, count: int) -> None:
    from coachos.accounts.services import invitation_create
    from coachos.tenancy.models import Membership

    from ..factories import ClientFactory

    with scopes_disabled():
        membership = Membership.objects.get(organization=org, user=owner)
    for index in range(start, start + count):
        user = member(org, Role.CLIENT, email=f"c{index}@example.com")
        client = ClientFactory(organization=org, user=user, email=user.email)
        with scope(organization=org):
            services.profile_save(client=client, data={}, actor=user)
            if index % 3:  # past the form and the waivers, at the package step (or beyond)
                for form in services.onboarding_forms(org):
                    services.intake_response_submit(client=client, form=form, cleaned={}, actor=user)
                for version in services.waivers_current(org):
                    services.waiver_sign(client=client, version=version, full_name=client.full_name, agreed=True,
                                         signature_png=None, typed_adopted=True, ip=None, user_agent="", actor=user)
            if index % 3 == 1:
                purchase = Purchase.objects.create(
                    organization=org, client=client, plan=plans["five"], description="Five pack",
                    amount_minor=40000, currency="USD")
                OnboardingProgress.objects.filter(client=client).update(package_purchase=purchase)
            elif index % 3 == 2:
                packages.package_step_record_payment(client=client, plan=plans["five"], method="cash",
                                                     amount_minor=40000, actor=owner)
                BookingFactory(organization=org, client=client)
        with scope(organization=org):
            invitation_create(organization=org, actor=owner, actor_membership=membership,
                              email=f"invited{index}@example.com", role=Role.CLIENT, name=f"Invited {index}")


def test_the_overview_runs_the_same_queries_for_3_or_12_clients(org: Any, owner: Any,
                                                               plans: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    IntakeQuestionFactory(form=IntakeFormFactory(organization=org), required=True)
    with scope(organization=org):
        services.waiver_template_create(organization=org, actor=owner, title="Waiver one", text="One.")
        services.waiver_template_create(organization=org, actor=owner, title="Waiver two", text="Two.")
    ask_for_package(org, owner, "offer", plans["five"])
    web = login_as(owner)
    url = reverse("onboarding:index", kwargs={"org_slug": org.slug})
    web.get(url)  # warm up: sessions, settings rows

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = web.get(url)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    _clients_in_every_state(org, owner, plans, 0, 3)
    few, html = count()
    assert html.count("Payment pending") == 1 and html.count("Onboarded") == 1
    assert html.count("Profile done, form missing") == 1
    _clients_in_every_state(org, owner, plans, 3, 9)
    many, html = count()
    assert html.count("Payment pending") == 4 and html.count("Onboarded") == 4
    assert html.count("Invited 1") >= 1
    assert many == few, f"{few} queries for 3 clients, {many} for 12"
    with scopes_disabled():  # the overview reads; it writes no progress rows
        assert OnboardingProgress.objects.count() == 12
