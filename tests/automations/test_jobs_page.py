"""The platform jobs page reads as a page: every, duration and the run's result in words."""

from __future__ import annotations

from datetime import UTC, datetime

from django.test import Client as DjangoClient

from coachos.automations.models import JobRun
from coachos.automations.views_platform import duration_text, every_text, summary_text

from ..factories import UserFactory


def test_every_and_duration_in_words():
    assert every_text(60) == "every minute" and every_text(300) == "every 5 minutes"
    assert every_text(3600) == "every hour" and every_text(86400 * 2) == "every 2 days"
    assert duration_text(None) == "" and duration_text(120) == "120 ms"
    assert duration_text(2300) == "2.3 s" and duration_text(125000) == "2 min 5 s"


def test_a_result_reads_as_a_phrase():
    assert summary_text({}) == "Nothing to do"
    assert summary_text({"sent": 3, "skipped": 0}) == "3 sent, 0 skipped"
    assert summary_text({"organizations": [1, 2], "partial": True}) == "2 organizations, partial"


def test_the_page_shows_runs_in_words_not_dicts(db):
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    JobRun.objects.create(name="send-reminders", due_at=at, started_at=at, finished_at=at, duration_ms=2300,
                          status=JobRun.Status.SUCCEEDED, result={"sent": 3, "skipped": 0})
    web = DjangoClient()
    web.force_login(UserFactory(email="ops@coachos.example", is_staff=True))
    html = web.get("/platform/jobs/").content.decode()
    assert "3 sent, 0 skipped" in html and "2.3 s" in html and "Succeeded" in html
    assert "{&#x27;sent" not in html and "{'sent" not in html
