"""The first-run helpers on the dashboard: the booking link's QR code and "shared" tick, and the
checklist's explicit choices (no SMS number, payments by hand)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from .services import SETUP_CHOICES, booking_link_shared, setup_choice_record


def booking_qr_svg(link: str) -> bytes:
    image = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


@require_GET
@org_view(Perm.BACKOFFICE)
def booking_link_qr(request: HttpRequest, org_slug: str) -> HttpResponse:
    link = request.build_absolute_uri(reverse("booking:index", kwargs={"org_slug": org_slug}))
    response = HttpResponse(booking_qr_svg(link), content_type="image/svg+xml")
    if request.GET.get("download"):
        booking_link_shared(organization=request.organization, actor=request.user)
        response["Content-Disposition"] = f'attachment; filename="booking-link-{org_slug}.svg"'
    return response


@require_POST
@org_view(Perm.BACKOFFICE)
def booking_link_shared_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    booking_link_shared(organization=request.organization, actor=request.user)
    return HttpResponse(status=204)


@require_POST
@org_view(Perm.SETTINGS)
def setup_choice(request: HttpRequest, org_slug: str) -> HttpResponse:
    choice = request.POST.get("choice", "")
    if choice not in SETUP_CHOICES:
        raise Http404("No such choice.")
    setup_choice_record(organization=request.organization, actor=request.user, choice=choice)
    return redirect("backoffice:dashboard", org_slug=org_slug)
