"""Demo data for onboarding: a liability waiver (two versions), a goals and health intake form,
signatures and filled forms for most demo clients, and a package offered (not required) after the
waiver. Idempotent."""

from __future__ import annotations

import io
import math
from datetime import datetime, timedelta

from django.utils import timezone
from django_scopes import scope

from coachos.clients.models import Client
from coachos.tenancy.models import Organization

from . import services
from .models import IntakeQuestion, WaiverTemplate, WaiverVersion

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


def demo_signature_png(seed: int) -> bytes:
    """A squiggle that looks like a hand-drawn signature (a canvas-sized transparent PNG)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 180), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [
        (40 + x * 5, 95 + 35 * math.sin(x / (3 + seed % 4)) * math.cos(x / (11 + seed % 5)))
        for x in range(0, 100)
    ]
    draw.line(points, fill=(17, 17, 17, 255), width=3, joint="curve")
    draw.line([(60, 140), (470 - 20 * (seed % 5), 132)], fill=(17, 17, 17, 255), width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _sign(client: Client, version: WaiverVersion, index: int, ip: str, when: datetime) -> None:
    # Most demo clients drew their signature; every fifth used the accessible alternative.
    typed_adopted = index % 5 == 4
    services.waiver_sign(client=client, version=version, full_name=client.full_name, agreed=True,
                         signature_png=None if typed_adopted else demo_signature_png(index),
                         typed_adopted=typed_adopted, ip=ip, user_agent="Demo browser", actor=None, now=when)


# Packages Northside offers (doesn't require) after the waiver, cheapest first.
OFFERED_PACKAGES = ("Intro pack", "5 sessions", "10 sessions")


def seed_onboarding(organization: Organization) -> None:
    with scope(organization=organization):
        _seed(organization)
        _seed_package_step(organization)


def _seed_package_step(organization: Organization) -> None:
    """Offer a package during onboarding — once: a business that changed this keeps its choice."""
    from coachos.credits.models import PackagePlan

    setting = services.settings_for(organization)
    if setting.package_step != setting.PackageStep.OFF or setting.package_plans.exists():
        return
    plans = list(PackagePlan.objects.filter(name__in=OFFERED_PACKAGES, active=True, price_minor__gt=0))
    if plans:
        services.settings_update(organization=organization, actor=None, enabled=setting.enabled,
                                 require_waiver=setting.require_waiver, package_step=setting.PackageStep.OFFER,
                                 package_plans=plans)


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
        _sign(client, old_version, index, "203.0.113.10", now - timedelta(days=120 - index))
    services.waiver_template_update(template=template, actor=None, title="Liability waiver", text=WAIVER_V2,
                                    active=True, required=True)
    new_version = template.versions.get(number=2)
    for index, client in enumerate(clients[:24]):
        _sign(client, new_version, index, "203.0.113.11", now - timedelta(days=40 - index))
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
