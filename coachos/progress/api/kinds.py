"""Kinds of measurement (built-in and the business's own) and a client's progress settings."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.decorators import decorate_view

from .. import serialize, services
from ..models import MeasurementKind
from ..selectors.kinds import custom_info, kinds_for
from ..selectors.preferences import defaults_for, monthly_report_for, settings_for, unit_system_for
from .access import progress_view, require_team
from .common import client_of
from .schemas import (
    DefaultsOut,
    DefaultsPatch,
    MeasurementKindIn,
    MeasurementKindOut,
    SettingsOut,
    SettingsPatch,
    problems,
)

router = Router(tags=["progress"])


@router.get("/measurement-kinds", response={200: list[MeasurementKindOut], **problems()},
            summary="Kinds of measurement: the built-ins and the business's own",
            description="Built-ins are keyed `weight`, `body_fat`, `resting_hr`, `waist`, `hips`, `chest`, `arm`, "
                        "`thigh`. `unit` is the metric unit; `units` are those a value may be typed in.")
@decorate_view(progress_view())
def kind_list(request: HttpRequest) -> Any:
    return [serialize.kind_json(kind) for kind in kinds_for(request.organization)]  # type: ignore[attr-defined]


@router.post("/measurement-kinds", response={201: MeasurementKindOut, **problems(409, 422)},
             summary="Add a kind of the business's own (team)",
             description="Its key is made from its name (`Plank time` → `plank_time`) and never changes.")
@decorate_view(progress_view())
def kind_create(request: HttpRequest, payload: MeasurementKindIn) -> Any:
    require_team(request)
    kind = services.measurement_kind_create(organization=request.organization,  # type: ignore[attr-defined]
                                            actor=request.auth, **payload.dict())
    return Status(201, serialize.kind_json(custom_info(kind)))


@router.delete("/measurement-kinds/{measurementkind_id}", response={204: None, **problems(409)},
               summary="Remove a kind of the business's own that nothing uses (team)")
@decorate_view(progress_view())
def kind_delete(request: HttpRequest, measurementkind_id: int) -> Any:
    require_team(request)
    services.measurement_kind_delete(kind=MeasurementKind.objects.get(pk=measurementkind_id), actor=request.auth)
    return Status(204, None)


@router.get("/clients/{client_id}/progress-settings", response={200: SettingsOut, **problems()},
            summary="A client's progress settings: unit system and monthly report")
@decorate_view(progress_view())
def settings_get(request: HttpRequest, client_id: int) -> Any:
    client = client_of(request, client_id)
    row = settings_for(client)
    return serialize.settings_json(row, system=unit_system_for(client, stored=row),
                                   monthly_report=monthly_report_for(client, stored=row))


@router.patch("/clients/{client_id}/progress-settings", response={200: SettingsOut, **problems(422)},
              summary="Change a client's unit system or monthly report (the team or the client)")
@decorate_view(progress_view())
def settings_patch(request: HttpRequest, client_id: int, payload: SettingsPatch) -> Any:
    client = client_of(request, client_id)
    row = services.progress_settings_update(client=client, actor=request.auth, **payload.dict(exclude_unset=True))
    return serialize.settings_json(row, system=unit_system_for(client, stored=row),
                                   monthly_report=monthly_report_for(client, stored=row))


@router.get("/progress-defaults", response={200: DefaultsOut, **problems()},
            summary="The business's progress defaults: whether clients get the monthly report (team)")
@decorate_view(progress_view())
def defaults_get(request: HttpRequest) -> Any:
    require_team(request)
    return serialize.defaults_json(defaults_for(request.organization))  # type: ignore[attr-defined]


@router.patch("/progress-defaults", response={200: DefaultsOut, **problems(422)},
              summary="Change the business's progress defaults (the owner)",
              description="`monthly_report`: email each client who did not choose for themselves a progress report "
                          "(PDF) at the start of every month.")
@decorate_view(progress_view())
def defaults_patch(request: HttpRequest, payload: DefaultsPatch) -> Any:
    require_team(request)
    row = services.progress_defaults_update(organization=request.organization,  # type: ignore[attr-defined]
                                            actor=request.auth, monthly_report=payload.monthly_report)
    return serialize.defaults_json(row)
