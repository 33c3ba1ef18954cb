"""A client's first visit in a real browser: the invitation link → a password → their details →
the intake form → the waiver, signed by drawing with the mouse → their first booking on the
public page. Drives Debian's Chromium like test_public_booking.py."""

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
    SessionTypeFactory,
    WeeklyAvailabilityFactory,
)
from .conftest import PHONE_IN_LONDON

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def context_options() -> dict[str, Any]:
    """A phone-sized page in London, like test_public_booking.py."""
    return PHONE_IN_LONDON


@pytest.mark.django_db(transaction=True)
def test_an_invited_client_onboards_and_books(live_server: Any, page: Page, org: Any, owner: Any,
                                              settings: Any, tmp_path: Any) -> None:
    from coachos.accounts.services import invitation_create, invitation_url
    from coachos.onboarding import services
    from coachos.onboarding.models import IntakeResponse, OnboardingProgress, WaiverSignature
    from coachos.scheduling.models import Booking
    from coachos.tenancy.models import Membership
    from coachos.tenancy.roles import Role

    settings.MEDIA_ROOT = tmp_path / "media"
    coach = CoachFactory(organization=org, display_name="Jordan Reyes", min_notice_minutes=0)
    for weekday in range(7):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(0), end_time=time(23, 30))
    SessionTypeFactory(organization=org, name="Personal training", duration_minutes=60)
    intake = IntakeFormFactory(organization=org, title="Health questionnaire")
    IntakeQuestionFactory(form=intake, label="Your main goal", kind="short", required=True, order=1)
    IntakeQuestionFactory(form=intake, label="Any injuries?", kind="yesno", required=True, order=2)
    with scopes_disabled():
        membership = Membership.objects.get(organization=org, user=owner)
    with scope(organization=org):
        services.waiver_template_create(organization=org, actor=owner, title="Liability waiver",
                                        text="I take part at my own risk.")
        services.settings_update(organization=org, actor=owner, enabled=True, require_waiver=True)
        invitation = invitation_create(organization=org, actor=owner, actor_membership=membership,
                                       email="nina@example.com", role=Role.CLIENT, name="Nina Novak")
    link = invitation_url(invitation)
    link = link if link.startswith("http") else live_server.url + link
    link = re.sub(r"^https?://[^/]+", live_server.url, link)

    page.goto(link)
    page.get_by_label("Choose a password").fill("a-long-passphrase-9")
    page.get_by_role("button", name=re.compile("Accept|Join|Create", re.I)).click()

    page.get_by_role("button", name=re.compile(r"Finish your onboarding \(0 of 4 steps\)")).click()
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
    assert page.csp_violations == []  # type: ignore[attr-defined]
