"""Calendar secrets (CalDAV app passwords, Google refresh tokens) stored encrypted with Fernet, the
way accounts stores TOTP secrets (``coachos.accounts.mfa``): the key is ``MFA_ENCRYPTION_KEY`` when
set, else derived from ``SECRET_KEY``, with this module's own context string."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet
from django.conf import settings

PREFIX = "fernet:"


def _fernet() -> Fernet:
    secret = settings.MFA_ENCRYPTION_KEY or settings.SECRET_KEY
    key = hashlib.sha256(("coachos.integrations:" + secret).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str) -> str:
    return PREFIX + _fernet().encrypt(text.encode()).decode() if text else ""


def unseal(sealed: str) -> str:
    if not sealed.startswith(PREFIX):
        return ""
    return _fernet().decrypt(sealed[len(PREFIX):].encode()).decode()
