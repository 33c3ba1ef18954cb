"""The ratings API: a client rates a completed session they attended (once; editable for 7 days); the
team reads ratings and a coach's average. Also a session's notes, as the caller may read them.

No ``from __future__ import annotations``: django-ninja reads the annotations at import time.
"""

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.decorators import decorate_view

from coachos.scheduling.models import Coach

from . import serialize
from .api_common import client_of, path_objects, reader_of, team_of
from .schemas import NoteOut, RatingIn, RatingOut, RatingPatch, RatingSummaryOut, problems
from .selectors import notes as note_selectors
from .selectors import ratings as selectors
from .selectors.sessions import session_visible
from .services import ratings as services

router = Router(tags=["ratings"])


@router.post("/sessions/{session_id}/rating", response={201: RatingOut, **problems(409, 422)},
             summary="Rate a session you attended, 1–5 stars (a client)",
             description="Once per session (a second time → 409 `already_rated`), once it is completed (else 409 "
                         "`not_completed`). You can change it for 7 days. 2 stars or fewer tells the owners.")
@decorate_view(path_objects("session_id"))
def rating_create(request: HttpRequest, session_id: int, payload: RatingIn) -> Any:
    reader = client_of(request)
    rating = services.session_rate(session=session_visible(reader, session_id), actor=request.auth,
                                   stars=payload.stars, comment=payload.comment)
    return Status(201, serialize.rating_json(rating))


@router.get("/sessions/{session_id}/rating", response={200: RatingOut, **problems()},
            summary="Your rating of a session (a client); 404 when you have not rated it")
@decorate_view(path_objects("session_id"))
def rating_get(request: HttpRequest, session_id: int) -> Any:
    reader = client_of(request)
    rating = selectors.own_rating(reader, session_visible(reader, session_id))
    if rating is None:
        raise Http404("No rating yet.")
    return serialize.rating_json(rating)


@router.patch("/sessions/{session_id}/rating", response={200: RatingOut, **problems(409, 422)},
              summary="Change your rating (a client; within 7 days of giving it, else 409 `too_late`)")
@decorate_view(path_objects("session_id"))
def rating_update(request: HttpRequest, session_id: int, payload: RatingPatch) -> Any:
    reader = client_of(request)
    rating = selectors.own_rating(reader, session_visible(reader, session_id))
    if rating is None:
        raise Http404("No rating yet.")
    sent = payload.dict(exclude_unset=True)
    rating = services.session_rating_update(rating=rating, actor=request.auth, stars=sent.get("stars"),
                                            comment=sent.get("comment"))
    return serialize.rating_json(rating)


@router.get("/sessions/{session_id}/ratings", response={200: list[RatingOut], **problems()},
            summary="A session's ratings (team)")
@decorate_view(path_objects("session_id"))
def session_ratings(request: HttpRequest, session_id: int) -> Any:
    reader = team_of(request)
    session = session_visible(reader, session_id)
    return [serialize.rating_json(r) for r in selectors.ratings_visible(reader).filter(session=session)]


@router.get("/coaches/{coach_id}/rating", response={200: RatingSummaryOut, **problems()},
            summary="A coach's average rating and how many ratings it is from (team)")
@decorate_view(path_objects("coach_id"))
def coach_rating(request: HttpRequest, coach_id: int) -> Any:
    team_of(request)
    coach = get_object_or_404(Coach, pk=coach_id)
    summary = selectors.coach_rating(coach)
    return {"coach": coach.pk, "average": summary.average, "count": summary.count}


@router.get("/sessions/{session_id}/notes", response={200: list[NoteOut], **problems()},
            summary="A session's notes: all the team may read, or for a client those shared with them")
@decorate_view(path_objects("session_id"))
def session_notes(request: HttpRequest, session_id: int) -> Any:
    reader = reader_of(request)
    session = session_visible(reader, session_id)
    notes = note_selectors.note_list(reader, note_selectors.NoteFilters(session=session.pk))[:200]
    return [serialize.note_json(n, note_selectors.action_items_of(reader, n)) for n in notes]
