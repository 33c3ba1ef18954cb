from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .middleware import memberships_of


def tenancy(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    organization = getattr(request, "organization", None)
    user = getattr(request, "user", None)
    return {
        "organization": organization,
        "membership": membership,
        "my_memberships": (lambda: memberships_of(user)),
    }
