"""The client portal's packages: /portal/<org_slug>/packages/.

A client sees only their own packages: every lookup goes through the client record of the
signed-in user, so another client's package is a 404 like another business's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.scheduling.templatetags.booking_tags import clock, day
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from .models import ClientPackage, CreditEntry

LOW_THRESHOLD = 1
EXPIRING_DAYS = 14


def _client(request: HttpRequest) -> Client | None:
    return Client.objects.filter(user=request.user).order_by("pk").first()


def _state(package: ClientPackage, now: datetime) -> ClientPackage:
    """What the client needs to know at a glance: usable, low, expiring soon, or over."""
    usable = package.status == ClientPackage.Status.ACTIVE and package.expires_at > now
    package.usable = usable  # type: ignore[attr-defined]
    package.is_low = usable and package.remaining <= LOW_THRESHOLD  # type: ignore[attr-defined]
    package.is_expiring = usable and package.expires_at <= now + timedelta(days=EXPIRING_DAYS)  # type: ignore[attr-defined]
    package.used = package.total - package.remaining if usable else None  # type: ignore[attr-defined]
    return package


def entry_text(entry: CreditEntry, tz: Any) -> str:
    """A ledger row in plain words, the way a client would say it."""
    kind = entry.kind
    if kind == CreditEntry.Kind.USE:
        booking = entry.booking
        if booking is not None:
            session = booking.session
            return _("Used for %(day)s, %(time)s %(type)s") % {
                "day": day(session.starts_at, tz), "time": clock(session.starts_at, tz),
                "type": session.session_type.name}
        return _("Used for a session")
    if kind == CreditEntry.Kind.RELEASE:
        return _("Returned: %(reason)s") % {"reason": entry.reason} if entry.reason else _("Returned")
    if kind == CreditEntry.Kind.EXPIRY:
        return _("Expired")
    if kind == CreditEntry.Kind.PURCHASE:
        return _("Bought")
    if kind == CreditEntry.Kind.GRANT:
        return _("Added by your coach")
    if entry.reason:
        return _("Changed by your coach: %(reason)s") % {"reason": entry.reason}
    return _("Changed by your coach")


@org_view(Perm.PORTAL)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = _client(request)
    now = timezone.now()
    packages = [] if client is None else [
        _state(p, now) for p in ClientPackage.objects.filter(client=client).order_by("expires_at", "id")
    ]
    current = [p for p in packages if p.usable]  # type: ignore[attr-defined]
    past = [p for p in reversed(packages) if not p.usable]  # type: ignore[attr-defined]
    return render(request, "credits/portal/index.html", {
        "client": client, "current": current, "past": past,
        "credits_left": sum(p.remaining for p in current),
    })


@org_view(Perm.PORTAL)
def detail(request: HttpRequest, org_slug: str, package_id: int) -> HttpResponse:
    client = _client(request)
    if client is None:
        raise Http404("No client record.")
    package = _state(get_object_or_404(ClientPackage, pk=package_id, client=client), timezone.now())
    tz = request.organization.tzinfo
    entries = CreditEntry.objects.filter(package=package).select_related(
        "booking__session__session_type").order_by("-created_at", "-id")
    history = [{"entry": e, "text": entry_text(e, tz)} for e in entries]
    return render(request, "credits/portal/detail.html", {"package": package, "history": history})
