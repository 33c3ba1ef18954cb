"""A client's sessions in the portal: /portal/<org_slug>/sessions/ (namespace ``portal_sessions``).

The list (upcoming, past, cancelled) and a page per session: when (in the client's own zone,
labelled), where or the video link, type, coach, status and their confirmation; the notes the team
shared with them and their action items; confirm, move or cancel through the bookings pages' own
actions (the same rules); and after a completed session they attended, their rating (1–5 stars with
a comment, once, editable for 7 days). A session they have no place in is a 404, like another
business's.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coachos.notes.errors import NotesError
from coachos.notes.forms_journal import RatingForm, apply_error
from coachos.notes.models import SessionRating
from coachos.notes.readers import Reader
from coachos.notes.selectors.journal import journal_entries_readable
from coachos.notes.selectors.notes import action_items_visible
from coachos.notes.selectors.ratings import rating_state
from coachos.notes.selectors.sessions import CANCELLED, WHICH, client_bookings, session_facts, session_visible
from coachos.notes.services.notes import action_item_set_done
from coachos.notes.services.ratings import session_rate, session_rating_update
from coachos.notes.views_journal_common import client_reader, paginate, reader_of
from coachos.scheduling.models import TrainingSession
from coachos.scheduling.views_portal import booking_rules  # the bookings pages' own rules
from coachos.scheduling.views_public import zone_context
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm


@org_view(Perm.PORTAL)
@require_GET
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    reader = reader_of(request)
    zone = zone_context(request, request.organization)  # type: ignore[attr-defined]
    show = request.GET.get("show", "upcoming")
    if show not in WHICH:
        show = "upcoming"
    page, query = paginate(request, client_bookings(reader, show))
    # Which past places were rated already (the others invite a rating when attended).
    rated = set(SessionRating.objects.filter(booking_id__in=[b.pk for b in page.object_list])
                .values_list("booking_id", flat=True)) if show == "past" else set()
    with timezone.override(zone["tz"]):
        return render(request, "notes/session/portal_index.html", {
            **zone, "show": show, "page": page, "query": query, "has_client": bool(reader.client_ids),
            "rated": rated,
            "filters": [("upcoming", _("Upcoming")), ("past", _("Past")), ("cancelled", _("Cancelled"))],
        })


def _page(request: HttpRequest, reader: Reader, session: TrainingSession, *, form: RatingForm | None = None,
          status: int = 200) -> HttpResponse:
    now = timezone.now()
    facts = session_facts(reader, session, now=now)
    booking = facts.booking
    if booking is not None:
        booking.session = session
    state = facts.rating
    if form is None and state is not None and (state.can_rate or state.editable_until):
        rating = state.rating
        form = RatingForm(initial={"stars": rating.stars, "comment": rating.comment} if rating else None)
    zone = zone_context(request, reader.organization)
    entries = list(journal_entries_readable(reader).filter(session=session).order_by("-created_at")[:10])
    with timezone.override(zone["tz"]):
        return render(request, "notes/session/portal_detail.html", {
            **zone, "session": session, "facts": facts, "booking": booking, "state": state, "rating_form": form,
            "rules": booking_rules(booking, now) if booking is not None else None, "entries": entries,
            "cancelled": session.status == TrainingSession.Status.CANCELLED
            or (booking is not None and booking.status in CANCELLED),
        }, status=status)


@org_view(Perm.PORTAL)
@require_GET
def detail(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    reader, _client = client_reader(request)
    return _page(request, reader, session_visible(reader, session_id))


@org_view(Perm.PORTAL)
@require_POST
def rate(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    """Rate the session, or change the rating within 7 days (the page shows which it offers)."""
    reader, _client = client_reader(request)
    session = session_visible(reader, session_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _page(request, reader, session, form=form, status=422)
    stars, comment = form.cleaned_data["stars"], form.cleaned_data["comment"]
    existing = rating_state(reader, session).rating
    try:
        if existing is None:
            session_rate(session=session, actor=request.user, stars=stars, comment=comment)
        else:
            session_rating_update(rating=existing, actor=request.user, stars=stars, comment=comment)
    except NotesError as error:
        apply_error(form, error)
        return _page(request, reader, session, form=form, status=error.status)
    messages.success(request, _("Thank you: your rating is saved.") if existing is None
                     else _("Your rating is changed."))
    return redirect("portal_sessions:detail", org_slug=org_slug, session_id=session.pk)


@org_view(Perm.PORTAL)
@require_POST
def action_item(request: HttpRequest, org_slug: str, session_id: int, noteactionitem_id: int) -> HttpResponse:
    """Tick one of their tasks from a shared note of this session off (``done=1``) or on again."""
    reader, _client = client_reader(request)
    session = session_visible(reader, session_id)
    item = action_items_visible(reader).filter(pk=noteactionitem_id, note__session=session).first()
    if item is None:
        raise Http404("No such action item.")
    tick(request, item)
    return redirect("portal_sessions:detail", org_slug=org_slug, session_id=session.pk)


def tick(request: HttpRequest, item: Any) -> None:
    """Tick an action item off or on again as the form says; a refusal is shown, not raised."""
    try:
        action_item_set_done(item=item, actor=request.user, done=request.POST.get("done") == "1")
    except NotesError as error:
        messages.error(request, str(error))
