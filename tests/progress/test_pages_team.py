"""The team's progress pages of a client: the client page's "Progress" section, the full page
(/o/<slug>/clients/<id>/progress/), and the forms behind them — measurements (backdated, refused when no
body could weigh that, kept as typed), tasks, photos and their comparison — with their htmx parts and the
plain-form fallback. Goals: test_pages_goals.py; the portal: test_pages_portal.py; who may see what:
test_pages_access.py."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope
from PIL import Image

from coachos.clients.models import Client
from coachos.progress import services
from coachos.progress.models import Measurement, ProgressPhoto, Task, TaskCompletion
from coachos.scheduling.models import Booking
from coachos.tenancy.models import Organization
from tests.factories import BookingFactory, ClientFactory, CoachFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 13, 16, 0, tzinfo=UTC)  # a Wednesday, 11:00 in Chicago
TODAY = date(2030, 3, 13)
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def team_url(org: Organization, client: Client, rest: str = "") -> str:
    return f"/o/{org.slug}/clients/{client.pk}/progress/{rest}"


def weigh(org: Organization, client: Client, values: list[float], *, unit: str = "lb", every_days: int = 1) -> None:
    """``values`` as weights, the last one today, one every ``every_days`` before it."""
    with scope(organization=org):
        for i, value in enumerate(values):
            services.measurement_record(client=client, actor=None, kind="weight", value=Decimal(str(value)), unit=unit,
                                        measured_at=NOW - timedelta(days=every_days * (len(values) - 1 - i)))


def jpeg(colour: str = "navy", size: tuple[int, int] = (60, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


def chart_data(html: str, key: str = "weight") -> dict[str, Any]:
    start = html.index(f'<script id="chart-{key}-data" type="application/json">') + len(
        f'<script id="chart-{key}-data" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])  # type: ignore[no-any-return]


def measurement_form(**fields: Any) -> dict[str, Any]:
    return {"kind": "weight", "value": "181.5", "unit": "lb", "measured_on": TODAY.isoformat(),
            "start": (TODAY - timedelta(days=89)).isoformat(), "end": TODAY.isoformat(), **fields}


# --- the section and the page ----------------------------------------------------------------------

def test_the_client_page_loads_a_progress_section(org, web, olivia):
    html = web.get(f"/o/{org.slug}/clients/{olivia.client.pk}/").content.decode()
    assert f'hx-get="/o/{org.slug}/clients/{olivia.client.pk}/sections/progress/"' in html
    assert 'id="section-progress-title">Progress<' in html


def test_the_section_shows_the_week_goals_overdue_tasks_charts_and_photos(org, web, olivia):
    client = olivia.client
    weigh(org, client, [184, 183, 182])
    with scope(organization=org):
        services.goal_create(client=client, actor=None, title="Weigh 170 lb", measurement_kind="weight",
                             target_value=Decimal(170), target_unit="lb", start_value=Decimal(190))
        services.task_create(client=client, actor=None, title="Walk 30 minutes", repeat="daily",
                             start_date=TODAY - timedelta(days=3))
        services.photo_upload(client=client, actor=None, data=jpeg(), pose="front", taken_on=TODAY)
    response = web.get(f"/o/{org.slug}/clients/{client.pk}/sections/progress/", **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This week" in html and "0 of 7" in html  # the daily task: no tick yet this week
    assert "Weigh 170 lb" in html and '<progress value="40" max="100"' in html  # 190 → 182 of the way to 170
    assert "Missed yesterday" in html  # the daily task was not ticked yesterday: overdue
    assert chart_data(html)["points"][-1][1] == 182 and chart_data(html)["goal"] == 170
    with scope(organization=org):
        shown = ProgressPhoto.objects.get(client=client)
    assert team_url(org, client, f"photos/{shown.pk}/thumbnail/") in html
    assert f'href="{team_url(org, client)}"' in html  # "Open the progress page"
    assert "progress/progress.js" in html  # the section brings its script (the client page does not)


def test_the_page_shows_attendance_and_the_month_over_month(org, web, olivia):
    client = olivia.client
    with scope(organization=org):
        trainer = CoachFactory(organization=org)
        for days_ago, status in ((2, Booking.Status.COMPLETED), (5, Booking.Status.COMPLETED),
                                 (6, Booking.Status.NO_SHOW), (20, Booking.Status.COMPLETED)):
            begins = NOW - timedelta(days=days_ago)
            session = TrainingSessionFactory(coach=trainer, starts_at=begins, ends_at=begins + timedelta(hours=1))
            BookingFactory(session=session, client=client, status=status)
    weigh(org, client, [185, 183], every_days=14)  # Feb 27 and Mar 13
    response = web.get(team_url(org, client) + "?days=30")
    html = response.content.decode()
    assert response.status_code == 200
    attendance = html[html.index('id="progress-attendance"'):html.index('id="progress-month"')]
    assert '<span class="stat-value">3</span><span>completed</span>' in attendance
    assert '<span class="stat-value">1</span><span>no-shows</span>' in attendance
    month = html[html.index('id="progress-month"'):]
    assert "March 2030" in month and "February 2030" in month
    assert "Weight (latest)" in month and "-2 lb" in month  # 183 now against 185 in February
    assert 'aria-current="page">Last 30 days' in html


def test_a_range_that_cannot_be_read_says_so_and_shows_the_default(org, web, olivia):
    html = web.get(team_url(org, olivia.client) + "?start=2030-03-10&end=soon").content.decode()
    assert "Enter both dates of the range as dates" in html
    assert 'aria-current="page">Last 90 days' in html
    html = web.get(team_url(org, olivia.client) + "?start=2030-03-10&end=2030-03-01").content.decode()
    assert "The end of the range is before its start." in html


def test_a_long_series_is_drawn_from_at_most_200_points_with_its_ends_and_extremes(org, web, olivia):
    values = [180 + (i % 7) * 0.5 for i in range(400)]
    values[123] = 150  # a dip the chart must not lose
    weigh(org, olivia.client, values)
    html = web.get(team_url(org, olivia.client) + "?days=365").content.decode()
    points = chart_data(html)["points"]
    assert len(points) == 200
    assert min(p[1] for p in points) == 150 and max(p[1] for p in points) == 183
    assert points[-1][0].startswith("2030-03-13T11:00:00-05:00")  # the last one, in the business's zone
    assert points[0][0].startswith((TODAY - timedelta(days=364)).isoformat())  # the range's first


# --- measurements ------------------------------------------------------------------------------------

def test_a_measurement_is_recorded_and_its_chart_gets_the_new_points(org, web, owner, olivia):
    weigh(org, olivia.client, [184, 183])
    response = web.post(team_url(org, olivia.client, "measurements/"), measurement_form(value="181.5"), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Weight saved: 181.5 lb." in html
    event = json.loads(response["HX-Trigger"])["progressMeasured"]
    assert event["chart"] == "chart-weight" and [p[1] for p in event["points"]] == [184, 183, 181.5]
    with scope(organization=org):
        row = Measurement.objects.filter(client=olivia.client).latest("id")
    assert (row.entered_value, row.entered_unit, row.recorded_by_id) == (Decimal("181.5"), "lb", owner.pk)
    assert 'value="181.5"' not in html  # the form is fresh for the next one (kind and unit kept)
    assert '<option value="lb" selected>' in html


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"value": "700", "unit": "kg"}, "value", "Weight: 700 kg is not plausible. Enter a value between 20 and 400 kg."),
    ({"kind": "waist", "value": "-5", "unit": "cm"}, "value", "Waist: -5 cm is not plausible."),
    ({"value": "eighty"}, "value", "Enter a number, e.g. 72.5."),
    ({"value": "80.555"}, "value", "Enter the value with at most 2 decimals."),
    ({"unit": "cm"}, "unit", "Weight is measured in: kg, lb."),
    ({"measured_on": "2030-03-16"}, "measured_on", "A measurement cannot be more than a day in the future."),
    ({"kind": "shoe_size"}, "kind", "Select a valid choice."),
])
def test_a_refused_measurement_says_why_on_its_field_keeps_what_was_typed_and_writes_nothing(
        org, web, olivia, fields, field, message):
    response = web.post(team_url(org, olivia.client, "measurements/"), measurement_form(**fields), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "HX-Trigger" not in response
    assert f'id="id_{field}_error">' in html and message in html[html.index(f'id="id_{field}_error">'):]
    assert f'value="{fields.get("value", "181.5")}"' in html  # as typed
    with scope(organization=org):
        assert not Measurement.objects.filter(client=olivia.client).exists()


def test_a_backdated_measurement_lands_on_its_day_in_the_business_zone(org, web, olivia):
    web.post(team_url(org, olivia.client, "measurements/"), measurement_form(measured_on="2030-02-01"), **HX)
    web.post(team_url(org, olivia.client, "measurements/"),
             measurement_form(measured_on="2030-02-02", measured_time="07:15", kind="waist", value="34", unit="in"), **HX)
    with scope(organization=org):
        first, second = Measurement.objects.filter(client=olivia.client).order_by("measured_at")
    assert first.measured_at == datetime(2030, 2, 1, 18, 0, tzinfo=UTC)  # midday in Chicago (CST)
    assert second.measured_at == datetime(2030, 2, 2, 13, 15, tzinfo=UTC)
    assert (second.kind, second.entered_value, second.entered_unit, second.value_si) == (
        "waist", Decimal("34"), "in", Decimal("0.8636"))


def test_without_script_a_measurement_goes_back_to_the_page_and_a_refusal_shows_the_whole_page(org, web, olivia):
    response = web.post(team_url(org, olivia.client, "measurements/"), measurement_form())
    assert response.status_code == 302 and response["Location"] == team_url(org, olivia.client) + "#progress-measurements"
    page = web.get(response["Location"]).content.decode()
    assert "Weight saved: 181.5 lb." in page  # the notice, as a message
    response = web.post(team_url(org, olivia.client, "measurements/"), measurement_form(value="700", unit="kg"))
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>Progress of Olivia Martinez</h1>" in html
    assert "700 kg is not plausible" in html and 'value="700"' in html
    with scope(organization=org):
        assert Measurement.objects.filter(client=olivia.client).count() == 1


def test_a_measurement_is_removed_and_the_charts_come_back(org, web, olivia):
    weigh(org, olivia.client, [184, 183])
    with scope(organization=org):
        newest = Measurement.objects.filter(client=olivia.client).latest("measured_at")
    response = web.post(team_url(org, olivia.client, f"measurements/{newest.pk}/delete/"), {}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "The measurement was removed." in html
    assert [p[1] for p in chart_data(html)["points"]] == [184]
    with scope(organization=org):
        assert list(Measurement.objects.filter(client=olivia.client).values_list("entered_value", flat=True)) == [184]


def test_the_charts_part_is_read_again_in_the_range_asked(org, web, olivia):
    weigh(org, olivia.client, [190, 185, 184], every_days=20)
    html = web.get(team_url(org, olivia.client, "measurements/charts/") + "?start=2030-02-10&end=2030-03-13",
                   **HX).content.decode()
    assert [p[1] for p in chart_data(html)["points"]] == [185, 184]


# --- tasks -------------------------------------------------------------------------------------------

def test_a_coach_assigns_a_repeating_task_and_it_shows_in_the_tasks(org, web, owner, olivia):
    response = web.post(team_url(org, olivia.client, "tasks/"),
                        {"title": "  Stretch   10 minutes ", "repeat": "daily", "due_date": "2030-04-30"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "Task assigned." in html
    assert json.loads(response["HX-Trigger"]) == {"progressTicked": True}
    with scope(organization=org):
        task = Task.objects.get(client=olivia.client)
    assert (task.title, task.repeat, task.due_date, task.assigned_by_id) == (
        "Stretch 10 minutes", "daily", date(2030, 4, 30), owner.pk)
    assert "Stretch 10 minutes" in html and "Every day" in html and "until Apr 30, 2030" in html


def test_a_task_without_a_title_or_due_in_the_past_is_refused_as_typed(org, web, olivia):
    html = web.post(team_url(org, olivia.client, "tasks/"), {"title": "", "repeat": "none"}, **HX).content.decode()
    assert 'id="id_title_error">This field is required.' in html
    html = web.post(team_url(org, olivia.client, "tasks/"),
                    {"title": "Call back", "repeat": "none", "due_date": "2030-03-01"}, **HX).content.decode()
    assert "The due date has passed." in html and 'value="Call back"' in html and "<details class=\"task-assign\" open>" in html
    with scope(organization=org):
        assert not Task.objects.exists()


def test_ticking_a_task_updates_its_streak_and_a_stopped_task_can_start_again(org, web, olivia):
    with scope(organization=org):
        task = services.task_create(client=olivia.client, actor=None, title="Walk", repeat="daily",
                                    start_date=TODAY - timedelta(days=5))
        for days_ago in (1, 2):
            services.task_done(task=task, actor=None, day=TODAY - timedelta(days=days_ago))
    html = web.get(team_url(org, olivia.client)).content.decode()
    assert 'data-streak="2"' in html
    response = web.post(team_url(org, olivia.client, f"tasks/{task.pk}/done/"), {"done": "1"}, **HX)
    assert 'data-streak="3"' in response.content.decode() and "Done: Walk." in response.content.decode()
    assert json.loads(response["HX-Trigger"]) == {"progressTicked": True}
    response = web.post(team_url(org, olivia.client, f"tasks/{task.pk}/stop/"), {"active": "0"}, **HX)
    assert "Task stopped." in response.content.decode() and "Start again" in response.content.decode()
    with scope(organization=org):  # yesterday's tick, made up: refused on a stopped task
        TaskCompletion.objects.filter(task=task, period=TODAY - timedelta(days=1)).delete()
    response = web.post(team_url(org, olivia.client, f"tasks/{task.pk}/done/"), {"done": "1"}, **HX)
    assert "This task was stopped." in response.content.decode() and "HX-Trigger" not in response
    with scope(organization=org):
        assert TaskCompletion.objects.filter(task=task).count() == 2
    response = web.post(team_url(org, olivia.client, f"tasks/{task.pk}/stop/"), {"active": "1"}, **HX)
    assert "Task started again." in response.content.decode()


# --- photos ------------------------------------------------------------------------------------------

def upload(web: Any, org: Organization, client: Client, data: bytes, **fields: Any) -> Any:
    body = {"file": SimpleUploadedFile("me.jpg", data, content_type="image/jpeg"), "pose": "front",
            "taken_on": TODAY.isoformat(), **fields}
    return web.post(team_url(org, client, "photos/"), body, **HX)


def test_a_photo_is_uploaded_shown_in_the_timeline_and_served_only_through_its_client(org, web, owner, olivia, liam):
    response = upload(web, org, olivia.client, jpeg(), pose="side", taken_on="2030-03-12")
    html = response.content.decode()
    assert response.status_code == 200 and "Photo saved." in html
    with scope(organization=org):
        photo = ProgressPhoto.objects.get(client=olivia.client)
    assert (photo.pose, photo.taken_on, photo.uploaded_by_id) == ("side", date(2030, 3, 12), owner.pk)
    assert team_url(org, olivia.client, f"photos/{photo.pk}/thumbnail/") in html and 'alt="Side, Mar 12, 2030"' in html
    assert re.search(r'<input type="radio" name="pose" value="back"[^>]* checked', html)  # the next pose
    image = web.get(team_url(org, olivia.client, f"photos/{photo.pk}/"))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content)[:2] == b"\xff\xd8"
    assert web.get(team_url(org, olivia.client, f"photos/{photo.pk}/thumbnail/")).status_code == 200
    # The same photo under another client's address is not found.
    assert web.get(team_url(org, liam.client, f"photos/{photo.pk}/")).status_code == 404


@pytest.mark.parametrize(("data", "fields", "message"), [
    (b"not an image at all", {}, "not a photo"),
    (None, {"pose": "upside-down"}, "Select a valid choice."),
    (None, {"taken_on": "2030-03-20"}, "A photo cannot be taken in the future."),
])
def test_a_refused_photo_says_why_and_stores_nothing(org, web, olivia, data, fields, message):
    html = upload(web, org, olivia.client, data or jpeg(), **fields).content.decode()
    assert message.lower() in html.lower()
    with scope(organization=org):
        assert not ProgressPhoto.objects.exists()


def test_two_days_of_one_pose_are_compared_side_by_side(org, web, olivia):
    with scope(organization=org):
        for day, colour in ((date(2030, 1, 1), "red"), (date(2030, 2, 1), "green"), (TODAY, "blue")):
            for pose in ("front", "side"):
                services.photo_upload(client=olivia.client, actor=None, data=jpeg(colour), pose=pose, taken_on=day)
        photos = {(p.taken_on, p.pose): p.pk for p in ProgressPhoto.objects.filter(client=olivia.client)}
    page = web.get(team_url(org, olivia.client)).content.decode()
    default = page[page.index('id="progress-compare"'):]
    # By default: the first day against the latest, front.
    assert f'photos/{photos[(date(2030, 1, 1), "front")]}/"' in default
    assert f'photos/{photos[(TODAY, "front")]}/"' in default
    response = web.get(team_url(org, olivia.client, "photos/compare/") + "?a=2030-02-01&b=2030-03-13&pose=side", **HX)
    html = response.content.decode()
    assert html.startswith('<div id="progress-compare"')  # the comparison alone
    first = html[html.index('data-compare-side="first"'):html.index('data-compare-side="second"')]
    second = html[html.index('data-compare-side="second"'):]
    assert f'photos/{photos[(date(2030, 2, 1), "side")]}/"' in first and "Feb 1, 2030" in first
    assert f'photos/{photos[(TODAY, "side")]}/"' in second and "Mar 13, 2030" in second
    assert "40 days apart." in html
    # A day without that pose says so; without script the page itself compares.
    with scope(organization=org):
        services.photo_upload(client=olivia.client, actor=None, data=jpeg(), pose="back", taken_on=TODAY)
    html = web.get(team_url(org, olivia.client, "photos/compare/") + "?a=2030-01-01&b=2030-03-13&pose=back"
                   ).content.decode()
    assert "<h1>Progress of Olivia Martinez</h1>" in html and "No back photo on Jan 1, 2030." in html


def test_a_photo_is_deleted_with_its_files(org, web, olivia, django_capture_on_commit_callbacks):
    upload(web, org, olivia.client, jpeg())
    with scope(organization=org):
        photo = ProgressPhoto.objects.get(client=olivia.client)
    name = photo.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(team_url(org, olivia.client, f"photos/{photo.pk}/delete/"), {}, **HX)
    assert "The photo was deleted." in response.content.decode()
    with scope(organization=org):
        assert not ProgressPhoto.objects.exists()
    assert not photo.file.storage.exists(name)


def test_the_pages_cost_the_same_queries_however_long_the_history(org, web, olivia):
    """More goals, tasks, photos, and hundreds more weights: not one query more (the portal's too). A part
    with nothing to show may skip a query (no photos to compare), so both histories have some of each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import login_as

    def cost() -> tuple[int, int, int]:
        counts = []
        for browser, url in ((web, team_url(org, olivia.client) + "?days=365"),
                             (web, f"/o/{org.slug}/clients/{olivia.client.pk}/sections/progress/"),
                             (login_as(olivia.user), f"/portal/{org.slug}/progress/?days=365")):
            with CaptureQueriesContext(connection) as queries:
                assert browser.get(url, **HX).status_code == 200
            counts.append(len(queries))
        return counts[0], counts[1], counts[2]

    def more(n: int, tag: str) -> None:
        with scope(organization=org):
            for i in range(n):
                goal = services.goal_create(client=olivia.client, actor=None, title=f"Goal {tag}{i}",
                                            measurement_kind="waist", target_value=Decimal(30), target_unit="in")
                services.milestone_add(goal=goal, actor=None, title="Step")
                task = services.task_create(client=olivia.client, actor=None, title=f"Task {tag}{i}", repeat="daily",
                                            start_date=TODAY - timedelta(days=3))
                services.task_done(task=task, actor=None, day=TODAY - timedelta(days=1))
                services.photo_upload(client=olivia.client, actor=None, data=jpeg(), pose="front",
                                      taken_on=TODAY - timedelta(days=i + (10 if tag == "b" else 0)))

    weigh(org, olivia.client, [180, 179], every_days=20)  # this month and the one before
    more(2, "a")  # two days of photos: something to compare
    cost()  # the first requests of a login write their session (and the business's billing row)
    before = cost()
    weigh(org, olivia.client, [170 + (i % 9) for i in range(300)])
    more(4, "b")
    with scope(organization=org):
        services.measurement_record(client=olivia.client, actor=None, kind="waist", value=Decimal(33), unit="in")
    after = cost()
    # One more kind measured (waist) adds its chart, drawn from the same query: nothing else grows.
    assert after == before, (before, after)


# --- the calendar's session panel ---------------------------------------------------------------------

def session_with(org: Organization, *clients: Client, capacity: int = 1) -> Any:
    with scope(organization=org):
        session = TrainingSessionFactory(coach=CoachFactory(organization=org), starts_at=NOW - timedelta(hours=1),
                                         ends_at=NOW, capacity=capacity)
        for client in clients:
            BookingFactory(session=session, client=client)
    return session


def test_a_measurement_is_logged_from_the_calendars_session_panel(org, web, owner, olivia):
    session = session_with(org, olivia.client)
    url = f"/o/{org.slug}/clients/sessions/{session.pk}/progress/"
    page = web.get(f"/o/{org.slug}/calendar/sessions/{session.pk}/").content.decode()
    assert f'hx-get="{url}"' in page and ">Measurements<" in page  # the panel's part, by the registry
    html = web.get(url, **HX).content.decode()
    assert f'type="hidden" name="client" value="{olivia.client.pk}"' in html  # one client: no choice to make
    response = web.post(url, {**measurement_form(value="181.5"), "client": olivia.client.pk}, **HX)
    assert "Weight saved for Olivia Martinez: 181.5 lb." in response.content.decode()
    with scope(organization=org):
        row = Measurement.objects.get(client=olivia.client)
    assert (row.entered_value, row.entered_unit, row.recorded_by_id) == (Decimal("181.5"), "lb", owner.pk)
    html = web.post(url, {**measurement_form(value="700", unit="kg"), "client": olivia.client.pk},
                    **HX).content.decode()
    assert "Weight: 700 kg is not plausible." in html and 'value="700"' in html
    # Without script: the client's progress page, and a post goes back to the session with a message.
    assert web.get(url)["Location"] == team_url(org, olivia.client) + "#progress-measurements"
    assert web.post(url, {**measurement_form(value="181"), "client": olivia.client.pk})["Location"] == (
        f"/o/{org.slug}/calendar/sessions/{session.pk}/")
    with scope(organization=org):
        assert Measurement.objects.filter(client=olivia.client).count() == 2


def test_a_class_offers_its_clients_only(org, web, olivia, liam):
    session = session_with(org, olivia.client, liam.client, capacity=6)
    outsider = session_with(org)  # nobody booked
    url = f"/o/{org.slug}/clients/sessions/{session.pk}/progress/"
    html = web.get(url, **HX).content.decode()
    assert ">Olivia Martinez</option>" in html and ">Liam Johnson</option>" in html
    with scope(organization=org):
        stranger = ClientFactory(organization=org)
    html = web.post(url, {**measurement_form(), "client": stranger.pk}, **HX).content.decode()
    assert "Choose a client of this session." in html
    web.post(url, {**measurement_form(value="150"), "client": liam.client.pk}, **HX)
    with scope(organization=org):
        assert list(Measurement.objects.values_list("client_id", flat=True)) == [liam.client.pk]
    empty = web.get(f"/o/{org.slug}/clients/sessions/{outsider.pk}/progress/", **HX).content.decode()
    assert "No client is booked" in empty


def test_the_team_sets_a_clients_units_and_monthly_report_and_the_owner_the_default(org, web, boss, coach,
                                                                                    olivia):
    from coachos.progress.models import ProgressDefaults, ProgressSettings
    from coachos.progress.selectors.preferences import monthly_report_for
    from tests.conftest import login_as

    client = olivia.client
    web = login_as(coach.user)  # a coach of the business, not its owner
    page = web.get(team_url(org, client)).content.decode()
    assert "Units and reports" in page and "Save the default" not in page  # a coach: not the business's default
    answer = web.post(team_url(org, client, "units/"), {"unit_system": "metric", "monthly_report": "on"})
    assert answer.status_code == 302 and answer["Location"] == team_url(org, client) + "#progress-units"
    with scope(organization=org):
        stored = ProgressSettings.objects.get(client=client)
        assert (stored.unit_system, stored.monthly_report) == ("metric", True)
    refused = web.post(team_url(org, client, "units/"), {"unit_system": "cubits", "monthly_report": "off"},
                       follow=True)
    assert "Choose one of the options offered." in refused.content.decode()
    with scope(organization=org):
        assert ProgressSettings.objects.get(client=client).monthly_report is True  # nothing changed
    web.post(team_url(org, client, "units/"), {"unit_system": "", "monthly_report": ""})
    with scope(organization=org):
        assert ProgressSettings.objects.get(client=client).monthly_report is None
        assert monthly_report_for(client) is False

    # A coach cannot change the business's default; the owner can, from the same page.
    web.post(team_url(org, client, "defaults/"), {"monthly_report": "on"})
    with scope(organization=org):
        assert not ProgressDefaults.objects.filter(organization=org, monthly_report=True).exists()
    owner_web = login_as(boss.user)
    assert "Save the default" in owner_web.get(team_url(org, client)).content.decode()
    refused = owner_web.post(team_url(org, client, "defaults/"), {"monthly_report": "7"}, follow=True)
    assert "Choose one of the options offered." in refused.content.decode()
    with scope(organization=org):
        assert not ProgressDefaults.objects.filter(organization=org).exists()  # nothing written
    saved = owner_web.post(team_url(org, client, "defaults/"), {"monthly_report": "on"}, follow=True)
    assert "The business&#x27;s default is saved." in saved.content.decode()
    with scope(organization=org):
        assert monthly_report_for(client) is True  # no choice of their own: the business's default applies


def test_another_business_cannot_set_units_or_defaults(org, other_org, olivia):
    from coachos.progress.models import ProgressDefaults, ProgressSettings
    from tests.conftest import login_as
    from tests.people import team_member

    outsider = login_as(team_member(other_org, "owner").user)
    for rest, body in (("units/", {"unit_system": "metric"}), ("defaults/", {"monthly_report": "on"})):
        assert outsider.post(team_url(org, olivia.client, rest), body).status_code == 404
    with scope(organization=org):
        assert not ProgressSettings.objects.filter(client=olivia.client).exists()
        assert not ProgressDefaults.objects.filter(organization=org).exists()
