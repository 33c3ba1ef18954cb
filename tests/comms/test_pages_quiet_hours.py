"""Quiet hours on the business settings page: the exemption for what clients asked for, and the
explanation (the business's zone; a window that wraps midnight)."""

from __future__ import annotations

import pytest
from django_scopes import scope

from coachos.tenancy.models import AuditEntry

from ..tenancy.test_settings_and_audit import form_data, settings_url

pytestmark = pytest.mark.django_db


def test_the_page_explains_the_window(org, web):
    html = web.get(settings_url(org)).content.decode()
    assert "in your business's time zone (America/Chicago)" in html
    assert "runs overnight, past midnight" in html
    assert 'name="quiet_hours_exempt_requested"' in html
    assert "booking confirmation" in html  # the field's own help text


def test_switch_off_the_exemption(org, web):
    assert org.quiet_hours_exempt_requested is True
    data = form_data(org)
    data.pop("quiet_hours_exempt_requested")  # the box unticked
    response = web.post(settings_url(org), data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.quiet_hours_exempt_requested is False
    with scope(organization=org):
        entry = AuditEntry.objects.get(action="organization.updated")
    assert list(entry.data["changed"]) == ["quiet_hours_exempt_requested"]
