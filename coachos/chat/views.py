"""The team's conversations: /o/<org_slug>/chat/ (the back office's "Messages").

The list (most recent first; unread, mine and archived; search), a thread, starting a client's
conversation (from the list's client picker or the client's page) and archiving. Every page works
without script: the thread shows its latest page, sends with a plain form and pages back with a
link; static/chat/chat.js makes it live. Who may see which conversation is the selectors' one rule:
anything else is a 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import pages, selectors, serialize, services
from .compose import send_from_form
from .errors import ChatError
from .forms import GroupForm
from .models import Conversation

FILTERS = ("unread", "mine", "archived")
PICKER_LIMIT = 20


def _filter_of(request: HttpRequest) -> str:
    shown = request.GET.get("show", "")
    return shown if shown in FILTERS else ""


@org_view(Perm.BACKOFFICE)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer = pages.viewer_of(request)
    shown = _filter_of(request)
    q = " ".join(request.GET.get("q", "").split())[:100]
    wanted = selectors.ListFilters(unread=shown == "unread", mine=shown == "mine", archived=shown == "archived", q=q)
    try:
        rows, cursor = selectors.conversation_list(viewer, wanted, cursor=request.GET.get("cursor", "")[:200])
    except selectors.BadCursor:
        return redirect(request.path)
    zone = pages.viewer_zone(viewer)
    kept = {k: v for k, v in (("show", shown), ("q", q)) if v}
    return render(request, "chat/index.html", {
        "tab": "conversations", "rows": pages.list_rows(rows, zone), "shown": shown, "q": q,
        "filtered": bool(kept),
        "any_conversations": bool(rows) or selectors.visible_conversations(viewer).exists(),
        "next_url": f"?{urlencode({**kept, 'cursor': cursor})}" if cursor else "",
        "query": urlencode({"q": q}) if q else "",
        "unread_conversations": pages.unread_conversations(viewer),
        "script": pages.list_script(viewer, zone),
        "strings": pages.strings(),
    })


def _picker(membership: Any, q: str) -> QuerySet[Client]:
    clients = clients_visible_to(membership)
    for term in q.split()[:5]:
        digits = "".join(ch for ch in term if ch.isdigit())
        match = Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(email__icontains=term)
        if len(digits) >= 3:
            match |= Q(phone__contains=digits)
        clients = clients.filter(match)
    return clients.order_by("first_name", "last_name", "pk")


@org_view(Perm.BACKOFFICE)
def new(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Start a conversation: find the client (by name, email or phone)."""
    q = " ".join(request.GET.get("q", "").split())[:100]
    clients = _picker(request.membership, q)  # type: ignore[attr-defined]
    found = list(clients[: PICKER_LIMIT + 1])
    return render(request, "chat/new.html", {
        "tab": "conversations", "q": q, "clients": found[:PICKER_LIMIT], "more": len(found) > PICKER_LIMIT,
        "any_clients": bool(found) or clients_visible_to(request.membership).exists(),  # type: ignore[attr-defined]
    })


@require_http_methods(["GET", "POST"])
@org_view(Perm.BACKOFFICE)
def client(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    """A client's conversation: open it (made on first use, by POST), or go to it when it exists."""
    record = get_object_or_404(clients_visible_to(request.membership), pk=client_id)  # type: ignore[attr-defined]
    existing = Conversation.objects.filter(client=record, kind=Conversation.Kind.DIRECT).first()
    if request.method == "POST":
        conversation, _created = services.conversation_get_or_create(client=record, actor=request.user)
        return redirect(pages.conversation_url(conversation, team=True))
    if existing is not None:
        return redirect(pages.conversation_url(existing, team=True))
    return render(request, "chat/start.html", {"tab": "conversations", "client": record})


@require_http_methods(["GET", "POST"])
@org_view(Perm.BACKOFFICE)
def group_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Start a group: a name, the clients the member may see and other team members."""
    membership = request.membership  # type: ignore[attr-defined]
    form = GroupForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                organization=request.organization, actor=request.user,  # type: ignore[attr-defined]
                title=form.cleaned_data["title"], clients=list(form.cleaned_data["clients"]),
                memberships=list(form.cleaned_data["memberships"]))
        except ChatError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            return redirect(pages.conversation_url(group, team=True))
    return render(request, "chat/group_new.html", {"tab": "conversations", "form": form})


@require_http_methods(["GET", "POST"])
@org_view(Perm.BACKOFFICE)
def conversation(request: HttpRequest, org_slug: str, conversation_id: int) -> HttpResponse:
    viewer = pages.viewer_of(request)
    found = selectors.conversation_visible(viewer, conversation_id)
    failed = None
    if request.method == "POST":
        failed = send_from_form(request, viewer, found)
        if failed is None:
            return redirect(pages.conversation_url(found, team=True) + "#chat-composer")
    context = pages.thread_context(request, viewer, found, urls=_urls(org_slug))
    return render(request, "chat/thread.html", {**context, **(failed or {}), "tab": "conversations"})


def _urls(org_slug: str) -> dict[str, str]:
    return {"list": reverse("chat:index", kwargs={"org_slug": org_slug})}


@require_POST
@org_view(Perm.BACKOFFICE)
def archive(request: HttpRequest, org_slug: str, conversation_id: int) -> HttpResponse:
    """Archive (or bring back, ``archived=0``) a conversation for this person only."""
    viewer = pages.viewer_of(request)
    found = selectors.conversation_visible(viewer, conversation_id)
    archived = request.POST.get("archived", "1") != "0"
    services.conversation_archive(conversation=found, actor=request.user, archived=archived)
    title = serialize.conversation_title(found, team=True)
    if archived:
        messages.success(request, _("“%(title)s” is archived. A new message brings it back.") % {"title": title})
    else:
        messages.success(request, _("“%(title)s” is back in your conversations.") % {"title": title})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) and back.startswith("/"):
        return redirect(back)
    return redirect("chat:index", org_slug=org_slug)


@require_POST
@org_view(Perm.BACKOFFICE)
def mute(request: HttpRequest, org_slug: str, conversation_id: int) -> HttpResponse:
    """Mute (or unmute, ``muted=0``) a conversation for this person only: no bells or emails about it."""
    found = selectors.conversation_visible(pages.viewer_of(request), conversation_id)
    pages.mute_from_form(request, found, team=True)
    return redirect(pages.conversation_url(found, team=True))
