"""The security audit log: sign-ins and failures, two-factor, passwords, tokens, exports, roles; flags; pages."""

from __future__ import annotations

from typing import Any

from django.test import Client as DjangoClient
from django.urls import reverse

from coachos.accounts.services import api_token_create, api_token_revoke
from coachos.tenancy.models import Membership, SecurityEvent
from coachos.tenancy.roles import Role
from coachos.tenancy.services import membership_set_role

from ..conftest import login_as
from ..factories import member

PASSWORD = "correct-horse-battery"
Kind = SecurityEvent.Kind


def sign_in(email: str, password: str = PASSWORD, **meta: Any) -> Any:
    return DjangoClient(HTTP_USER_AGENT="Mozilla/5.0 TestBrowser", **meta).post(
        reverse("account_login"), {"login": email, "password": password})


def kinds(user: Any) -> list[str]:
    return list(SecurityEvent.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def test_sign_in_and_failure_with_address_browser_and_country(org: Any) -> None:
    owner = member(org, Role.OWNER, email="olga@example.com")
    assert sign_in("olga@example.com", "wrong-password", REMOTE_ADDR="203.0.113.5").status_code == 200
    assert sign_in("olga@example.com", REMOTE_ADDR="203.0.113.5", HTTP_CF_IPCOUNTRY="us").status_code == 302
    failed, ok = SecurityEvent.objects.filter(user=owner).order_by("id")
    assert (failed.kind, ok.kind) == (Kind.LOGIN_FAILED, Kind.LOGIN)
    assert ok.ip == "203.0.113.5" and ok.user_agent == "Mozilla/5.0 TestBrowser" and ok.country == "US"
    assert failed.flag == "" and ok.flag == ""
    # The email typed is not stored anywhere on the row.
    assert "olga@example.com" not in str(failed.data)


def test_failed_sign_in_for_an_unknown_email_keeps_only_the_address(db: None) -> None:
    sign_in("nobody@example.com", REMOTE_ADDR="198.51.100.7")
    event = SecurityEvent.objects.get()
    assert event.kind == Kind.LOGIN_FAILED and event.user is None and event.ip == "198.51.100.7"


def test_many_failures_are_flagged(org: Any, settings: Any) -> None:
    settings.SECURITY_FAILURES_FLAG = 3
    owner = member(org, Role.OWNER, email="olga@example.com")
    for _ in range(3):
        sign_in("olga@example.com", "wrong-password")
    flags = list(SecurityEvent.objects.filter(user=owner).order_by("id").values_list("flag", flat=True))
    assert flags == ["", "", SecurityEvent.Flag.MANY_FAILURES]


def test_a_new_country_is_flagged(org: Any) -> None:
    owner = member(org, Role.OWNER, email="olga@example.com")
    sign_in("olga@example.com", HTTP_CF_IPCOUNTRY="US")
    sign_in("olga@example.com", HTTP_CF_IPCOUNTRY="US")
    sign_in("olga@example.com", HTTP_CF_IPCOUNTRY="RU")
    sign_in("olga@example.com")  # no header: no country, no flag
    rows = SecurityEvent.objects.filter(user=owner, kind=Kind.LOGIN).order_by("id")
    assert [(e.country, e.flag) for e in rows] == [("US", ""), ("US", ""), ("RU", "new_country"), ("", "")]


def test_tokens_roles_and_passwords(org: Any) -> None:
    owner = member(org, Role.OWNER, email="olga@example.com")
    coach = member(org, Role.COACH)
    token, _raw = api_token_create(user=owner, organization=org, name="script")
    api_token_revoke(token=token, actor=owner)
    from django_scopes import scope

    with scope(organization=org):
        membership = Membership.objects.get(user=coach)
        membership_set_role(membership=membership, actor=owner, role=Role.STAFF)
    role = SecurityEvent.objects.get(user=coach, kind=Kind.ROLE_CHANGED)
    assert role.actor == owner and role.business == org and role.data == {"role": [Role.COACH, Role.STAFF]}
    http = login_as(owner)
    changed = http.post(reverse("account_change_password"),
                        {"oldpassword": PASSWORD, "password1": "another-Long-pass-42", "password2": "another-Long-pass-42"})
    assert changed.status_code == 302
    assert [k for k in kinds(owner) if k != Kind.LOGIN] == [Kind.TOKEN_CREATED, Kind.TOKEN_REVOKED,
                                                             Kind.PASSWORD_CHANGED]


def test_two_factor_changes_are_recorded(org: Any) -> None:
    from allauth.mfa import signals

    owner = member(org, Role.OWNER)
    signals.authenticator_added.send(sender=None, request=None, user=owner, authenticator=None)
    signals.authenticator_removed.send(sender=None, request=None, user=owner, authenticator=None)
    assert kinds(owner) == [Kind.MFA_ADDED, Kind.MFA_REMOVED]


def test_exports_are_recorded(org: Any) -> None:
    owner = member(org, Role.OWNER)
    http = login_as(owner)
    SecurityEvent.objects.all().delete()
    response = http.get(reverse("clients:export", kwargs={"org_slug": org.slug}))
    assert response.status_code == 200
    event = SecurityEvent.objects.get(kind=Kind.EXPORT)
    assert event.user == owner and event.business == org and event.data == {"what": "clients:export"}


def test_recent_activity_shows_only_my_own_events(org: Any) -> None:
    owner = member(org, Role.OWNER, email="olga@example.com")
    other = member(org, Role.COACH, email="carl@example.com")
    sign_in("olga@example.com", REMOTE_ADDR="203.0.113.5")
    sign_in("carl@example.com", "wrong-password", REMOTE_ADDR="192.0.2.99")
    page = login_as(owner).get(reverse("account_activity"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Recent activity" in html and "203.0.113.5" in html and "Signed in" in html
    assert "192.0.2.99" not in html and "Failed sign-in" not in html
    assert "Times in America/Chicago" in html
    assert login_as(other).get(reverse("account_activity")).content.decode().count("192.0.2.99") == 1


def test_recent_activity_needs_a_sign_in(db: None) -> None:
    response = DjangoClient().get(reverse("account_activity"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_platform_staff_see_the_log_in_the_admin(org: Any) -> None:
    member(org, Role.OWNER, email="olga@example.com")
    sign_in("olga@example.com", "wrong-password", REMOTE_ADDR="203.0.113.5")
    staff = member(org, Role.OWNER, email="staff@example.com", is_staff=True, is_superuser=True)
    page = login_as(staff).get("/admin/tenancy/securityevent/?flag__exact=")
    assert page.status_code == 200 and "203.0.113.5" in page.content.decode()
    assert login_as(member(org, Role.OWNER)).get("/admin/tenancy/securityevent/").status_code == 302
