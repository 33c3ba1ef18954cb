"""The one module that talks to Stripe (official ``stripe`` SDK, ``stripe.StripeClient``).

Two gateways share one interface:

- ``StripeGateway`` (``STRIPE_SECRET_KEY`` set): Stripe Connect Express accounts, Checkout on
  the business's connected account (direct charges) with the platform's application fee,
  refunds, subscriptions, and Stripe Billing on the platform account for the businesses' own
  plans. Every create call carries our own idempotency key for the business action
  (``coachos-purchase-12-checkout-1``), so a retried request or task never charges twice.
- ``LocalGateway`` (the embedded default, no key): no network. A checkout's URL is the app's
  own test checkout page, whose "Pay" button signs a realistic event with Stripe's scheme and
  hands it to the same webhook code as /webhooks/stripe (see ``local.py``).

Webhooks are verified here with ``stripe.Webhook.construct_event`` against
``STRIPE_WEBHOOK_SECRET`` (300 s tolerance). When that setting is empty, a secret derived from
``SECRET_KEY`` is used — stable across restarts and machines that share the SECRET_KEY.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import stripe
from django.conf import settings

from . import local_checkout

logger = logging.getLogger(__name__)

WEBHOOK_TOLERANCE_SECONDS = 300
KEY_PREFIX = "coachos"


class GatewayError(Exception):
    """Stripe refused or could not be reached; the message is for people (no card details)."""


@dataclass(frozen=True)
class Checkout:
    id: str
    url: str
    expires_at: datetime | None = None


@dataclass(frozen=True)
class AccountState:
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool


def idempotency_key(*parts: object) -> str:
    """Our key for one business action, e.g. ``coachos-purchase-12-checkout-1``."""
    return "-".join([KEY_PREFIX, *(str(p) for p in parts)])[:255]


def webhook_secrets() -> list[str]:
    """``STRIPE_WEBHOOK_SECRET`` may list several secrets, comma-separated (Stripe gives the
    platform endpoint and the Connect endpoint one each)."""
    configured = [part.strip() for part in str(getattr(settings, "STRIPE_WEBHOOK_SECRET", "")).split(",")]
    found = [part for part in configured if part]
    if found:
        return found
    digest = hmac.new(settings.SECRET_KEY.encode(), b"coachos-local-stripe-webhook-secret", hashlib.sha256)
    return ["whsec_local_" + digest.hexdigest()[:40]]


def webhook_secret() -> str:
    """The secret this app signs its own (local test checkout) events with: the first one."""
    return webhook_secrets()[0]


def construct_event(payload: bytes | str, sig_header: str | None) -> stripe.Event:
    """Verify the signature (and the timestamp's age) with the SDK and parse the event.

    Raises ``stripe.SignatureVerificationError`` (bad or missing signature, wrong secret,
    tampered body, older than 5 minutes) or ``ValueError`` (not JSON / not an event).
    """
    error: stripe.SignatureVerificationError | None = None
    for secret in webhook_secrets():
        try:
            event = stripe.Webhook.construct_event(payload, sig_header, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError as exc:
            error = exc
            continue
        _refuse_future(sig_header, payload)
        return event
    assert error is not None
    raise error


def _refuse_future(sig_header: str | None, payload: bytes | str) -> None:
    """The SDK refuses a timestamp older than the tolerance but not one ahead of the clock: a
    signature made for "in an hour" could be replayed for an hour. Refused the same way."""
    stamps = [part.split("=", 1)[1] for part in (sig_header or "").split(",") if part.strip().startswith("t=")]
    try:
        stamp = int(stamps[0].strip()) if stamps else None
    except ValueError:
        stamp = None
    if stamp is None or stamp > time.time() + WEBHOOK_TOLERANCE_SECONDS:
        raise stripe.SignatureVerificationError("Timestamp outside the tolerance zone", sig_header,
                                                payload if isinstance(payload, str) else payload.decode("utf-8"))


def sign(payload: str, *, secret: str | None = None, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload``: ``t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<payload>")``."""
    return str(stripe.WebhookSignature.generate_signature_header(payload, secret or webhook_secret(), timestamp))


def _when(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


class Gateway(Protocol):
    local: bool

    def connect_account_create(self, *, organization_id: int, country: str = "") -> str: ...
    def connect_onboarding_link(self, *, account_id: str, refresh_url: str, return_url: str) -> str: ...
    def account_state(self, *, account_id: str) -> AccountState: ...
    def checkout_payment(self, *, account_id: str | None, purchase_id: int, name: str, amount_minor: int,
                         currency: str, application_fee_minor: int, customer_email: str, metadata: dict[str, str],
                         success_url: str, cancel_url: str, key: str) -> Checkout: ...
    def checkout_subscription(self, *, account_id: str | None, purchase_id: int, name: str, amount_minor: int,
                              currency: str, fee_bps: int, customer_email: str, metadata: dict[str, str],
                              success_url: str, cancel_url: str, key: str) -> Checkout: ...
    def refund(self, *, account_id: str | None, payment_intent_id: str, amount_minor: int, key: str) -> str: ...
    def platform_checkout(self, *, organization_id: int, plan_name: str, amount_minor: int, currency: str,
                          customer_id: str, customer_email: str, success_url: str, cancel_url: str,
                          key: str) -> Checkout: ...
    def processing_fee(self, *, account_id: str | None, payment_intent_id: str, amount_minor: int,
                       currency: str) -> int | None: ...
    def subscription_pause(self, *, account_id: str | None, subscription_id: str, key: str) -> None: ...
    def subscription_cancel(self, *, account_id: str | None, subscription_id: str) -> None: ...


class StripeGateway:
    """Stripe, through the official SDK. ``base_addresses`` / ``http_client`` let tests point
    the SDK at a local stub and read the request it would send."""

    local = False

    def __init__(self, api_key: str, *, base_addresses: dict[str, str] | None = None,
                 http_client: Any = None, max_network_retries: int = 2) -> None:
        kwargs: dict[str, Any] = {"max_network_retries": max_network_retries}
        if base_addresses:
            kwargs["base_addresses"] = base_addresses
        if http_client is not None:
            kwargs["http_client"] = http_client
        self.client = stripe.StripeClient(api_key, **kwargs)

    @staticmethod
    def _options(*, account_id: str | None = None, key: str | None = None) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if account_id:
            options["stripe_account"] = account_id
        if key:
            options["idempotency_key"] = key
        return options

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except stripe.StripeError as exc:
            # Stripe's own message names no card or person; the request id helps support.
            logger.warning("stripe call failed", extra={"call": what, "stripe_request_id": exc.request_id,
                                                        "stripe_code": exc.code})
            raise GatewayError(exc.user_message or "Stripe could not do this right now. Try again.") from exc

    # --- Connect -------------------------------------------------------------------------------

    def connect_account_create(self, *, organization_id: int, country: str = "") -> str:
        params: dict[str, Any] = {"type": "express", "metadata": {"coachos_org": str(organization_id)},
                                  "capabilities": {"card_payments": {"requested": True},
                                                   "transfers": {"requested": True}}}
        if country:
            params["country"] = country
        account = self._call("accounts.create", self.client.v1.accounts.create, params=params,
                             options=self._options(key=idempotency_key("org", organization_id, "connect-account")))
        return str(account.id)

    def connect_onboarding_link(self, *, account_id: str, refresh_url: str, return_url: str) -> str:
        # A link is single-use and short-lived: the key only makes a double click within the same
        # five minutes return the same link instead of a second one.
        window = int(time.time()) // 300
        link = self._call("account_links.create", self.client.v1.account_links.create, params={
            "account": account_id, "refresh_url": refresh_url, "return_url": return_url,
            "type": "account_onboarding",
        }, options=self._options(key=idempotency_key("account", account_id, "onboarding-link", window)))
        return str(link.url)

    def account_state(self, *, account_id: str) -> AccountState:
        account = self._call("accounts.retrieve", self.client.v1.accounts.retrieve, account_id)
        return AccountState(bool(account.charges_enabled), bool(account.payouts_enabled),
                            bool(account.details_submitted))

    # --- Checkout on the business's account --------------------------------------------------

    def checkout_payment(self, *, account_id: str | None, purchase_id: int, name: str, amount_minor: int,
                         currency: str, application_fee_minor: int, customer_email: str, metadata: dict[str, str],
                         success_url: str, cancel_url: str, key: str) -> Checkout:
        payment_intent_data: dict[str, Any] = {"metadata": metadata}
        if account_id and application_fee_minor:
            # An application fee exists only on a charge made on a connected account.
            payment_intent_data["application_fee_amount"] = application_fee_minor
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [{"quantity": 1, "price_data": {
                "currency": currency.lower(), "unit_amount": amount_minor, "product_data": {"name": name}}}],
            "payment_intent_data": payment_intent_data,
            "metadata": metadata,
            "client_reference_id": str(purchase_id),
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_email:
            params["customer_email"] = customer_email
        session = self._call("checkout.sessions.create", self.client.v1.checkout.sessions.create, params=params,
                             options=self._options(account_id=account_id, key=key))
        return Checkout(str(session.id), str(session.url), _when(getattr(session, "expires_at", None)))

    def checkout_subscription(self, *, account_id: str | None, purchase_id: int, name: str, amount_minor: int,
                              currency: str, fee_bps: int, customer_email: str, metadata: dict[str, str],
                              success_url: str, cancel_url: str, key: str) -> Checkout:
        subscription_data: dict[str, Any] = {"metadata": metadata}
        if account_id and fee_bps:
            subscription_data["application_fee_percent"] = round(fee_bps / 100, 2)
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"quantity": 1, "price_data": {
                "currency": currency.lower(), "unit_amount": amount_minor, "recurring": {"interval": "month"},
                "product_data": {"name": name}}}],
            "subscription_data": subscription_data,
            "metadata": metadata,
            "client_reference_id": str(purchase_id),
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_email:
            params["customer_email"] = customer_email
        session = self._call("checkout.sessions.create", self.client.v1.checkout.sessions.create, params=params,
                             options=self._options(account_id=account_id, key=key))
        return Checkout(str(session.id), str(session.url), _when(getattr(session, "expires_at", None)))

    def refund(self, *, account_id: str | None, payment_intent_id: str, amount_minor: int, key: str) -> str:
        refund = self._call("refunds.create", self.client.v1.refunds.create,
                            params={"payment_intent": payment_intent_id, "amount": amount_minor},
                            options=self._options(account_id=account_id, key=key))
        return str(refund.id)

    def processing_fee(self, *, account_id: str | None, payment_intent_id: str, amount_minor: int,
                       currency: str) -> int | None:
        """Stripe's fee on the charge, from its balance transaction (None if not known yet)."""
        intent = self._call("payment_intents.retrieve", self.client.v1.payment_intents.retrieve, payment_intent_id,
                            params={"expand": ["latest_charge.balance_transaction"]},
                            options=self._options(account_id=account_id))
        charge = getattr(intent, "latest_charge", None)
        balance = getattr(charge, "balance_transaction", None) if charge is not None else None
        fee = getattr(balance, "fee", None) if balance is not None and not isinstance(balance, str) else None
        return int(fee) if fee is not None else None

    def subscription_pause(self, *, account_id: str | None, subscription_id: str, key: str) -> None:
        self._call("subscriptions.update", self.client.v1.subscriptions.update, subscription_id,
                   params={"pause_collection": {"behavior": "void"}},
                   options=self._options(account_id=account_id, key=key))

    def subscription_cancel(self, *, account_id: str | None, subscription_id: str) -> None:
        self._call("subscriptions.cancel", self.client.v1.subscriptions.cancel, subscription_id,
                   options=self._options(account_id=account_id))

    # --- Stripe Billing on the platform account ----------------------------------------------

    def platform_checkout(self, *, organization_id: int, plan_name: str, amount_minor: int, currency: str,
                          customer_id: str, customer_email: str, success_url: str, cancel_url: str,
                          key: str) -> Checkout:
        metadata = {"coachos_platform_org": str(organization_id)}
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"quantity": 1, "price_data": {
                "currency": currency.lower(), "unit_amount": amount_minor, "recurring": {"interval": "month"},
                "product_data": {"name": f"Coach OS {plan_name}"}}}],
            "subscription_data": {"metadata": metadata},
            "metadata": metadata,
            "client_reference_id": f"org-{organization_id}",
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_id:
            params["customer"] = customer_id
        elif customer_email:
            params["customer_email"] = customer_email
        session = self._call("checkout.sessions.create", self.client.v1.checkout.sessions.create, params=params,
                             options=self._options(key=key))
        return Checkout(str(session.id), str(session.url), _when(getattr(session, "expires_at", None)))


def local_processing_fee(amount_minor: int, currency: str) -> int:
    """What Stripe would typically take on a card payment: 2.9% + 30 minor units (local mode only)."""
    return (amount_minor * 29 + 500) // 1000 + 30 if amount_minor else 0


class LocalGateway:
    """No Stripe: the app's own test checkout stands in (see ``local.py``)."""

    local = True

    def connect_account_create(self, *, organization_id: int, country: str = "") -> str:
        raise GatewayError("Connecting Stripe needs STRIPE_SECRET_KEY. In test mode, payments use the local checkout.")

    def connect_onboarding_link(self, *, account_id: str, refresh_url: str, return_url: str) -> str:
        raise GatewayError("Connecting Stripe needs STRIPE_SECRET_KEY.")

    def account_state(self, *, account_id: str) -> AccountState:
        return AccountState(False, False, False)

    def checkout_payment(self, *, account_id: str | None, purchase_id: int, name: str, amount_minor: int,
                         currency: str, application_fee_minor: int, customer_email: str, metadata: dict[str, str],
                         success_url: str, cancel_url: str, key: str) -> Checkout:
        _require_test_mode()
        return Checkout(*local_checkout.checkout_for(kind="purchase", object_id=purchase_id, key=key,
                                                     success_url=success_url, cancel_url=cancel_url))

    def checkout_subscription(self, *, account_id: str | None, purchase_id: int, name: str, amount_minor: int,
                              currency: str, fee_bps: int, customer_email: str, metadata: dict[str, str],
                              success_url: str, cancel_url: str, key: str) -> Checkout:
        _require_test_mode()
        return Checkout(*local_checkout.checkout_for(kind="purchase", object_id=purchase_id, key=key,
                                                     success_url=success_url, cancel_url=cancel_url))

    def refund(self, *, account_id: str | None, payment_intent_id: str, amount_minor: int, key: str) -> str:
        return "re_local_" + hashlib.sha256(key.encode()).hexdigest()[:24]

    def processing_fee(self, *, account_id: str | None, payment_intent_id: str, amount_minor: int,
                       currency: str) -> int | None:
        return local_processing_fee(amount_minor, currency)

    def subscription_pause(self, *, account_id: str | None, subscription_id: str, key: str) -> None:
        return None

    def subscription_cancel(self, *, account_id: str | None, subscription_id: str) -> None:
        return None

    def platform_checkout(self, *, organization_id: int, plan_name: str, amount_minor: int, currency: str,
                          customer_id: str, customer_email: str, success_url: str, cancel_url: str,
                          key: str) -> Checkout:
        _require_test_mode()
        return Checkout(*local_checkout.checkout_for(kind="platform", object_id=organization_id, key=key))


_override: Gateway | None = None


def get_gateway() -> Gateway:
    """Stripe when ``STRIPE_SECRET_KEY`` is set, otherwise the local test gateway."""
    if _override is not None:
        return _override
    key = getattr(settings, "STRIPE_SECRET_KEY", "")
    if key:
        return StripeGateway(key)
    return LocalGateway()


def test_mode() -> bool:
    """Whether the local test checkout (credits and bookings without money) may exist: only with
    ``DEBUG`` or an explicit ``PAYMENTS_TEST_MODE=1``. Otherwise a business without Stripe takes
    manual payments only."""
    return bool(getattr(settings, "DEBUG", False) or getattr(settings, "PAYMENTS_TEST_MODE", False))


def is_local() -> bool:
    """The local test checkout stands in for Stripe (no key, and test mode allowed)."""
    return get_gateway().local and test_mode()


def _require_test_mode() -> None:
    if not test_mode():
        raise GatewayError("Online payments need Stripe: this business takes manual payments only.")


def use_gateway(gateway: Gateway | None) -> None:
    """Tests: replace the gateway (None restores the default)."""
    global _override
    _override = gateway
