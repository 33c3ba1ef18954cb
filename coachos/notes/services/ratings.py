"""Session ratings: the client rates a completed session they attended — once (a second time is a
conflict, also when two arrive at once), 1–5 stars with an optional comment, editable for 7 days.
A rating of 2 stars or fewer tells the owners (a bell, and an email as they chose), once per rating."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coachos.comms import notify
from coachos.notes.errors import ALREADY, FORBIDDEN, NOT_COMPLETED, TOO_LATE, NotesError
from coachos.notes.kinds import LOW_RATING
from coachos.notes.models import SessionRating
from coachos.notes.readers import reader_for
from coachos.notes.selectors.ratings import EDITABLE_DAYS
from coachos.scheduling.models import Booking, TrainingSession
from coachos.tenancy import audit
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Role

logger = logging.getLogger("coachos.notes")

EDITABLE_FOR = timedelta(days=EDITABLE_DAYS)
LOW = 2
COMMENT_MAX = 2000


def _stars(stars: int) -> int:
    if not 1 <= int(stars) <= 5:
        raise NotesError(_("Rate from 1 to 5 stars."), field="stars")
    return int(stars)


def _comment(comment: str) -> str:
    comment = comment.strip()
    if len(comment) > COMMENT_MAX or "\x00" in comment:
        raise NotesError(_("A comment can be at most %(n)d characters.") % {"n": COMMENT_MAX}, field="comment")
    return comment


def _tell_owners(rating: SessionRating) -> None:
    owners = [m.user for m in Membership.objects.filter(organization_id=rating.organization_id, role=Role.OWNER,
                                                        user__is_active=True).select_related("user")]
    if not owners:
        return
    client = rating.client
    message = ngettext("%(client)s rated a session %(stars)d star out of 5",
                       "%(client)s rated a session %(stars)d stars out of 5", rating.stars) % {
        "client": client.full_name, "stars": rating.stars}
    notify.team(organization=rating.session.organization, kind=LOW_RATING, users=owners, client=client,
                related=rating.booking, context={"message": message}, dedupe_key=f"low-rating:{rating.pk}")


@transaction.atomic
def session_rate(*, session: TrainingSession, actor: Any, stars: int, comment: str = "",
                 now: datetime | None = None) -> SessionRating:
    """The client rates the session (their attended, completed place in it)."""
    now = now or timezone.now()
    reader = reader_for(user=actor, organization=session.organization)
    if reader is None or not reader.client_ids:
        raise NotesError(_("Only a client who took part can rate a session."), code=FORBIDDEN)
    stars, comment = _stars(stars), _comment(comment)
    booking = (Booking.objects.select_for_update().filter(session=session, client_id__in=reader.client_ids)
               .select_related("client").order_by("-created_at").first())
    if booking is None:
        raise NotesError(_("Only a client who took part can rate a session."), code=FORBIDDEN)
    if SessionRating.objects.filter(booking=booking).exists():
        raise NotesError(_("You already rated this session. You can change your rating for 7 days."), code=ALREADY)
    if session.status != TrainingSession.Status.COMPLETED or booking.status != Booking.Status.COMPLETED:
        raise NotesError(_("A session can be rated once it is completed."), code=NOT_COMPLETED)
    try:
        with transaction.atomic():
            rating = SessionRating.objects.create(
                organization_id=session.organization_id, client=booking.client, booking=booking, session=session,
                coach_id=session.coach_id, stars=stars, comment=comment, created_at=now, updated_at=now)
    except IntegrityError:
        raise NotesError(_("You already rated this session. You can change your rating for 7 days."),
                         code=ALREADY) from None
    rating.session = session
    if stars <= LOW:
        _tell_owners(rating)
    audit.log(organization=session.organization, actor=actor, action="session.rated", obj=rating,
              data={"session": session.pk, "stars": stars})
    logger.info("session rated", extra={"rating_id": rating.pk, "organization_id": session.organization_id})
    return rating


@transaction.atomic
def session_rating_update(*, rating: SessionRating, actor: Any, stars: int | None = None, comment: str | None = None,
                          now: datetime | None = None) -> SessionRating:
    """The client changes their rating, within 7 days of giving it."""
    now = now or timezone.now()
    rating = (SessionRating.objects.select_for_update()
              .select_related("session__organization", "client", "booking").get(pk=rating.pk))
    reader = reader_for(user=actor, organization=rating.session.organization)
    if reader is None or rating.client_id not in reader.client_ids:
        raise NotesError(_("Only the client who gave a rating can change it."), code=FORBIDDEN)
    if now - rating.created_at > EDITABLE_FOR:
        raise NotesError(_("A rating can be changed for 7 days after it is given."), code=TOO_LATE)
    was_low = rating.stars <= LOW
    if stars is not None:
        rating.stars = _stars(stars)
    if comment is not None:
        rating.comment = _comment(comment)
    rating.updated_at = now
    rating.save(update_fields=["stars", "comment", "updated_at"])
    if rating.stars <= LOW and not was_low:
        _tell_owners(rating)
    audit.log(organization=rating.session.organization, actor=actor, action="session.rating_changed", obj=rating,
              data={"session": rating.session_id, "stars": rating.stars})
    return rating


def editable_until(rating: SessionRating) -> datetime:
    return rating.created_at + EDITABLE_FOR
