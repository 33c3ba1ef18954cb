"""Back-office message pages: /o/<org_slug>/messages/.

The outbox (every text and email the business sends, why one did not go, "Send again") and the
inbox of texts clients sent. Everyone in the back office (owner, coach, front desk) uses them:
the front desk is who answers "did my reminder go out?" at the counter. Template wording is in
``views_templates``, the client page's section in ``views_client``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.tenancy.access import org_view
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Perm

from . import catalog, compose, outbox, selectors
from .forms import OutboxFilterForm, ReplyForm
from .models import InboundMessage, OutboundMessage

PER_PAGE = 50
INBOX_PER_PAGE = 30
FILTER_KEYS = ("q", "status", "channel", "kind", "date_from", "date_to")


def backends() -> dict[str, bool]:
    """Which of the embedded 'print instead of send' gateways are on (the pages say so)."""
    return {"sms_console": settings.SMS_BACKEND == "console",
            "email_console": settings.EMAIL_BACKEND.endswith("console.EmailBackend")}


def shell(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    """What every messages page shows around its content: the tabs' unread count (of the texts this
    member may see) and the banners."""
    return {"unread_count": selectors.unread_count(clients=_clients(request)), **backends(), **extra}


def message_row(message: OutboundMessage, organization: Organization) -> dict[str, Any]:
    spec = catalog.KINDS.get(message.kind)
    return {
        "message": message,
        "kind_label": spec.label if spec is not None else message.kind,
        "status_label": selectors.STATUS_LABELS.get(message.status, message.status),
        "badge": selectors.STATUS_BADGES.get(message.status, ""),
        "reason": selectors.reason_for(message, organization),
        "snippet": " ".join(message.body.split()),  # one paragraph for lists; the detail page has it all
    }


def _clients(request: HttpRequest) -> QuerySet[Client] | None:
    """The clients whose messages this member may see: a coach limited to their own clients sees
    only theirs (``clients_visible_to``); None for everyone else (every message)."""
    membership = request.membership  # type: ignore[attr-defined]
    return clients_visible_to(membership) if membership.own_clients_only else None


def _outbound(request: HttpRequest) -> QuerySet[OutboundMessage]:
    return selectors.about_clients(OutboundMessage.objects.all(), _clients(request))


def _inbound(request: HttpRequest) -> QuerySet[InboundMessage]:
    return selectors.about_clients(InboundMessage.objects.all(), _clients(request))


@org_view(Perm.BACKOFFICE)
def outbox_index(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    form = OutboxFilterForm(request.GET or None)
    page = Paginator(selectors.outbox_list(organization=organization, filters=form.filters(),
                                           clients=_clients(request)), PER_PAGE) \
        .get_page(request.GET.get("page"))
    kept = {k: v for k, v in request.GET.items() if k in FILTER_KEYS and v}
    any_messages = page.paginator.count > 0 or (bool(kept) and _outbound(request).exists())
    return render(request, "comms/outbox.html", shell(
        request,
        tab="outbox", form=form, page=page, rows=[message_row(m, organization) for m in page.object_list],
        query=urlencode(kept), filtered=bool(kept), any_messages=any_messages, counts=selectors.status_counts(clients=_clients(request)),
    ))


@org_view(Perm.BACKOFFICE)
def message_detail(request: HttpRequest, org_slug: str, outboundmessage_id: int) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    message: OutboundMessage = get_object_or_404(_outbound(request).select_related("client", "user"),
                                                 pk=outboundmessage_id)
    related_label, related_url = selectors.related_link(message, org_slug)
    return render(request, "comms/message_detail.html", shell(
        request,
        tab="outbox", row=message_row(message, organization), message=message, related_label=related_label,
        related_url=related_url, can_resend=selectors.can_resend(message),
    ))


@require_POST
@org_view(Perm.BACKOFFICE)
def message_resend(request: HttpRequest, org_slug: str, outboundmessage_id: int) -> HttpResponse:
    message = get_object_or_404(_outbound(request), pk=outboundmessage_id)
    try:
        with transaction.atomic():
            copy = outbox.resend(message=message, actor=request.user)
    except outbox.CommsError as exc:
        messages.error(request, str(exc))
        return redirect("comms:message", org_slug=org_slug, outboundmessage_id=message.pk)
    if copy.status == OutboundMessage.Status.SUPPRESSED:
        messages.warning(request, _("Written again as message #%(id)s, but it still cannot go: %(reason)s") % {
            "id": copy.pk, "reason": copy.last_error})
    else:
        messages.success(request, _("Sending again as message #%(id)s.") % {"id": copy.pk})
    return redirect("comms:message", org_slug=org_slug, outboundmessage_id=copy.pk)


# --- texts from clients -------------------------------------------------------------------------

def _inbox_page(request: HttpRequest, reply_forms: dict[int, ReplyForm] | None = None) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(selectors.inbox_list(unread_only=unread_only, clients=_clients(request)),
                     INBOX_PER_PAGE).get_page(request.GET.get("page"))
    forms = reply_forms or {}
    rows = [{
        "text": text,
        "blocker": selectors.reply_blocker(organization=organization, text=text),
        "form": forms.get(text.pk) or ReplyForm(prefix=f"r{text.pk}"),
        "open": text.pk in forms,
    } for text in page.object_list]
    return render(request, "comms/inbox.html", shell(
        request,
        tab="inbox", page=page, rows=rows, unread_only=unread_only,
        any_texts=page.paginator.count > 0 or _inbound(request).exists(),
    ))


def _back_to_inbox(request: HttpRequest, org_slug: str) -> HttpResponse:
    kept = {k: v for k, v in request.GET.items() if k in ("show", "page") and v}
    response = redirect("comms:inbox", org_slug=org_slug)
    if kept:
        response["Location"] += "?" + urlencode(kept)
    return response


@org_view(Perm.BACKOFFICE)
def inbox(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _inbox_page(request)


@require_POST
@org_view(Perm.BACKOFFICE)
def inbound_read(request: HttpRequest, org_slug: str, inboundmessage_id: int) -> HttpResponse:
    text = get_object_or_404(_inbound(request), pk=inboundmessage_id)
    compose.inbound_mark_read(text=text, actor=request.user)
    return _back_to_inbox(request, org_slug)


@require_POST
@org_view(Perm.BACKOFFICE)
def inbound_read_all(request: HttpRequest, org_slug: str) -> HttpResponse:
    count = compose.inbound_mark_all_read(organization=request.organization,  # type: ignore[attr-defined]
                                          actor=request.user, clients=_clients(request))
    if count:
        messages.success(request, _("Every text is marked as read."))
    return _back_to_inbox(request, org_slug)


@require_POST
@org_view(Perm.BACKOFFICE)
def inbound_reply(request: HttpRequest, org_slug: str, inboundmessage_id: int) -> HttpResponse:
    text: InboundMessage = get_object_or_404(_inbound(request).select_related("client"), pk=inboundmessage_id)
    form = ReplyForm(request.POST, prefix=f"r{text.pk}")
    if form.is_valid():
        blocker = selectors.reply_blocker(organization=request.organization, text=text)  # type: ignore[attr-defined]
        if blocker:
            form.add_error(None, blocker)
        else:
            try:
                reply = compose.inbound_reply(text=text, actor=request.user, body=form.cleaned_data["body"])
            except compose.CommsError as exc:
                form.add_error("body", str(exc))
            else:
                messages.success(request, _("Reply queued (message #%(id)s).") % {"id": reply.pk})
                return _back_to_inbox(request, org_slug)
    return _inbox_page(request, {text.pk: form})
