"""TOTP secrets and recovery seeds are stored encrypted (Fernet), not in the clear.

The key is ``MFA_ENCRYPTION_KEY`` when set (so that ``SECRET_KEY`` can rotate without locking
everybody out of two-factor), otherwise derived from ``SECRET_KEY``.
"""

from __future__ import annotations

import base64
import hashlib

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from django.conf import settings

PREFIX = "fernet:"


def _fernet() -> Fernet:
    secret = settings.MFA_ENCRYPTION_KEY or settings.SECRET_KEY
    key = hashlib.sha256(("coachos.mfa:" + secret).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return PREFIX + _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(PREFIX):
            return encrypted_text  # written before encryption was switched on
        return _fernet().decrypt(encrypted_text[len(PREFIX):].encode()).decode()
