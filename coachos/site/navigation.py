"""Back-office and portal navigation (the top floor: it names every app's pages). An item is listed
once its feature has landed."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Perm


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str


BACKOFFICE: tuple[NavItem, ...] = (
    NavItem(_("Dashboard"), "backoffice:dashboard", Perm.BACKOFFICE),
    NavItem(_("Calendar"), "calendar:index", Perm.BACKOFFICE),
    NavItem(_("Schedule"), "setup:index", Perm.BACKOFFICE),
    NavItem(_("Clients"), "clients:list", Perm.BACKOFFICE),
    NavItem(_("Messages"), "comms:outbox", Perm.BACKOFFICE),
    NavItem(_("Onboarding"), "onboarding:index", Perm.BACKOFFICE),
    NavItem(_("Packages"), "packages:index", Perm.BACKOFFICE),
    NavItem(_("Payments"), "billing:index", Perm.MONEY),
    NavItem(_("Books"), "books:index", Perm.MONEY),
    NavItem(_("Automations"), "automations:index", Perm.BACKOFFICE),
    NavItem(_("Team"), "backoffice:team", Perm.BACKOFFICE),
    NavItem(_("Audit log"), "backoffice:audit", Perm.AUDIT),
    NavItem(_("Settings"), "backoffice:settings", Perm.SETTINGS),
)

PORTAL: tuple[NavItem, ...] = (
    NavItem(_("Home"), "portal:home", Perm.PORTAL),
    NavItem(_("Bookings"), "portal_bookings:index", Perm.PORTAL),
    NavItem(_("Packages"), "portal_packages:index", Perm.PORTAL),
    NavItem(_("Payments"), "portal_billing:index", Perm.PORTAL),
)


def _is_current(current: str, url_name: str) -> bool:
    """A feature's own namespace (calendar:, setup:, …) highlights its item on every sub-page."""
    namespace = url_name.split(":")[0]
    if current == url_name:
        return True
    return namespace not in {"backoffice", "portal"} and current.startswith(namespace + ":")


def nav_for(membership: Membership, organization: Organization, request: HttpRequest) -> list[dict[str, object]]:
    items = BACKOFFICE if membership.is_team else PORTAL
    current = request.resolver_match.view_name if request.resolver_match else ""
    return [
        {
            "label": item.label,
            "url": reverse(item.url_name, kwargs={"org_slug": organization.slug}),
            "active": _is_current(current, item.url_name),
        }
        for item in items
        if membership.has(item.perm)
    ]
