"""Help: short guides for people, in the back office, in the client portal and outside a business.

The guides are templates (``site/help/guides/<slug>.html``), every sentence through
``{% blocktranslate %}``. The team sees all of them; a client sees the client guide in the portal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm


@dataclass(frozen=True)
class Guide:
    slug: str
    title: Promise
    summary: Promise
    for_clients: bool = False

    @property
    def template(self) -> str:
        return f"site/help/guides/{self.slug}.html"


GUIDES: tuple[Guide, ...] = (
    Guide("coaches", _("Getting started as a coach"),
          _("From an empty calendar to your first booked client.")),
    Guide("clients", _("Getting started as a client"),
          _("Booking, cancelling, packages and messages in your client portal."), for_clients=True),
    Guide("booking-rules", _("Booking rules"),
          _("Notice, how far ahead, buffers, and cancelling late.")),
    Guide("packages", _("Packages and credits"),
          _("Selling packs of sessions and how credits are used and given back.")),
    Guide("messages", _("Messages and quiet hours"),
          _("Texts and emails to clients, replies, and when nothing is sent.")),
    Guide("payments", _("Payments"),
          _("Card payments with Stripe, cash and bank transfers, refunds.")),
)
BY_SLUG = {guide.slug: guide for guide in GUIDES}
CLIENT_GUIDE = BY_SLUG["clients"]


def _guide(slug: str) -> Guide:
    try:
        return BY_SLUG[slug]
    except KeyError:
        raise Http404 from None


# --- the back office: /o/<slug>/help/ ----------------------------------------------------------

@org_view(Perm.BACKOFFICE)
@require_GET
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    return render(request, "site/help/index.html", {"base": "backoffice.html", "guides": GUIDES,
                                                    "where": "backoffice"})


@org_view(Perm.BACKOFFICE)
@require_GET
def guide(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    return render(request, "site/help/guide.html", {"base": "backoffice.html", "guide": _guide(slug),
                                                    "guides": GUIDES, "where": "backoffice"})


# --- the client portal: /portal/<slug>/help/ ---------------------------------------------------

@org_view(Perm.PORTAL)
@require_GET
def portal_guide(request: HttpRequest, org_slug: str) -> HttpResponse:
    return render(request, "site/help/guide.html", {"base": "portal.html", "guide": CLIENT_GUIDE,
                                                    "guides": (), "where": "portal"})


# --- outside a business: /help/ ----------------------------------------------------------------

@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    return render(request, "site/help/index.html", {"base": "base.html", "guides": GUIDES, "where": "public"})


@require_GET
def public_guide(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "site/help/guide.html", {"base": "base.html", "guide": _guide(slug),
                                                    "guides": GUIDES, "where": "public"})
