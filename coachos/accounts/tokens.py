"""Personal API tokens: ``cos_<prefix>_<secret>``; only a SHA-256 of the whole token is kept.

The secret has 256 bits of entropy, so a fast hash is the right tool (a slow password hash
would only slow every API call).
"""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone
from django_scopes import scopes_disabled

from .models import ApiToken

TOKEN_PREFIX = "cos_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_token() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


def token_authenticate(raw: str) -> ApiToken | None:
    """The active token for a raw bearer string, or None. Marks it used (at most once a minute)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    with scopes_disabled():
        token = (
            ApiToken.objects.select_related("organization", "user")
            .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
