"""Issue #21: the local test checkout (credits without money) exists only with DEBUG or an explicit
PAYMENTS_TEST_MODE=1; otherwise a business without Stripe takes manual payments only."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_scopes import scope, scopes_disabled

from coachos.billing import gateway, local_checkout, services
from coachos.billing.models import Purchase
from coachos.credits.models import ClientPackage
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import ClientFactory, member

pytestmark = pytest.mark.django_db

OFF = {"DEBUG": False, "PAYMENTS_TEST_MODE": False, "STRIPE_SECRET_KEY": ""}


@pytest.fixture
def portal_client(org):
    user = member(org, Role.CLIENT, email="tm@example.com", name="Tess Mode")
    client = ClientFactory(organization=org, user=user, first_name="Tess", email="tm@example.com")
    return user, client


def test_without_test_mode_no_online_purchase_is_made(org, plan, portal_client):
    user, client = portal_client
    with override_settings(**OFF):
        assert gateway.test_mode() is False
        assert gateway.is_local() is False
        with scope(organization=org), pytest.raises(services.PaymentError) as caught:
            services.purchase_create(client=client, plan=plan, actor=user)
        assert caught.value.code == "manual_only"
        response = login_as(user).post(f"/portal/{org.slug}/payments/buy/{plan.pk}/")
    assert response.status_code in (200, 302, 409)
    with scopes_disabled():
        assert not Purchase.objects.filter(client=client).exists()
        assert not ClientPackage.objects.filter(client=client).exists()


def test_without_test_mode_the_test_checkout_page_is_404(org, plan, portal_client):
    user, client = portal_client
    with scope(organization=org):  # made while test mode was on
        purchase = services.purchase_create(client=client, plan=plan, actor=user)
    _, url = local_checkout.checkout_for(kind="purchase", object_id=purchase.pk, key="k")
    path = url.split("://", 1)[1].split("/", 1)[1]
    browser = login_as(user)
    with override_settings(**OFF):
        assert browser.get(f"/{path}").status_code == 404
        assert browser.post(f"/{path}", {"outcome": "pay"}).status_code == 404
        with pytest.raises(gateway.GatewayError):
            gateway.LocalGateway().checkout_payment(
                account_id=None, purchase_id=purchase.pk, name="x", amount_minor=100, currency="USD",
                application_fee_minor=0, customer_email="", metadata={}, success_url="", cancel_url="", key="k2")
    with scopes_disabled():
        assert Purchase.objects.get(pk=purchase.pk).status == "pending"
        assert not ClientPackage.objects.filter(client=client).exists()


@pytest.mark.parametrize("flags", [{"DEBUG": True, "PAYMENTS_TEST_MODE": False},
                                   {"DEBUG": False, "PAYMENTS_TEST_MODE": True}])
def test_debug_or_the_explicit_flag_turns_it_on(flags):
    with override_settings(STRIPE_SECRET_KEY="", **flags):
        assert gateway.test_mode() is True
        assert gateway.is_local() is True
