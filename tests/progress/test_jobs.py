"""The monthly progress report by email: due from the 1st at 08:00 in the business's zone, to the clients
whose switch (or the business's default) says so, once per client and month — also with two workers at
once — with the PDF attached when it is sent; an empty month sends nothing. And the jobs are declared."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django_scopes import scope, scopes_disabled

from coachos.clients.models import Client
from coachos.comms import emails
from coachos.comms.models import OutboundMessage
from coachos.jobs import JOBS
from coachos.progress import services
from coachos.progress.alerts import REPORT_KIND
from coachos.progress.models import MonthlyReport, ProgressSettings
from coachos.progress.monthly import month_due, monthly_reports_send
from tests.concurrency import run_concurrently

from .conftest import Person, patch, portal_client

pytestmark = pytest.mark.django_db
FEBRUARY = datetime(2030, 2, 14, 15, 0, tzinfo=UTC)
DUE = datetime(2030, 3, 1, 14, 30, tzinfo=UTC)  # 08:30 in Chicago
EARLY = datetime(2030, 3, 1, 13, 30, tzinfo=UTC)  # 07:30 in Chicago


def weigh(org: Any, person: Person, kg: str, when: datetime = FEBRUARY) -> None:
    with scope(organization=org), time_machine.travel(when, tick=False):
        services.measurement_record(client=person.client, actor=None, kind="weight", value=Decimal(kg), unit="kg",
                                    measured_at=when)


def switch(org: Any, person: Person, on: bool | None) -> None:
    with scope(organization=org):
        services.progress_settings_update(client=person.client, actor=None, monthly_report=on)


def reports(org: Any) -> list[OutboundMessage]:
    with scopes_disabled():
        return list(OutboundMessage.objects.filter(organization=org, kind=REPORT_KIND).order_by("pk"))


def send(at: datetime) -> dict[str, int]:
    with time_machine.travel(at, tick=False):
        return monthly_reports_send()


def test_the_previous_month_is_due_from_the_first_at_eight():
    assert month_due(datetime(2030, 3, 1, 7, 59)) is None
    assert month_due(datetime(2030, 3, 1, 8, 0)) == date(2030, 2, 1)
    assert month_due(datetime(2030, 3, 17, 3, 0)) == date(2030, 2, 1)  # a late run catches up
    assert month_due(datetime(2030, 1, 1, 9, 0)) == date(2029, 12, 1)


def test_the_report_is_emailed_once_with_the_pdf_attached(org, olivia):
    switch(org, olivia, True)
    weigh(org, olivia, "80")
    weigh(org, olivia, "78.5", datetime(2030, 2, 27, 15, tzinfo=UTC))
    assert send(EARLY) == {} and reports(org) == []
    assert send(DUE) == {"sent": 1}
    assert send(DUE.replace(hour=20)) == {}  # once a month
    [email] = reports(org)
    assert (email.channel, email.to, email.status) == ("email", olivia.client.email, "queued")
    assert email.subject == "Your progress in February 2030"
    assert "Here is your progress report for February 2030" in email.body and "Weight: 173.1 lb." in email.body  # 78.5 kg, in a US client's pounds
    assert "Sessions completed" not in email.body  # none that month: not said
    with scope(organization=org):
        row = MonthlyReport.objects.get()
    assert (row.client_id, row.month, row.status, row.message_id) == (olivia.client.pk, date(2030, 2, 1), "sent",
                                                                      email.pk)
    with scopes_disabled():
        built = emails.build(email)
    [(name, content, mimetype)] = built.attachments
    assert name == "progress-olivia-martinez-2030-02-01-2030-02-28.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")


def test_who_gets_it_follows_the_clients_switch_then_the_business_default(client, org, boss, olivia, liam):
    quiet = portal_client(org, first_name="Noah", last_name="Brown")  # switched it off himself
    archived = portal_client(org, first_name="Ava", last_name="Jones")
    no_email = portal_client(org, first_name="Mia", last_name="Anderson")
    with scope(organization=org):
        Client.objects.filter(pk=archived.client.pk).update(status=Client.Status.ARCHIVED)
        Client.objects.filter(pk=no_email.client.pk).update(email="")
    for person in (olivia, liam, quiet, archived, no_email):
        weigh(org, person, "70")
    switch(org, quiet, False)
    assert send(DUE) == {}  # the business's default is off, and nobody chose it
    response = patch(client, "/api/v1/progress-defaults", {"monthly_report": True}, boss.headers)
    assert response.status_code == 200 and response.json() == {"monthly_report": True}
    got = client.get(f"/api/v1/clients/{liam.client.pk}/progress-settings", **boss.headers).json()
    assert (got["monthly_report"], got["monthly_report_choice"]) == (True, None)
    assert send(DUE) == {"sent": 2}
    assert sorted(m.client_id for m in reports(org)) == sorted([olivia.client.pk, liam.client.pk])


def test_only_the_owner_sets_the_business_default(client, org, coach, olivia):
    assert patch(client, "/api/v1/progress-defaults", {"monthly_report": True}, coach.headers).status_code == 403
    assert patch(client, "/api/v1/progress-defaults", {"monthly_report": True}, olivia.headers).status_code == 403
    assert client.get("/api/v1/progress-defaults", **olivia.headers).status_code == 403


def test_a_client_may_go_back_to_the_business_default(client, org, olivia):
    url = f"/api/v1/clients/{olivia.client.pk}/progress-settings"
    assert patch(client, url, {"monthly_report": True}, olivia.headers).json()["monthly_report_choice"] is True
    back = patch(client, url, {"monthly_report": None}, olivia.headers).json()
    assert (back["monthly_report"], back["monthly_report_choice"]) == (False, None)
    assert patch(client, url, {"unit_system": "metric"}, olivia.headers).json()["monthly_report_choice"] is None


def test_an_empty_month_sends_nothing_and_is_not_tried_again(org, olivia):
    switch(org, olivia, True)
    assert send(DUE) == {"empty": 1}
    assert send(DUE.replace(hour=21)) == {}
    assert reports(org) == []
    with scope(organization=org):
        assert MonthlyReport.objects.get().status == "empty"


def test_the_clients_preferences_apply(org, olivia):
    from coachos.comms.models import NotificationPreference

    switch(org, olivia, True)
    weigh(org, olivia, "80")
    with scope(organization=org):
        NotificationPreference.objects.create(organization=org, user=olivia.user, kind=REPORT_KIND, via="email",
                                              enabled=False)
    assert send(DUE) == {"sent": 1}
    assert [m.status for m in reports(org)] == ["suppressed"]  # written, and says why nothing went


def test_the_month_is_named_in_the_clients_language(org, olivia):
    olivia.user.language = "fr"
    olivia.user.save(update_fields=["language"])
    switch(org, olivia, True)
    weigh(org, olivia, "80")
    send(DUE)
    [email] = reports(org)
    assert "février 2030" in email.subject


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_once(org, olivia):
    switch(org, olivia, True)
    weigh(org, olivia, "80")

    def work(_i: int) -> dict[str, int]:
        return send(DUE)

    results = run_concurrently(work, 4, timeout=120).values
    assert sum(r.get("sent", 0) for r in results) == 1
    assert len(reports(org)) == 1
    with scope(organization=org):
        assert MonthlyReport.objects.count() == 1 and ProgressSettings.objects.get().monthly_report is True


def test_the_jobs_are_declared():
    names = {job.name: job.task for job in JOBS}
    assert names["progress-monthly-reports"] == "coachos.progress.tasks.send_monthly_reports"
    assert names["progress-overdue-tasks"] == "coachos.progress.tasks.note_overdue_tasks"
    from celery import current_app

    import coachos.progress.tasks  # noqa: F401 - registers the tasks

    assert "coachos.progress.tasks.send_monthly_reports" in current_app.tasks
