"""Dates and instants far outside any calendar (issue #21): a clear refusal, never a 500.

``slot=3@253402300799`` (the last second of 9999) parsed, then overflowed in the date arithmetic
after it. Every page that reads a date or an instant from its input goes through
coachos.common.moments, which refuses such values like any other unreadable one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.test import Client as DjangoClient
from django.urls import reverse
from django_scopes import scope

from coachos.common import moments
from coachos.scheduling.models import SlotHold
from coachos.scheduling.picker import decode_slot, parse_day
from tests.conftest import login_as
from tests.scheduling.test_public_booking import clock, setup, url  # noqa: F401 (fixtures)

FAR = ("253402300799", "253402300800", "99999999999999999999", "-62135596800", "7258118400")  # 7258118400: 2200-01-01
FAR_DAYS = ("9999-12-31", "0001-01-01", "2200-01-01", "1899-12-31")


def http() -> DjangoClient:
    return DjangoClient(raise_request_exception=True)  # a 500 fails the test with its traceback


# --- the shared reader ---------------------------------------------------------------------------

def test_moments_refuses_what_would_overflow_and_reads_the_rest() -> None:
    for seconds in FAR + ("", "12a", "1e9", " 1", "+1"):
        assert moments.instant_from_epoch(seconds) is None, seconds
    assert moments.instant_from_epoch("1780322400") == datetime(2026, 6, 1, 14, 0, tzinfo=UTC)
    for raw in FAR_DAYS + ("2026-02-30", "2026-6-1", "20260601", "0", "", "2026-06-01T00:00"):
        assert moments.day_from(raw) is None, raw
    assert moments.day_from(" 2026-06-01 ") == date(2026, 6, 1)
    assert moments.instant_from_iso("9999-12-31T23:59:59+00:00") is None
    assert moments.instant_from_iso("2026-06-01T10:00:00+15:00") is None  # no zone is that far east
    assert moments.instant_from_iso("2026-06-01T10:00:00") is None  # no offset, no default zone
    assert moments.instant_from_iso("2026-06-01T10:00:00", default_zone=UTC) == datetime(2026, 6, 1, 10, tzinfo=UTC)
    assert moments.instant_from_iso("2026-06-01T10:00Z") == datetime(2026, 6, 1, 10, tzinfo=UTC)
    assert decode_slot("3@253402300799") is None and decode_slot("3@1780322400") is not None
    assert parse_day("9999-12-31") is None


# --- public booking (the reproduction) --------------------------------------------------------------

def test_a_public_hold_far_in_the_future_is_refused(setup: dict[str, Any]) -> None:  # noqa: F811
    org = setup["org"]
    for seconds in FAR:
        response = http().post(url("hold", org), {"type": setup["type"].pk,
                                                  "slot": f"{setup['coach'].pk}@{seconds}"}, follow=True)
        assert response.status_code == 200
        assert "Please choose one of the times shown." in response.content.decode()
    with scope(organization=org):
        assert not SlotHold.objects.exists()


def test_public_pages_read_a_far_week_as_this_week(setup: dict[str, Any]) -> None:  # noqa: F811
    org = setup["org"]
    for day in FAR_DAYS:
        response = http().get(url("times", org), {"type": setup["type"].pk, "from": day})
        assert response.status_code == 200
        response = http().post(url("hold", org), {"type": setup["type"].pk, "from": day, "slot": "x"}, follow=True)
        assert response.status_code == 200


# --- the back office ------------------------------------------------------------------------------

def test_calendar_pages_refuse_far_dates(org: Any, owner: Any) -> None:
    web = login_as(owner)
    web.raise_request_exception = True
    base = f"/o/{org.slug}/calendar/"
    for day in FAR_DAYS:
        assert web.get(base, {"date": day}).status_code == 200
        assert web.get(reverse("calendar:day", kwargs={"org_slug": org.slug}), {"date": day}).status_code == 200
        response = web.get(reverse("calendar:events", kwargs={"org_slug": org.slug}),
                           {"start": f"{day}T00:00:00", "end": f"{day}T23:00:00"})
        assert response.status_code == 400, response.content
    assert web.get(reverse("calendar:events", kwargs={"org_slug": org.slug}),
                   {"start": "2026-06-01T00:00:00", "end": "2026-06-08T00:00:00"}).status_code == 200


def test_back_office_filters_ignore_far_dates(org: Any, owner: Any) -> None:
    web = login_as(owner)
    web.raise_request_exception = True
    for day in FAR_DAYS:
        assert web.get(reverse("backoffice:audit", kwargs={"org_slug": org.slug}),
                       {"from": day, "to": day}).status_code == 200
        assert web.get(reverse("automations:runs", kwargs={"org_slug": org.slug}),
                       {"since": day, "until": day}).status_code == 200
