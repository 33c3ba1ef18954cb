"""A client's first visit in a real browser: the invitation link → a password → their details →
the intake form → the waiver, signed by drawing with the mouse → (when the business requires it,
a package bought on the local test checkout) → their first booking on the public page. Drives
Debian's Chromium like test_public_booking.py."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from ..factories import (
    CoachFactory,
    IntakeFormFactory,
    IntakeQuestionFactory,
    PackagePlanFactory,
    SessionTypeFactory,
    WeeklyAvailabilityFactory,
)
from .conftest import PHONE_IN_LONDON

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def context_options() -> dict[str, Any]:
    """A phone-sized page in London, like test_public_booking.py."""
    return PHONE_IN_LONDON


def _onboard_and_book(live_server: Any, page: Page, org: Any, owner: Any, *, package: bool) -> None:
    """The invitation link → a password → details → the intake form → the waiver (drawn) → (a
    package the business requires, paid on the local test checkout) → the first booking."""
    from coachos.accounts.services import invitation_create, invitation_url
    from coachos.billing.models import Purchase
    from coachos.credits.models import ClientPackage
    from coachos.onboarding import services
    from coachos.onboarding.models import IntakeResponse, OnboardingProgress, WaiverSignature
    from coachos.scheduling.models import Booking
    from coachos.tenancy.models import Membership
    from coachos.tenancy.roles import Role

    coach = CoachFactory(organization=org, display_name="Jordan Reyes", min_notice_minutes=0)
    for weekday in range(7):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(0), end_time=time(23, 30))
    SessionTypeFactory(organization=org, name="Personal training", duration_minutes=60)
    intake = IntakeFormFactory(organization=org, title="Health questionnaire")
    IntakeQuestionFactory(form=intake, label="Your main goal", kind="short", required=True, order=1)
    IntakeQuestionFactory(form=intake, label="Any injuries?", kind="yesno", required=True, order=2)
    plans = [PackagePlanFactory(organization=org, name="Five pack", sessions=5, price_minor=40000),
             PackagePlanFactory(organization=org, name="Ten pack", sessions=10, price_minor=75000)]
    with scopes_disabled():
        membership = Membership.objects.get(organization=org, user=owner)
    with scope(organization=org):
        services.waiver_template_create(organization=org, actor=owner, title="Liability waiver",
                                        text="I take part at my own risk.")
        services.settings_update(organization=org, actor=owner, enabled=True, require_waiver=True,
                                 package_step="require" if package else "off", package_plans=plans if package else [])
        invitation = invitation_create(organization=org, actor=owner, actor_membership=membership,
                                       email="nina@example.com", role=Role.CLIENT, name="Nina Novak")
    link = invitation_url(invitation)
    link = link if link.startswith("http") else live_server.url + link
    link = re.sub(r"^https?://[^/]+", live_server.url, link)

    page.goto(link)
    page.get_by_label("Choose a password").fill("a-long-passphrase-9")
    page.get_by_role("button", name=re.compile("Accept|Join|Create", re.I)).click()

    total = 5 if package else 4
    page.get_by_role("button", name=re.compile(rf"Finish your onboarding \(0 of {total} steps\)")).click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    page.get_by_label("Phone", exact=True).fill("+13125550100")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Health questionnaire")).to_be_visible()
    page.get_by_role("button", name="Send answers").click()  # empty: errors, nothing saved
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    page.get_by_label("Your main goal").fill("Run a 10k")
    page.get_by_role("group", name=re.compile("Any injuries")).get_by_label("No").check()
    page.get_by_role("button", name="Send answers").click()

    expect(page.get_by_role("heading", name="Liability waiver")).to_be_visible()
    canvas = page.locator("canvas[data-signature-canvas]")
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 15, box["y"] + box["height"] / 2 + (8 if step % 2 else -8))
    page.mouse.up()
    page.get_by_label("Your full name").fill("Nina Novak")
    page.get_by_label("I have read this waiver and I agree to it.").check()
    page.get_by_role("button", name="Sign").click()

    if package:
        # Required: no skipping. Choosing a package opens billing's checkout (the local test
        # checkout here); paying goes through the signed webhook path and comes back here.
        expect(page.get_by_role("heading", name="Choose a package")).to_be_visible()
        expect(page.get_by_text("Your coach asks you to choose a package before your first session.")).to_be_visible()
        expect(page.get_by_role("button", name="Skip for now")).to_have_count(0)
        page.get_by_role("button", name="Choose Five pack").click()
        expect(page.get_by_text("Local test checkout")).to_be_visible()
        expect(page.get_by_role("heading", name="Five pack")).to_be_visible()
        page.get_by_role("button", name="Pay $400.00").click()
        expect(page.get_by_text("Your payment is confirmed and your sessions are in your packages.")).to_be_visible()
        expect(page.get_by_role("link", name=re.compile("Choose a package"))).to_be_visible()

    expect(page.get_by_role("heading", name="Book your first session")).to_be_visible()
    page.get_by_role("button", name="Book your first session").click()
    page.get_by_role("link", name=re.compile("Personal training")).click()
    page.locator("button.slot").first.click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()

    with scopes_disabled():
        booking = Booking.objects.select_related("client").get()
        assert booking.client.email == "nina@example.com"
        signature = WaiverSignature.objects.get(client=booking.client)
        assert signature.method == "drawn" and signature.signature.name.endswith(".png")
        assert IntakeResponse.objects.get(client=booking.client).answers[0]["value"] == "Run a 10k"
        progress = OnboardingProgress.objects.get(client=booking.client)
        assert progress.profile_done_at and progress.forms_done_at and progress.waiver_done_at
        purchases = list(Purchase.objects.filter(client=booking.client))
        if package:
            assert [(p.status, p.plan_id) for p in purchases] == [("paid", plans[0].pk)]
            assert progress.package_done_at is not None
            assert ClientPackage.objects.get(client=booking.client).total == 5
        else:
            assert purchases == [] and progress.package_done_at is None
    assert page.csp_violations == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_an_invited_client_onboards_and_books(live_server: Any, page: Page, org: Any, owner: Any,
                                              settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    _onboard_and_book(live_server, page, org, owner, package=False)


@pytest.mark.django_db(transaction=True)
def test_an_invited_client_buys_the_required_package_then_books(live_server: Any, page: Page, org: Any,
                                                                owner: Any, settings: Any, tmp_path: Any) -> None:
    """The business requires a package: the path runs through the local test checkout."""
    from coachos.billing import gateway

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STRIPE_SECRET_KEY = ""
    settings.PUBLIC_BASE_URL = live_server.url
    gateway.use_gateway(None)
    _onboard_and_book(live_server, page, org, owner, package=True)


def _waiting_waiver(org: Any, owner: Any, email: str, name: str) -> Any:
    """A business with a required waiver and a client (with a login) who has not signed it."""
    from coachos.onboarding import services
    from coachos.tenancy.roles import Role

    from ..factories import ClientFactory, member

    user = member(org, Role.CLIENT, email=email, name=name)
    first, last = name.split(" ", 1)
    ClientFactory(organization=org, user=user, email=email, first_name=first, last_name=last)
    with scope(organization=org):
        template = services.waiver_template_create(organization=org, actor=owner, title="Liability waiver",
                                                   text="I take part at my own risk.")
    return user, template


@pytest.mark.django_db(transaction=True)
def test_a_client_who_cannot_draw_signs_with_the_keyboard(live_server: Any, page: Page, org: Any, owner: Any,
                                                          settings: Any, tmp_path: Any) -> None:
    """The accessible alternative, with the keyboard only: no drawing, the typed name adopted."""
    from django.urls import reverse

    from coachos.onboarding.models import WaiverSignature

    from .conftest import log_in

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    user, template = _waiting_waiver(org, owner, "kai@example.com", "Kai Keyboard")
    log_in(page, live_server.url, user)
    page.goto(live_server.url + reverse("onboarding_portal:sign", kwargs={
        "org_slug": org.slug, "waivertemplate_id": template.pk}))
    expect(page.get_by_role("heading", name="Liability waiver")).to_be_visible()
    expect(page.locator("canvas[data-signature-canvas]")).to_be_visible()

    # Without a drawing and without the alternative, the page says what to do and sends nothing.
    page.get_by_label("Your full name").fill("kai  keyboard")
    page.get_by_label("I have read this waiver and I agree to it.").check()
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("alert")).to_contain_text("Draw your signature in the box")
    with scopes_disabled():
        assert WaiverSignature.objects.count() == 0

    # Keyboard only: Tab to the alternative and tick it with the space bar; the pad goes away.
    adopt = page.get_by_label("I can't draw a signature (keyboard or screen reader)")
    page.get_by_label("Your full name").focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        if adopt.evaluate("el => el === document.activeElement"):
            break
    expect(adopt).to_be_focused()
    page.keyboard.press("Space")
    expect(adopt).to_be_checked()
    expect(page.locator("canvas[data-signature-canvas]")).to_be_hidden()
    expect(page.get_by_text("Your typed full name will be your signature.")).to_be_visible()
    expect(page.get_by_role("alert")).to_be_hidden()
    page.get_by_role("button", name="Sign").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text("Signed. Thank you.")).to_be_visible()
    with scopes_disabled():
        signature = WaiverSignature.objects.get()
    assert signature.method == "typed_adopted" and not signature.signature
    assert signature.full_name == "kai keyboard"
    assert page.csp_violations == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_an_empty_canvas_is_refused_and_a_drawing_with_touch_signs(live_server: Any, page: Page, org: Any,
                                                                    owner: Any, settings: Any,
                                                                    tmp_path: Any) -> None:
    """Clearing the pad empties it again; a finger (touch pointer events) draws like a mouse."""
    from django.urls import reverse

    from coachos.onboarding.models import WaiverSignature

    from .conftest import log_in

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    user, template = _waiting_waiver(org, owner, "tia@example.com", "Tia Touch")
    log_in(page, live_server.url, user)
    page.goto(live_server.url + reverse("onboarding_portal:sign", kwargs={
        "org_slug": org.slug, "waivertemplate_id": template.pk}))
    canvas = page.locator("canvas[data-signature-canvas]")
    box = canvas.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 20, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, y + 10, steps=8)
    page.mouse.up()
    page.get_by_role("button", name="Clear").click()
    page.get_by_label("I have read this waiver and I agree to it.").check()
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("alert")).to_contain_text("Draw your signature in the box")

    # A finger: real touch input through Chromium's DevTools protocol, as a phone sends it.
    box = canvas.bounding_box()  # the error scrolled the pad into view
    assert box is not None
    y = box["y"] + box["height"] / 2
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})
    points = [(box["x"] + 20 + step * 12, y + (10 if step % 2 else -10)) for step in range(15)]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart",
                                          "touchPoints": [{"x": points[0][0], "y": points[0][1]}]})
    for x, py in points[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": py}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.get_by_role("button", name="Sign").click()

    expect(page.get_by_text("Signed. Thank you.")).to_be_visible()
    with scopes_disabled():
        signature = WaiverSignature.objects.get()
        assert signature.method == "drawn"
        from PIL import Image

        with signature.signature.open("rb") as handle, Image.open(handle) as image:
            assert image.size == (600, 180)
    assert page.csp_violations == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_the_package_page_updates_itself_when_the_payment_is_confirmed(live_server: Any, page: Page, org: Any,
                                                                       owner: Any, settings: Any) -> None:
    """Back from the checkout before Stripe's webhook: "payment pending"; when the webhook
    arrives, the page (polling a small status) shows the package paid, with no reload by hand."""
    from django.urls import reverse

    from coachos.billing import gateway, local
    from coachos.billing.models import Purchase
    from coachos.onboarding import packages, services
    from coachos.tenancy.roles import Role

    from ..factories import ClientFactory, member
    from .conftest import log_in

    settings.STRIPE_SECRET_KEY = ""
    settings.PUBLIC_BASE_URL = live_server.url
    gateway.use_gateway(None)
    plan = PackagePlanFactory(organization=org, name="Five pack", sessions=5, price_minor=40000)
    user = member(org, Role.CLIENT, email="pia@example.com", name="Pia Pending")
    client = ClientFactory(organization=org, user=user, email=user.email, first_name="Pia", last_name="Pending")
    with scope(organization=org):
        services.settings_update(organization=org, actor=owner, enabled=True, require_waiver=False,
                                 package_step="offer", package_plans=[plan])
        services.profile_save(client=client, data={}, actor=user)
        purchase = packages.package_checkout_start(client=client, plan=plan, actor=user)
    log_in(page, live_server.url, user)
    url = reverse("onboarding_portal:package", kwargs={"org_slug": org.slug})
    page.goto(f"{live_server.url}{url}?paid={purchase.pk}")
    status = page.get_by_role("status").filter(has_text="Payment pending")
    expect(status).to_be_visible()
    steps = page.get_by_role("navigation", name="Onboarding steps")
    expect(steps.get_by_role("listitem").filter(has_text="Choose a package")).to_contain_text("payment pending")
    expect(status).to_contain_text("we'll update this page as soon as it does")

    with scope(organization=org):  # Stripe's webhook arrives (signed, through the same code)
        assert all(outcome.status == 200 for outcome in local.pay(Purchase.objects.get(pk=purchase.pk)))
    expect(page.get_by_text("Paid. Thank you!")).to_be_visible(timeout=15_000)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Book your first session")).to_be_visible()
    assert page.csp_violations == []  # type: ignore[attr-defined]
