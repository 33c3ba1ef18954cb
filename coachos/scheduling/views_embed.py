"""/book/<org_slug>/embed/: the booking page without the site's chrome, for an <iframe> on the
business's own website. It is the only page another origin may frame (frame-ancestors *, no
X-Frame-Options); every other page keeps frame-ancestors 'none' and X-Frame-Options DENY. Its
links open the booking steps in a new tab: those pages refuse to be framed."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from coachos.tenancy.access import public_org_view

from . import picker

EMBED_CSP = {"frame-ancestors": ["*"]}


@require_GET
@xframe_options_exempt
@csp_replace(EMBED_CSP)
@public_org_view
def embed(request: HttpRequest, org_slug: str) -> HttpResponse:
    return render(request, "scheduling/public/embed.html", {
        "types": list(picker.bookable_types()),
        "coaches": list(picker.bookable_coaches(now=timezone.now())),
    })
