"""The Stripe gateway builds the SDK's real requests; a stub server on 127.0.0.1 stands in for
api.stripe.com and records what it was sent (idempotency keys, connected account, fees)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django_scopes import scope, scopes_disabled

from coachos.billing import gateway, services
from coachos.billing.accounts import billing_account_for
from coachos.billing.models import BillingAccount, PlatformPlan

RESPONSES: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {
    ("POST", "/v1/checkout/sessions"): (200, {"id": "cs_test_stub", "object": "checkout.session",
                                              "url": "https://checkout.stripe.com/c/pay/cs_test_stub",
                                              "expires_at": int(time.time()) + 86400}),
    ("POST", "/v1/accounts"): (200, {"id": "acct_stub", "object": "account"}),
    ("GET", "/v1/accounts/acct_stub"): (200, {"id": "acct_stub", "object": "account", "charges_enabled": True,
                                              "payouts_enabled": False, "details_submitted": True}),
    ("POST", "/v1/account_links"): (200, {"object": "account_link", "url": "https://connect.stripe.com/setup/e/x"}),
    ("POST", "/v1/refunds"): (200, {"id": "re_stub", "object": "refund", "amount": 5000}),
    ("GET", "/v1/payment_intents/pi_stub"): (200, {
        "id": "pi_stub", "object": "payment_intent",
        "latest_charge": {"id": "ch_stub", "object": "charge",
                          "balance_transaction": {"id": "txn_stub", "object": "balance_transaction", "fee": 2205}}}),
    ("POST", "/v1/subscriptions/sub_stub"): (200, {"id": "sub_stub", "object": "subscription"}),
    ("POST", "/v1/refunds/declined"): (402, {"error": {"type": "invalid_request_error",
                                                       "message": "Charge already refunded."}}),
}


class _Stub(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []
    fail_refunds = False

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        url = urlparse(self.path)
        self.requests.append({"method": self.command, "path": url.path, "query": parse_qs(url.query),
                              "headers": dict(self.headers), "form": parse_qs(body)})
        key = (self.command, url.path)
        if self.fail_refunds and url.path == "/v1/refunds":
            key = ("POST", "/v1/refunds/declined")
        status, payload = RESPONSES.get(key, (404, {"error": {"type": "invalid_request_error",
                                                               "message": "No such route."}}))
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Request-Id", "req_stub")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stub():
    _Stub.requests = []
    _Stub.fail_refunds = False
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stripe_gateway = gateway.StripeGateway("sk_test_stub", max_network_retries=0,
                                           base_addresses={"api": f"http://127.0.0.1:{server.server_port}"})
    yield stripe_gateway, _Stub
    server.shutdown()
    server.server_close()


def _flat(form: dict[str, list[str]]) -> dict[str, str]:
    return {k: v[0] for k, v in form.items()}


def test_checkout_payment_on_the_connected_account_with_fee_and_key(stub):
    stripe_gateway, server = stub
    session = stripe_gateway.checkout_payment(
        account_id="acct_coach", purchase_id=12, name="10 sessions", amount_minor=75000, currency="USD",
        application_fee_minor=1875, customer_email="", metadata={"coachos_purchase_id": "12"},
        success_url="https://x.test/ok", cancel_url="https://x.test/no", key="coachos-purchase-12-checkout-1")
    assert session.id == "cs_test_stub" and session.url.startswith("https://checkout.stripe.com/")
    request = server.requests[-1]
    assert request["path"] == "/v1/checkout/sessions"
    assert request["headers"]["Idempotency-Key"] == "coachos-purchase-12-checkout-1"
    assert request["headers"]["Stripe-Account"] == "acct_coach"
    assert request["headers"]["Authorization"] == "Bearer sk_test_stub"
    form = _flat(request["form"])
    assert form["mode"] == "payment"
    assert form["payment_intent_data[application_fee_amount]"] == "1875"
    assert form["line_items[0][price_data][unit_amount]"] == "75000"
    assert form["line_items[0][price_data][currency]"] == "usd"
    assert form["metadata[coachos_purchase_id]"] == "12"
    assert form["payment_intent_data[metadata][coachos_purchase_id]"] == "12"


def test_checkout_subscription_uses_an_application_fee_percent(stub):
    stripe_gateway, server = stub
    stripe_gateway.checkout_subscription(
        account_id="acct_coach", purchase_id=13, name="Monthly 8", amount_minor=16000, currency="USD", fee_bps=250,
        customer_email="a@example.com", metadata={"coachos_membership_id": "4"}, success_url="https://x.test/ok",
        cancel_url="https://x.test/no", key="coachos-purchase-13-checkout-1")
    request = server.requests[-1]
    form = _flat(request["form"])
    assert form["mode"] == "subscription"
    assert form["subscription_data[application_fee_percent]"] == "2.5"
    assert form["line_items[0][price_data][recurring][interval]"] == "month"
    assert form["subscription_data[metadata][coachos_membership_id]"] == "4"
    assert request["headers"]["Idempotency-Key"] == "coachos-purchase-13-checkout-1"


def test_connect_onboarding_refund_fee_and_pause(stub):
    stripe_gateway, server = stub
    assert stripe_gateway.connect_account_create(organization_id=7) == "acct_stub"
    create = server.requests[-1]
    assert create["headers"]["Idempotency-Key"] == "coachos-org-7-connect-account"
    assert _flat(create["form"])["type"] == "express"
    assert stripe_gateway.connect_onboarding_link(account_id="acct_stub", refresh_url="https://x.test/r",
                                                  return_url="https://x.test/b").startswith("https://connect.")
    assert _flat(server.requests[-1]["form"])["type"] == "account_onboarding"
    assert server.requests[-1]["headers"]["Idempotency-Key"].startswith("coachos-account-acct_stub-onboarding-link-")
    assert stripe_gateway.account_state(account_id="acct_stub").charges_enabled is True

    assert stripe_gateway.refund(account_id="acct_coach", payment_intent_id="pi_stub", amount_minor=5000,
                                 key="coachos-purchase-12-refund-1") == "re_stub"
    refund = server.requests[-1]
    assert refund["headers"]["Idempotency-Key"] == "coachos-purchase-12-refund-1"
    assert refund["headers"]["Stripe-Account"] == "acct_coach"
    assert _flat(refund["form"]) == {"payment_intent": "pi_stub", "amount": "5000"}

    assert stripe_gateway.processing_fee(account_id="acct_coach", payment_intent_id="pi_stub", amount_minor=75000,
                                         currency="USD") == 2205
    assert server.requests[-1]["query"]["expand[0]"] == ["latest_charge.balance_transaction"]

    stripe_gateway.subscription_pause(account_id="acct_coach", subscription_id="sub_stub", key="k-pause")
    assert _flat(server.requests[-1]["form"]) == {"pause_collection[behavior]": "void"}


def test_stripe_errors_become_a_gateway_error_with_a_readable_message(stub):
    stripe_gateway, server = stub
    server.fail_refunds = True
    with pytest.raises(gateway.GatewayError):
        stripe_gateway.refund(account_id=None, payment_intent_id="pi_stub", amount_minor=1, key="k")


def test_platform_checkout_is_on_the_platform_account(stub):
    stripe_gateway, server = stub
    stripe_gateway.platform_checkout(organization_id=3, plan_name="Pro", amount_minor=4900, currency="USD",
                                     customer_id="", customer_email="owner@example.com",
                                     success_url="https://x.test/ok", cancel_url="https://x.test/no",
                                     key="coachos-org-3-platform-checkout-1")
    request = server.requests[-1]
    assert "Stripe-Account" not in request["headers"]
    assert _flat(request["form"])["subscription_data[metadata][coachos_platform_org]"] == "3"


@pytest.mark.django_db
def test_services_send_one_key_per_business_action(stub, org, owner, buyer, plan):
    stripe_gateway, server = stub
    gateway.use_gateway(stripe_gateway)
    PlatformPlan.objects.create(name="Default", fee_bps=200, is_default=True)
    with scope(organization=org):
        account = billing_account_for(org)
        BillingAccount.objects.filter(pk=account.pk).update(stripe_account_id="acct_coach", charges_enabled=True)
        purchase = services.purchase_create(client=buyer, plan=plan, actor=owner)
        purchase = services.purchase_checkout(purchase=purchase)
        services.purchase_checkout(purchase=purchase)  # a retry reuses the session: no second request
    checkouts = [r for r in server.requests if r["path"] == "/v1/checkout/sessions"]
    assert len(checkouts) == 1
    assert checkouts[0]["headers"]["Idempotency-Key"] == f"coachos-purchase-{purchase.pk}-checkout-1"
    assert _flat(checkouts[0]["form"])["payment_intent_data[application_fee_amount]"] == "1500"
    assert purchase.checkout_url == "https://checkout.stripe.com/c/pay/cs_test_stub"

    with scopes_disabled():
        type(purchase).objects.filter(pk=purchase.pk).update(status="paid", payment_intent_id="pi_stub")
    with scope(organization=org):
        purchase.refresh_from_db()
        services.purchase_refund(purchase=purchase, actor=owner, amount_minor=5000)
    refund = [r for r in server.requests if r["path"] == "/v1/refunds"][-1]
    assert refund["headers"]["Idempotency-Key"] == f"coachos-purchase-{purchase.pk}-refund-1"


@pytest.mark.django_db
def test_with_keys_but_no_connected_account_online_payments_are_refused(stub, org, owner, buyer, plan):
    gateway.use_gateway(stub[0])
    with scope(organization=org), pytest.raises(services.PaymentError) as refused:
        services.purchase_create(client=buyer, plan=plan, actor=owner)
    assert refused.value.code == "not_connected"


def test_construct_event_checks_signature_and_age(settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_gateway_test"
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "ping", "data": {"object": {}}})
    header = gateway.sign(payload)
    assert gateway.construct_event(payload, header).id == "evt_1"
    import stripe

    with pytest.raises(stripe.SignatureVerificationError):
        gateway.construct_event(payload, gateway.sign(payload, timestamp=int(time.time()) - 301))
    with pytest.raises(stripe.SignatureVerificationError):
        gateway.construct_event(payload, gateway.sign(payload, secret="whsec_other"))


def test_several_webhook_secrets_are_accepted(settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_platform, whsec_connect"
    payload = json.dumps({"id": "evt_2", "object": "event", "type": "ping", "data": {"object": {}}})
    assert gateway.construct_event(payload, gateway.sign(payload, secret="whsec_connect")).id == "evt_2"
    assert gateway.construct_event(payload, gateway.sign(payload, secret="whsec_platform")).id == "evt_2"
    import stripe

    with pytest.raises(stripe.SignatureVerificationError):
        gateway.construct_event(payload, gateway.sign(payload, secret="whsec_nobody"))


@pytest.mark.django_db
def test_connect_stripe_from_the_overview(stub, org, web):
    gateway.use_gateway(stub[0])
    response = web.post(f"/o/{org.slug}/payments/connect/")
    assert response.status_code == 302 and response["Location"].startswith("https://connect.stripe.com/")
    with scopes_disabled():
        assert BillingAccount.objects.get(organization=org).stripe_account_id == "acct_stub"
    web.get(f"/o/{org.slug}/payments/connect/return/")
    with scopes_disabled():
        account = BillingAccount.objects.get(organization=org)
    assert account.charges_enabled and account.details_submitted and not account.payouts_enabled
    assert "Stripe connected" in web.get(f"/o/{org.slug}/payments/").content.decode()


@pytest.mark.django_db
def test_account_updated_event_updates_the_connection(org):
    from .conftest import post_event, stripe_event

    with scope(organization=org):
        account = billing_account_for(org)
        BillingAccount.objects.filter(pk=account.pk).update(stripe_account_id="acct_evt")
    body = stripe_event("account.updated", {"id": "acct_evt", "object": "account", "charges_enabled": True,
                                            "payouts_enabled": True, "details_submitted": True}, account="acct_evt")
    assert post_event(body).json()["result"] == "processed"
    with scopes_disabled():
        assert BillingAccount.objects.get(organization=org).payouts_enabled


@pytest.mark.django_db
def test_payout_paid_is_recorded_once_in_the_books(org):
    from .conftest import money_events, post_event, stripe_event

    with scope(organization=org):
        account = billing_account_for(org)
        BillingAccount.objects.filter(pk=account.pk).update(stripe_account_id="acct_pay")
    payout = {"id": "po_1", "object": "payout", "amount": 120000, "currency": "usd",
              "arrival_date": int(time.time())}
    post_event(stripe_event("payout.paid", payout, account="acct_pay"))
    post_event(stripe_event("payout.paid", payout, account="acct_pay"))  # a second delivery, another event id
    payouts = money_events(org, kind="payout")
    assert [(p.amount_minor, p.external_id) for p in payouts] == [(120000, "po_1")]
    assert post_event(stripe_event("payout.paid", {**payout, "id": "po_2"}, account="acct_other")) \
        .json()["result"] == "ignored"


@pytest.mark.django_db
def test_in_test_mode_connecting_explains_what_is_needed(org, web):
    response = web.post(f"/o/{org.slug}/payments/connect/", follow=True)
    assert "STRIPE_SECRET_KEY" in response.content.decode()
