"""The automation pages: list, recipes, the form (without JavaScript), dry run, history, retry, to-dos."""

from __future__ import annotations

from datetime import date
from datetime import time as wall

import pytest
from django_scopes import scope, scopes_disabled

from coachos.automations.models import Automation, AutomationRun, Todo
from tests.conftest import login_as
from tests.factories import AutomationRunFactory, ClientFactory, TagFactory, TodoFactory, member

from .conftest import local, make

pytestmark = pytest.mark.django_db


def url(org, rest: str = "") -> str:
    return f"/o/{org.slug}/automations/{rest}"


def form_data(**fields) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Birthday text", "trigger_type": "condition", "condition": "birthday", "time_of_day": "09:00",
        "statuses": ["active"], "event": "", "frequency": "", "session_number": "", "credits_threshold": "",
        "day_of_month": "", "condition_days": "",
        "actions-TOTAL_FORMS": "2", "actions-INITIAL_FORMS": "0", "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "10",
        "actions-0-type": "send_sms", "actions-0-message_kind": "automation",
        "actions-0-text": "Happy birthday {client_first_name}!",
        "actions-1-type": "", "actions-1-message_kind": "automation",
    }
    data.update(fields)
    return data


def test_the_list_shows_status_last_and_next_run_in_the_business_zone(org, web, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 2), 8), tick=False)
    automation = make(org, name="Morning check-in", trigger_type="schedule", frequency="daily",
                      time_of_day=wall(9, 30))
    AutomationRunFactory(automation=automation, status="failed", started_at=local(org, date(2025, 6, 1), 9, 30))
    page = web.get(url(org))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Morning check-in" in text and "Every day at 9:30\u202fAM" in text
    assert "Jun 2, 2025, 9:30\u202fAM" in text  # next run, local time
    assert "Jun 1, 2025, 9:30\u202fAM" in text and "Failed" in text
    assert "Win-back after 30 days without a booking" in text  # recipes
    assert f'href="/o/{org.slug}/automations/"' in web.get(f"/o/{org.slug}/").content.decode()  # the nav item


def test_an_empty_list_invites_to_start_from_a_recipe(org, web):
    text = web.get(url(org)).content.decode()
    assert "No automations yet" in text and "?recipe=birthday" in text


def test_a_recipe_opens_the_form_filled_in(org, web):
    text = web.get(url(org, "new/?recipe=win_back")).content.decode()
    assert "Win-back: 30 days without a booking" in text
    assert 'value="no_booking" selected' in text and 'value="30"' in text
    assert "we miss you" in text and "Call {client_name}: no booking in 30 days" in text


@pytest.mark.smoke
def test_creating_an_automation_without_javascript(org, web, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 2), 8), tick=False)
    vip = TagFactory(organization=org, name="VIP")
    response = web.post(url(org, "new/"), form_data(tags=[str(vip.pk)], enabled="on"))
    assert response.status_code == 302
    with scope(organization=org):
        automation = Automation.objects.get()
        assert [t.name for t in automation.tags.all()] == ["VIP"]
    assert automation.actions == [{"type": "send_sms", "message_kind": "automation",
                                   "text": "Happy birthday {client_first_name}!"}]
    assert automation.enabled and automation.next_run_at == local(org, date(2025, 6, 2), 9)
    assert response["Location"] == url(org, f"{automation.pk}/")


def test_form_errors_keep_what_was_typed(org, web):
    response = web.post(url(org, "new/"), form_data(condition="", **{"actions-0-text": "Hi {nickname}"}))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Choose the condition it checks." in text
    assert "unknown placeholder: {nickname}" in text
    assert "Hi {nickname}" in text and 'value="Birthday text"' in text
    with scopes_disabled():
        assert not Automation.objects.exists()


def test_the_dry_run_button_shows_whom_it_would_reach_and_saves_nothing(org, web, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 5), 8), tick=False)
    ClientFactory(organization=org, first_name="Bea", last_name="Day", birthday=date(1990, 6, 5))
    ClientFactory(organization=org, first_name="Not", last_name="Today", birthday=date(1990, 6, 6))
    response = web.post(url(org, "new/"), form_data(dry_run="1"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "it would reach <strong>1 client</strong>" in text and "Bea Day" in text and "Not Today" not in text
    with scopes_disabled():
        assert not Automation.objects.exists()


def test_detail_shows_the_dry_run_and_the_run_history_with_filters(org, web, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 5), 8), tick=False)
    ClientFactory(organization=org, first_name="Bea", last_name="Day", birthday=date(1990, 6, 5))
    automation = make(org, name="Birthdays", trigger_type="condition", condition="birthday", time_of_day=wall(9, 0))
    AutomationRunFactory(automation=automation, status="failed", started_at=local(org, date(2025, 6, 1), 9),
                         error="SMS not sent: the client texted STOP")
    AutomationRunFactory(automation=automation, status="succeeded", started_at=local(org, date(2025, 6, 3), 9),
                         error="")
    text = web.get(url(org, f"{automation.pk}/")).content.decode()
    assert "Bea Day" in text and "SMS not sent: the client texted STOP" in text
    filtered = web.get(url(org, f"{automation.pk}/?status=succeeded")).content.decode()
    assert "SMS not sent" not in filtered and "Succeeded" in filtered
    dated = web.get(url(org, f"{automation.pk}/?since=2025-06-02&until=2025-06-30")).content.decode()
    assert "SMS not sent" not in dated
    assert web.get(url(org, f"{automation.pk}/?since=not-a-date&status=bogus")).status_code == 200
    history = web.get(url(org, "runs/?status=failed")).content.decode()
    assert "SMS not sent" in history and "Birthdays" in history


def test_a_failed_run_page_shows_per_client_results_and_retries(sms_org, texter, time_machine):
    from coachos.automations import engine

    owner = member(sms_org, "owner", email="own@example.com")
    web = login_as(owner)
    time_machine.move_to(local(sms_org, date(2025, 6, 3), 8), tick=False)
    with scopes_disabled():
        type(texter).objects.filter(pk=texter.pk).update(sms_consent=False)
    automation = make(sms_org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0),
                      actions=[{"type": "send_sms", "message_kind": "automation", "text": "Hi!"}])
    time_machine.move_to(local(sms_org, date(2025, 6, 3), 9), tick=False)
    engine.tick()
    with scopes_disabled():
        run = AutomationRun.objects.get(automation=automation)
    assert run.status == "failed"
    text = web.get(f"/o/{sms_org.slug}/automations/runs/{run.pk}/").content.decode()
    assert "Tess Texter" in text and "SMS not sent: The client has not agreed to texts." in text
    assert "Retry what failed" in text
    with scopes_disabled():
        type(texter).objects.filter(pk=texter.pk).update(sms_consent=True)
    response = web.post(f"/o/{sms_org.slug}/automations/runs/{run.pk}/retry/")
    with scopes_disabled():
        retry = AutomationRun.objects.get(retry_of=run)
    assert response.status_code == 302 and response["Location"].endswith(f"/runs/{retry.pk}/")
    assert retry.status == "succeeded"
    again = web.post(f"/o/{sms_org.slug}/automations/runs/{run.pk}/retry/", follow=True)
    assert "already retried" in again.content.decode()


def test_switch_on_off_run_now_and_delete(org, web, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 2), 8), tick=False)
    ClientFactory(organization=org)
    automation = make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0), enabled=False)
    web.post(url(org, f"{automation.pk}/switch/"), {"enabled": "1"})
    automation.refresh_from_db()
    assert automation.enabled and automation.next_run_at == local(org, date(2025, 6, 2), 9)
    web.post(url(org, f"{automation.pk}/switch/"), {"enabled": "0"})
    automation.refresh_from_db()
    assert not automation.enabled and automation.next_run_at is None
    response = web.post(url(org, f"{automation.pk}/run/"))
    with scopes_disabled():
        run = AutomationRun.objects.get(automation=automation)
    assert run.trigger == "manual" and response["Location"].endswith(f"/runs/{run.pk}/")
    assert web.get(url(org, f"{automation.pk}/switch/")).status_code == 405
    web.post(url(org, f"{automation.pk}/delete/"))
    with scopes_disabled():
        assert not Automation.objects.filter(pk=automation.pk).exists()


def test_editing_keeps_the_actions_and_saves_changes(org, web):
    automation = make(org, name="Old", trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0),
                      actions=[{"type": "add_tag", "tag": "A"}])
    page = web.get(url(org, f"{automation.pk}/edit/")).content.decode()
    assert 'value="Old"' in page and 'value="add_tag" selected' in page
    data = form_data(name="New", trigger_type="schedule", frequency="weekly", weekdays=["0", "4"],
                     time_of_day="07:45", **{"actions-TOTAL_FORMS": "3", "actions-2-type": "remove_tag",
                                             "actions-2-tag": "Old tag"})
    assert web.post(url(org, f"{automation.pk}/edit/"), data).status_code == 302
    automation.refresh_from_db()
    assert (automation.name, automation.frequency, automation.weekdays) == ("New", "weekly", [0, 4])
    assert [a["type"] for a in automation.actions] == ["send_sms", "remove_tag"]


def test_front_desk_sees_but_cannot_change(org):
    automation = make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0))
    desk = login_as(member(org, "staff", email="desk@example.com"))
    assert desk.get(url(org)).status_code == 200
    assert "New automation" not in desk.get(url(org)).content.decode()
    assert desk.get(url(org, f"{automation.pk}/")).status_code == 200
    assert desk.get(url(org, "new/")).status_code == 403
    assert desk.post(url(org, f"{automation.pk}/switch/"), {"enabled": "0"}).status_code == 403
    client = login_as(member(org, "client", email="cl@example.com"))
    assert client.get(url(org)).status_code == 403


def test_todos_list_and_mark_done(org, web):
    client = ClientFactory(organization=org, first_name="Ann", last_name="Call")
    todo = TodoFactory(organization=org, title="Call Ann", client=client, due=date(2025, 1, 1))
    text = web.get(url(org, "todos/")).content.decode()
    assert "Call Ann" in text and "overdue since" in text
    web.post(url(org, f"todos/{todo.pk}/done/"), {"done": "1"})
    todo.refresh_from_db()
    assert todo.done and todo.done_at is not None
    item = '<span class="todo-title">Call Ann</span>'
    assert item not in web.get(url(org, "todos/")).content.decode()
    assert item in web.get(url(org, "todos/?show=done")).content.decode()
    web.post(url(org, f"todos/{todo.pk}/done/"), {"done": "0"})
    todo.refresh_from_db()
    assert not todo.done
    with scopes_disabled():
        assert Todo.objects.count() == 1


def test_another_business_gets_404(org, other_org, web):
    theirs = make(other_org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0))
    run = AutomationRunFactory(automation=theirs)
    assert web.get(url(org, f"{theirs.pk}/")).status_code == 404
    assert web.get(url(org, f"runs/{run.pk}/")).status_code == 404
    assert web.post(url(org, f"runs/{run.pk}/retry/")).status_code == 404
