"""Back office: onboarding overview and settings, waivers, intake form builder, a client's section."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.clients.selectors import clients_visible_to
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import packages, selectors, services
from .forms import IntakeFormForm, PackagePaymentForm, QuestionForm, SettingsForm, WaiverForm
from .models import IntakeForm, IntakeQuestion, OnboardingProgress, WaiverSignature, WaiverTemplate


def pdf_response(signature: WaiverSignature) -> HttpResponse:
    response = HttpResponse(services.waiver_pdf(signature), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="waiver-signature-{signature.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _index(request: HttpRequest, settings_form: SettingsForm | None = None, status: int = 200) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    return render(request, "onboarding/index.html", {
        "rows": selectors.onboarding_overview(
            organization, clients_visible_to(membership) if membership.own_clients_only else None),
        "settings_form": settings_form or SettingsForm(instance=services.settings_for(organization)),
        "can_change_settings": membership.has(Perm.SETTINGS), "can_take_money": membership.has(Perm.MONEY),
        "waivers": WaiverTemplate.objects.all(), "forms": IntakeForm.objects.all(),
    }, status=status)


@org_view(Perm.BACKOFFICE)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _index(request)


@org_view(Perm.SETTINGS)
@require_POST
def settings_update(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    form = SettingsForm(request.POST, instance=services.settings_for(organization))
    if form.is_valid():
        data = form.cleaned_data
        sent = bool(data.get("package_step"))  # a form without the package fields leaves them as they are
        try:
            services.settings_update(organization=organization, actor=request.user, enabled=data["enabled"],
                                     require_waiver=data["require_waiver"],
                                     package_step=data["package_step"] if sent else None,
                                     package_plans=list(data["package_plans"]) if sent else None)
        except services.OnboardingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Onboarding settings saved."))
            return redirect("onboarding:index", org_slug=org_slug)
    return _index(request, settings_form=form, status=400)


@org_view(Perm.MONEY)
def client_package(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    """The coach completes a client's package step: a payment taken outside the app (recorded in
    billing, with the package's credits), or marked done without a payment."""
    organization = request.organization  # type: ignore[attr-defined]
    client = get_object_or_404(clients_visible_to(request.membership), pk=client_id)  # type: ignore[attr-defined]
    offered = selectors.offered_plans(services.settings_for(organization))
    plans = packages.offerable_plans()
    if offered:
        plans = plans.filter(pk__in=[p.pk for p in offered])
    action = request.POST.get("action", "") if request.method == "POST" else ""
    progress = OnboardingProgress.objects.filter(client=client).select_related("package_purchase").first()
    started = progress.package_purchase if progress is not None else None
    initial_plan = started.plan_id if started is not None and started.status == started.Status.PENDING else (
        offered[0].pk if len(offered) == 1 else None)
    form = PackagePaymentForm(request.POST if action == "pay" else None, organization=organization, plans=plans,
                              initial={"plan": initial_plan})
    if action == "pay" and form.is_valid():
        data = form.cleaned_data
        try:
            packages.package_step_record_payment(client=client, plan=data["plan"], method=data["method"],
                                                 amount_minor=data["amount_minor"], actor=request.user,
                                                 note=data["note"])
        except services.OnboardingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Payment recorded; the package step is done."))
            return redirect("onboarding:index", org_slug=org_slug)
    elif action == "done":
        packages.package_step_mark_done(client=client, actor=request.user)
        messages.success(request, _("The package step is marked done."))
        return redirect("onboarding:index", org_slug=org_slug)
    return render(request, "onboarding/client_package.html", {
        "client": client, "form": form, "progress": progress, "offered": offered, "purchase": started,
    }, status=400 if action == "pay" else 200)


@org_view(Perm.BACKOFFICE)
def waiver_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = WaiverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        template = services.waiver_template_create(organization=request.organization,  # type: ignore[attr-defined]
                                                   actor=request.user, title=data["title"], text=data["text"],
                                                   required=data["required"])
        messages.success(request, _("Waiver created."))
        return redirect("onboarding:waiver", org_slug=org_slug, waivertemplate_id=template.pk)
    return render(request, "onboarding/waiver_edit.html", {"form": form, "template": None})


@org_view(Perm.BACKOFFICE)
def waiver_edit(request: HttpRequest, org_slug: str, waivertemplate_id: int) -> HttpResponse:
    template = get_object_or_404(WaiverTemplate, pk=waivertemplate_id)
    current = template.current_version()
    initial = {"title": template.title, "text": current.text if current else "", "required": template.required,
               "active": template.active}
    form = WaiverForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.waiver_template_update(template=template, actor=request.user, title=data["title"],
                                            text=data["text"], active=data["active"], required=data["required"])
        except services.OnboardingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Waiver saved."))
            return redirect("onboarding:waiver", org_slug=org_slug, waivertemplate_id=template.pk)
    versions = [{"version": v, "signed": v.signatures.count()} for v in template.versions.all()]
    return render(request, "onboarding/waiver_edit.html", {"form": form, "template": template, "versions": versions})


@org_view(Perm.BACKOFFICE)
def signature_pdf(request: HttpRequest, org_slug: str, waiversignature_id: int) -> HttpResponse:
    signature = get_object_or_404(
        WaiverSignature.objects.filter(client__in=clients_visible_to(request.membership))  # type: ignore[attr-defined]
        .select_related("version__template", "organization"), pk=waiversignature_id)
    return pdf_response(signature)


# --- intake forms -----------------------------------------------------------------------------

@org_view(Perm.BACKOFFICE)
def form_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = IntakeFormForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = services.intake_form_save(organization=request.organization,  # type: ignore[attr-defined]
                                          actor=request.user, form=None, **form.cleaned_data)
        return redirect("onboarding:form", org_slug=org_slug, intakeform_id=saved.pk)
    return render(request, "onboarding/form_new.html", {"form": form})


def _builder(request: HttpRequest, intake: IntakeForm, *, meta_form: IntakeFormForm | None = None,
             question_form: QuestionForm | None = None, editing: IntakeQuestion | None = None,
             status: int = 200) -> HttpResponse:
    context = {
        "intake": intake, "questions": list(intake.questions.all()),
        "meta_form": meta_form or IntakeFormForm(instance=intake),
        "question_form": question_form or QuestionForm(), "editing": editing,
    }
    template = "onboarding/_questions.html" if request.htmx else "onboarding/form_builder.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=status)


@org_view(Perm.BACKOFFICE)
def form_builder(request: HttpRequest, org_slug: str, intakeform_id: int) -> HttpResponse:
    intake = get_object_or_404(IntakeForm, pk=intakeform_id)
    if request.method == "POST":
        meta_form = IntakeFormForm(request.POST, instance=intake)
        if meta_form.is_valid():
            services.intake_form_save(organization=intake.organization, actor=request.user, form=intake,
                                      **meta_form.cleaned_data)
            messages.success(request, _("Form saved."))
            return redirect("onboarding:form", org_slug=org_slug, intakeform_id=intake.pk)
        return _builder(request, intake, meta_form=meta_form, status=400)
    return _builder(request, intake)


def _save_question(request: HttpRequest, intake: IntakeForm, question: IntakeQuestion | None) -> HttpResponse:
    form = QuestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.intake_question_save(form=intake, actor=request.user, question=question, label=data["label"],
                                          kind=data["kind"], required=data["required"],
                                          options=data["option_list"], help_text=data["help_text"])
        except services.OnboardingError as exc:
            form.add_error(None, str(exc))
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                return redirect("onboarding:form", org_slug=intake.organization.slug, intakeform_id=intake.pk)
            return _builder(request, intake)
    return _builder(request, intake, question_form=form, editing=question, status=400 if not request.htmx else 200)  # type: ignore[attr-defined]


@org_view(Perm.BACKOFFICE)
@require_POST
def question_add(request: HttpRequest, org_slug: str, intakeform_id: int) -> HttpResponse:
    intake = get_object_or_404(IntakeForm, pk=intakeform_id)
    return _save_question(request, intake, None)


@org_view(Perm.BACKOFFICE)
def question_edit(request: HttpRequest, org_slug: str, intakequestion_id: int) -> HttpResponse:
    question = get_object_or_404(IntakeQuestion.objects.select_related("form"), pk=intakequestion_id)
    if request.method == "POST":
        return _save_question(request, question.form, question)
    form = QuestionForm(initial={"label": question.label, "kind": question.kind, "required": question.required,
                                 "options": "\n".join(question.options), "help_text": question.help_text})
    return _builder(request, question.form, question_form=form, editing=question)


@org_view(Perm.BACKOFFICE)
@require_POST
def question_delete(request: HttpRequest, org_slug: str, intakequestion_id: int) -> HttpResponse:
    question = get_object_or_404(IntakeQuestion.objects.select_related("form"), pk=intakequestion_id)
    intake = question.form
    services.intake_question_delete(question=question, actor=request.user)
    if request.htmx:  # type: ignore[attr-defined]
        return _builder(request, intake)
    return redirect("onboarding:form", org_slug=org_slug, intakeform_id=intake.pk)


@org_view(Perm.BACKOFFICE)
@require_POST
def question_move(request: HttpRequest, org_slug: str, intakequestion_id: int) -> HttpResponse:
    question = get_object_or_404(IntakeQuestion.objects.select_related("form"), pk=intakequestion_id)
    services.intake_question_move(question=question, actor=request.user,
                                  direction=-1 if request.POST.get("direction") == "up" else 1)
    if request.htmx:  # type: ignore[attr-defined]
        return _builder(request, question.form)
    return redirect("onboarding:form", org_slug=org_slug, intakeform_id=question.form_id)


# --- the client page's section ----------------------------------------------------------------

@org_view(Perm.BACKOFFICE)
def client_section(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = get_object_or_404(clients_visible_to(request.membership), pk=client_id)  # type: ignore[attr-defined]
    signatures = WaiverSignature.objects.filter(client=client).select_related("version__template")
    responses = [
        {"response": r, "answers": [{"label": a.get("label", ""), "value": services.display_answer(a)}
                                    for a in r.answers]}
        for r in client.intake_responses.select_related("form")
    ]
    return render(request, "onboarding/_client_section.html", {
        "client": client, "signatures": signatures, "responses": responses,
        "missing_waivers": services.waivers_missing(client), "missing_forms": services.forms_missing(client),
    })
