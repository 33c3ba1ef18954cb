"""The onboarding flow: invitation → portal card → profile → forms → waiver → booking; resume;
the coach's overview; settings permissions."""

from __future__ import annotations

import base64
from typing import Any

from django.test import Client as DjangoClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from coachos.accounts.services import invitation_create, invitation_url
from coachos.onboarding import services
from coachos.onboarding.models import OnboardingProgress, OnboardingSettings
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import BookingFactory, IntakeFormFactory, IntakeQuestionFactory, member
from .conftest import png_bytes

DATA_URL = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()


def _membership(org: Any, user: Any) -> Any:
    from coachos.tenancy.models import Membership

    with scopes_disabled():
        return Membership.objects.get(organization=org, user=user)


def portal(name: str, org: Any, **kwargs: Any) -> str:
    return reverse(f"onboarding_portal:{name}", kwargs={"org_slug": org.slug, **kwargs})


def test_the_flow_saves_each_step_and_resumes(org: Any, owner: Any, client_user: Any, client_record: Any) -> None:
    intake = IntakeFormFactory(organization=org)
    question = IntakeQuestionFactory(form=intake, label="Goals", required=True)
    with scope(organization=org):
        services.waiver_template_create(organization=org, actor=owner, title="Liability waiver", text="Risk.")
    web = login_as(client_user)
    home = web.get(reverse("portal:home", kwargs={"org_slug": org.slug})).content.decode()
    assert "Finish your onboarding (0 of 4 steps)" in home

    assert web.get(portal("start", org))["Location"] == portal("profile", org)
    response = web.post(portal("profile", org), {"first_name": "Casey", "last_name": "Client",
                                                 "phone": "+13125550100", "birthday": "1990-04-02",
                                                 "emergency_contact_name": "Sam", "emergency_contact_phone": ""})
    assert response.status_code == 302 and response["Location"] == portal("forms", org)
    with scopes_disabled():
        progress = OnboardingProgress.objects.get(client=client_record)
        assert progress.profile_done_at is not None and progress.forms_done_at is None
        client_record.refresh_from_db()
        assert client_record.phone == "+13125550100"

    # The client leaves and comes back: the start resumes at the form.
    again = login_as(client_user)
    assert again.get(portal("start", org), follow=True).redirect_chain[-1][0] == portal("form", org,
                                                                                       intakeform_id=intake.pk)
    home = again.get(reverse("portal:home", kwargs={"org_slug": org.slug})).content.decode()
    assert "Finish your onboarding (1 of 4 steps)" in home
    again.post(portal("form", org, intakeform_id=intake.pk), {f"q_{question.pk}": "Run 10k"})
    assert again.get(portal("start", org))["Location"] == portal("waiver", org)
    again.post(again.get(portal("waiver", org))["Location"], {"full_name": "Casey Client", "agree": "on",
                                                             "signature": DATA_URL})
    assert again.get(portal("start", org))["Location"] == portal("book", org)
    book = again.get(portal("book", org)).content.decode()
    assert reverse("booking:index", kwargs={"org_slug": org.slug}) in book

    overview = login_as(owner).get(reverse("onboarding:index", kwargs={"org_slug": org.slug})).content.decode()
    assert "Ready, not booked yet" in overview

    BookingFactory(organization=org, client=client_record)
    assert again.get(portal("start", org)).status_code == 200  # all done: the overview page
    home = again.get(reverse("portal:home", kwargs={"org_slug": org.slug})).content.decode()
    assert "Finish your onboarding" not in home
    with scopes_disabled():
        progress.refresh_from_db()
        assert all([progress.forms_done_at, progress.waiver_done_at, progress.booking_done_at])


def test_the_coach_sees_invited_and_stuck_clients(org: Any, owner: Any, client_user: Any) -> None:
    with scope(organization=org):
        invitation_create(organization=org, actor=owner, actor_membership=_membership(org, owner), email="new@example.com", role=Role.CLIENT,
                          name="Nora New")
    IntakeFormFactory(organization=org)
    web = login_as(owner)
    html = web.get(reverse("onboarding:index", kwargs={"org_slug": org.slug})).content.decode()
    assert "Nora New" in html and "Invited, not signed up" in html and "Pending" in html
    assert "Signed up, profile missing" in html


def test_an_invited_client_signs_up_and_is_offered_onboarding(org: Any, owner: Any) -> None:
    with scope(organization=org):
        invitation = invitation_create(organization=org, actor=owner, actor_membership=_membership(org, owner), email="nina@example.com", role=Role.CLIENT,
                                       name="Nina Novak")
    browser = DjangoClient()
    response = browser.post(invitation_url(invitation), {"name": "Nina Novak", "password": "a-long-passphrase-9"}, follow=True)
    html = response.content.decode()
    assert "Finish your onboarding (0 of 2 steps)" in html  # no forms or waivers in this business
    assert portal("start", org) in html


def test_settings_need_the_settings_permission(org: Any, owner: Any) -> None:
    coach = member(org, Role.COACH, email="coach@example.com")
    url = reverse("onboarding:settings", kwargs={"org_slug": org.slug})
    assert login_as(coach).post(url, {"require_waiver": "on", "enabled": "on"}).status_code == 403
    assert login_as(owner).post(url, {"require_waiver": "on", "enabled": "on"}).status_code == 302
    with scopes_disabled():
        assert OnboardingSettings.objects.get(organization=org).require_waiver is True


def test_onboarding_off_hides_the_card(org: Any, owner: Any, client_user: Any) -> None:
    with scope(organization=org):
        services.settings_update(organization=org, actor=owner, enabled=False, require_waiver=False)
    home = login_as(client_user).get(reverse("portal:home", kwargs={"org_slug": org.slug})).content.decode()
    assert "Finish your onboarding" not in home


def test_the_profile_takes_phones_as_typed_and_the_clients_own_consent(org: Any, client_user: Any,
                                                                       client_record: Any) -> None:
    web = login_as(client_user)
    data = {"first_name": "Casey", "last_name": "Client", "phone": "(312) 555-0100", "birthday": "2999-01-01",
            "emergency_contact_name": "Sam", "emergency_contact_phone": "312.555.0101", "sms_consent": "on"}
    refused = web.post(portal("profile", org), data)
    assert refused.status_code == 200
    assert "Enter a birthday between 1900 and today." in refused.content.decode()
    page = refused.content.decode()
    assert "I agree to receive text messages (SMS) about my sessions" in page
    response = web.post(portal("profile", org), {**data, "birthday": "1990-04-02"})
    assert response.status_code == 302
    with scopes_disabled():
        client_record.refresh_from_db()
    assert (client_record.phone, client_record.emergency_contact_phone) == ("+13125550100", "+13125550101")
    assert client_record.sms_consent and client_record.sms_consent_at is not None
    assert not client_record.email_consent and client_record.email_consent_at is None
    bad = web.post(portal("profile", org), {**data, "birthday": "", "phone": "12345"})
    assert bad.status_code == 200 and "This is not a valid phone number" in bad.content.decode()
    # Taking consent back clears its time.
    web.post(portal("profile", org), {**data, "birthday": "", "sms_consent": ""})
    with scopes_disabled():
        client_record.refresh_from_db()
    assert not client_record.sms_consent and client_record.sms_consent_at is None
