"""The payments pages: who sees them, what they show, the client page's section, receipts."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import ClientFactory, PurchaseFactory, member

from .conftest import checkout_completed, post_event


@pytest.mark.django_db
def test_overview_in_test_mode(web, org):
    page = web.get(f"/o/{org.slug}/payments/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Test mode: local checkout" in text
    assert "No payments yet" in text


@pytest.mark.django_db
def test_payments_in_the_menu_for_money_roles_only(web, org):
    assert f'href="/o/{org.slug}/payments/"' in web.get(f"/o/{org.slug}/").content.decode()
    desk = login_as(member(org, Role.STAFF))
    assert f'href="/o/{org.slug}/payments/"' not in desk.get(f"/o/{org.slug}/").content.decode()
    assert desk.get(f"/o/{org.slug}/payments/").status_code == 403


@pytest.mark.django_db
def test_list_filters(web, org, buyer):
    other = ClientFactory(organization=org, first_name="Zed", last_name="Other")
    PurchaseFactory(client=buyer, method="cash", description="Cash one")
    PurchaseFactory(client=other, status="pending", description="Pending two")
    url = f"/o/{org.slug}/payments/list/"
    text = web.get(url).content.decode()
    assert "Cash one" in text and "Pending two" in text
    text = web.get(url, {"status": "pending"}).content.decode()
    assert "Cash one" not in text and "Pending two" in text
    text = web.get(url, {"q": "zed"}).content.decode()
    assert "Cash one" not in text and "Pending two" in text
    text = web.get(url, {"method": "cash"}).content.decode()
    assert "Cash one" in text and "Pending two" not in text
    assert web.get(url, {"start": "not-a-date"}).status_code == 200


@pytest.mark.django_db
def test_purchase_detail_and_receipt(web, org, pending):
    detail = web.get(f"/o/{org.slug}/payments/{pending.pk}/").content.decode()
    assert "Payment link" in detail and "/payments/pay/" in detail
    assert web.get(f"/o/{org.slug}/payments/{pending.pk}/receipt.pdf").status_code == 404  # not paid yet
    post_event(checkout_completed(pending))
    detail = web.get(f"/o/{org.slug}/payments/{pending.pk}/").content.decode()
    assert "Refund" in detail and "In the books" in detail and "Sale" in detail
    receipt = web.get(f"/o/{org.slug}/payments/{pending.pk}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_the_client_page_shows_a_payments_section(web, org, buyer, pending):
    page = web.get(f"/o/{org.slug}/clients/{buyer.pk}/").content.decode()
    section_url = f"/o/{org.slug}/payments/clients/{buyer.pk}/section/"
    assert section_url in page
    section = web.get(section_url)
    assert section.status_code == 200
    assert "10 sessions" in section.content.decode()
    assert "Record a payment" in section.content.decode()


@pytest.mark.django_db
def test_a_failing_section_shows_its_own_error(web, org, buyer, monkeypatch):
    from coachos.billing import views

    def boom(*args, **kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr(views, "_client_section", boom)
    response = web.get(f"/o/{org.slug}/payments/clients/{buyer.pk}/section/")
    assert response.status_code == 500
    assert "data-section-retry" in response.content.decode()


@pytest.mark.django_db
def test_a_client_downloads_only_their_own_receipts(org, buyer):
    user = member(org, Role.CLIENT, email="mine@example.com")
    mine = ClientFactory(organization=org, user=user, email="mine@example.com")
    own = PurchaseFactory(client=mine)
    theirs = PurchaseFactory(client=buyer)
    browser = login_as(user)
    assert browser.get(f"/portal/{org.slug}/payments/{own.pk}/receipt.pdf").status_code == 200
    assert browser.get(f"/portal/{org.slug}/payments/{theirs.pk}/receipt.pdf").status_code == 404
    page = browser.get(f"/portal/{org.slug}/payments/").content.decode()
    assert "Your payments" in page


@pytest.mark.django_db
def test_the_receipt_is_emailed_through_the_outbox(org, pending):
    from coachos.comms.models import OutboundMessage

    post_event(checkout_completed(pending))
    post_event(checkout_completed(pending))
    with scopes_disabled():
        messages = list(OutboundMessage.objects.filter(kind="receipt"))
    assert len(messages) == 1
    assert messages[0].channel == "email" and messages[0].attachments == [["receipt", pending.pk]]
    assert messages[0].dedupe_key == f"receipt:{pending.pk}:email"


@pytest.mark.django_db
def test_the_receipt_attachment_builder_makes_the_pdf(org, pending):
    from coachos.comms import attachments

    post_event(checkout_completed(pending))
    built = attachments.build(org, "receipt", pending.pk)
    assert built is not None
    filename, content, mimetype = built
    assert filename.endswith(".pdf") and mimetype == "application/pdf" and content.startswith(b"%PDF")


@pytest.mark.django_db
def test_the_receipt_is_in_the_clients_language(org, pending, buyer):
    from coachos.accounts.models import User
    from coachos.billing.receipts import receipt_pdf
    from tests.onboarding.test_waivers import pdf_text

    buyer.user = User.objects.create_user(email="ana.es@example.com", password="x" * 12, language="es")
    buyer.save(update_fields=["user"])
    post_event(checkout_completed(pending))
    with scope(organization=org):
        pending.refresh_from_db()
        text = pdf_text(receipt_pdf(pending))
    assert "Recibo R-" in text and "Receipt R-" not in text
