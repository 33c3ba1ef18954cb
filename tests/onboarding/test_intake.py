"""Intake forms: the builder, the fill page's validation per kind, readable answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from coachos.onboarding import services
from coachos.onboarding.forms import IntakeFillForm
from coachos.onboarding.models import IntakeQuestion, IntakeResponse

from ..conftest import login_as
from ..factories import IntakeFormFactory, IntakeQuestionFactory

K = IntakeQuestion.Kind


@pytest.fixture
def intake(org: Any) -> Any:
    form = IntakeFormFactory(organization=org, title="Health questionnaire")
    specs = [("Goals", K.SHORT, []), ("History", K.LONG, []), ("Level", K.CHOICE, ["Beginner", "Advanced"]),
             ("Days", K.MULTI, ["Mon", "Wed", "Fri"]), ("Weight (kg)", K.NUMBER, []), ("Last check-up", K.DATE, []),
             ("Any injuries?", K.YESNO, [])]
    for order, (label, kind, options) in enumerate(specs, start=1):
        IntakeQuestionFactory(form=form, label=label, kind=kind, options=options, required=True, order=order)
    return form


def qid(intake: Any, label: str) -> str:
    with scopes_disabled():
        return f"q_{intake.questions.get(label=label).pk}"


def questions(intake: Any) -> list[Any]:
    with scopes_disabled():
        return list(intake.questions.all())


def valid(intake: Any) -> dict[str, Any]:
    return {qid(intake, "Goals"): "Run 10k", qid(intake, "History"): "Knee op 2019",
            qid(intake, "Level"): "Beginner", qid(intake, "Days"): ["Mon", "Fri"],
            qid(intake, "Weight (kg)"): "72.5", qid(intake, "Last check-up"): "2026-01-15",
            qid(intake, "Any injuries?"): "no"}


def test_a_valid_fill_is_cleaned_per_kind(intake: Any) -> None:
    form = IntakeFillForm(valid(intake), questions=questions(intake))
    assert form.is_valid(), form.errors
    assert form.cleaned_data[qid(intake, "Any injuries?")] is False
    assert form.cleaned_data[qid(intake, "Days")] == ["Mon", "Fri"]


@pytest.mark.parametrize(("label", "value", "message"), [
    ("Goals", "", "This field is required."),
    ("Level", "Expert", "Select a valid choice."),
    ("Days", ["Sun"], "Select a valid choice."),
    ("Weight (kg)", "heavy", "Enter a number."),
    ("Last check-up", "15/01/2026x", "Enter a valid date."),
    ("Any injuries?", "", "This field is required."),
    ("Any injuries?", "maybe", "Select a valid choice."),
])
def test_each_kind_validates_with_a_clear_message(intake: Any, label: str, value: Any, message: str) -> None:
    data = {**valid(intake), qid(intake, label): value}
    form = IntakeFillForm(data, questions=questions(intake))
    assert not form.is_valid()
    assert message in " ".join(form.errors[qid(intake, label)])


def test_the_fill_page_keeps_typed_values_and_stores_readable_answers(org: Any, owner: Any, intake: Any,
                                                                      client_user: Any, client_record: Any) -> None:
    web = login_as(client_user)
    url = reverse("onboarding_portal:form", kwargs={"org_slug": org.slug, "intakeform_id": intake.pk})
    bad = web.post(url, {**valid(intake), qid(intake, "Weight (kg)"): "heavy"})
    html = bad.content.decode()
    assert bad.status_code == 200 and "Enter a number." in html
    assert 'value="Run 10k"' in html and "Knee op 2019" in html  # kept
    with scopes_disabled():
        assert IntakeResponse.objects.count() == 0
    assert web.post(url, valid(intake)).status_code == 302
    with scopes_disabled():
        response = IntakeResponse.objects.get()
    shown = {a["label"]: services.display_answer(a) for a in response.answers}
    assert shown == {"Goals": "Run 10k", "History": "Knee op 2019", "Level": "Beginner", "Days": "Mon, Fri",
                     "Weight (kg)": "72.5", "Last check-up": "January 15, 2026", "Any injuries?": "No"}
    section = login_as(owner).get(reverse("onboarding:client_section",
                                          kwargs={"org_slug": org.slug, "client_id": client_record.pk}))
    assert section.status_code == 200
    body = section.content.decode()
    assert "Health questionnaire" in body and "January 15, 2026" in body and "<html" not in body


def test_the_builder_adds_edits_reorders_and_removes(org: Any, owner: Any) -> None:
    web = login_as(owner)
    response = web.post(reverse("onboarding:form_new", kwargs={"org_slug": org.slug}),
                        {"title": "Goals form", "active": "on", "onboarding": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        from coachos.onboarding.models import IntakeForm

        form = IntakeForm.objects.get(title="Goals form")
    add = reverse("onboarding:question_add", kwargs={"org_slug": org.slug, "intakeform_id": form.pk})
    refused = web.post(add, {"label": "Pick one", "kind": "choice", "options": "Only one"}, HTTP_HX_REQUEST="true")
    assert "at least two options" in refused.content.decode()
    web.post(add, {"label": "First", "kind": "short"}, HTTP_HX_REQUEST="true")
    fragment = web.post(add, {"label": "Second", "kind": "choice", "options": "A\nB\n", "required": "on"},
                        HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and 'id="questions"' in fragment.content.decode()
    with scopes_disabled():
        first, second = form.questions.order_by("order")
    assert second.options == ["A", "B"] and second.required
    web.post(reverse("onboarding:question_move", kwargs={"org_slug": org.slug, "intakequestion_id": second.pk}),
             {"direction": "up"})
    with scopes_disabled():
        assert [q.label for q in form.questions.order_by("order")] == ["Second", "First"]
    web.post(reverse("onboarding:question_edit", kwargs={"org_slug": org.slug, "intakequestion_id": first.pk}),
             {"label": "First, renamed", "kind": "long"})
    web.post(reverse("onboarding:question_delete", kwargs={"org_slug": org.slug, "intakequestion_id": second.pk}))
    with scopes_disabled():
        assert [(q.label, q.kind) for q in form.questions.all()] == [("First, renamed", "long")]


def test_a_client_cannot_use_the_back_office(org: Any, client_user: Any, intake: Any) -> None:
    web = login_as(client_user)
    assert web.get(reverse("onboarding:index", kwargs={"org_slug": org.slug})).status_code == 403
    assert web.get(reverse("onboarding:form", kwargs={"org_slug": org.slug,
                                                      "intakeform_id": intake.pk})).status_code == 403


def test_answers_keep_the_label_as_asked(org: Any, client_record: Any, intake: Any) -> None:
    with scope(organization=org):
        form = IntakeFillForm(valid(intake), questions=list(intake.questions.all()))
        assert form.is_valid()
        services.intake_response_submit(client=client_record, form=intake, cleaned=form.cleaned_data, actor=None)
        intake.questions.filter(label="Goals").update(label="Changed later")
        assert IntakeResponse.objects.get().answers[0]["label"] == "Goals"
