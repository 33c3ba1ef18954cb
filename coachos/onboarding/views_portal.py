"""The client's onboarding: details → questionnaire(s) → waiver → first booking. Progress is
saved after each step, so leaving and coming back resumes at the first step not done."""

from __future__ import annotations

import base64
import binascii

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import services
from .forms import IntakeFillForm, SignForm, profile_form_class
from .models import IntakeForm, WaiverSignature, WaiverTemplate
from .views import pdf_response

DATA_URL_PREFIX = "data:image/png;base64,"


def _client(request: HttpRequest) -> Client:
    client = Client.objects.filter(user=request.user).order_by("pk").first()
    if client is None:
        raise Http404("No client record.")
    return client


def _steps_context(client: Client, current: str) -> dict[str, object]:
    steps = services.steps_for(client)
    return {"steps": steps, "current": current, "done_count": sum(s.done for s in steps), "total": len(steps)}


def _continue(client: Client) -> HttpResponse:
    step = services.next_step(client)
    if step is None:
        return redirect("onboarding_portal:start", org_slug=client.organization.slug)
    return redirect(step.url)


@org_view(Perm.PORTAL)
def start(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = _client(request)
    step = services.next_step(client)
    if step is not None and request.GET.get("overview") != "1":
        return redirect(step.url)
    return render(request, "onboarding/portal_start.html", {**_steps_context(client, ""), "client": client})


@org_view(Perm.PORTAL)
def profile(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = _client(request)
    form = profile_form_class()(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        services.profile_save(client=client, data=form.cleaned_data, actor=request.user)
        return _continue(client)
    return render(request, "onboarding/portal_profile.html", {**_steps_context(client, "profile"), "form": form})


@org_view(Perm.PORTAL)
def forms_step(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = _client(request)
    missing = services.forms_missing(client)
    if missing:
        return redirect("onboarding_portal:form", org_slug=org_slug, intakeform_id=missing[0].pk)
    return _continue(client)


@org_view(Perm.PORTAL)
def form_fill(request: HttpRequest, org_slug: str, intakeform_id: int) -> HttpResponse:
    client = _client(request)
    intake = get_object_or_404(IntakeForm, pk=intakeform_id, active=True)
    form = IntakeFillForm(request.POST or None, questions=list(intake.questions.all()))
    if request.method == "POST" and form.is_valid():
        services.intake_response_submit(client=client, form=intake, cleaned=form.cleaned_data, actor=request.user)
        messages.success(request, _("Thank you, your answers were sent."))
        return _continue(client)
    return render(request, "onboarding/portal_form.html", {**_steps_context(client, "forms"), "intake": intake,
                                                           "form": form})


@org_view(Perm.PORTAL)
def waiver_step(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = _client(request)
    missing = services.waivers_missing(client)
    if missing:
        return redirect("onboarding_portal:sign", org_slug=org_slug, waivertemplate_id=missing[0].template_id)
    return _continue(client)


def _png_from(data_url: str) -> bytes | None:
    if not data_url:
        return None
    if not data_url.startswith(DATA_URL_PREFIX):
        raise services.OnboardingError(_("The signature image is not a PNG. Please clear it and sign again."))
    try:
        return base64.b64decode(data_url[len(DATA_URL_PREFIX):], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise services.OnboardingError(_("The signature image is damaged. Please clear it and sign again.")) from exc


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR as the server saw it; behind a proxy the deployment sets it from X-Forwarded-For.
    return request.META.get("REMOTE_ADDR") or None


@org_view(Perm.PORTAL)
def sign(request: HttpRequest, org_slug: str, waivertemplate_id: int) -> HttpResponse:
    client = _client(request)
    template = get_object_or_404(WaiverTemplate, pk=waivertemplate_id, active=True)
    version = template.current_version()
    if version is None:
        raise Http404("No text.")
    already = WaiverSignature.objects.filter(client=client, version=version).first()
    form = SignForm(request.POST or None, initial={"full_name": client.full_name})
    if request.method == "POST" and already is None and form.is_valid():
        try:
            services.waiver_sign(
                client=client, version=version, full_name=form.cleaned_data["full_name"],
                agreed=form.cleaned_data["agree"], signature_png=_png_from(form.cleaned_data["signature"]),
                ip=_client_ip(request), user_agent=request.headers.get("User-Agent", ""), actor=request.user,
            )
        except services.OnboardingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Signed. Thank you."))
            return _continue(client)
    return render(request, "onboarding/portal_sign.html", {
        **_steps_context(client, "waiver"), "template": template, "version": version, "form": form,
        "already": already,
    })


@org_view(Perm.PORTAL)
def book(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = _client(request)
    return render(request, "onboarding/portal_book.html", {
        **_steps_context(client, "booking"), "booking_url": reverse("booking:index", kwargs={"org_slug": org_slug}),
    })


@org_view(Perm.PORTAL)
def my_signature_pdf(request: HttpRequest, org_slug: str, waiversignature_id: int) -> HttpResponse:
    client = _client(request)
    signature = get_object_or_404(WaiverSignature.objects.select_related("version__template", "organization"),
                                  pk=waiversignature_id, client=client)
    return pdf_response(signature)
