from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    organization = getattr(request, "organization", None)
    return {"nav_items": nav_for(membership, organization, request) if membership else []}
