"""Back-office and portal navigation (the top floor: it names every app's pages). An item is listed
once its feature has landed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coachos.chat.pages import unread_conversations
from coachos.chat.viewers import viewer_for
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Perm


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str
    # Other namespaces whose pages this item stands for (it is highlighted on them too).
    also: tuple[str, ...] = ()
    # A count shown next to the label (computed only when the page shows it).
    badge: str = ""


BACKOFFICE: tuple[NavItem, ...] = (
    NavItem(_("Dashboard"), "backoffice:dashboard", Perm.BACKOFFICE),
    NavItem(_("Calendar"), "calendar:index", Perm.BACKOFFICE),
    NavItem(_("Schedule"), "setup:index", Perm.BACKOFFICE),
    NavItem(_("Calendars"), "integrations:index", Perm.BACKOFFICE),
    NavItem(_("Clients"), "clients:list", Perm.BACKOFFICE),
    NavItem(_("Notes"), "notes:index", Perm.BACKOFFICE),
    NavItem(_("Library"), "library:index", Perm.BACKOFFICE),
    NavItem(_("Messages"), "chat:index", Perm.BACKOFFICE, also=("comms",), badge="unread_conversations"),
    NavItem(_("Onboarding"), "onboarding:index", Perm.BACKOFFICE),
    NavItem(_("Packages"), "packages:index", Perm.BACKOFFICE),
    NavItem(_("Payments"), "billing:index", Perm.MONEY),
    NavItem(_("Books"), "books:index", Perm.MONEY),
    NavItem(_("Insights"), "insights:index", Perm.BACKOFFICE),
    NavItem(_("Automations"), "automations:index", Perm.BACKOFFICE),
    NavItem(_("Team"), "backoffice:team", Perm.BACKOFFICE),
    NavItem(_("Audit log"), "backoffice:audit", Perm.AUDIT),
    NavItem(_("Settings"), "backoffice:settings", Perm.SETTINGS),
)

PORTAL: tuple[NavItem, ...] = (
    NavItem(_("Home"), "portal:home", Perm.PORTAL),
    NavItem(_("Messages"), "portal_chat:index", Perm.PORTAL, badge="unread_conversations"),
    # Its session pages (portal_sessions, notes' app) are the bookings' details and history.
    NavItem(_("Bookings"), "portal_bookings:index", Perm.PORTAL, also=("portal_sessions",)),
    NavItem(_("Progress"), "portal_progress:index", Perm.PORTAL),
    NavItem(_("Journal"), "portal_journal:index", Perm.PORTAL),
    NavItem(_("Library"), "portal_library:index", Perm.PORTAL),
    NavItem(_("Packages"), "portal_packages:index", Perm.PORTAL),
    NavItem(_("Payments"), "portal_billing:index", Perm.PORTAL),
    NavItem(_("Settings"), "portal_notifications:preferences", Perm.PORTAL),  # notifications and language
)


def _is_current(current: str, url_name: str, also: tuple[str, ...] = ()) -> bool:
    """A feature's own namespace (calendar:, setup:, …) highlights its item on every sub-page."""
    namespace = url_name.split(":")[0]
    if current == url_name:
        return True
    if any(current.startswith(other + ":") for other in also):
        return True
    return namespace not in {"backoffice", "portal", "portal_notifications"} and current.startswith(namespace + ":")


class _Count:
    """A badge's number, counted the first time a template asks (templates call callables), once."""

    def __init__(self, count: Callable[[], int]) -> None:
        self._count = count
        self._value: int | None = None

    def __call__(self) -> int:
        if self._value is None:
            self._value = self._count()
        return self._value


def _unread_conversations(membership: Membership, organization: Organization, request: HttpRequest) -> int:
    viewer = viewer_for(user=request.user, organization=organization, membership=membership)
    return unread_conversations(viewer) if viewer is not None else 0


BADGES: dict[str, Callable[[Membership, Organization, HttpRequest], int]] = {
    "unread_conversations": _unread_conversations,
}


def nav_for(membership: Membership, organization: Organization, request: HttpRequest) -> list[dict[str, object]]:
    items = BACKOFFICE if membership.is_team else PORTAL
    current = request.resolver_match.view_name if request.resolver_match else ""
    return [
        {
            "label": item.label,
            "url": reverse(item.url_name, kwargs={"org_slug": organization.slug}),
            "active": _is_current(current, item.url_name, item.also),
            "badge": _Count(partial(BADGES[item.badge], membership, organization, request)) if item.badge else None,
        }
        for item in items
        if membership.has(item.perm)
    ]
