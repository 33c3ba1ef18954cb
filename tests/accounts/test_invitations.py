"""Inviting staff and clients by email, and accepting through the emailed link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client as DjangoClient
from django_scopes import scopes_disabled

from coachos.accounts.models import Invitation, User
from coachos.accounts.services import AccountError, invitation_create, invitation_from_token, invitation_token
from coachos.clients.models import Client
from coachos.comms.models import OutboundMessage
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import ClientFactory, InvitationFactory, UserFactory, member

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "maple-Window-2290"
EXISTING_PASSWORD = "correct-horse-battery"  # UserFactory's password
INVITE_LINK = re.compile(r"https?://[^/\s]+(/invitations/[^/\s]+/)")
INVALID_TITLE = "This invitation link does not work"


@pytest.fixture(autouse=True)
def daytime(time_machine: Any) -> None:
    """Client invitation emails respect the business's quiet hours (21:00–08:00 in Chicago here):
    the tests run at 11:00 there, whatever the clock says."""
    time_machine.move_to(datetime(2026, 6, 2, 16, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def invite(django_capture_on_commit_callbacks: Any) -> Any:
    """POST the invitation form on the team page, running the after-commit email send."""

    def _invite(client: DjangoClient, org: Organization, email: str, role: str, name: str = "") -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/o/{org.slug}/team/", {"email": email, "role": role, "name": name})

    return _invite


@pytest.fixture
def resend(django_capture_on_commit_callbacks: Any) -> Any:
    def _resend(client: DjangoClient, invitation: Invitation) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/o/{invitation.organization.slug}/team/invitations/{invitation.pk}/resend/")

    return _resend


def invitations(org: Organization) -> list[Invitation]:
    with scopes_disabled():
        return list(Invitation.objects.filter(organization=org))


def membership_of(user: Any, org: Organization) -> Membership | None:
    with scopes_disabled():
        return Membership.objects.filter(user=user, organization=org).first()


def emails_in_outbox(org: Organization) -> list[OutboundMessage]:
    with scopes_disabled():
        return list(OutboundMessage.objects.filter(organization=org, channel="email").order_by("pk"))


def link_in(message: Any) -> str:
    match = INVITE_LINK.search(message.body)
    assert match, f"no invitation link in: {message.body}"
    return match.group(1)


def is_logged_in(client: DjangoClient, user: Any) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def page_errors(response: Any) -> str:
    return " ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)


def assert_invalid_link_page(response: Any) -> None:
    assert response.status_code in (404, 410)
    assert "accounts/invitation_invalid.html" in [t.name for t in response.templates]
    assert INVALID_TITLE in response.content.decode()


# --- inviting ---------------------------------------------------------------------------------

def test_owner_invites_staff_and_one_email_with_the_link_is_sent(web: DjangoClient, org: Organization, invite: Any) -> None:
    response = invite(web, org, "sam@example.com", Role.STAFF, name="Sam Desk")

    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/team/"
    [invitation] = invitations(org)
    assert invitation.email == "sam@example.com"
    assert invitation.role == Role.STAFF
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@example.com"]
    assert org.name in message.subject
    # The token carries a timestamp, so compare what the link opens, not its exact text.
    link = link_in(message)
    assert link.startswith("/invitations/") and link.endswith("/")
    assert invitation_from_token(link.removeprefix("/invitations/").removesuffix("/")) == invitation
    page = web.get(f"/o/{org.slug}/team/")
    assert "Invitation sent to sam@example.com." in page.content.decode()
    # The email is an outbox row like every other message, worded for someone joining the team.
    [row] = emails_in_outbox(org)
    assert (row.kind, row.to, row.status) == ("team_invitation", "sam@example.com", OutboundMessage.Status.SENT)
    assert row.dedupe_key == f"invitation:{invitation.pk}:{invitation.nonce[:12]}:email"
    assert (row.related_type, row.related_id, row.client_id) == ("invitation", invitation.pk, None)
    assert message.subject == "Olga Owner invited you to Northside Strength on Coach OS"
    assert message.body.startswith("Olga Owner invited you to join Northside Strength on Coach OS as front desk.")
    assert "(the link expires Tuesday, June 16, 11:00 AM)" in message.body  # 14 days, in the business's zone
    assert "client portal" not in message.body
    assert [a[1] for a in message.alternatives] == ["text/html"]


def test_the_email_is_sent_only_after_commit(web: DjangoClient, org: Organization, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        web.post(f"/o/{org.slug}/team/", {"email": "sam@example.com", "role": Role.STAFF, "name": ""})
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_invalid_email_in_the_invite_form_creates_nothing(web: DjangoClient, org: Organization, invite: Any) -> None:
    response = invite(web, org, "sam@", Role.STAFF)

    assert response.status_code == 200
    assert "Enter a valid email address." in response.context["form"].errors["email"]
    assert "Enter a valid email address." in response.content.decode()
    assert invitations(org) == []
    assert mail.outbox == []


def test_inviting_an_existing_member_is_refused(web: DjangoClient, org: Organization, invite: Any) -> None:
    member(org, Role.COACH, email="coach@example.com")

    response = invite(web, org, "Coach@Example.com", Role.STAFF)

    assert response.status_code == 200
    assert "coach@example.com is already a member of this business." in page_errors(response)
    assert "already a member of this business" in response.content.decode()
    assert invitations(org) == []
    assert mail.outbox == []


def test_inviting_an_email_with_a_pending_invitation_is_refused(
    web: DjangoClient, org: Organization, invite: Any
) -> None:
    invite(web, org, "sam@example.com", Role.STAFF)
    mail.outbox.clear()

    response = invite(web, org, "sam@example.com", Role.COACH)

    assert response.status_code == 200
    assert "sam@example.com already has a pending invitation." in page_errors(response)
    [only] = invitations(org)
    assert only.role == Role.STAFF
    assert mail.outbox == []


def test_staff_cannot_invite_a_coach(org: Organization, invite: Any) -> None:
    staff = member(org, Role.STAFF, email="desk@example.com")
    client = login_as(staff)

    response = invite(client, org, "newcoach@example.com", Role.COACH)

    assert response.status_code == 200
    error = "Select a valid choice. coach is not one of the available choices."
    assert response.context["form"].errors["role"] == [error]
    assert error in response.content.decode()
    assert invitations(org) == []
    assert mail.outbox == []


def test_the_service_also_refuses_staff_inviting_a_coach(org: Organization) -> None:
    """The page offers staff only the client role; the service checks again for any other caller."""
    staff = member(org, Role.STAFF, email="desk@example.com")
    with scopes_disabled():
        staff_membership = Membership.objects.get(user=staff)

    with pytest.raises(AccountError, match="Your role cannot invite a coach."):
        invitation_create(organization=org, actor=staff, actor_membership=staff_membership,
                          email="newcoach@example.com", role=Role.COACH)
    assert invitations(org) == []


def test_coach_can_invite_a_client(org: Organization, invite: Any) -> None:
    coach = member(org, Role.COACH, email="coach@example.com")

    response = invite(login_as(coach), org, "cli@example.com", Role.CLIENT, name="Cleo Client")

    assert response.status_code == 302
    [invitation] = invitations(org)
    assert invitation.role == Role.CLIENT
    assert invitation.invited_by == coach
    assert len(mail.outbox) == 1
    [row] = emails_in_outbox(org)
    assert (row.kind, row.to) == ("invitation", "cli@example.com")
    assert row.dedupe_key == f"invitation:{invitation.pk}:{invitation.nonce[:12]}:email"
    body = mail.outbox[0].body
    assert body.startswith("Hi Cleo,\n\nNorthside Strength invited you to their client portal")
    assert link_in(mail.outbox[0]) in body and "(the link expires Tuesday, June 16, 11:00 AM)" in body
    assert "on Coach OS as" not in body


def test_a_client_invitation_to_a_known_client_is_on_their_record(web: DjangoClient, org: Organization,
                                                                   invite: Any) -> None:
    known = ClientFactory(organization=org, email="cleo@example.com", first_name="Cleopatra")

    invite(web, org, "Cleo@Example.com", Role.CLIENT)

    [row] = emails_in_outbox(org)
    assert (row.kind, row.client_id, row.status) == ("invitation", known.pk, OutboundMessage.Status.SENT)
    assert mail.outbox[0].body.startswith("Hi Cleopatra,")


def test_a_client_invitation_at_night_waits_for_the_end_of_quiet_hours(
    web: DjangoClient, org: Organization, invite: Any, time_machine: Any
) -> None:
    time_machine.move_to(datetime(2026, 6, 2, 4, 0, tzinfo=UTC), tick=False)  # 23:00 in Chicago

    invite(web, org, "cleo@example.com", Role.CLIENT)

    assert mail.outbox == []
    [row] = emails_in_outbox(org)
    assert row.status == OutboundMessage.Status.DEFERRED
    assert row.scheduled_for == datetime(2026, 6, 2, 13, 0, tzinfo=UTC)  # 08:00 in Chicago
    # A team invitation is not held: someone on the team is waiting for it.
    invite(web, org, "sam@example.com", Role.STAFF)
    assert [m.to for m in mail.outbox] == [["sam@example.com"]]


def test_coach_cannot_invite_staff(org: Organization, invite: Any) -> None:
    coach = member(org, Role.COACH, email="coach@example.com")

    response = invite(login_as(coach), org, "desk@example.com", Role.STAFF)

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert invitations(org) == []


# --- accepting as a new person ----------------------------------------------------------------

def test_new_staff_sets_a_password_and_lands_in_the_back_office(
    web: DjangoClient, org: Organization, invite: Any
) -> None:
    invite(web, org, "sam@example.com", Role.STAFF, name="Sam Desk")
    path = link_in(mail.outbox[0])
    browser = DjangoClient()

    page = browser.get(path)
    assert page.status_code == 200
    assert page.context["form"]["name"].value() == "Sam Desk"
    response = browser.post(path, {"name": "Samira Desk", "password": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/"
    user = User.objects.get(email="sam@example.com")
    assert user.name == "Samira Desk"
    assert is_logged_in(browser, user)
    assert membership_of(user, org).role == Role.STAFF
    assert EmailAddress.objects.get(user=user, email="sam@example.com").verified
    [invitation] = invitations(org)
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_by == user
    dashboard = browser.get(response["Location"])
    assert dashboard.status_code == 200
    assert "site/dashboard.html" in [t.name for t in dashboard.templates]
    # The same link cannot be used twice.
    assert_invalid_link_page(DjangoClient().get(path))


def test_new_client_lands_in_the_portal_with_a_linked_client_record(
    web: DjangoClient, org: Organization, invite: Any
) -> None:
    invite(web, org, "cleo@example.com", Role.CLIENT, name="Cleo Client")
    path = link_in(mail.outbox[0])
    browser = DjangoClient()

    response = browser.post(path, {"name": "Cleo Client", "password": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == f"/portal/{org.slug}/"
    user = User.objects.get(email="cleo@example.com")
    assert membership_of(user, org).role == Role.CLIENT
    with scopes_disabled():
        client_row = Client.objects.get(organization=org, email="cleo@example.com")
    assert client_row.user == user
    assert (client_row.first_name, client_row.last_name) == ("Cleo", "Client")
    portal = browser.get(response["Location"])
    assert portal.status_code == 200
    assert portal.context["client"] == client_row
    # A client cannot use the back office.
    assert browser.get(f"/o/{org.slug}/").status_code == 403


def test_client_invitation_links_an_existing_client_record(web: DjangoClient, org: Organization, invite: Any) -> None:
    existing = ClientFactory(organization=org, email="cleo@example.com", first_name="Cleo", last_name="Known")
    invite(web, org, "cleo@example.com", Role.CLIENT)

    DjangoClient().post(link_in(mail.outbox[0]), {"name": "Cleo New", "password": NEW_PASSWORD})

    with scopes_disabled():
        assert Client.objects.filter(organization=org).count() == 1
    existing.refresh_from_db()
    assert existing.user == User.objects.get(email="cleo@example.com")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "This password is too common."),
        ("12345678", "This password is entirely numeric."),
        ("samdesk", "at least 10 characters"),
    ],
)
def test_weak_password_on_invitation_signup_creates_nothing(
    web: DjangoClient, org: Organization, invite: Any, password: str, message: str
) -> None:
    invite(web, org, "sam@example.com", Role.STAFF)
    path = link_in(mail.outbox[0])
    browser = DjangoClient()

    response = browser.post(path, {"name": "Sam Desk", "password": password})

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["password"])
    assert message in response.content.decode()
    assert 'value="Sam Desk"' in response.content.decode()
    assert not User.objects.filter(email="sam@example.com").exists()
    [invitation] = invitations(org)
    assert invitation.status == Invitation.Status.PENDING
    assert "_auth_user_id" not in browser.session
    # The link still works with a good password.
    browser.post(path, {"name": "Sam Desk", "password": NEW_PASSWORD})
    assert User.objects.filter(email="sam@example.com").exists()


# --- accepting as someone who already has an account ------------------------------------------

def test_existing_user_logs_in_then_accepts(web: DjangoClient, org: Organization, other_org: Organization, invite: Any) -> None:
    existing = member(other_org, Role.OWNER, email="pat@example.com")
    invite(web, org, "pat@example.com", Role.COACH)
    path = link_in(mail.outbox[0])
    browser = DjangoClient()

    page = browser.get(path)
    assert page.status_code == 200
    assert page.context["needs_login"] is True
    assert "Log in to accept" in page.content.decode()
    assert "form" not in page.context or not page.context.get("form")
    # Posting without logging in creates nothing.
    browser.post(path, {"name": "Pat", "password": NEW_PASSWORD})
    assert membership_of(existing, org) is None
    assert User.objects.filter(email="pat@example.com").count() == 1

    login = browser.post("/accounts/login/", {"login": "pat@example.com", "password": EXISTING_PASSWORD, "next": path})
    assert login.status_code == 302
    assert login["Location"] == path
    confirm = browser.get(path)
    assert confirm.status_code == 200
    assert "Accept invitation" in confirm.content.decode()
    assert membership_of(existing, org) is None

    response = browser.post(path)

    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/"
    assert membership_of(existing, org).role == Role.COACH
    assert membership_of(existing, other_org).role == Role.OWNER
    assert browser.get(response["Location"]).status_code == 200
    existing.refresh_from_db()
    assert existing.check_password(EXISTING_PASSWORD)


def test_logged_in_as_another_email_is_refused(web: DjangoClient, org: Organization, invite: Any) -> None:
    invite(web, org, "sam@example.com", Role.STAFF)
    path = link_in(mail.outbox[0])
    someone_else = UserFactory(email="else@example.com")
    browser = login_as(someone_else)

    page = browser.get(path)
    posted = browser.post(path)

    for response in (page, posted):
        assert response.status_code == 403
        assert "this invitation is for another address" in response.content.decode()
    assert membership_of(someone_else, org) is None
    assert not User.objects.filter(email="sam@example.com").exists()
    [invitation] = invitations(org)
    assert invitation.status == Invitation.Status.PENDING


# --- links that no longer work ----------------------------------------------------------------

def test_resend_replaces_the_link(web: DjangoClient, org: Organization, invite: Any, resend: Any) -> None:
    invite(web, org, "sam@example.com", Role.STAFF)
    old_path = link_in(mail.outbox[0])
    [invitation] = invitations(org)

    response = resend(web, invitation)

    assert response.status_code == 302
    assert len(mail.outbox) == 2
    new_path = link_in(mail.outbox[1])
    assert new_path != old_path
    invitation.refresh_from_db()
    first, second = emails_in_outbox(org)
    assert second.dedupe_key == f"invitation:{invitation.pk}:{invitation.nonce[:12]}:email"
    assert first.dedupe_key != second.dedupe_key
    assert {first.status, second.status} == {OutboundMessage.Status.SENT}
    assert_invalid_link_page(DjangoClient().get(old_path))
    browser = DjangoClient()
    old = browser.post(old_path, {"name": "Sam", "password": NEW_PASSWORD})
    assert_invalid_link_page(old)
    assert not User.objects.filter(email="sam@example.com").exists()

    assert browser.get(new_path).status_code == 200
    response = browser.post(new_path, {"name": "Sam", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert membership_of(User.objects.get(email="sam@example.com"), org).role == Role.STAFF


def test_resending_before_the_first_email_went_suppresses_the_old_link(
    web: DjangoClient, org: Organization, invite: Any, resend: Any, time_machine: Any
) -> None:
    time_machine.move_to(datetime(2026, 6, 2, 4, 0, tzinfo=UTC), tick=False)  # 23:00 in Chicago: held
    invite(web, org, "cleo@example.com", Role.CLIENT)
    [invitation] = invitations(org)

    resend(web, invitation)

    old, new = emails_in_outbox(org)
    assert old.status == OutboundMessage.Status.SUPPRESSED
    assert old.last_error == "A newer invitation link was sent."
    assert new.status == OutboundMessage.Status.DEFERRED
    time_machine.move_to(datetime(2026, 6, 2, 13, 1, tzinfo=UTC), tick=False)  # 08:01: quiet hours over
    from coachos.comms import sender

    sender.send_due()
    assert len(mail.outbox) == 1  # only the new link goes
    assert invitation_from_token(link_in(mail.outbox[0]).split("/")[2]) is not None


def test_revoking_suppresses_an_invitation_email_not_sent_yet(
    web: DjangoClient, org: Organization, invite: Any, time_machine: Any
) -> None:
    time_machine.move_to(datetime(2026, 6, 2, 4, 0, tzinfo=UTC), tick=False)
    invite(web, org, "cleo@example.com", Role.CLIENT)
    [invitation] = invitations(org)

    web.post(f"/o/{org.slug}/team/invitations/{invitation.pk}/revoke/")

    [row] = emails_in_outbox(org)
    assert (row.status, row.last_error) == (OutboundMessage.Status.SUPPRESSED, "The invitation was revoked.")


def test_the_old_task_name_still_sends_through_the_outbox(org: Organization, owner: Any) -> None:
    """Tasks queued before the move run the shim: one outbox row, one email, whatever the repeats."""
    from coachos.comms.listeners_accounts import send_invitation_email

    invitation = InvitationFactory(organization=org, email="new.coach@example.com", role=Role.COACH,
                                   invited_by=owner)
    for _attempt in range(2):
        send_invitation_email.delay(organization_id=org.pk, invitation_id=invitation.pk)

    assert [m.to for m in mail.outbox] == [["new.coach@example.com"]]
    [row] = emails_in_outbox(org)
    assert row.kind == "team_invitation"
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_revoked_link_does_not_work(web: DjangoClient, org: Organization, invite: Any) -> None:
    invite(web, org, "sam@example.com", Role.STAFF)
    path = link_in(mail.outbox[0])
    [invitation] = invitations(org)

    web.post(f"/o/{org.slug}/team/invitations/{invitation.pk}/revoke/")

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    browser = DjangoClient()
    assert_invalid_link_page(browser.get(path))
    assert_invalid_link_page(browser.post(path, {"name": "Sam", "password": NEW_PASSWORD}))
    assert not User.objects.filter(email="sam@example.com").exists()
    existing = UserFactory(email="sam@example.com")
    assert_invalid_link_page(login_as(existing).post(path))
    assert membership_of(existing, org) is None


def test_expired_link_does_not_work(web: DjangoClient, org: Organization, invite: Any, time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False)
    invite(web, org, "sam@example.com", Role.STAFF)
    path = link_in(mail.outbox[0])

    time_machine.shift(timedelta(days=13, hours=23))
    assert DjangoClient().get(path).status_code == 200

    time_machine.shift(timedelta(hours=2))
    browser = DjangoClient()
    assert_invalid_link_page(browser.get(path))
    assert_invalid_link_page(browser.post(path, {"name": "Sam", "password": NEW_PASSWORD}))
    assert not User.objects.filter(email="sam@example.com").exists()
    [invitation] = invitations(org)
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.accepted_at is None


def test_expired_by_date_even_when_the_signature_is_fresh(org: Organization, owner: Any) -> None:
    """The row's expiry counts on its own: a link signed recently for an invitation whose
    expires_at has passed does not work."""
    invitation = InvitationFactory(
        organization=org, email="sam@example.com", invited_by=owner,
        expires_at=datetime(2020, 1, 1, tzinfo=UTC),
    )

    response = DjangoClient().post(
        f"/invitations/{invitation_token(invitation)}/", {"name": "Sam", "password": NEW_PASSWORD}
    )

    assert_invalid_link_page(response)
    assert not User.objects.filter(email="sam@example.com").exists()


@pytest.mark.parametrize("mangle", ["flip_last", "drop_last", "garbage"])
def test_tampered_token_gives_the_404_page(web: DjangoClient, org: Organization, invite: Any, mangle: str) -> None:
    invite(web, org, "sam@example.com", Role.STAFF)
    token = link_in(mail.outbox[0]).split("/")[2]
    bad = {
        "flip_last": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "drop_last": token[:-1],
        "garbage": "not-a-token",
    }[mangle]
    browser = DjangoClient()

    page = browser.get(f"/invitations/{bad}/")
    posted = browser.post(f"/invitations/{bad}/", {"name": "Sam", "password": NEW_PASSWORD})

    for response in (page, posted):
        assert response.status_code == 404
        assert INVALID_TITLE in response.content.decode()
    assert not User.objects.filter(email="sam@example.com").exists()


def test_a_token_for_another_invitation_id_does_not_work(org: Organization, owner: Any) -> None:
    """A validly signed token whose nonce does not match its invitation (e.g. forged from
    another invitation's pieces) is refused."""
    from django.core import signing

    from coachos.accounts.services import INVITATION_SALT

    first = InvitationFactory(organization=org, email="a@example.com", invited_by=owner)
    second = InvitationFactory(organization=org, email="b@example.com", invited_by=owner)
    forged = signing.dumps({"i": second.pk, "n": first.nonce}, salt=INVITATION_SALT, compress=True)

    response = DjangoClient().get(f"/invitations/{forged}/")

    assert response.status_code == 404
    assert INVALID_TITLE in response.content.decode()
