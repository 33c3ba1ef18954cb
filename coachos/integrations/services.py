"""Connected calendars: connect, change, disconnect, and bring the cached busy times up to date.

Busy times are read from the cache (``BusyBlock``) by the slot engine; a sync replaces a
connection's cache only when the calendar answered, so a failing calendar keeps blocking with
what it last said (and is shown as failing to the coach). Before a client's booking is accepted
``refresh_if_stale`` re-reads any calendar whose copy is older than a minute.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import connection as db_connection
from django.db import transaction
from django.db.models import FloatField, Func
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.scheduling.models import Coach
from coachos.tenancy import audit

from . import busy as busy_rules
from . import caldav_gateway, crypto, google_sync, sync_state
from .errors import IntegrationError
from .models import BusyBlock, CalendarConnection

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=1)  # older than this, a booking re-reads the calendar first
POLL_EVERY = timedelta(minutes=5)  # the periodic job's own re-read


def _account(connection: CalendarConnection) -> caldav_gateway.Account:
    return caldav_gateway.Account(connection.url, connection.username, crypto.unseal(connection.secret))


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise IntegrationError(_("Enter the calendar server's address, starting with https://."), field="url")
    return url


@transaction.atomic
def connection_create_caldav(*, coach: Coach, actor: Any, url: str, username: str, password: str,
                             name: str = "", now: datetime | None = None) -> CalendarConnection:
    """Connect a CalDAV calendar: the credentials are checked by logging in (a refusal is an
    ``IntegrationError`` with the server's reason, and nothing is stored)."""
    url = _check_url(url)
    if not username.strip() or not password:
        raise IntegrationError(_("Enter the user name and the app password."), field="password" if username else "username")
    account = caldav_gateway.Account(url, username.strip(), password)
    try:
        found = caldav_gateway.discover(account)
    except caldav_gateway.CalDAVFailure as exc:
        message = (_("The calendar server refused these credentials: %(reason)s") if exc.auth
                   else _("Could not connect to the calendar: %(reason)s"))
        raise IntegrationError(message % {"reason": exc.reason}, code="auth" if exc.auth else "unreachable") from exc
    has_target = CalendarConnection.objects.filter(coach=coach, write_target=True).exists()
    connection = CalendarConnection.objects.create(
        organization=coach.organization, coach=coach, provider=CalendarConnection.Provider.CALDAV,
        name=(name.strip() or found.name or urlsplit(url).netloc)[:200], url=url, username=username.strip()[:200],
        secret=crypto.seal(password), calendar_id=found.calendar_url, busy_source=True, write_target=not has_target,
    )
    audit.log(organization=coach.organization, actor=actor, action="calendar.connected", obj=connection,
              data={"provider": connection.provider, "coach": coach.pk})
    return connection_sync(connection=connection, now=now)


@transaction.atomic
def connection_update(*, connection: CalendarConnection, actor: Any, busy_source: bool | None = None,
                      write_target: bool | None = None) -> CalendarConnection:
    connection = CalendarConnection.objects.select_for_update().get(pk=connection.pk)
    if write_target:
        CalendarConnection.objects.filter(coach_id=connection.coach_id, write_target=True).exclude(
            pk=connection.pk).update(write_target=False)
        connection.write_target = True
    elif write_target is not None:
        connection.write_target = False
    if busy_source is not None:
        connection.busy_source = busy_source
    connection.save(update_fields=["busy_source", "write_target", "updated_at"])
    audit.log(organization=connection.organization, actor=actor, action="calendar.changed", obj=connection,
              data={"busy_source": connection.busy_source, "write_target": connection.write_target})
    return connection


@transaction.atomic
def connection_disconnect(*, connection: CalendarConnection, actor: Any) -> None:
    """Forget the connection: its secret, its cached busy times and its event map go with it, and
    nothing syncs any more (Google: the watch channel is stopped first, best effort)."""
    connection = CalendarConnection.objects.select_for_update().get(pk=connection.pk)
    if connection.provider == CalendarConnection.Provider.GOOGLE:
        google_sync.stop_channel(connection)
    audit.log(organization=connection.organization, actor=actor, action="calendar.disconnected", obj=connection,
              data={"provider": connection.provider, "coach": connection.coach_id})
    connection.delete()


@transaction.atomic
def connection_sync(*, connection: CalendarConnection, now: datetime | None = None) -> CalendarConnection:
    """Read the calendar's busy times again (CalDAV: only when its ctag changed). A failure marks the
    connection failing (revoked when the credentials are refused) and keeps the cached times."""
    now = now or timezone.now()
    connection = CalendarConnection.objects.select_for_update().select_related("coach__organization").get(
        pk=connection.pk)
    coach = connection.coach
    lo, hi = sync_state.sync_window(coach, now)
    zone = coach.organization.tzinfo
    if connection.provider == CalendarConnection.Provider.GOOGLE:
        return google_sync.sync(connection, lo=lo, hi=hi, now=now)
    try:
        found = caldav_gateway.read_events(_account(connection), connection.calendar_id, lo=lo, hi=hi,
                                           known_ctag=connection.sync_state)
    except caldav_gateway.CalDAVFailure as exc:
        sync_state.failed(connection, reason=exc.reason, revoked=exc.auth, now=now)
        return connection
    if found.changed:
        sync_state.store_busy(connection, busy_rules.calendar_busy(found.calendars, zone, lo, hi))
        connection.sync_state = found.ctag[:1000]
    sync_state.mark_synced(connection, now)
    return connection


def _stale(connection: CalendarConnection, now: datetime, older_than: timedelta) -> bool:
    last = connection.last_attempt_at or connection.last_synced_at
    return last is None or last <= now - older_than


def refresh_if_stale(coach: Any, *, now: datetime | None = None) -> None:
    """Before a client's booking: re-read each busy calendar of the coach whose copy is older than a
    minute (a calendar that failed is tried again at most once a minute). Never raises."""
    now = now or timezone.now()
    try:
        connections = list(CalendarConnection.objects.filter(coach_id=coach.pk, busy_source=True).exclude(
            status=CalendarConnection.Status.REVOKED))
        for connection in connections:
            if _stale(connection, now, STALE_AFTER):
                connection_sync(connection=connection, now=now)
    except Exception:  # a calendar must never break a booking: its last known times keep blocking
        logger.exception("calendar refresh failed", extra={"coach": getattr(coach, "pk", None)})


def busy_for(coach_ids: Any, lo: datetime, hi: datetime) -> dict[int, list[tuple[datetime, datetime]]]:
    """The cached busy times of the coaches' busy calendars overlapping [lo, hi) (one query)."""
    found: dict[int, list[tuple[datetime, datetime]]] = {}
    blocks = BusyBlock.objects.filter(coach_id__in=list(coach_ids), starts_at__lt=hi, ends_at__gt=lo,
                                      connection__busy_source=True)
    if db_connection.vendor == "postgresql":
        # Seconds since the epoch, not timestamps: psycopg's timestamptz parsing costs ~15 µs a value,
        # which a calendar of thousands of events would add to every slot query (bench_integrations).
        sql, params = blocks.annotate(s=_Epoch("starts_at"), e=_Epoch("ends_at")).values_list(
            "coach_id", "s", "e").query.sql_with_params()
        with db_connection.cursor() as cursor:  # plain rows: no per-value converters
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for coach_id, start, end in rows:
            found.setdefault(coach_id, []).append((datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)))
        return found
    for coach_id, starts_at, ends_at in blocks.values_list("coach_id", "starts_at", "ends_at"):
        found.setdefault(coach_id, []).append((starts_at, ends_at))
    return found


class _Epoch(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
    output_field = FloatField()
