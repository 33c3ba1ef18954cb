"""Body measurements: record (the team, or the client themself), list in any unit, remove."""

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.decorators import decorate_view

from .. import serialize, services
from ..errors import ProgressError
from ..kinds import KindInfo
from ..models import Measurement
from ..selectors import access
from ..selectors.attendance import day_start
from ..selectors.kinds import kinds_by_key
from ..selectors.measurements import measurement_list
from ..selectors.preferences import unit_system_for
from ..units import System
from .access import membership_of, progress_view
from .common import client_of
from .schemas import MeasurementIn, MeasurementOut, MeasurementQuery, problems

router = Router(tags=["progress"])


@router.post("/clients/{client_id}/measurements", response={201: MeasurementOut, **problems(422)},
             summary="Record a measurement (the team, or the client themself)",
             description="`value` and `unit` as typed (unit default: the client's for the kind); the answer has "
                         "them as typed plus `value_si`. An implausible value (700 kg, a 10 cm waist) is a 422 "
                         "naming the plausible range.")
@decorate_view(progress_view())
def measurement_create(request: HttpRequest, client_id: int, payload: MeasurementIn) -> Any:
    client = client_of(request, client_id)
    measurement = services.measurement_record(client=client, actor=request.auth, kind=payload.kind,
                                              value=payload.value, unit=payload.unit or "",
                                              measured_at=payload.measured_at, note=payload.note)
    kind = kinds_by_key(client.organization)[measurement.kind]
    return Status(201, serialize.measurement_json(measurement, kind=kind, unit=measurement.entered_unit))


def _unit_for(kind: KindInfo, wanted: str, system: System) -> str:
    return wanted if wanted and wanted in kind.units else kind.unit_for(system)


@router.get("/clients/{client_id}/measurements", response={200: list[MeasurementOut], **problems(422)},
            summary="A client's measurements, oldest first",
            description="`value` and `unit` are in the `unit` asked for (where it measures the row's kind; else "
                        "the client's unit for it), with `entered_value`/`entered_unit` as typed. A value typed "
                        "in the unit asked for is returned exactly as typed.")
@decorate_view(progress_view())
def measurement_rows(request: HttpRequest, client_id: int, query: Query[MeasurementQuery]) -> Any:
    client = client_of(request, client_id)
    kinds = kinds_by_key(client.organization)
    if query.kind and query.kind not in kinds:
        raise ProgressError(_("No such kind of measurement. See the list of measurement kinds."), field="kind")
    if query.unit:
        fits = [kinds[query.kind]] if query.kind else list(kinds.values())
        if not any(query.unit in kind.units for kind in fits):
            raise ProgressError(_("This unit does not measure this kind."), field="unit")
    zone = client.organization.tzinfo
    rows = measurement_list(client, kind=query.kind,
                            start=day_start(query.start, zone) if query.start else None,
                            end=day_start(query.end + timedelta(days=1), zone) if query.end else None)
    newest = list(rows.select_related("recorded_by").order_by("-measured_at", "-id")[:query.limit])
    system = unit_system_for(client)
    return [serialize.measurement_json(m, kind=kinds[m.kind], unit=_unit_for(kinds[m.kind], query.unit, system))
            for m in reversed(newest)]


def _measurement(request: HttpRequest, measurement_id: int) -> Measurement:
    return access.measurements_visible(membership_of(request)).select_related(
        "client__organization", "recorded_by").get(pk=measurement_id)


@router.get("/measurements/{measurement_id}", response={200: MeasurementOut, **problems()},
            summary="One measurement (`value` in the client's unit)")
@decorate_view(progress_view())
def measurement_get(request: HttpRequest, measurement_id: int) -> Any:
    measurement = _measurement(request, measurement_id)
    kind = kinds_by_key(measurement.client.organization)[measurement.kind]
    return serialize.measurement_json(measurement, kind=kind, unit=kind.unit_for(unit_system_for(measurement.client)))


@router.delete("/measurements/{measurement_id}", response={204: None, **problems()},
               summary="Remove a mistaken measurement")
@decorate_view(progress_view())
def measurement_delete(request: HttpRequest, measurement_id: int) -> Any:
    services.measurement_delete(measurement=_measurement(request, measurement_id), actor=request.auth)
    return Status(204, None)
