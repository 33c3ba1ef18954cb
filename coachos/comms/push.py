"""Web push: the only code that talks to push services (the official ``pywebpush`` + ``py_vapid``).

A browser that agrees to notifications gives us a subscription: its push service's endpoint URL and
two keys. A push is a JSON payload encrypted for that browser (RFC 8291, ``aes128gcm``) and POSTed
to the endpoint with a VAPID token (RFC 8292) signed by this server's key, so the push service
knows who sends. Keys come from ``VAPID_PUBLIC_KEY`` / ``VAPID_PRIVATE_KEY`` (``manage.py
vapid_keys`` makes a pair); without both, push is off and the channel is hidden everywhere.

Errors come back as ``gateways.GatewayError``: 404/410 (the push service forgot the device) is
``push_gone`` — the sender then deletes the subscription; 429 and 5xx may be retried; other 4xx
are permanent.
"""

from __future__ import annotations

import base64
import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlparse

from django.conf import settings
from django.utils.translation import gettext as _

from .gateways import GatewayError

GONE_CODE = "push_gone"
TIMEOUT_SECONDS = 10


def enabled() -> bool:
    """Push is offered only when this server has a VAPID key pair."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def public_key() -> str:
    """The application server key a browser subscribes with (base64url, uncompressed P-256 point)."""
    return str(settings.VAPID_PUBLIC_KEY) if enabled() else ""


def subject() -> str:
    """Who the push services may contact about our pushes (``mailto:`` or ``https:``)."""
    if settings.VAPID_SUBJECT:
        return str(settings.VAPID_SUBJECT)
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()
    return f"mailto:{address}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def generate_keys() -> tuple[str, str]:
    """A new VAPID key pair: (public, private), both base64url (the forms the settings take)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(public), _b64url(private)


# --- checking what a browser sends -------------------------------------------------------------------

def endpoint_problem(endpoint: str) -> str:
    """Why this endpoint may not be used, or "". Our server POSTs to it, so it must be a push
    service on the internet: https, a host name or public address (not this machine or a private
    network), unless PUSH_ENDPOINT_ALLOW_LOCAL (tests, local development)."""
    if not endpoint or len(endpoint) > 1000:
        return _("The subscription's endpoint is missing or too long.")
    parts = urlparse(endpoint)
    allow_local = settings.PUSH_ENDPOINT_ALLOW_LOCAL
    if parts.scheme != "https" and not (allow_local and parts.scheme == "http"):
        return _("The subscription's endpoint must be an https address.")
    host = parts.hostname or ""
    if not host:
        return _("The subscription's endpoint has no host.")
    if allow_local:
        return ""
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return _("The subscription's endpoint must be a push service on the internet.")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return ""
    if not address.is_global:
        return _("The subscription's endpoint must be a push service on the internet.")
    return ""


def keys_problem(p256dh: str, auth: str) -> str:
    """Why these subscription keys cannot encrypt a push, or ""."""
    try:
        public = _b64url_decode(p256dh)
        secret = _b64url_decode(auth)
    except (ValueError, TypeError):
        return _("The subscription's keys are not valid base64url.")
    if len(public) != 65 or public[0] != 4:
        return _("The subscription's p256dh key is not a P-256 public key.")
    if len(secret) != 16:
        return _("The subscription's auth secret must be 16 bytes.")
    return ""


# --- sending -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Push:
    endpoint: str
    p256dh: str
    auth: str
    payload: dict[str, Any] = field(default_factory=dict)
    ttl: int = 24 * 3600  # how long the push service keeps it for a device that is offline
    urgency: str = "normal"


class PushGateway(Protocol):
    def send(self, push: Push) -> str: ...


class WebPushGateway:
    """pywebpush: encrypts with the subscription's keys (aes128gcm) and signs a VAPID token."""

    def send(self, push: Push) -> str:
        import requests
        from py_vapid import Vapid
        from pywebpush import WebPushException, webpush

        if not enabled():
            raise GatewayError(_("Push notifications are not set up on this server."), code="push_off",
                               permanent=True)
        vapid = Vapid.from_string(private_key=settings.VAPID_PRIVATE_KEY)
        try:
            response = webpush(
                subscription_info={"endpoint": push.endpoint, "keys": {"p256dh": push.p256dh, "auth": push.auth}},
                data=json.dumps(push.payload, ensure_ascii=False), vapid_private_key=vapid,
                vapid_claims={"sub": subject()}, ttl=push.ttl, timeout=TIMEOUT_SECONDS,
                headers={"Urgency": push.urgency},
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            # The push service's body may echo the endpoint: only the status is kept.
            if status in (404, 410):
                raise GatewayError(_("The device no longer accepts notifications (it turned them off or its "
                                     "subscription expired), so it was removed."), code=GONE_CODE,
                                   permanent=True) from exc
            if status is None or status == 429 or status >= 500:
                raise GatewayError(f"Push service {status or 'error'}", code=str(status or "")) from exc
            raise GatewayError(f"Push service refused it ({status})", code=str(status), permanent=True) from exc
        except requests.RequestException as exc:
            raise GatewayError(f"Push service unreachable: {exc.__class__.__name__}") from exc
        location = str(getattr(response, "headers", {}).get("Location", "") or "")
        return location.rsplit("/", 1)[-1][:64] or "push"


_override: PushGateway | None = None


def push_gateway() -> PushGateway:
    return _override if _override is not None else WebPushGateway()


def use_push_gateway(gateway: PushGateway | None) -> None:
    """Tests and tools may put a gateway of their own in place (None restores the real one)."""
    global _override
    _override = gateway
