"""Notes inside other apps' pages: the client page's "Notes" section (registered over the clients
app's old one, ``clients.sections``) and the calendar's session panel (``scheduling.panel_sections``).
Both list the notes the member may read and add a short one; the editor does the rest.

The client is looked up with the clients app's rule (another business's or another coach's client is
a 404); the session with the calendar's (a one-to-one of a client the member may not see is a 404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coachos.clients.models import Client
from coachos.clients.selectors import sees_every_client
from coachos.clients.views_sections import client_or_404, guarded, section_response
from coachos.scheduling import visibility
from coachos.scheduling.models import Booking, TrainingSession
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from .errors import NotesError
from .forms import QuickNoteForm
from .readers import Reader
from .selectors import notes as selectors
from .services import notes as services
from .views_common import reader_of, rows, with_open_items

SECTION_NOTES = 10


def _create(form: QuickNoteForm, *, request: HttpRequest, client: Client | None,
            session: TrainingSession | None = None) -> bool:
    if not form.is_valid():
        return False
    if "client" in form.fields:
        client = form.cleaned_data["client"]
    try:
        services.note_create(client=client, session=session, actor=request.user,
                             body_html=form.cleaned_data["text"], shared=form.cleaned_data["shared"])
    except NotesError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return False
    return True


def _first_error(form: QuickNoteForm) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


# --- the client page's section ----------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@org_view(Perm.BACKOFFICE)
def client_section(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = client_or_404(client_id, request.membership)  # type: ignore[attr-defined]
    reader = reader_of(request)

    def build() -> HttpResponse:
        form = QuickNoteForm(request.POST or None)
        extra: dict[str, Any] = {}
        if request.method == "POST":
            if _create(form, request=request, client=client):
                extra["notice"] = _("Note added.")
                form = QuickNoteForm()
            else:
                extra["error"] = _first_error(form)
        notes = with_open_items(selectors.note_list(reader, selectors.NoteFilters(client=client.pk)))
        found = list(notes[:SECTION_NOTES + 1])
        context = {"client": client, "form": form, "rows": rows(found[:SECTION_NOTES]),
                   "more": len(found) > SECTION_NOTES, **extra}
        return section_response(request, "notes", "notes/_client_section.html", context,
                                status=422 if "error" in extra else 200)

    return guarded("notes", request, client, build)


# --- the calendar's session panel -------------------------------------------------------------------

def _panel_session(request: HttpRequest, session_id: int) -> tuple[TrainingSession, list[Client]]:
    """The session as the calendar shows it to this member, and the clients of it they may see."""
    session: TrainingSession = get_object_or_404(TrainingSession.objects.select_related("session_type", "coach")
                                .prefetch_related("bookings__client"), pk=session_id)
    access = visibility.access_for(request.membership, session)  # type: ignore[attr-defined]
    if access.busy:
        raise Http404("No such session.")
    active = [b for b in access.bookings if b.status in Booking.ACTIVE] or access.bookings
    clients: dict[int, Client] = {}
    for booking in active:
        clients.setdefault(booking.client_id, booking.client)
    return session, list(clients.values())


def _whole_session_allowed(reader: Reader, session: TrainingSession) -> bool:
    """A note on a class as a whole is read by whoever sees every client, or the session's coach
    (``selectors.notes.notes_visible``): only they may write one."""
    return sees_every_client(reader.membership) or session.coach.membership_id == reader.membership.pk


def _panel_form(data: Any, session: TrainingSession, clients: list[Client], whole: bool) -> QuickNoteForm | None:
    """One client: the note is about them. Several (a class): choose one, or the class as a whole."""
    if len(clients) == 1 and session.capacity <= 1:
        return QuickNoteForm(data)
    if not clients:
        return QuickNoteForm(data, clients=None) if whole else None
    queryset: QuerySet[Client] = Client.objects.filter(pk__in=[c.pk for c in clients]).order_by(
        "first_name", "last_name", "pk")
    return QuickNoteForm(data, clients=queryset, whole_session=whole)


@require_http_methods(["GET", "POST"])
@org_view(Perm.BACKOFFICE)
def session_panel(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    reader = reader_of(request)
    session, clients = _panel_session(request, session_id)
    if not request.htmx:  # type: ignore[attr-defined]
        if request.method == "GET":  # without script: the notes page shows the session's notes
            return redirect(reverse("notes:index", kwargs={"org_slug": org_slug}) + f"?session={session.pk}")
    whole = _whole_session_allowed(reader, session)
    form = _panel_form(request.POST or None, session, clients, whole)
    notice = error = ""
    status = 200
    if request.method == "POST":
        one = clients[0] if len(clients) == 1 else None
        if form is not None and _create(form, request=request, client=one, session=session):
            notice = _("Note added.")
            form = _panel_form(None, session, clients, whole)
        else:
            error = _first_error(form) if form is not None else _("You cannot add a note to this session.")
            status = 422
        if not request.htmx:  # type: ignore[attr-defined]
            (messages.success if notice else messages.error)(request, notice or error)
            return redirect("calendar:session", org_slug=org_slug, session_id=session.pk)
    notes = with_open_items(selectors.notes_visible(reader).filter(session=session)
                            .select_related("client", "author").prefetch_related("tags").order_by("-created_at", "-id"))
    return render(request, "notes/_session_panel.html", {
        "session": session, "clients": clients, "form": form, "rows": rows(list(notes[:50])),
        "notice": notice, "error": error, "one_client": clients[0] if len(clients) == 1 else None,
    }, status=status)
