"""Demo notes, journal and ratings for the demo business (for ``site``'s seed: add ``seed_notes`` to its
steps, after scheduling's and chat's). Idempotent: it does nothing when the business has notes already.

- Notes from the built-in templates on the portal client's completed sessions (a SOAP note and a
  session review with action items, shared with her), and a private initial assessment.
- Her journal: entries over three weeks with moods and tags, some shared, one private, one answering
  a prompt from her coach; a goal of 3 entries a week.
- Ratings of completed sessions by the clients who attended them.

Written as rows, not through the services: this is history, so nobody is notified. Times are
relative to now.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django_scopes import scope

from coachos.clients.models import Client
from coachos.scheduling.models import Booking, TrainingSession
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from . import richtext
from .models import (
    JournalEntry,
    JournalGoal,
    JournalPrompt,
    JournalPromptRecipient,
    JournalTag,
    Note,
    NoteActionItem,
    NoteTemplate,
    NoteVersion,
    SessionRating,
)
from .services.templates import template_body, templates_seed

SOAP = ("<h3>Subjective</h3><p>Sleeping better; left knee a little tight at the bottom of squats.</p>"
        "<h3>Objective</h3><p>Goblet squat 3×10 at 16 kg, depth to parallel. Knee tracks well.</p>"
        "<h3>Assessment</h3><p>Mobility improving; tightness is not pain.</p>"
        "<h3>Plan</h3><ul><li>[ ] 5-minute bike warm-up before every session</li>"
        "<li>[ ] Hip mobility routine 3× this week</li><li>[me] Send the mobility video</li></ul>")
REVIEW = ("<h3>What we did</h3><p>Intervals on the rower, 6×500 m.</p><h3>How it went</h3>"
          "<p>Strong pacing; last two were the fastest.</p><h3>Next time</h3><p>Add a seventh interval.</p>")
# (days ago, title, text, mood, tags, shared)
JOURNAL = [
    (20, "First week back", "<p>Legs sore but happy. Slept 8 hours.</p>", 4, ["sleep"], True),
    (16, "Hard day", "<p>Work was a lot. Skipped my walk.</p>", 2, ["work", "stress"], False),
    (13, "Better", "<p>Walked at lunch, felt calmer.</p>", 4, ["walking", "stress"], True),
    (9, "Knee", "<p>Knee a bit tight after squats. Iced it.</p>", 3, ["knee"], True),
    (5, "Personal best", "<p>Fastest 500 m ever! <strong>1:52</strong>.</p>", 5, ["rowing"], True),
    (2, "Just for me", "<p>Worried about the trip next month.</p>", 2, ["travel"], False),
]


def seed_notes(organization: Organization) -> None:
    now = timezone.now()
    with scope(organization=organization):
        if Note.objects.exists():
            return
        templates_seed(organization=organization)
        coach = (Membership.objects.filter(role=Role.COACH).order_by("pk").first()
                 or Membership.objects.filter(role=Role.OWNER).order_by("pk").first())
        client = Client.objects.filter(user__isnull=False).order_by("pk").first()
        if coach is None or client is None:
            return
        attended = list(Booking.objects.filter(client=client, status=Booking.Status.COMPLETED)
                        .select_related("session").order_by("-session__starts_at")[:2])
        soap = NoteTemplate.objects.get(builtin_key="soap")
        review = NoteTemplate.objects.get(builtin_key="session_review")
        assessment = NoteTemplate.objects.get(builtin_key="initial_assessment")
        sessions = [b.session for b in attended] + [None, None]
        _note(organization, client, coach, soap, "Knee and squat depth", SOAP, sessions[0], shared=True,
              at=now - timedelta(days=8))
        _note(organization, client, coach, review, "Rowing intervals", REVIEW, sessions[1], shared=False,
              at=now - timedelta(days=4))
        _note(organization, client, coach, assessment, "Initial assessment", template_body(assessment.sections),
              None, shared=False, at=now - timedelta(days=30))
        _journal(organization, client, coach, now)
        _ratings(organization)


def _note(organization: Organization, client: Client, coach: Membership, template: NoteTemplate, title: str,
          body: str, session: TrainingSession | None, *, shared: bool, at: datetime) -> Note:
    from . import action_items

    safe = richtext.sanitize(body)
    note = Note.objects.create(organization=organization, client=client, session=session, author=coach.user,
                               title=title, body_html=safe, body_text=richtext.to_text(safe), shared=shared,
                               shared_at=at if shared else None, template=template, created_at=at, updated_at=at)
    NoteVersion.objects.create(organization=organization, note=note, version=1, title=title, body_html=safe,
                               author=coach.user, created_at=at, updated_at=at)
    for position, item in enumerate(action_items.parse(safe)):
        NoteActionItem.objects.create(
            organization=organization, note=note, client=client, text=item.text, assignee=item.assignee,
            key=action_items.key_of(item.text, item.assignee), position=position, created_at=at,
            coach_membership=coach if item.assignee == action_items.COACH else None)
    return note


def _journal(organization: Organization, client: Client, coach: Membership, now: datetime) -> None:
    prompt = JournalPrompt.objects.create(organization=organization, author=coach.user,
                                          text="What went well this week?", created_at=now - timedelta(days=6))
    recipient = JournalPromptRecipient.objects.create(organization=organization, prompt=prompt, client=client,
                                                      created_at=prompt.created_at)
    tags: dict[str, JournalTag] = {}
    for days, title, body, mood, names, shared in JOURNAL:
        at = now - timedelta(days=days, hours=3)
        entry = JournalEntry.objects.create(
            organization=organization, client=client, title=title, body_html=body, body_text=richtext.to_text(body),
            mood=mood, shared=shared, shared_at=at if shared else None, created_at=at, updated_at=at,
            prompt=prompt if days == 5 else None)
        entry.tags.set([tags.setdefault(n, JournalTag.objects.get_or_create(
            organization=organization, client=client, name=n)[0]) for n in names])
        if days == 5:
            JournalPromptRecipient.objects.filter(pk=recipient.pk).update(entry=entry, answered_at=at)
    JournalGoal.objects.get_or_create(client=client, defaults={"organization": organization, "entries_per_week": 3})


def _ratings(organization: Organization) -> None:
    stars = [5, 4, 5, 5, 3, 4]
    bookings = (Booking.objects.filter(status=Booking.Status.COMPLETED, session__status="completed")
                .select_related("session").order_by("-session__starts_at")[:len(stars)])
    for n, booking in enumerate(bookings):
        SessionRating.objects.get_or_create(booking=booking, defaults={
            "organization": organization, "client_id": booking.client_id, "session": booking.session,
            "coach_id": booking.session.coach_id, "stars": stars[n],
            "comment": "Great session, thank you!" if stars[n] == 5 else "",
            "created_at": booking.session.ends_at, "updated_at": booking.session.ends_at})
