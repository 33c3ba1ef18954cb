"""The team's notes page: /o/<org_slug>/notes/ (the back office's "Notes").

The notes the member may read (``selectors.notes.notes_visible``: a coach limited to their own
clients sees only theirs), searched with PostgreSQL full-text, filtered by client, session, tag, author
and sharing, sorted by date or client, a page at a time. The editor, the templates and the embedded
parts (the client page's section, the calendar's panel) are in the sibling ``views_*`` modules.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from .forms import NoteFilterForm
from .selectors import notes as selectors
from .views_common import reader_of, rows, with_open_items

PER_PAGE = 20
FILTER_NAMES = ("q", "client", "session", "tag", "author", "shared", "sort")


@require_GET
@org_view(Perm.BACKOFFICE)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    reader = reader_of(request)
    form = NoteFilterForm(request.GET, reader=reader)
    wanted = form.filters()
    notes = with_open_items(selectors.note_list(reader, wanted))
    page = Paginator(notes, PER_PAGE).get_page(request.GET.get("page"))
    kept = [(name, request.GET[name]) for name in FILTER_NAMES if request.GET.get(name)]
    filtered = any(name != "sort" for name, _value in kept)
    return render(request, "notes/index.html", {
        "form": form, "page": page, "rows": rows(list(page.object_list)), "query": urlencode(kept),
        "filtered": filtered, "bad_filters": bool(form.errors),
        "any_notes": page.paginator.count > 0 or selectors.notes_visible(reader).exists(),
        "client_filter": form.cleaned_data.get("client"),
    })
