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
from django.views.decorators.http import require_POST

from coachos.clients.models import Client
from coachos.credits.models import PackagePlan
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import packages, selectors, services
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
        raise services.OnboardingError(_("The signature image is not a PNG. Please clear it and sign again."),
                                       field="signature")
    if len(data_url) > services.MAX_SIGNATURE_BYTES * 4 // 3 + 64:  # base64 grows by a third
        raise services.OnboardingError(
            _("The signature image is too large (over 200 KB). Please clear it and sign again."), field="signature")
    try:
        return base64.b64decode(data_url[len(DATA_URL_PREFIX):], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise services.OnboardingError(_("The signature image is damaged. Please clear it and sign again."),
                                       field="signature") from exc


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
        typed_adopted = form.cleaned_data["cannot_draw"]
        try:
            services.waiver_sign(
                client=client, version=version, full_name=form.cleaned_data["full_name"],
                agreed=form.cleaned_data["agree"], typed_adopted=typed_adopted,
                signature_png=None if typed_adopted else _png_from(form.cleaned_data["signature"]),
                ip=_client_ip(request), user_agent=request.headers.get("User-Agent", ""), actor=request.user,
            )
        except services.OnboardingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Signed. Thank you."))
            return _continue(client)
    return render(request, "onboarding/portal_sign.html", {
        **_steps_context(client, "waiver"), "template": template, "version": version, "form": form,
        "already": already,
    })


# --- choosing a package ------------------------------------------------------------------------

def _package_step(steps: list[services.Step]) -> services.Step | None:
    return next((s for s in steps if s.key == "package"), None)


def _package_context(request: HttpRequest, client: Client) -> dict[str, object]:
    from coachos.billing.gateway import is_local

    context = _steps_context(client, "package")
    steps: list[services.Step] = context["steps"]  # type: ignore[assignment]
    step = _package_step(steps)
    progress = services.progress_for(client)
    setting = services.settings_for(client.organization)
    nxt = next((s for s in steps if not s.done), None)
    return {
        **context, "step": step, "purchase": progress.package_purchase,
        "plans": selectors.offered_plans(setting),
        "can_skip": setting.package_step == setting.PackageStep.OFFER,
        "local_mode": is_local(), "next_url": nxt.url if nxt is not None else reverse(
            "onboarding_portal:start", kwargs={"org_slug": client.organization.slug}),
        "returned": request.GET.get("paid", "").isdigit(),
    }


@org_view(Perm.PORTAL)
def package(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Choose a package → billing's checkout → back here. Done once the payment is confirmed
    (Stripe's webhook); until then, "payment pending" and a status that updates itself."""
    client = _client(request)
    context = _package_context(request, client)
    step = context["step"]
    if step is None:  # the business does not ask for a package (any more)
        return _continue(client)
    if step.done and context["returned"]:  # type: ignore[attr-defined]
        messages.success(request, _("Thank you! Your payment is confirmed and your sessions are in your packages."))
        return _continue(client)
    return render(request, "onboarding/portal_package.html", context)


@org_view(Perm.PORTAL)
def package_status(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The small status the package page polls (htmx) while a payment awaits confirmation."""
    client = _client(request)
    context = _package_context(request, client)
    step = context["step"]
    if request.htmx and (step is None or step.done or step.state != "pending"):  # type: ignore[attr-defined]
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("onboarding_portal:package", kwargs={"org_slug": org_slug})
        return response
    return render(request, "onboarding/_package_status.html", context)


@org_view(Perm.PORTAL)
@require_POST
def package_buy(request: HttpRequest, org_slug: str, packageplan_id: int) -> HttpResponse:
    client = _client(request)
    plan = get_object_or_404(PackagePlan, pk=packageplan_id)
    try:
        purchase = packages.package_checkout_start(client=client, plan=plan, actor=request.user)
    except services.OnboardingError as exc:
        messages.error(request, str(exc))
        return redirect("onboarding_portal:package", org_slug=org_slug)
    return redirect(purchase.checkout_url)


@org_view(Perm.PORTAL)
@require_POST
def package_skip(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = _client(request)
    try:
        packages.package_step_skip(client=client, actor=request.user)
    except services.OnboardingError as exc:
        messages.error(request, str(exc))
        return redirect("onboarding_portal:package", org_slug=org_slug)
    return _continue(client)


@org_view(Perm.PORTAL)
def book(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = _client(request)
    context = _steps_context(client, "booking")
    step = _package_step(context["steps"])  # type: ignore[arg-type]
    if step is not None and not step.done and packages.package_required(client.organization):
        return redirect(step.url)  # the business asks for a package before the first session
    return render(request, "onboarding/portal_book.html", {
        **context, "booking_url": reverse("booking:index", kwargs={"org_slug": org_slug}),
    })


@org_view(Perm.PORTAL)
def my_signature_pdf(request: HttpRequest, org_slug: str, waiversignature_id: int) -> HttpResponse:
    client = _client(request)
    signature = get_object_or_404(WaiverSignature.objects.select_related("version__template", "organization"),
                                  pk=waiversignature_id, client=client)
    return pdf_response(signature)
