"""Google Calendar connections: OAuth connect, busy times kept fresh by push notifications (watch
channels, renewed before they expire) plus incremental sync with sync tokens, and session events
written with a fixed id. Talks to Google only through ``google_gateway``."""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.scheduling.models import Coach
from coachos.tenancy import audit

from . import crypto, google_gateway, sync_state
from .busy import Busy
from .errors import IntegrationError, WriteFailed
from .models import BusyBlock, CalendarConnection

logger = logging.getLogger(__name__)

SESSION_KEY = "integrations.google_oauth"
CHANNEL_TTL = timedelta(days=7)
RENEW_BEFORE = timedelta(days=1)
OWN_EVENT_PREFIX = "coachos"  # the ids of the events Coach OS writes (writes.google_event_id)


def configured() -> bool:
    return google_gateway.configured()


def _redirect_uri() -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('google_calendar:oauth_callback')}"


def _client(connection: CalendarConnection) -> google_gateway.Client:
    secret = json.loads(crypto.unseal(connection.secret) or "{}")
    return google_gateway.Client(refresh_token=secret.get("refresh_token", ""))


# --- connecting ----------------------------------------------------------------------------------

def authorization_url(request: HttpRequest, *, coach: Coach) -> str:
    """Where to send the coach's browser; what comes back is checked against this session."""
    flow = google_gateway.flow(redirect_uri=_redirect_uri())
    url, state = flow.authorization_url(access_type="offline", prompt="consent", include_granted_scopes="true")
    request.session[SESSION_KEY] = signing.dumps({
        "state": state, "org": coach.organization_id, "coach": coach.pk, "verifier": flow.code_verifier or "",
        "user": request.user.pk,
    })
    return str(url)


def pending(request: HttpRequest, state: str) -> dict[str, Any] | None:
    """The connect this browser started, if ``state`` is its (signed, within an hour, same user)."""
    raw = request.session.get(SESSION_KEY)
    if not raw:
        return None
    try:
        saved: dict[str, Any] = signing.loads(raw, max_age=3600)
    except signing.BadSignature:
        return None
    if not hmac.compare_digest(str(saved.get("state", "")), state) or saved.get("user") != request.user.pk:
        return None
    return saved


@transaction.atomic
def connect(*, coach: Coach, actor: Any, code: str, state: str, verifier: str,
            now: datetime | None = None) -> CalendarConnection:
    """Exchange the code for a refresh token, store it encrypted, read the busy times, start a watch."""
    flow = google_gateway.flow(redirect_uri=_redirect_uri(), state=state)
    if verifier:
        flow.code_verifier = verifier
    try:
        flow.fetch_token(code=code)
    except Exception as exc:  # oauthlib's errors: a refused or used code
        raise IntegrationError(_("Google did not grant access: %(reason)s") % {
            "reason": " ".join(str(exc).split())[:200] or exc.__class__.__name__}, code="auth") from exc
    refresh_token = flow.credentials.refresh_token or ""
    if not refresh_token:
        raise IntegrationError(_("Google did not grant offline access. Please connect again."), code="auth")
    client = google_gateway.Client(refresh_token=refresh_token)
    try:
        calendar_id, name = google_gateway.calendar_summary(client)
    except google_gateway.GoogleFailure as exc:
        raise IntegrationError(_("Could not read the Google calendar: %(reason)s") % {"reason": exc.reason}) from exc
    has_target = CalendarConnection.objects.filter(coach=coach, write_target=True).exists()
    connection = CalendarConnection.objects.create(
        organization=coach.organization, coach=coach, provider=CalendarConnection.Provider.GOOGLE,
        name=(name or "Google Calendar")[:200], secret=crypto.seal(json.dumps({"refresh_token": refresh_token})),
        calendar_id=calendar_id, busy_source=True, write_target=not has_target,
    )
    audit.log(organization=coach.organization, actor=actor, action="calendar.connected", obj=connection,
              data={"provider": connection.provider, "coach": coach.pk})
    now = now or timezone.now()
    lo, hi = sync_state.sync_window(coach, now)
    connection = sync(connection, lo=lo, hi=hi, now=now)
    channel_start(connection, now=now)
    return connection


# --- busy times ------------------------------------------------------------------------------------

def _instant(value: dict[str, Any], zone: tzinfo) -> datetime | None:
    if value.get("dateTime"):
        parsed = datetime.fromisoformat(str(value["dateTime"]))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
        return parsed.astimezone(UTC)
    if value.get("date"):  # an all-day event: its days in the business's zone
        return datetime.combine(date.fromisoformat(str(value["date"])), time.min, tzinfo=zone).astimezone(UTC)
    return None


def event_busy(item: dict[str, Any], zone: tzinfo) -> Busy | None:
    """What one Google event blocks: nothing when cancelled, marked free, or one of our own sessions."""
    if item.get("status") == "cancelled" or item.get("transparency") == "transparent":
        return None
    if str(item.get("id", "")).startswith(OWN_EVENT_PREFIX):
        return None
    start, end = _instant(item.get("start") or {}, zone), _instant(item.get("end") or {}, zone)
    if start is None or end is None or end <= start:
        return None
    return Busy(start, end)


def sync(connection: CalendarConnection, *, lo: datetime, hi: datetime, now: datetime) -> CalendarConnection:
    """Read the changes since the last sync token (everything in the window when there is none)."""
    zone = connection.coach.organization.tzinfo
    try:
        page = google_gateway.events_read(_client(connection), connection.calendar_id, lo=lo, hi=hi,
                                          sync_token=connection.sync_state)
    except google_gateway.GoogleFailure as exc:
        sync_state.failed(connection, reason=exc.reason, revoked=exc.revoked, now=now)
        return connection
    if page.full:
        BusyBlock.objects.filter(connection=connection).delete()
    else:
        BusyBlock.objects.filter(connection=connection, source__in=[str(i.get("id", "")) for i in page.items]).delete()
    blocks = []
    for item in page.items:
        busy = event_busy(item, zone)
        if busy is not None and busy.starts_at < hi and busy.ends_at > lo:
            blocks.append(BusyBlock(organization_id=connection.organization_id, connection=connection,
                                    coach_id=connection.coach_id, starts_at=busy.starts_at, ends_at=busy.ends_at,
                                    source=str(item.get("id", ""))[:1000], etag=str(item.get("etag", ""))[:200]))
    BusyBlock.objects.bulk_create(blocks, batch_size=1000)
    connection.sync_state = page.sync_token[:1000]
    sync_state.mark_synced(connection, now)
    return connection


# --- session events --------------------------------------------------------------------------------

def put_event(connection: CalendarConnection, *, event_id: str, content: Any, exists: bool) -> str:
    body = {
        "summary": content.summary, "description": content.description, "location": content.location,
        "start": {"dateTime": content.starts_at.astimezone(UTC).isoformat()},
        "end": {"dateTime": content.ends_at.astimezone(UTC).isoformat()},
        "status": "confirmed", "iCalUID": content.uid,
        "extendedProperties": {"private": {"coachos": "session"}},
    }
    try:
        return google_gateway.event_put(_client(connection), connection.calendar_id, event_id=event_id, body=body,
                                        exists=exists)
    except google_gateway.GoogleFailure as exc:
        raise WriteFailed(exc.reason) from exc


def delete_event(connection: CalendarConnection, *, event_id: str) -> None:
    try:
        google_gateway.event_delete(_client(connection), connection.calendar_id, event_id=event_id)
    except google_gateway.GoogleFailure as exc:
        raise WriteFailed(exc.reason) from exc


# --- push notifications ----------------------------------------------------------------------------

def _address() -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse('google_calendar:notification')}"


def channel_start(connection: CalendarConnection, *, now: datetime) -> bool:
    """Open a watch channel on the calendar (Google then calls the notification endpoint on changes)."""
    channel_id, token = secrets.token_hex(16), secrets.token_urlsafe(24)
    try:
        answer = google_gateway.watch(_client(connection), connection.calendar_id, channel_id=channel_id, token=token,
                                      address=_address(), ttl_seconds=int(CHANNEL_TTL.total_seconds()))
    except google_gateway.GoogleFailure as exc:
        logger.warning("google watch failed", extra={"connection": connection.pk, "reason": exc.reason[:100]})
        return False
    expires = answer.get("expiration")
    connection.channel_id, connection.channel_token = channel_id, token
    connection.channel_resource_id = str(answer.get("resourceId", ""))[:200]
    connection.channel_expires_at = (datetime.fromtimestamp(int(expires) / 1000, tz=UTC) if expires
                                     else now + CHANNEL_TTL)
    connection.save(update_fields=["channel_id", "channel_token", "channel_resource_id", "channel_expires_at",
                                   "updated_at"])
    return True


def stop_channel(connection: CalendarConnection) -> None:
    """Stop the watch channel (best effort: a channel left alone expires by itself)."""
    if not connection.channel_id:
        return
    try:
        google_gateway.stop(_client(connection), channel_id=connection.channel_id,
                            resource_id=connection.channel_resource_id)
    except google_gateway.GoogleFailure:
        logger.info("google channel stop failed", extra={"connection": connection.pk})


def channel_renew_if_due(connection: CalendarConnection, *, now: datetime) -> bool:
    """A channel that expires within a day (or none) is replaced by a new one before it lapses."""
    if connection.channel_expires_at is not None and connection.channel_expires_at > now + RENEW_BEFORE:
        return False
    with transaction.atomic():
        connection = CalendarConnection.objects.select_for_update().get(pk=connection.pk)
        if connection.channel_expires_at is not None and connection.channel_expires_at > now + RENEW_BEFORE:
            return False
        stop_channel(connection)
        return channel_start(connection, now=now)


def notification_connection(*, channel_id: str, token: str) -> CalendarConnection | None:
    """The connection a push notification is for, if its channel id and token match (compared in
    constant time); the caller is outside any scope."""
    from django_scopes import scopes_disabled

    if not channel_id:
        return None
    with scopes_disabled():
        connection = CalendarConnection.objects.select_related("organization").filter(channel_id=channel_id).first()
    if connection is None or not hmac.compare_digest(connection.channel_token.encode(), token.encode()):
        return None
    return connection
