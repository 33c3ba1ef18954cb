"""A stand-in for a browser's push service, on loopback, for the web push tests.

It plays both ends a real push costs us: the *push service* (checks the VAPID token of RFC 8292 —
ES256 over ``aud``/``exp``/``sub``, signed by the key in ``k``) and the *browser* (holds the
subscription's private key and auth secret and decrypts the RFC 8291 ``aes128gcm`` payload with
``http_ece``). Each POST to ``/push/<token>`` is recorded; a token can be told to answer 410
(expired) or 500 (down for a moment).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class Device:
    """A browser's side of one subscription: its key pair and auth secret."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def subscription_json(self, label: str = "Chromium · Linux") -> dict[str, Any]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}, "label": label}


@dataclass
class Received:
    token: str
    headers: dict[str, str]
    payload: dict[str, Any]
    claims: dict[str, Any]
    vapid_key: str


@dataclass
class PushService:
    url: str
    devices: dict[str, Device] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)  # token → status to answer instead of 201
    errors: list[str] = field(default_factory=list)

    def device(self, token: str) -> Device:
        found = Device(token=token, endpoint=f"{self.url}/push/{token}",
                       private_key=ec.generate_private_key(ec.SECP256R1()), auth_secret=token.encode()[:16].ljust(16, b"."))
        self.devices[token] = found
        return found


def verify_vapid(authorization: str, audience: str) -> tuple[dict[str, Any], str]:
    """Check ``vapid t=<jwt>,k=<key>`` as a push service does; returns (claims, key) or raises."""
    scheme, _, params = authorization.partition(" ")
    assert scheme.lower() == "vapid", f"not a VAPID token: {scheme}"
    parts = dict(item.strip().split("=", 1) for item in params.split(","))
    token, key = parts["t"], parts["k"]
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(unb64url(header_b64))
    assert header["alg"] == "ES256", header
    signature = unb64url(signature_b64)
    assert len(signature) == 64
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(unb64url(claims_b64))
    assert claims["aud"] == audience, (claims["aud"], audience)
    assert int(claims["exp"]) > time.time(), "expired token"
    assert int(claims["exp"]) <= time.time() + 24 * 3600, "a VAPID token may live 24 hours at most"
    assert claims["sub"].startswith(("mailto:", "https:")), claims["sub"]
    return claims, key


def _handler(service: PushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            token = self.path.rsplit("/", 1)[-1]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            device = service.devices.get(token)
            try:
                assert device is not None, f"unknown subscription {token}"
                claims, key = verify_vapid(self.headers.get("Authorization", ""), service.url)
                assert self.headers.get("Content-Encoding") == "aes128gcm", self.headers.get("Content-Encoding")
                assert self.headers.get("TTL", "").isdigit(), "a push must say its TTL"
                plain = http_ece.decrypt(body, private_key=device.private_key, auth_secret=device.auth_secret,
                                         version="aes128gcm")
                service.received.append(Received(token=token, headers={k.lower(): v for k, v in self.headers.items()},
                                                 payload=json.loads(plain), claims=claims, vapid_key=key))
            except (AssertionError, InvalidSignature, ValueError, KeyError) as exc:
                service.errors.append(f"{exc.__class__.__name__}: {exc}")
                self.send_response(400)
                self.end_headers()
                return
            status = service.answers.get(token, 201)
            self.send_response(status)
            if status == 201:
                self.send_header("Location", f"{service.url}/message/{len(service.received)}")
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


class running:  # noqa: N801 - used as a context manager, like open()
    """``with running() as service:`` a push service on a free loopback port, stopped afterwards."""

    def __enter__(self) -> PushService:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(PushService(url="")))
        host, port = self.server.server_address[:2]
        service = PushService(url=f"http://{host}:{port}")
        self.server.RequestHandlerClass = _handler(service)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return service

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
