"""The local test checkout's sessions and signed tokens (no Stripe key): what ``LocalGateway``
hands out and the test checkout pages read. Apart from ``local.py`` (which delivers the events
through ``webhooks``) so that the gateway does not import the webhook pipeline."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django_scopes import scopes_disabled

from .models import BillingAccount, Purchase

TOKEN_SALT = "coachos.billing.local-checkout"


def _hash(*parts: object) -> str:
    return hashlib.sha256("-".join(str(p) for p in parts).encode()).hexdigest()[:24]


def _site_path(url: str) -> str:
    """The path (and query) of a URL on this site: where the test checkout sends the client back."""
    parts = urlsplit(url)
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def checkout_for(*, kind: str, object_id: int, key: str, success_url: str = "",
                 cancel_url: str = "") -> tuple[str, str]:
    """A local checkout session: the same key gives the same session, as with Stripe. Like
    Stripe, it sends the client back to ``success_url`` after paying and ``cancel_url`` otherwise
    (kept in the signed token, as paths on this site). Returns (session id, checkout URL)."""
    session_id = f"cs_test_local_{_hash(key)}"
    data: dict[str, Any] = {"k": kind, "id": object_id, "s": session_id}
    if success_url and _site_path(success_url):
        data["r"] = _site_path(success_url)
    if cancel_url and _site_path(cancel_url):
        data["c"] = _site_path(cancel_url)
    token = signing.dumps(data, salt=TOKEN_SALT)
    with scopes_disabled():
        if kind == "platform":
            slug = BillingAccount.objects.select_related("organization").get(organization_id=object_id) \
                .organization.slug
            path = reverse("billing:platform_test_checkout", kwargs={"org_slug": slug, "token": token})
        else:
            slug = Purchase.objects.select_related("organization").get(pk=object_id).organization.slug
            path = reverse("portal_billing:test_checkout", kwargs={"org_slug": slug, "token": token})
    return session_id, f"{settings.PUBLIC_BASE_URL}{path}"


def read_token(token: str, kind: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=60 * 60 * 24)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") != kind or not isinstance(data.get("id"), int):
        return None
    return data["id"], str(data.get("s") or "")


def return_paths(token: str) -> tuple[str, str]:
    """(after paying, after cancelling) as named when the checkout was made; "" when not named."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=60 * 60 * 24)
    except signing.BadSignature:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    return str(data.get("r") or ""), str(data.get("c") or "")
