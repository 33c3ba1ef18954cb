"""Helpers shared by the API routers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _


def require_perm(request: HttpRequest, perm: str) -> None:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.has(perm):
        raise PermissionDenied(_("Your role in this business does not allow this."))
