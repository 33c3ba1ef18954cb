"""Body measurements: recorded as typed and in SI, shown in any unit without drift, implausible values
refused with the range in the person's unit, kinds (built-in and the business's own), unit systems."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.progress import services
from coachos.progress.errors import ProgressError
from coachos.progress.models import Measurement, MeasurementKind
from coachos.tenancy.models import Organization

from .conftest import Person, assert_problem, patch, portal_client, post, team_member

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _record(http: DjangoClient, person: Person, client_id: int, **body: Any) -> Any:
    return post(http, f"/api/v1/clients/{client_id}/measurements", body, person.headers)


def test_a_weight_in_pounds_is_kept_as_typed_and_in_kilograms(client, org, coach, olivia, emitted):
    response = _record(client, coach, olivia.client.pk, kind="weight", value=165.35, unit="lb",
                       measured_at="2030-03-09T07:30:00-06:00")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["value"], body["unit"]) == (165.35, "lb")
    assert (body["entered_value"], body["entered_unit"]) == (165.35, "lb")
    assert body["value_si"] == 75.0014983795 and body["si_unit"] == "kg"
    assert body["measured_at"] == "2030-03-09T07:30:00-06:00"  # the business's zone, with its offset
    with scope(organization=org):
        row = Measurement.objects.get()
    assert row.value_si == Decimal("75.0014983795")
    assert (row.entered_value, row.entered_unit) == (Decimal("165.35"), "lb")
    assert [(e.name, e.data["kind"], e.data["by"], e.client_id) for e in emitted] == [
        ("measurement.recorded", "weight", "team", olivia.client.pk)]


def test_the_list_shows_values_in_the_unit_asked_for_and_as_typed_in_their_own(client, coach, olivia):
    _record(client, coach, olivia.client.pk, kind="weight", value=165.35, unit="lb")
    _record(client, coach, olivia.client.pk, kind="weight", value=75.35, unit="kg")
    url = f"/api/v1/clients/{olivia.client.pk}/measurements"
    in_kg = client.get(url, {"kind": "weight", "unit": "kg"}, **coach.headers).json()
    assert [(r["value"], r["unit"], r["entered_value"], r["entered_unit"]) for r in in_kg] == [
        (75.0, "kg", 165.35, "lb"), (75.35, "kg", 75.35, "kg")]
    in_lb = client.get(url, {"kind": "weight", "unit": "lb"}, **coach.headers).json()
    assert [(r["value"], r["unit"]) for r in in_lb] == [(165.35, "lb"), (166.1, "lb")]
    # Again and again: the same numbers (nothing is re-derived from a rounded display).
    for _ in range(3):
        assert client.get(url, {"kind": "weight", "unit": "kg"}, **coach.headers).json() == in_kg


def test_without_a_unit_each_client_reads_their_own_system(client, org, coach, olivia):
    _record(client, coach, olivia.client.pk, kind="waist", value=81.28, unit="cm")
    url = f"/api/v1/clients/{olivia.client.pk}/measurements"
    # A business in Chicago (no country given: its zone's, the US) reads inches.
    assert [(r["value"], r["unit"]) for r in client.get(url, **coach.headers).json()] == [(32.0, "in")]
    assert patch(client, f"/api/v1/clients/{olivia.client.pk}/progress-settings", {"unit_system": "metric"},
                 olivia.headers).status_code == 200
    assert [(r["value"], r["unit"]) for r in client.get(url, **coach.headers).json()] == [(81.28, "cm")]


def test_a_business_outside_the_us_is_metric_by_default(client, other_org):
    owner = team_member(other_org, "owner", name="Gill")
    person = portal_client(other_org, first_name="Amy")
    settings = client.get(f"/api/v1/clients/{person.client.pk}/progress-settings", **owner.headers).json()
    assert settings == {"client": person.client.pk, "unit_system": "metric", "unit_system_choice": "",
                        "monthly_report": False, "monthly_report_choice": None}
    body = _record(client, owner, person.client.pk, kind="weight", value=70).json()
    assert (body["entered_value"], body["entered_unit"]) == (70, "kg")


def test_the_country_decides_before_the_zone(client, org, coach, olivia):
    Organization.objects.filter(pk=org.pk).update(country="GB")
    settings = client.get(f"/api/v1/clients/{olivia.client.pk}/progress-settings", **coach.headers).json()
    assert settings["unit_system"] == "metric"


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"kind": "weight", "value": 700, "unit": "kg"}, "value", "Weight: 700 kg is not plausible. Enter a value "
                                                             "between 20 and 400 kg."),
    ({"kind": "weight", "value": 1000, "unit": "lb"}, "value", "between 44.1 and 881.8 lb"),
    ({"kind": "waist", "value": -80, "unit": "cm"}, "value", "Waist: -80 cm is not plausible"),
    ({"kind": "body_fat", "value": 90, "unit": "%"}, "value", "between 2 and 75 %"),
    ({"kind": "resting_hr", "value": 400}, "value", "between 25 and 220 bpm"),
    ({"kind": "weight", "value": 80.123, "unit": "kg"}, "value", "at most 2 decimals"),
    ({"kind": "weight", "value": 80, "unit": "cm"}, "unit", "Weight is measured in: kg, lb."),
    ({"kind": "height", "value": 180}, "kind", "No such kind of measurement"),
    ({"kind": "weight", "value": 80, "measured_at": "2030-03-11T16:00:00+00:00"}, "measured_at",
     "more than a day in the future"),
])
def test_impossible_values_are_a_clear_422_and_nothing_is_written(client, org, coach, olivia, body, field, words):
    problem = assert_problem(_record(client, coach, olivia.client.pk, **body), 422, field)
    assert words in problem["detail"]
    with scope(organization=org):
        assert not Measurement.objects.exists()


@pytest.mark.parametrize("body", [
    {"kind": "weight", "value": True}, {"kind": "weight", "value": "80"}, {"kind": "weight", "value": None},
    {"kind": "weight", "value": 80, "measured_at": "2030-03-09T07:30:00"},  # no offset
    {"kind": "weight", "value": 80, "measured_at": 1900000000},
    {"kind": "weight", "value": 80, "extra": 1}, {"kind": 5, "value": 80}, {"kind": "weight", "value": 1e300},
    {"kind": "weight", "value": 1e-5}, {"kind": "weight", "value": 12345678901234567890123},
])
def test_loose_types_are_refused(client, org, coach, olivia, body):
    assert_problem(_record(client, coach, olivia.client.pk, **body), 422)
    with scope(organization=org):
        assert not Measurement.objects.exists()


def test_backdating_is_allowed_and_the_list_is_in_time_order(client, coach, olivia):
    _record(client, coach, olivia.client.pk, kind="weight", value=80, unit="kg", measured_at="2030-03-01T08:00:00Z")
    _record(client, olivia, olivia.client.pk, kind="weight", value=82, unit="kg", measured_at="2029-01-01T08:00:00Z")
    rows = client.get(f"/api/v1/clients/{olivia.client.pk}/measurements?unit=kg", **olivia.headers).json()
    assert [r["value"] for r in rows] == [82, 80]
    assert rows[0]["recorded_by"]["id"] == olivia.user.pk


def test_a_unit_that_fits_no_kind_is_refused(client, coach, olivia):
    url = f"/api/v1/clients/{olivia.client.pk}/measurements"
    assert_problem(client.get(url, {"kind": "weight", "unit": "cm"}, **coach.headers), 422, "unit")
    assert_problem(client.get(url, {"unit": "stone"}, **coach.headers), 422, "unit")
    assert_problem(client.get(url, {"kind": "nope"}, **coach.headers), 422, "kind")


def test_the_kinds_list_has_the_builtins_and_the_business_own(client, org, coach, olivia):
    kinds = client.get("/api/v1/measurement-kinds", **olivia.headers).json()
    assert [k["key"] for k in kinds] == ["weight", "body_fat", "resting_hr", "waist", "hips", "chest", "arm", "thigh"]
    weight = kinds[0]
    assert weight == {"key": "weight", "name": "Weight", "unit": "kg", "metric_unit": "kg", "imperial_unit": "lb",
                      "units": ["kg", "lb"], "si_unit": "kg", "dimension": "mass", "better": "down",
                      "custom": False, "min_value": 20, "max_value": 400}
    waist = next(k for k in kinds if k["key"] == "waist")
    assert (waist["unit"], waist["si_unit"], waist["min_value"], waist["max_value"]) == ("cm", "m", 30, 250)

    created = post(client, "/api/v1/measurement-kinds", {"name": "Plank time", "unit": "s", "better": "up",
                                                         "min_value": 0, "max_value": 1200}, coach.headers)
    assert created.status_code == 201, created.content
    assert created.json()["key"] == "plank_time" and created.json()["custom"] is True
    second = post(client, "/api/v1/measurement-kinds", {"name": "Plank Time", "unit": "s"}, coach.headers)
    assert_problem(second, 422, "name")
    assert_problem(post(client, "/api/v1/measurement-kinds", {"name": "Weight", "unit": "kg"}, coach.headers),
                   422, "name")
    # A client may not add kinds.
    assert_problem(post(client, "/api/v1/measurement-kinds", {"name": "Steps", "unit": "steps"}, olivia.headers), 403)

    body = _record(client, olivia, olivia.client.pk, kind="plank_time", value=95).json()
    assert (body["value"], body["unit"], body["value_si"], body["si_unit"]) == (95, "s", 95, "s")
    problem = assert_problem(_record(client, olivia, olivia.client.pk, kind="plank_time", value=5000), 422, "value")
    assert "between 0 and 1,200 s" in problem["detail"]
    kind_id = created.json()
    with scope(organization=org):
        row = MeasurementKind.objects.get(key="plank_time")
    # In use: it stays.
    assert_problem(client.delete(f"/api/v1/measurement-kinds/{row.pk}", **coach.headers), 409)
    assert kind_id["key"] == row.key


def test_an_unused_kind_of_the_business_can_be_removed(client, org, coach):
    created = post(client, "/api/v1/measurement-kinds", {"name": "Grip", "unit": "kg"}, coach.headers).json()
    with scope(organization=org):
        row = MeasurementKind.objects.get(key=created["key"])
    assert client.delete(f"/api/v1/measurement-kinds/{row.pk}", **coach.headers).status_code == 204
    with scope(organization=org):
        assert not MeasurementKind.objects.exists()


def test_a_measurement_can_be_removed_and_is_audited(client, org, coach, olivia):
    body = _record(client, olivia, olivia.client.pk, kind="weight", value=170).json()
    assert client.get(f"/api/v1/measurements/{body['id']}", **coach.headers).json()["value"] == 170
    assert client.delete(f"/api/v1/measurements/{body['id']}", **olivia.headers).status_code == 204
    with scope(organization=org):
        assert not Measurement.objects.exists()
        from coachos.tenancy.models import AuditEntry

        assert AuditEntry.objects.filter(action="progress.measurement_deleted").count() == 1


def test_the_service_refuses_an_actor_who_is_not_the_client(org, olivia, liam):
    with scope(organization=org), pytest.raises(ProgressError) as refused:
        services.measurement_record(client=olivia.client, actor=liam.user, kind="weight", value=Decimal(80))
    assert refused.value.status == 403


def test_a_measurement_a_day_ahead_is_fine(client, coach, olivia):
    ahead = (NOW + timedelta(hours=23)).isoformat()
    assert _record(client, coach, olivia.client.pk, kind="weight", value=170, measured_at=ahead).status_code == 201


@pytest.mark.parametrize("query", ["end=9999-12-31", "start=0001-01-01", "start=2030-02-30"])
def test_dates_out_of_range_are_a_422(client, coach, olivia, query):
    assert_problem(client.get(f"/api/v1/clients/{olivia.client.pk}/measurements?{query}", **coach.headers), 422)
    assert_problem(client.get(f"/api/v1/clients/{olivia.client.pk}/photos?{query}", **coach.headers), 422)
