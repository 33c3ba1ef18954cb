"""The progress report PDF: what it shows (goals, attendance per month, tasks and streaks, measurements
with their change and charts), in whose language, its empty states, the logo, the notes hook; and the
API route (who may download it, bad ranges)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client as DjangoClient
from django_scopes import scope
from PIL import Image

from coachos.progress import services
from coachos.progress.demo import write_sessions, write_ticks
from coachos.progress.periods import Repeat
from coachos.progress.report import progress_report_pdf, report_filename
from coachos.progress.report_data import report_data
from coachos.progress.report_notes import SharedNote
from coachos.scheduling.models import Booking
from tests.factories import CoachFactory, NoteFactory, SessionTypeFactory, UserFactory

from .conftest import Person, assert_problem, portal_client, team_member

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)  # noon in Chicago
START, END = date(2026, 1, 1), date(2026, 3, 31)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _unescape(raw: bytes) -> str:
    """A PDF string's bytes: octal escapes (\\267) and escaped parentheses, in the fonts' WinAnsi encoding."""
    plain = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), raw)
    plain = re.sub(rb"\\(.)", rb"\1", plain)
    return plain.decode("cp1252")


def shown(pdf: bytes) -> str:
    """The text an uncompressed ReportLab PDF draws, joined (the string operands of Tj)."""
    assert pdf.startswith(b"%PDF")
    return " ".join(_unescape(p) for p in re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", pdf))


def history(org: Any, person: Person, coach: Person) -> None:
    """Three months of Olivia's progress, through the services where it matters."""
    client = person.client
    assert client is not None
    with scope(organization=org):
        goal = services.goal_create(client=client, actor=coach.user, title="Get to 165 lb", measurement_kind="weight",
                                    target_value=Decimal(165), target_unit="lb", target_date=date(2026, 6, 30),
                                    start_date=date(2026, 1, 1))
        services.milestone_add(goal=goal, actor=coach.user, title="Under 175 lb")
        for day, pounds in ((date(2026, 1, 5), "180"), (date(2026, 2, 2), "176.4"), (date(2026, 3, 30), "171.2")):
            services.measurement_record(client=client, actor=coach.user, kind="weight", value=Decimal(pounds),
                                        unit="lb", measured_at=datetime(day.year, day.month, day.day, 14, tzinfo=UTC))
        services.measurement_record(client=client, actor=coach.user, kind="waist", value=Decimal("34.5"), unit="in",
                                    measured_at=datetime(2026, 1, 6, 14, tzinfo=UTC))
        task = services.task_create(client=client, actor=coach.user, title="Log your meals", repeat=Repeat.DAILY,
                                    start_date=date(2026, 3, 1))
        write_ticks(task, [date(2026, 3, d) for d in range(20, 31)])
        coach_row = CoachFactory(organization=org)
        session_type = SessionTypeFactory(organization=org)
        write_sessions(client, coach_row, session_type, [
            (datetime(2026, 1, 12, 15, tzinfo=UTC), Booking.Status.COMPLETED),
            (datetime(2026, 2, 9, 15, tzinfo=UTC), Booking.Status.COMPLETED),
            (datetime(2026, 2, 16, 15, tzinfo=UTC), Booking.Status.NO_SHOW),
            (datetime(2026, 4, 6, 15, tzinfo=UTC), Booking.Status.CONFIRMED),
        ])


def test_the_report_shows_goals_attendance_tasks_and_measurements(org, coach, olivia):
    history(org, olivia, coach)
    with scope(organization=org):
        pdf = progress_report_pdf(client=olivia.client, start=START, end=END, viewer=coach.user, compress=False)
    text = shown(pdf)
    for expected in ("Northside Strength", "Progress report", "Olivia Martinez", "Jan 1, 2026", "Mar 31, 2026",
                     "Goals", "Get to 165 lb", "In progress", "To do: Under 175 lb", "by Jun 30, 2026",
                     "Attendance", "Sessions per month", "No-show",
                     "Tasks", "Log your meals", "Every day", "11 of 31", "11 of 31 done",
                     "Measurements", "Weight", "180 lb", "171.2 lb", "-8.8 lb", "Waist", "34.5 in",
                     "Goal: 165 lb"):
        assert expected in text, expected
    assert "2 sessions completed" in text  # the header's facts: January and February
    assert "Notes from your coach" not in text  # nothing shared (the notes hook is empty)


def test_the_attendance_and_task_figures_come_from_the_range(org, coach, olivia):
    history(org, olivia, coach)
    with scope(organization=org):
        data = report_data(olivia.client, start=START, end=END)
    assert [(m.month, m.completed, m.no_show) for m in data.months] == [
        (date(2026, 1, 1), 1, 0), (date(2026, 2, 1), 1, 1), (date(2026, 3, 1), 0, 0)]
    [line] = data.tasks
    assert (line.done, line.due, line.streak) == (11, 31, 11)
    assert data.series["weight"].goal == 165.0 and len(data.series["weight"].points) == 3
    with scope(organization=org):
        later = report_data(olivia.client, start=date(2026, 4, 1), end=date(2026, 4, 30))
    assert later.summary.attendance.booked == 1 and later.summary.measurements == {}


def test_the_report_is_written_in_the_readers_language(org, coach, olivia):
    history(org, olivia, coach)
    reader = UserFactory(name="Amélie", language="fr")
    with scope(organization=org):
        french = shown(progress_report_pdf(client=olivia.client, start=START, end=END, viewer=reader, compress=False))
        olivia.user.language = "de"
        olivia.user.save(update_fields=["language"])
        olivia.client.refresh_from_db()
        german = shown(progress_report_pdf(client=olivia.client, start=START, end=END, viewer=None, compress=False))
    assert "1 janv. 2026" in french and "171,2 lb" in french
    assert "01.01.2026" in german or "1. Jan. 2026" in german, german[:400]


def test_an_empty_range_says_so(org, coach, olivia):
    with scope(organization=org):
        text = shown(progress_report_pdf(client=olivia.client, start=START, end=END, viewer=coach.user,
                                         compress=False))
    for expected in ("No goals in this period.", "No tasks in this period.", "No measurements in this period."):
        assert expected in text
    assert "Sessions per month" not in text  # no chart of nothing


def test_the_business_logo_heads_the_report(org, coach, olivia, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    logo = io.BytesIO()
    Image.new("RGB", (120, 40), (29, 78, 216)).save(logo, format="PNG")
    from django.core.files.base import ContentFile

    org.logo.save("logo.png", ContentFile(logo.getvalue()), save=True)
    with scope(organization=org):
        olivia.client.organization.refresh_from_db()
        pdf = progress_report_pdf(client=olivia.client, start=START, end=END, viewer=coach.user, compress=False)
        org.logo.delete(save=True)
        olivia.client.organization.refresh_from_db()
        without = progress_report_pdf(client=olivia.client, start=START, end=END, viewer=coach.user, compress=False)
    assert b"/Subtype /Image" in pdf and b"/Subtype /Image" not in without


def test_only_the_notes_shared_with_the_client_in_the_range_are_printed(org, coach, olivia, liam):
    def at(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 17, tzinfo=UTC)

    with scope(organization=org):
        NoteFactory(organization=org, client=olivia.client, author=coach.user, shared=True, title="Week 5",
                    body_html="<p>Great <strong>squat</strong> depth today.</p>", created_at=at(date(2026, 2, 3)))
        NoteFactory(organization=org, client=olivia.client, author=coach.user, shared=False, title="Private",
                    body_html="<p>Knee pain history, keep an eye.</p>", created_at=at(date(2026, 2, 4)))
        NoteFactory(organization=org, client=liam.client, author=coach.user, shared=True, title="Liam",
                    body_html="<p>Liam's own note.</p>", created_at=at(date(2026, 2, 5)))
        NoteFactory(organization=org, client=olivia.client, author=coach.user, shared=True, title="Old",
                    body_html="<p>Before the range.</p>", created_at=at(START - timedelta(days=3)))
        data = report_data(olivia.client, start=START, end=END)
        assert data.notes == [SharedNote(written_on=date(2026, 2, 3), author=coach.user.name.split(" ")[0],
                                         text="Week 5: Great squat depth today.")]
        text = shown(progress_report_pdf(client=olivia.client, start=START, end=END, viewer=coach.user,
                                         compress=False))
    assert "Notes from your coach" in text and "Great squat depth today." in text
    assert "Knee pain" not in text and "Liam's own note" not in text and "Before the range" not in text


def test_the_file_name_is_plain_ascii():
    from coachos.clients.models import Client

    client = Client(pk=7, first_name="Zoë", last_name="O'Brien")
    assert report_filename(client, START, END) == "progress-zoe-obrien-2026-01-01-2026-03-31.pdf"


# --- the API ------------------------------------------------------------------------------------

def url(client_id: int, query: str = "") -> str:
    return f"/api/v1/clients/{client_id}/progress/report.pdf{query}"


def test_the_api_answers_a_pdf_to_the_team_and_to_the_client_themself(client: DjangoClient, org, coach, olivia):
    history(org, olivia, coach)
    for person in (coach, olivia):
        response = client.get(url(olivia.client.pk, "?start=2026-01-01&end=2026-03-31"), **person.headers)
        assert response.status_code == 200, response.content[:300]
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            'attachment; filename="progress-olivia-martinez-2026-01-01-2026-03-31.pdf"')
        assert response.content.startswith(b"%PDF")
    default = client.get(url(olivia.client.pk), **coach.headers)
    assert default.status_code == 200
    assert "2026-01-01-2026-03-31" in default["Content-Disposition"]  # the last 90 days, today included


def test_the_api_hides_other_clients_and_businesses(client: DjangoClient, org, other_org, coach, olivia, liam):
    limited = team_member(org, sees_all_clients=False, name="Casey Coach")
    stranger = portal_client(other_org, first_name="Sam", last_name="Other")
    assert_problem(client.get(url(olivia.client.pk), **liam.headers), 404)  # another client
    assert_problem(client.get(url(olivia.client.pk), **limited.headers), 404)  # not the limited coach's client
    assert_problem(client.get(url(olivia.client.pk), **stranger.headers), 404)  # another business
    assert_problem(client.get(url(olivia.client.pk), **team_member(other_org, name="Other Owner").headers), 404)
    assert client.get(url(olivia.client.pk)).status_code == 401


@pytest.mark.parametrize(("query", "field"), [
    ("?start=2026-03-01&end=2026-02-01", "start"),
    ("?start=2010-01-01&end=2026-03-01", "start"),
    ("?start=yesterday", "query.start"),  # not a date at all: ninja's own check names the parameter
    ("?end=2026-02-30", "query.end"),
])
def test_a_bad_range_is_a_422_naming_the_field(client: DjangoClient, org, coach, olivia, query, field):
    assert_problem(client.get(url(olivia.client.pk, query), **coach.headers), 422, field)


def test_the_last_ninety_days_include_today():
    from coachos.progress.report_data import report_range

    assert report_range(None, None, today=END) == (END - timedelta(days=89), END)
    assert report_range(None, date(2026, 2, 1), today=END) == (date(2025, 11, 4), date(2026, 2, 1))
