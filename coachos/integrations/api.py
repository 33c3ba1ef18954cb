"""The connected calendars API: ``/api/v1/coaches/{id}/calendars`` (the contract of issue 20).

A coach's calendars are the owner's and the coach's own business: another coach or staff member
gets 403, another business's coach 404 (found first, before the body is read)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Status
from ninja.decorators import decorate_view
from pydantic import ConfigDict

from coachos.common.api import found_first
from coachos.common.schema import Schema
from coachos.scheduling.api.common import OutInstant, coach_for_change, local, problems, zone_of
from coachos.scheduling.models import Coach

from . import selectors, services
from .models import CalendarConnection

router = Router(tags=["calendars"])


class CalendarOut(Schema):
    id: int
    provider: Literal["google", "caldav"]
    name: str = Field(description="The calendar's name.")
    status: Literal["active", "failing", "revoked"] = Field(
        description="`active`; `failing`: the last read failed (its last known busy times keep blocking); "
                    "`revoked`: the credentials were refused — connect again.")
    status_detail: str = Field(description="Why the last read failed (the server's reason), or empty.")
    last_synced_at: OutInstant | None = Field(description="When its busy times were last read successfully.")
    stale: bool = Field(description="Whether the busy times held are older than the sync interval.")
    busy_source: bool = Field(description="Whether its busy times block the coach's slots.")
    write_target: bool = Field(description="Whether the coach's sessions are written to it (one per coach).")


class CalDAVIn(Schema):
    model_config = ConfigDict(extra="forbid")

    provider: Literal["caldav"] = Field(description="`caldav` (Google connects through the Calendars page).")
    url: str = Field(min_length=1, max_length=1000, description="The CalDAV server or calendar address.")
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=500, description="An app-specific password; stored encrypted.")
    name: str = Field("", max_length=200, description="A name to show; the calendar's own by default.")


class CalendarPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    busy_source: bool | None = None
    write_target: bool | None = None


def _out(request: HttpRequest, connection: CalendarConnection) -> dict[str, Any]:
    return {
        "id": connection.pk, "provider": connection.provider, "name": connection.name,
        "status": connection.status, "status_detail": connection.status_detail,
        "last_synced_at": local(connection.last_synced_at, zone_of(request)),
        "stale": selectors.is_stale(connection), "busy_source": connection.busy_source,
        "write_target": connection.write_target,
    }


@router.get("/coaches/{coach_id}/calendars", response={200: list[CalendarOut], **problems(403, 404)},
            summary="A coach's connected calendars")
def calendar_list(request: HttpRequest, coach_id: int) -> list[dict[str, Any]]:
    coach = coach_for_change(request, coach_id)
    return [_out(request, c) for c in selectors.connections_for(coach=coach)]


@router.post("/coaches/{coach_id}/calendars", response={201: CalendarOut, **problems(400, 403, 404, 422)},
             summary="Connect a CalDAV calendar (the credentials are checked by connecting)")
@decorate_view(found_first(coach_id=Coach))
def calendar_connect(request: HttpRequest, coach_id: int, payload: CalDAVIn) -> Status[dict[str, Any]]:
    coach = coach_for_change(request, coach_id)
    connection = services.connection_create_caldav(coach=coach, actor=request.auth, url=payload.url,  # type: ignore[attr-defined]
                                                   username=payload.username, password=payload.password,
                                                   name=payload.name)
    return Status(201, _out(request, connection))


@router.patch("/coaches/{coach_id}/calendars/{calendar_id}", response={200: CalendarOut, **problems(400, 403, 404, 422)},
              summary="Choose whether a calendar blocks slots and whether sessions are written to it")
@decorate_view(found_first(coach_id=Coach))
def calendar_patch(request: HttpRequest, coach_id: int, calendar_id: int, payload: CalendarPatch) -> dict[str, Any]:
    coach = coach_for_change(request, coach_id)
    connection = get_object_or_404(CalendarConnection, pk=calendar_id, coach=coach)
    connection = services.connection_update(connection=connection, actor=request.auth,  # type: ignore[attr-defined]
                                            busy_source=payload.busy_source, write_target=payload.write_target)
    return _out(request, connection)


@router.delete("/coaches/{coach_id}/calendars/{calendar_id}", response={204: None, **problems(403, 404)},
               summary="Disconnect a calendar (its credentials and cached busy times are removed)")
def calendar_disconnect(request: HttpRequest, coach_id: int, calendar_id: int) -> Status[None]:
    coach = coach_for_change(request, coach_id)
    connection = get_object_or_404(CalendarConnection, pk=calendar_id, coach=coach)
    services.connection_disconnect(connection=connection, actor=request.auth)  # type: ignore[attr-defined]
    return Status(204, None)


