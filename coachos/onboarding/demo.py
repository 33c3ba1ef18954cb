"""Demo data for onboarding: a liability waiver (two versions), a goals and health intake form,
signatures and filled forms for most demo clients. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_scopes import scope

from coachos.clients.models import Client
from coachos.tenancy.models import Organization

from . import services
from .models import IntakeQuestion, WaiverTemplate

WAIVER_V1 = (
    "I take part in training at Northside Strength of my own free will. I understand that exercise carries a "
    "risk of injury.\n\nI will tell my coach about any injury, illness or medication that could affect my "
    "training, and I will stop and tell my coach if I feel unwell."
)
WAIVER_V2 = WAIVER_V1 + (
    "\n\nI release Northside Strength and its coaches from liability for injuries that happen despite "
    "reasonable care, except where the law does not allow it."
)
QUESTIONS = [
    ("What are your main goals?", IntakeQuestion.Kind.MULTI, True,
     ["Get stronger", "Lose weight", "Move without pain", "Train for an event"]),
    ("Tell us about your training so far", IntakeQuestion.Kind.LONG, False, []),
    ("How many days a week can you train?", IntakeQuestion.Kind.NUMBER, True, []),
    ("Do you have an injury or condition we should know about?", IntakeQuestion.Kind.YESNO, True, []),
    ("Experience level", IntakeQuestion.Kind.CHOICE, True, ["New to training", "Some experience", "Experienced"]),
    ("Date of your last check-up (if any)", IntakeQuestion.Kind.DATE, False, []),
]
GOALS = [["Get stronger"], ["Lose weight", "Get stronger"], ["Move without pain"], ["Train for an event"]]


def seed_onboarding(organization: Organization) -> None:
    with scope(organization=organization):
        _seed(organization)


def _seed(organization: Organization) -> None:
    if WaiverTemplate.objects.filter(organization=organization).exists():
        return
    now = timezone.now()
    today = now.astimezone(organization.tzinfo).date()
    template = services.waiver_template_create(organization=organization, actor=None,
                                               title="Liability waiver", text=WAIVER_V1)
    old_version = template.versions.get(number=1)
    form = services.intake_form_save(organization=organization, actor=None, form=None, title="Goals and health",
                                     description="Helps your coach plan your first sessions.", active=True,
                                     onboarding=True)
    questions = [
        services.intake_question_save(form=form, actor=None, question=None, label=label, kind=kind,
                                      required=required, options=options)
        for label, kind, required, options in QUESTIONS
    ]
    clients = list(Client.objects.filter(organization=organization).order_by("id"))
    # Early clients signed the first version; then the text changed (a new version) and newer
    # clients signed that one. A few have not signed yet.
    for index, client in enumerate(clients[:12]):
        services.waiver_sign(client=client, version=old_version, full_name=client.full_name, agreed=True,
                             signature_png=None, ip="203.0.113.10", user_agent="Demo browser", actor=None,
                             now=now - timedelta(days=120 - index))
    services.waiver_template_update(template=template, actor=None, title="Liability waiver", text=WAIVER_V2,
                                    active=True, required=True)
    new_version = template.versions.get(number=2)
    for index, client in enumerate(clients[:24]):
        services.waiver_sign(client=client, version=new_version, full_name=client.full_name, agreed=True,
                             signature_png=None, ip="203.0.113.11", user_agent="Demo browser", actor=None,
                             now=now - timedelta(days=40 - index))
    for index, client in enumerate(clients[:20]):
        answers = {
            f"q_{questions[0].pk}": GOALS[index % len(GOALS)],
            f"q_{questions[1].pk}": "Ran cross-country in school; lifting on and off for two years." if index % 3 else "",
            f"q_{questions[2].pk}": 2 + index % 3,
            f"q_{questions[3].pk}": index % 5 == 0,
            f"q_{questions[4].pk}": ["New to training", "Some experience", "Experienced"][index % 3],
            f"q_{questions[5].pk}": today - timedelta(days=90 + 7 * index) if index % 2 else None,
        }
        services.intake_response_submit(client=client, form=form, cleaned=answers, actor=None,
                                        now=now - timedelta(days=60 - index))


__all__ = ["seed_onboarding"]
