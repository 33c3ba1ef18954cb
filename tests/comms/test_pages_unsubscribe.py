"""Unsubscribing from promotional email by the link in it, or a mail app's one-click POST (RFC 8058)."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.clients.models import Client
from coachos.comms import emails
from coachos.comms.models import OutboundMessage
from coachos.tenancy.models import AuditEntry

from ..factories import ClientFactory, OutboundMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber(org):
    with scope(organization=org):
        return ClientFactory(organization=org, first_name="Sam", email="sam@example.com", email_consent=True)


def link(org, token: str) -> str:
    return f"/portal/{org.slug}/messages/unsubscribe/{token}/"


def consent(org, client) -> bool:
    with scope(organization=org):
        return Client.objects.get(pk=client.pk).email_consent


def test_the_link_in_a_promotional_email_is_this_page(org, subscriber, outbox_mail):
    with scope(organization=org):
        message = OutboundMessageFactory(organization=org, client=subscriber, channel="email", kind="promotion",
                                         to=subscriber.email, promotional=True, body="Summer offer")
        built = emails.build(OutboundMessage.objects.select_related("organization").get(pk=message.pk))
    url = built.extra_headers["List-Unsubscribe"].strip("<>")
    assert f"/portal/{org.slug}/messages/unsubscribe/" in url
    assert built.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_get_asks_first_and_changes_nothing(org, subscriber):
    browser = DjangoClient()
    response = browser.get(link(org, emails.unsubscribe_token(subscriber.pk)))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Stop news and offers from Northside Strength" in html and "s•••@example.com" in html
    assert "sam@example.com" not in html  # a forwarded link does not give the address away
    assert consent(org, subscriber) is True


def test_post_unsubscribes_and_is_audited(org, subscriber):
    browser = DjangoClient(enforce_csrf_checks=True)
    response = browser.post(link(org, emails.unsubscribe_token(subscriber.pk)))
    assert response.status_code == 200 and "You're unsubscribed" in response.content.decode()
    assert consent(org, subscriber) is False
    with scope(organization=org):
        entry = AuditEntry.objects.get(action="client.email_unsubscribed")
        assert entry.object_id == str(subscriber.pk) and entry.data == {"via": "link"} and entry.actor is None
        assert Client.objects.get(pk=subscriber.pk).email_consent_at is None
    # Again: nothing more to do, no second entry.
    browser.post(link(org, emails.unsubscribe_token(subscriber.pk)))
    with scope(organization=org):
        assert AuditEntry.objects.filter(action="client.email_unsubscribed").count() == 1
    assert "already unsubscribed" in browser.get(link(org, emails.unsubscribe_token(subscriber.pk))).content.decode()


def test_one_click_post_from_a_mail_app(org, subscriber):
    """RFC 8058: the mail app POSTs List-Unsubscribe=One-Click, without cookies or a CSRF token."""
    browser = DjangoClient(enforce_csrf_checks=True)
    response = browser.post(link(org, emails.unsubscribe_token(subscriber.pk)), data="List-Unsubscribe=One-Click",
                            content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert consent(org, subscriber) is False
    with scope(organization=org):
        assert AuditEntry.objects.get(action="client.email_unsubscribed").data == {"via": "one-click"}


def test_promotional_email_is_suppressed_afterwards(org, subscriber):
    from coachos.comms import outbox

    DjangoClient().post(link(org, emails.unsubscribe_token(subscriber.pk)))
    with scope(organization=org):
        subscriber.refresh_from_db()
        message = outbox.enqueue(organization=org, channel="email", kind="promotion", client=subscriber,
                                 context={"message": "Summer offer"})
    assert message is not None and message.status == OutboundMessage.Status.SUPPRESSED


@pytest.mark.parametrize("token", ["nonsense", "eyJjIjoxfQ:1tAmper:signature", ""])
def test_a_bad_token_is_a_clear_404_and_changes_nothing(org, subscriber, token):
    browser = DjangoClient()
    path = link(org, token) if token else f"/portal/{org.slug}/messages/unsubscribe/x/"
    for method in ("get", "post"):
        response = getattr(browser, method)(path)
        assert response.status_code == 404
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert consent(org, subscriber) is True
    with scope(organization=org):
        assert not AuditEntry.objects.filter(action__startswith="client.").exists()


def test_a_token_for_another_business_client_changes_nothing(org, other_org):
    with scope(organization=other_org):
        theirs = ClientFactory(organization=other_org, email_consent=True)
    response = DjangoClient().post(link(org, emails.unsubscribe_token(theirs.pk)))
    assert response.status_code == 404
    with scope(organization=other_org):
        assert Client.objects.get(pk=theirs.pk).email_consent is True


def test_a_token_from_another_signing_purpose_is_refused(org, subscriber):
    from django.core import signing

    forged = signing.dumps({"c": subscriber.pk}, salt="something.else", compress=True)
    assert DjangoClient().post(link(org, forged)).status_code == 404
    assert consent(org, subscriber) is True
