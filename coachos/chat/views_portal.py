"""A client's conversations: /portal/<org_slug>/chat/ ("Messages" in the portal).

Their own conversation with the business (made when they first write) and the groups they belong to.
Any other conversation, another client's or another business's, is a 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import pages, selectors, services
from .compose import send_from_form
from .models import Conversation


@org_view(Perm.PORTAL)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer = pages.viewer_of(request)
    rows, cursor = selectors.conversation_list(viewer, selectors.ListFilters(), limit=50)
    archived, _more = selectors.conversation_list(viewer, selectors.ListFilters(archived=True), limit=50)
    rows = rows + archived
    client = pages.client_record(viewer)
    own = next((row for row in rows if row["kind"] == Conversation.Kind.DIRECT and row["client"] == getattr(
        client, "pk", None)), None)
    zone = pages.viewer_zone(viewer)
    return render(request, "chat/portal_index.html", {
        "rows": pages.list_rows(rows, zone), "client": client, "own": own,
        "script": pages.list_script(viewer, zone),
        "strings": pages.strings(),
    })


@require_POST
@org_view(Perm.PORTAL)
def start(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The client's own conversation with the business, made on first use."""
    client = pages.client_record(pages.viewer_of(request))
    if client is None:
        raise Http404("No client record.")
    conversation, _created = services.conversation_get_or_create(client=client, actor=request.user)
    return redirect(pages.conversation_url(conversation, team=False))


@require_http_methods(["GET", "POST"])
@org_view(Perm.PORTAL)
def conversation(request: HttpRequest, org_slug: str, conversation_id: int) -> HttpResponse:
    viewer = pages.viewer_of(request)
    found = selectors.conversation_visible(viewer, conversation_id)
    urls = {"list": reverse("portal_chat:index", kwargs={"org_slug": org_slug})}
    failed = None
    if request.method == "POST":
        failed = send_from_form(request, viewer, found)
        if failed is None:
            return redirect(pages.conversation_url(found, team=False) + "#chat-composer")
    context = pages.thread_context(request, viewer, found, urls=urls)
    return render(request, "chat/portal_thread.html", {**context, **(failed or {})})


@require_POST
@org_view(Perm.PORTAL)
def mute(request: HttpRequest, org_slug: str, conversation_id: int) -> HttpResponse:
    """Mute (or unmute, ``muted=0``) a conversation for this client only: no notifications about it."""
    found = selectors.conversation_visible(pages.viewer_of(request), conversation_id)
    pages.mute_from_form(request, found, team=False)
    return redirect(pages.conversation_url(found, team=False))
