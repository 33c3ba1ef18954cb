"""The booking page's time zone menu, rendered once per selected zone (coachos/scheduling/zone_menu.py):
every zone offered, the shown zone selected, the same HTML as the template loop it replaces."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client as DjangoClient

from coachos.accounts.forms import timezone_choices
from coachos.scheduling.zone_menu import zone_options_html

from ..factories import CoachFactory, SessionTypeFactory, WeeklyAvailabilityFactory

pytestmark = pytest.mark.django_db

LOOP = Template('{% for value, label in timezones %}<option value="{{ value }}"{% if value == tz_name %} selected'
                '{% endif %}>{{ label }}</option>{% endfor %}')


@pytest.mark.parametrize("zone", ["America/Chicago", "Europe/London", "UTC"])
def test_the_menu_is_the_html_the_template_loop_made(zone: str) -> None:
    expected = LOOP.render(Context({"timezones": timezone_choices(), "tz_name": zone}))
    assert str(zone_options_html(zone)) == expected
    assert expected.count(" selected") == 1


def test_the_booking_page_offers_every_zone_with_the_shown_one_selected(org: Any) -> None:
    coach = CoachFactory(organization=org)
    for weekday in range(7):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(9), end_time=time(17))
    session_type = SessionTypeFactory(organization=org)
    page = DjangoClient().get(f"/book/{org.slug}/times/?type={session_type.pk}&coach={coach.pk}&tz=Europe/London")
    assert page.status_code == 200
    html = page.content.decode()
    menu = re.search(r'<select id="tz" name="tz"[^>]*>(.*?)</select>', html, re.S)
    assert menu is not None
    options = re.findall(r'<option value="([^"]+)"', menu.group(1))
    assert options == [value for value, _label in timezone_choices()]
    assert re.findall(r'<option value="([^"]+)" selected>', menu.group(1)) == ["Europe/London"]
