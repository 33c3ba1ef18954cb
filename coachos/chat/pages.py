"""What the chat pages of both sides share: who is looking, in which zone, and a thread or a list made
ready for the templates (the same JSON the API and the frames carry, plus the times as the viewer
reads them), so that a page rendered on the server and a message added by the script look alike.
"""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.contrib import messages as flash
from django.db.models import Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from coachos.clients.models import Client
from coachos.common import formats
from coachos.comms import selectors as comms_selectors
from coachos.comms.models import Channel

from . import attachments, selectors, serialize, services
from .models import Conversation, ConversationState, Message
from .viewers import Viewer, viewer_for

PAGE = 50
# Quick reactions offered under a message; the composer's picker has more.
QUICK_REACTIONS = ("👍", "❤️", "😂", "🎉", "😮", "🙏")
EMOJI = ("😀", "😃", "😄", "😁", "😆", "😅", "😂", "🙂", "😉", "😊", "😍", "🤩", "😎", "🤔", "😮", "😴",
         "😢", "😭", "😤", "😬", "🙌", "👏", "👍", "👎", "👌", "🙏", "💪", "🤝", "👋", "✌️", "❤️", "🔥",
         "⭐", "🎉", "✅", "❌", "⏰", "📅", "🏋️", "🏃", "🚴", "🧘", "🥗", "🍎", "💧", "😅")


def viewer_of(request: HttpRequest) -> Viewer:
    viewer = viewer_for(user=request.user, organization=request.organization,  # type: ignore[attr-defined]
                        membership=request.membership)  # type: ignore[attr-defined]
    if viewer is None:
        raise Http404("No such page.")
    return viewer


def client_record(viewer: Viewer) -> Client | None:
    """A client's own record (the first, when their login is linked to more than one)."""
    if not viewer.client_ids:
        return None
    return Client.objects.filter(pk=viewer.client_ids[0]).first()


def viewer_zone(viewer: Viewer) -> tzinfo:
    """The team reads the business's time; a client their own display zone when they chose one."""
    zone: tzinfo = viewer.organization.tzinfo
    if viewer.is_team:
        return zone
    client = client_record(viewer)
    if client is not None and client.timezone:
        try:
            zone = zoneinfo.ZoneInfo(client.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return zone


def zone_context(viewer: Viewer, zone: tzinfo) -> dict[str, Any]:
    business = viewer.organization.tzinfo
    differs = formats.zones_differ(zone, business)
    return {
        "zone": zone, "zone_name": str(zone), "business_zone_name": str(business),
        "zone_label": formats.zone_name(zone) if differs else "",
        "js_locale": formats.current_locale().replace("_", "-"),
    }


# --- the list ------------------------------------------------------------------------------------

def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def list_time(at: datetime | None, zone: tzinfo) -> str:
    """A row's time: the clock for today, the date before."""
    if at is None:
        return ""
    if timezone.localtime(at, zone).date() == timezone.localtime(timezone.now(), zone).date():
        return formats.format_time(at, zone=zone)
    return formats.format_date(at, zone=zone, style="medium")


def list_rows(rows: list[dict[str, Any]], zone: tzinfo) -> list[dict[str, Any]]:
    """The API's conversation rows with the time shown in the list."""
    shown = []
    for row in rows:
        last = row.get("last_message")
        at = _at(last["created_at"] if last else row["last_activity_at"])
        shown.append({**row, "at": at, "time": list_time(at, zone)})
    return shown


def unread_conversations(viewer: Viewer) -> int:
    """How many of the viewer's conversations (not archived) have a message they have not read."""
    mine = ConversationState.objects.filter(conversation=OuterRef("pk"), user=viewer.user)
    news = (Message.objects.filter(conversation=OuterRef("pk"), pk__gt=OuterRef("my_read"), deleted_at__isnull=True)
            .exclude(kind=Message.Kind.SYSTEM).exclude(sender=viewer.user))
    return (selectors.visible_conversations(viewer)
            .annotate(my_read=Coalesce(Subquery(mine.values("last_read_id")[:1]), Value(0),
                                       output_field=IntegerField()))
            .filter(~Q(Exists(mine.filter(archived_at__isnull=False))), Q(Exists(news))).count())


def list_script(viewer: Viewer, zone: tzinfo) -> dict[str, Any]:
    """What the list's script needs to keep the rows live."""
    return {"business": viewer.organization.slug, "socket": f"/ws/v1/events?business={viewer.organization.slug}",
            "me": viewer.user_id, "zone": str(zone), "locale": formats.current_locale().replace("_", "-")}


# --- a thread ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThreadRequest:
    before: int | None = None
    q: str = ""


def thread_request(request: HttpRequest) -> ThreadRequest:
    raw = request.GET.get("before", "")
    before = int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 19 else None
    return ThreadRequest(before=before, q=" ".join(request.GET.get("q", "").split())[:100])


def _day_label(day: Any, zone: tzinfo) -> str:
    return formats.format_date(day, style="day", today=timezone.localtime(timezone.now(), zone).date())


def message_rows(messages: list[Message], *, viewer: Viewer, conversation: Conversation,
                 zone: tzinfo) -> list[dict[str, Any]]:
    """Each message's JSON (as the API gives it) with what the template shows: local time and day,
    whether it is the viewer's own, and which actions the viewer has."""
    now = timezone.now()
    labels = strings()
    rows = []
    for message, data in zip(messages, serialize.messages_json(messages, team=viewer.is_team,
                                                              conversation=conversation), strict=True):
        mine = message.sender_id is not None and message.sender_id == viewer.user_id
        local = timezone.localtime(message.created_at, zone)
        deleted = data["deleted"]
        rows.append({
            **data,
            "at": message.created_at,
            "day": local.date().isoformat(),
            "day_label": _day_label(local.date(), zone),
            "time": formats.format_time(message.created_at, zone=zone),
            "when": formats.format_datetime(message.created_at, zone=zone),
            "mine": mine,
            "state_label": labels.get(data["state"] or "", ""),
            "system": message.kind == Message.Kind.SYSTEM,
            "can_edit": mine and not deleted and message.kind == Message.Kind.IN_APP
            and now - message.created_at < services.EDIT_WINDOW,
            "can_delete": not deleted and message.kind != Message.Kind.SYSTEM and (mine or viewer.is_owner),
            "can_report": not viewer.is_team and not mine and not deleted and message.kind != Message.Kind.SYSTEM,
            "reactions": [{**r, "mine": viewer.user_id in r["users"]} for r in data["reactions"]],
        })
    return rows


def days_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    days: list[dict[str, Any]] = []
    for row in rows:
        if not days or days[-1]["day"] != row["day"]:
            days.append({"day": row["day"], "label": row["day_label"], "messages": []})
        days[-1]["messages"].append(row)
    return days


def _other_side(viewer: Viewer, conversation: Conversation) -> list[int]:
    """Whose reading makes the viewer's message "read": for the team in a client's conversation, the
    client's login; otherwise anyone but the viewer (an empty list says so to the script)."""
    if viewer.is_team and not conversation.is_group and conversation.client is not None \
            and conversation.client.user_id is not None:
        return [conversation.client.user_id]
    return []


def by_text(viewer: Viewer, conversation: Conversation) -> dict[str, Any] | None:
    """The "by text" choice of the team's composer: shown when the client has a phone number."""
    client = conversation.client
    if not viewer.is_team or conversation.is_group or client is None or not client.phone:
        return None
    blocker = comms_selectors.send_blockers(organization=viewer.organization, client=client)[Channel.SMS]
    return {"blocker": blocker, "phone": client.phone}


def strings() -> dict[str, str]:
    """The words the script shows (translated here: the script has no catalog)."""
    return {
        "sending": _("Sending…"), "sent": _("Sent"), "delivered": _("Delivered"), "read": _("Read"),
        "failed": _("Not sent"), "retry": _("Retry"), "discard": _("Discard"),
        "edited": _("edited"), "deleted": _("Message deleted"), "edit": _("Edit"), "save": _("Save"),
        "cancel": _("Cancel"), "delete": _("Delete"), "report": _("Report"), "react": _("React"),
        "reactWith": _("React with %(emoji)s"),
        "confirmDelete": _("Delete this message? Everyone will see “Message deleted”."),
        "typingOne": _("%(name)s is typing…"), "typingMany": _("Several people are typing…"),
        "someone": _("Someone"), "offline": _("You are offline. Messages will be sent when you are back."),
        "reconnecting": _("Reconnecting…"),
        "signedOut": _("You were signed out. Reload the page to sign in again."),
        "newMessages": _("New messages arrived. Reload to see them."),
        "uploading": _("Uploading %(name)s"), "uploaded": _("%(name)s is ready to send"),
        "uploadFailed": _("%(name)s could not be uploaded: %(reason)s"), "removeFile": _("Remove %(name)s"),
        "tooLarge": _("A file can be at most %(size)s MB."), "networkError": _("The connection failed."),
        "reported": _("Thank you. The business owner will look at it."),
        "editWindowOver": _("A message can be changed for 5 minutes after it is sent."),
        "you": _("You"), "text": pgettext("channel", "Text"), "email": pgettext("channel", "Email"),
        "olderFailed": _("Older messages could not load."), "loading": _("Loading…"),
        "openImage": _("Open %(name)s"),
    }


def thread_context(request: HttpRequest, viewer: Viewer, conversation: Conversation, *,
                   urls: dict[str, str]) -> dict[str, Any]:
    """Everything the thread page shows: the first page (or a page further back, or search results),
    the composer, and what the script needs to carry on live."""
    wanted = thread_request(request)
    zone = viewer_zone(viewer)
    team = viewer.is_team
    if wanted.q:
        page = selectors.thread_messages(conversation, selectors.ThreadQuery(q=wanted.q, limit=PAGE))
    else:
        page = selectors.thread_messages(conversation, selectors.ThreadQuery(before=wanted.before, limit=PAGE))
    rows = message_rows(page, viewer=viewer, conversation=conversation, zone=zone)
    first = page[0].pk if page else None
    has_older = first is not None and Message.objects.filter(conversation=conversation, pk__lt=first).exists()
    newer_exists = bool(page) and (wanted.before is not None or bool(wanted.q)) and Message.objects.filter(
        conversation=conversation, pk__gt=page[-1].pk).exists()
    latest = not wanted.q and wanted.before is None
    state = selectors.state_of(conversation, viewer.user)
    last_read = state.last_read_id if state is not None else 0
    if latest and page and page[-1].pk > last_read:
        last_read = services.conversation_mark_read(conversation=conversation, actor=viewer.user, up_to=page[-1].pk)
    title = serialize.conversation_title(conversation, team=team)
    client = conversation.client
    coach = client.coach_membership if client is not None else None
    return {
        "conversation": conversation, "title": title, "rows": rows, "days": days_of(rows), "team": team,
        "search": wanted.q, "before": wanted.before, "latest": latest, "has_older": has_older,
        "newer_exists": newer_exists, "archived": bool(state and state.archived_at),
        "muted": bool(state and state.muted),
        "older_url": f"?before={first}" if has_older else "",
        "coach_name": (serialize.full_name(coach.user) if team else serialize.first_name(coach.user))
        if coach is not None and coach.user is not None else "",
        "members": selectors.members_json(
            list(conversation.members.select_related("client", "membership__user")), team=team)
        if conversation.is_group else [],
        "by_text": by_text(viewer, conversation),
        "client_key": uuid.uuid4().hex,
        "last_read": last_read,
        "max_mb": attachments.max_bytes() // (1024 * 1024),
        "emoji": EMOJI, "quick_reactions": QUICK_REACTIONS,
        "strings": strings(),
        "script": {
            "conversation": conversation.pk, "business": viewer.organization.slug, "me": viewer.user_id,
            "team": team, "owner": viewer.is_owner, "others": _other_side(viewer, conversation),
            "api": f"/api/v1/conversations/{conversation.pk}", "upload": "/api/v1/attachments",
            "socket": f"/ws/v1/events?business={viewer.organization.slug}",
            "lastRead": last_read, "live": latest, "editSeconds": int(services.EDIT_WINDOW.total_seconds()),
            "maxBytes": attachments.max_bytes(), "zone": str(zone),
            "locale": formats.current_locale().replace("_", "-"),
            "quickReactions": list(QUICK_REACTIONS), **urls,
        },
        **zone_context(viewer, zone),
    }


def mute_from_form(request: HttpRequest, conversation: Conversation, *, team: bool) -> bool:
    """The thread's Mute / Unmute button (``muted=0`` unmutes), for the person asking only."""
    muted = request.POST.get("muted", "1") != "0"
    services.conversation_mute(conversation=conversation, actor=request.user, muted=muted)
    title = serialize.conversation_title(conversation, team=team)
    if muted:
        flash.success(request, _("“%(title)s” is muted: no notifications about it.") % {"title": title})
    else:
        flash.success(request, _("Notifications about “%(title)s” are back on.") % {"title": title})
    return muted


def conversation_url(conversation: Conversation, *, team: bool) -> str:
    name = "chat:conversation" if team else "portal_chat:conversation"
    return reverse(name, kwargs={"org_slug": conversation.organization.slug, "conversation_id": conversation.pk})
