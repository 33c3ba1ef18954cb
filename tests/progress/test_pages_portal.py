"""A client's own progress in the portal (/portal/<slug>/progress/): the week at a glance, tasks ticked off
with htmx (the streak follows), a weight logged with the chart's new points in the answer, units switched,
photos, times in the client's own zone, and friendly empty states."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from coachos.common.formats import format_datetime
from coachos.progress import services
from coachos.progress.models import Measurement, ProgressPhoto, ProgressSettings
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import member

from .test_pages_team import HX, TODAY, chart_data, jpeg, measurement_form, weigh

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 13, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def portal(org: Any, rest: str = "") -> str:
    return f"/portal/{org.slug}/progress/{rest}"


def test_the_portal_lists_progress_and_greets_a_new_client_kindly(org, olivia):
    web = login_as(olivia.user)
    home = web.get(f"/portal/{org.slug}/").content.decode()
    assert f'href="{portal(org)}"' in home and ">Progress<" in home
    response = web.get(portal(org))
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>Your progress</h1>" in html
    assert 'aria-current="page">Progress' in html
    for friendly in ("This week", "Log your first weight", "No tasks from your coach right now.",
                     "Set your first goal", "Add a front, side and back photo now"):
        assert friendly in html
    assert 'progress/charts.js' in html and 'vendor/chart.umd.min.js' in html


def test_a_client_logs_a_weight_and_the_answer_carries_the_chart_points(org, olivia):
    weigh(org, olivia.client, [176.5, 176])
    web = login_as(olivia.user)
    response = web.post(portal(org, "measurements/"), measurement_form(value="175.2"), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "Weight saved: 175.2 lb." in html
    event = json.loads(response["HX-Trigger"])["progressMeasured"]
    assert [p[1] for p in event["points"]] == [176.5, 176, 175.2]
    with scope(organization=org):
        row = Measurement.objects.filter(client=olivia.client).latest("id")
    assert row.recorded_by_id == olivia.user.pk
    summary = web.get(portal(org, "summary/"), **HX).content.decode()
    assert "175.2 <small>lb</small>" in summary and "-1.3 lb" in summary and "change-good" in summary
    # 700 kg: refused on the field, as typed, nothing written.
    html = web.post(portal(org, "measurements/"), measurement_form(value="700", unit="kg"), **HX).content.decode()
    assert "Weight: 700 kg is not plausible. Enter a value between 20 and 400 kg." in html and 'value="700"' in html
    with scope(organization=org):
        assert Measurement.objects.filter(client=olivia.client).count() == 3


def test_reaching_a_goal_with_a_weight_is_celebrated(org, olivia):
    weigh(org, olivia.client, [180])
    with scope(organization=org):
        services.goal_create(client=olivia.client, actor=None, title="Under 176", measurement_kind="weight",
                             target_value=Decimal(176), target_unit="lb")
    html = login_as(olivia.user).post(portal(org, "measurements/"), measurement_form(value="175.5"),
                                      **HX).content.decode()
    assert "Goal achieved: Under 176. Well done!" in html


def test_ticking_today_off_grows_the_streak_and_the_week(org, olivia):
    with scope(organization=org):
        task = services.task_create(client=olivia.client, actor=None, title="Walk 30 minutes", repeat="daily",
                                    start_date=TODAY - timedelta(days=2))
        services.task_done(task=task, actor=None, day=TODAY - timedelta(days=1))
        services.task_create(client=olivia.client, actor=None, title="Plan meals", repeat="weekly",
                             start_date=TODAY)
    web = login_as(olivia.user)
    html = web.get(portal(org)).content.decode()
    assert "Walk 30 minutes" in html and 'data-streak="1"' in html and "Today" in html and "This week" in html
    assert 'aria-label="Mark Walk 30 minutes done"' in html
    response = web.post(portal(org, f"tasks/{task.pk}/done/"), {"done": "1"}, **HX)
    html = response.content.decode()
    assert "Done: Walk 30 minutes." in html and 'data-streak="2"' in html and 'aria-pressed="true"' in html
    assert json.loads(response["HX-Trigger"]) == {"progressTicked": True}
    summary = web.get(portal(org, "summary/"), **HX).content.decode()
    assert "2 of 8" in summary  # the daily task's 7 days from Monday and the weekly one: Tuesday and today done
    # Twice is once; undone takes it back.
    web.post(portal(org, f"tasks/{task.pk}/done/"), {"done": "1"}, **HX)
    html = web.post(portal(org, f"tasks/{task.pk}/done/"), {"done": "0"}, **HX).content.decode()
    assert 'data-streak="1"' in html
    assert web.get(portal(org, "tasks/"), **HX).status_code == 200


def test_a_client_switches_units_and_sees_their_values_in_them(org, olivia):
    weigh(org, olivia.client, [176.37])  # 80 kg
    web = login_as(olivia.user)
    assert chart_data(web.get(portal(org)).content.decode())["unit"] == "lb"  # a US business
    response = web.post(portal(org, "units/"), {"unit_system": "metric"})
    assert response.status_code == 302 and response["Location"] == portal(org) + "#progress-units"
    with scope(organization=org):
        assert ProgressSettings.objects.get(client=olivia.client).unit_system == "metric"
    html = web.get(portal(org)).content.decode()
    chart = chart_data(html)
    assert chart["unit"] == "kg" and chart["points"][0][1] == 80
    assert "Your settings are saved." in html and '<option value="metric" selected>' in html
    assert '<option value="kg" selected>' in html  # the form offers their unit first
    web.post(portal(org, "units/"), {"unit_system": ""})
    assert chart_data(web.get(portal(org)).content.decode())["points"][0][1] == 176.37  # as typed, no drift
    assert "Choose one of the options offered." in web.post(portal(org, "units/"), {"unit_system": "cubits"},
                                                            follow=True).content.decode()


def test_a_client_chooses_the_monthly_report_by_email(org, olivia):
    web = login_as(olivia.user)
    html = web.get(portal(org)).content.decode()
    assert "Monthly progress report by email" in html and '<option value="" selected>As my coach set it' in html
    web.post(portal(org, "units/"), {"unit_system": "", "monthly_report": "off"})
    with scope(organization=org):
        assert ProgressSettings.objects.get(client=olivia.client).monthly_report is False
    assert '<option value="off" selected>' in web.get(portal(org)).content.decode()
    web.post(portal(org, "units/"), {"unit_system": "", "monthly_report": "on"})
    with scope(organization=org):
        assert ProgressSettings.objects.get(client=olivia.client).monthly_report is True
    # A value that is not offered changes nothing.
    answer = web.post(portal(org, "units/"), {"unit_system": "", "monthly_report": "weekly"}, follow=True)
    assert "Choose one of the options offered." in answer.content.decode()
    with scope(organization=org):
        assert ProgressSettings.objects.get(client=olivia.client).monthly_report is True
    web.post(portal(org, "units/"), {"unit_system": "", "monthly_report": ""})
    with scope(organization=org):
        assert ProgressSettings.objects.get(client=olivia.client).monthly_report is None


def test_a_client_uploads_photos_and_compares_them(org, olivia):
    web = login_as(olivia.user)
    for day, colour in (("2030-02-13", "red"), ("2030-03-13", "blue")):
        response = web.post(portal(org, "photos/"), {"file": SimpleUploadedFile("me.png", jpeg(colour)),
                                                     "pose": "front", "taken_on": day}, **HX)
        assert "Photo saved." in response.content.decode()
    with scope(organization=org):
        old, new = ProgressPhoto.objects.filter(client=olivia.client).order_by("taken_on")
    html = web.get(portal(org, "photos/compare/") + "?a=2030-02-13&b=2030-03-13&pose=front", **HX).content.decode()
    assert portal(org, f"photos/{old.pk}/") in html and portal(org, f"photos/{new.pk}/") in html
    assert "28 days apart." in html
    assert web.get(portal(org, f"photos/{new.pk}/thumbnail/")).status_code == 200
    assert "Only you and your coach can see your photos." in web.get(portal(org)).content.decode()


def test_times_are_in_the_client_own_zone_and_labelled(org, olivia):
    olivia.client.timezone = "Europe/London"
    with scope(organization=org):
        olivia.client.save(update_fields=["timezone"])
    weigh(org, olivia.client, [180])  # 16:00 UTC
    html = login_as(olivia.user).get(portal(org)).content.decode()
    london = format_datetime(NOW, zone=ZoneInfo("Europe/London"))  # 4:00 PM; Chicago would say 11:00 AM
    assert london.startswith("Mar 13, 2030, 4:00") and london in html and "Times are in London time." in html
    assert chart_data(html)["zone"] == "Europe/London"
    assert chart_data(html)["points"][0][0].startswith("2030-03-13T16:00:00+00:00")


def test_a_login_without_a_client_record_gets_a_kind_page_and_no_writes(org):
    stranger = member(org, Role.CLIENT, name="Nadia Nobody")
    web = login_as(stranger)
    response = web.get(portal(org))
    assert response.status_code == 200 and "Not set up yet" in response.content.decode()
    assert web.post(portal(org, "measurements/"), measurement_form(), **HX).status_code == 404
    assert web.get(portal(org, "summary/")).status_code == 404
    with scope(organization=org):
        assert not Measurement.objects.exists()


def test_the_week_counts_sessions_and_cheers(org, olivia):
    html = login_as(olivia.user).get(portal(org)).content.decode()
    assert "A new week: one small step today is enough." in html
    assert "Mar 11, 2030 – Mar 17, 2030" in html
