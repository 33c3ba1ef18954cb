"""Feature flags (django-waffle) for gradual roll-out per business: ``flag_active(request_or_org, name)``.

Flags are managed by platform staff at /admin/waffle/flag/. For a business, a flag is:

- on for everyone / off for everyone when "Everyone" says Yes / No;
- else on for a stable share of businesses when "Percent" is set (each business falls in the same
  bucket every time, so raising 10 → 50 keeps the first 10 % on);
- else, for a request, on for the users, groups, staff or superusers the flag lists (waffle's own rules);
- else off (an unknown flag is off: ``WAFFLE_FLAG_DEFAULT``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings


def _bucket(name: str, organization_id: int) -> float:
    digest = hashlib.sha256(f"{name}:{organization_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10000 / 100  # 0.00 … 99.99


def flag_active(request_or_org: Any, name: str) -> bool:
    from waffle import get_waffle_flag_model

    flag = get_waffle_flag_model().get(name)
    if flag.pk is None:
        return bool(getattr(settings, "WAFFLE_FLAG_DEFAULT", False))
    if flag.everyone is not None:
        return bool(flag.everyone)
    is_request = hasattr(request_or_org, "META")
    organization = getattr(request_or_org, "organization", None) if is_request else request_or_org
    if organization is not None and getattr(organization, "pk", None) is not None and flag.percent:
        if _bucket(name, organization.pk) < float(flag.percent):
            return True
    user = getattr(request_or_org, "user", None) if is_request else None
    if user is not None and getattr(user, "is_authenticated", False):
        return bool(flag.is_active_for_user(user))
    return False
