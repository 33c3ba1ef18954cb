"""The assistant panel and the insights settings pages."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django_scopes import scope

from coachos.insights.models import InsightsSettings, Proposal
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import member
from tests.insights.test_assistant import FRIDAY, NOW, THURSDAY, biz, model, session_start  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_panel_says_how_to_turn_it_on(web: Any, org: Any, monkeypatch: Any) -> None:
    for name in ("AI_PROVIDER", "AI_API_KEY", "AI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    html = web.get(f"/o/{org.slug}/insights/assistant/").content.decode()
    assert 'id="assistant-off"' in html and "AI_API_KEY" in html
    assert 'id="assistant-form"' not in html


def test_ask_then_accept_on_the_page(model: Any, biz: Any, web: Any) -> None:  # noqa: F811
    slug = biz["org"].slug
    model.script = [{"tools": [("propose_reschedule", {"session_id": biz["session"].pk,
                                                       "new_start": "2026-03-27T10:00"})]}, {"text": "Prepared."}]
    with time_machine.travel(NOW):
        response = web.post(f"/o/{slug}/insights/assistant/", {"text": "Move Zoe's Thursday to Friday at 10"})
        assert response.status_code == 302
        html = web.get(response["Location"]).content.decode()
        assert "Prepared." in html and "Assistant (AI)" in html and 'data-status="pending"' in html
        with scope(organization=biz["org"]):
            proposal = Proposal.objects.get()
        assert session_start(biz) == THURSDAY
        web.post(f"/o/{slug}/insights/assistant/proposals/{proposal.pk}/", {"decision": "accept"})
    assert session_start(biz) == FRIDAY


def test_another_member_cannot_decide_on_the_page(model: Any, biz: Any, web: Any) -> None:  # noqa: F811
    model.script = [{"tools": [("propose_reschedule", {"session_id": biz["session"].pk,
                                                       "new_start": "2026-03-27T10:00"})]}, {"text": "Prepared."}]
    with time_machine.travel(NOW):
        web.post(f"/o/{biz['org'].slug}/insights/assistant/", {"text": "Move it"})
    with scope(organization=biz["org"]):
        proposal = Proposal.objects.get()
    colleague = login_as(member(biz["org"], Role.OWNER, email="co@example.com"))
    assert colleague.post(f"/o/{biz['org'].slug}/insights/assistant/proposals/{proposal.pk}/",
                          {"decision": "accept"}).status_code == 404
    assert session_start(biz) == THURSDAY


def test_another_business_gets_404(org: Any, other_org: Any) -> None:
    stranger = login_as(member(other_org, Role.OWNER))
    for path in ("assistant/", "settings/", "assistant/proposals/1/"):
        assert stranger.get(f"/o/{org.slug}/insights/{path}").status_code == 404


def test_the_owner_turns_the_assistant_on(web: Any, org: Any) -> None:
    response = web.post(f"/o/{org.slug}/insights/settings/", {"weekly_digest": "on", "assistant_enabled": "on"})
    assert response.status_code == 302
    with scope(organization=org):
        settings = InsightsSettings.objects.get(organization=org)
    assert settings.assistant_enabled and settings.weekly_digest and not settings.assistant_client_names


def test_a_coach_cannot_change_the_settings(org: Any) -> None:
    coach = login_as(member(org, Role.COACH))
    assert coach.post(f"/o/{org.slug}/insights/settings/", {"assistant_enabled": "on"}).status_code in (403, 404)
    with scope(organization=org):
        assert not InsightsSettings.objects.filter(assistant_enabled=True).exists()
