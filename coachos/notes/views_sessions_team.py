"""A session's page for the team: /o/<org_slug>/sessions/<session_id>/ (namespace ``sessions``).

When (the business's zone, labelled), where or the video link, type, coach, status and the
clients' confirmations; every note the member may read about it, its action items, and the clients'
ratings with the coach's average. Moving or cancelling is the calendar's (its session page, with the
same rules). A coach the owner limited to their own clients does not open a one-to-one session of
another coach's client (a 404, as in the calendar) and sees only their clients' places in a class.
"""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from coachos.notes.readers import Reader
from coachos.notes.selectors.notes import action_items_visible
from coachos.notes.selectors.ratings import coach_rating, ratings_visible
from coachos.notes.selectors.sessions import session_facts, session_visible
from coachos.notes.views_journal_common import reader_of, url_or_empty, zone_context
from coachos.notes.views_sessions_portal import tick
from coachos.scheduling import visibility
from coachos.scheduling.models import Booking, TrainingSession
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm


def _session(request: HttpRequest, session_id: int) -> tuple[Reader, TrainingSession, visibility.SessionAccess]:
    reader = reader_of(request)
    if not reader.is_team:
        raise Http404("No such page.")
    session = session_visible(reader, session_id)
    prefetch_related_objects([session], "bookings__client")  # the places, read once for the page
    access = visibility.access_for(reader.membership, session)
    if access.busy:
        raise Http404("No such session.")
    return reader, session, access


@org_view(Perm.BACKOFFICE)
@require_GET
def detail(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    reader, session, access = _session(request, session_id)
    facts = session_facts(reader, session)
    bookings = sorted(access.bookings, key=lambda b: (b.status not in Booking.ACTIVE, b.pk))
    active = [b for b in bookings if b.status in Booking.ACTIVE]
    ratings = list(ratings_visible(reader).filter(session=session).select_related("client")
                   .order_by("-created_at"))
    zone = reader.organization.tzinfo
    summary = coach_rating(session.coach)
    with timezone.override(zone):
        return render(request, "notes/session/team_detail.html", {
            "session": session, "facts": facts, "bookings": bookings,
            "confirmed": bool(active) and all(b.client_confirmed_at for b in active),
            "ratings": ratings, "coach_rating": summary,
            "coach_stars": round(summary.average) if summary.average is not None else None,
            "calendar_url": url_or_empty("calendar:session", org_slug=org_slug, session_id=session.pk),
            "changeable": not access.locked and session.status == TrainingSession.Status.SCHEDULED,
            **zone_context(reader, zone),
        })


@org_view(Perm.BACKOFFICE)
@require_POST
def action_item(request: HttpRequest, org_slug: str, session_id: int, noteactionitem_id: int) -> HttpResponse:
    reader, session, _access = _session(request, session_id)
    item = action_items_visible(reader).filter(pk=noteactionitem_id, note__session=session).first()
    if item is None:
        raise Http404("No such action item.")
    tick(request, item)
    return redirect("sessions:detail", org_slug=org_slug, session_id=session.pk)


@org_view(Perm.BACKOFFICE)
@require_GET
def panel(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    """The calendar panel's part: the session's ratings in a line and a link to its page."""
    reader, session, _access = _session(request, session_id)
    ratings = list(ratings_visible(reader).filter(session=session).values_list("stars", flat=True))
    average = round(sum(ratings) / len(ratings), 1) if ratings else None
    return render(request, "notes/session/_panel.html", {
        "session": session, "count": len(ratings), "average": average,
        "average_stars": round(average) if average is not None else None})


@org_view(Perm.BACKOFFICE)
@require_GET
def open_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    wanted = request.GET.get("session", "")
    if not wanted.isdigit() or len(wanted) > 12:
        return redirect("calendar:index", org_slug=org_slug)
    return redirect("sessions:detail", org_slug=org_slug, session_id=int(wanted))
