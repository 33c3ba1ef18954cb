"""Session ratings as people may see them, a coach's average, and whether a client may rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, QuerySet
from django.utils import timezone

from coachos.clients.selectors import clients_visible_to
from coachos.notes.models import SessionRating
from coachos.notes.readers import Reader
from coachos.scheduling.models import Booking, Coach, TrainingSession

EDITABLE_DAYS = 7


@dataclass(frozen=True)
class RatingSummary:
    average: float | None  # one decimal; None without ratings
    count: int


def ratings_visible(reader: Reader) -> QuerySet[SessionRating]:
    """The team: ratings by the clients they may see; a client: their own."""
    ratings = SessionRating.objects.filter(organization=reader.organization)
    if reader.is_team:
        return ratings.filter(client__in=clients_visible_to(reader.membership))
    return ratings.filter(client_id__in=reader.client_ids) if reader.client_ids else ratings.none()


def coach_rating(coach: Coach) -> RatingSummary:
    found = SessionRating.objects.filter(coach=coach).aggregate(average=Avg("stars"), count=Count("id"))
    average = found["average"]
    return RatingSummary(average=round(float(average), 1) if average is not None else None, count=found["count"])


def own_rating(reader: Reader, session: TrainingSession) -> SessionRating | None:
    if not reader.client_ids:
        return None
    return SessionRating.objects.filter(session=session, client_id__in=reader.client_ids).first()


@dataclass(frozen=True)
class RatingState:
    can_rate: bool  # a completed, attended session not rated yet
    rating: SessionRating | None
    editable_until: datetime | None  # while the rating may still be changed


def rating_state(reader: Reader, session: TrainingSession, *, now: datetime | None = None) -> RatingState:
    now = now or timezone.now()
    rating = own_rating(reader, session)
    if rating is not None:
        until = rating.created_at + timedelta(days=EDITABLE_DAYS)
        return RatingState(can_rate=False, rating=rating, editable_until=until if now <= until else None)
    attended = Booking.objects.filter(session=session, client_id__in=reader.client_ids,
                                      status=Booking.Status.COMPLETED).exists() if reader.client_ids else False
    return RatingState(can_rate=attended and session.status == TrainingSession.Status.COMPLETED, rating=None,
                       editable_until=None)
