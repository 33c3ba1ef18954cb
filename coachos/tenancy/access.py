"""Declaring who may use an organization's page, and reading what the request resolved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "__public__"


def org_view(perm: str) -> Callable[[F], F]:
    """Mark a view under /o/<org_slug>/ or /portal/<org_slug>/ with the permission it needs.

    The tenancy middleware enforces it before the view runs. A view under an organization
    URL that declares nothing is refused (fails closed).
    """

    def decorate(view: F) -> F:
        view.coachos_perm = perm  # type: ignore[attr-defined]
        return view

    return decorate


def public_org_view(view: F) -> F:
    """An organization page anyone may open (the public booking page, later)."""
    view.coachos_perm = PUBLIC  # type: ignore[attr-defined]
    return view
