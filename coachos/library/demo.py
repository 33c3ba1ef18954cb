"""A demo library for the demo business (``site``'s seed: ``seed_library``, after the clients' tags and
the messages). Idempotent: nothing happens when the business has resources already.

Folders (Programmes, Nutrition › Meal plans, Technique), a PDF plan, YouTube and Vimeo technique links,
articles; a sequential four-week collection dripping weekly to the portal client (its first week out),
a mobility collection; a welcome article scheduled for everyone tomorrow at 09:00; and engagement: the
portal client opened and finished week 1, others opened what they got. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope

from coachos.clients.models import Client
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from . import services, sharing
from .models import Engagement, Resource

PLAN_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>"
            b"endobj\n4 0 obj<</Length 44>>stream\nBT /F1 18 Tf 30 70 Td (Week 1: meal plan) Tj ET\nendstream endobj\n"
            b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
ARTICLE = ("<h2>Why we warm up</h2><p>Five easy minutes raise your temperature and rehearse the movement.</p>"
           "<ul><li>Bike or row, easy pace</li><li>Two light sets of the first lift</li></ul>")
WELCOME = "<p>Welcome! Everything I share with you lands here: programmes, videos and reading.</p>"


def seed_library(organization: Organization) -> None:
    now = timezone.now()
    with scope(organization=organization):
        if Resource.objects.filter(organization=organization).exists():
            return
        coach = (Membership.objects.filter(role=Role.COACH).order_by("pk").first()
                 or Membership.objects.filter(role=Role.OWNER).order_by("pk").first())
        actor = coach.user if coach else None
        programmes = services.folder_create(organization=organization, actor=actor, name="Programmes")
        nutrition = services.folder_create(organization=organization, actor=actor, name="Nutrition")
        meals = services.folder_create(organization=organization, actor=actor, name="Meal plans", parent_id=nutrition.pk)
        technique = services.folder_create(organization=organization, actor=actor, name="Technique")

        def link(title: str, url: str, minutes: int, tags: str = "technique") -> Resource:
            return services.resource_link(organization=organization, actor=actor, title=title, url=url,
                                          folder_id=technique.pk, minutes=minutes, tags=tags)

        plan = services.resource_upload(organization=organization, actor=actor, folder_id=meals.pk, minutes=10,
                                        upload=SimpleUploadedFile("week-1-meal-plan.pdf", PLAN_PDF), tags="nutrition",
                                        title="Week 1 meal plan", description="Simple meals, prepared on Sunday.")
        squat = link("Goblet squat", "https://www.youtube.com/watch?v=MeIiIdhvXT4", 5)
        hinge = link("Hip hinge drill", "https://vimeo.com/76979871", 4)
        row = link("Rowing technique", "https://youtu.be/zQ82RYIFLN8", 6)
        warmup = services.resource_article(organization=organization, actor=actor, title="Why we warm up",
                                           body=ARTICLE, folder_id=programmes.pk, minutes=3, tags="basics")
        welcome = services.resource_article(organization=organization, actor=actor, title="Welcome to your library",
                                            body=WELCOME, minutes=1, tags="basics")
        services.resource_link(organization=organization, actor=actor, title="Sleep and recovery",
                               url="https://example.com/sleep", minutes=8, tags="recovery, reading")
        course = services.collection_create(organization=organization, actor=actor, title="Beginner strength: 4 weeks",
                                            resource_ids=[warmup.pk, squat.pk, hinge.pk, row.pk], sequential=True,
                                            description="One lesson a week. Each opens when the one before is done.")
        services.collection_create(organization=organization, actor=actor, title="Mobility basics",
                                   resource_ids=[hinge.pk, squat.pk])

        portal = Client.objects.filter(user__isnull=False).order_by("pk").first()
        others = list(Client.objects.exclude(pk=portal.pk if portal is not None else 0).order_by("pk")[:3])
        if portal is not None:
            sharing.share_create(organization=organization, actor=actor, collection=course,
                                 client_ids=[portal.pk], repeat="weekly", message="One lesson a week: enjoy!")
            sharing.share_create(organization=organization, actor=actor, resource=plan, client_ids=[portal.pk],
                                 message="Try this for the first week.")
            _engage(organization, portal, warmup, now - timedelta(days=1), seconds=240, completed=True)
            _engage(organization, portal, plan, now - timedelta(hours=5), seconds=90, completed=False)
        if others:
            sharing.share_create(organization=organization, actor=actor, resource=plan,
                                 client_ids=[c.pk for c in others], message="Our meal plan for this week.")
            _engage(organization, others[0], plan, now - timedelta(days=2), seconds=60, completed=True)
        tomorrow = timezone.localtime(now, organization.tzinfo).date() + timedelta(days=1)
        sharing.share_create(organization=organization, actor=actor, resource=welcome, all_clients=True,
                             at=datetime.combine(tomorrow, time(9), tzinfo=organization.tzinfo),
                             message="A warm welcome from the team.")


def _engage(organization: Organization, client: Client, resource: Resource, at: datetime, *, seconds: int,
            completed: bool) -> None:
    Engagement.objects.update_or_create(client=client, resource=resource, defaults={
        "organization": organization, "opened_at": at, "seconds": seconds,
        "completed_at": at + timedelta(seconds=seconds) if completed else None, "updated_at": at})
