"""The portal's move page with a time far outside any calendar (issue #21): refused, never a 500."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.conftest import login_as
from tests.hardening.test_far_dates import FAR, FAR_DAYS
from tests.scheduling.test_portal_bookings import FRIDAY_10, clock, reload, setup  # noqa: F401 (fixtures)


def test_a_portal_move_far_in_the_future_is_refused(setup: dict[str, Any]) -> None:  # noqa: F811
    org, booking = setup["org"], setup["booking"]
    client = login_as(setup["user"])
    client.raise_request_exception = True
    target = reverse("portal_bookings:reschedule", kwargs={"org_slug": org.slug, "booking_id": booking.pk})
    for seconds in FAR:
        response = client.post(target, {"slot": f"{setup['coach'].pk}@{seconds}"}, follow=True)
        assert response.status_code == 200
        assert "Please choose one of the times shown." in response.content.decode()
    for day in FAR_DAYS:
        assert client.get(target, {"from": day}).status_code == 200
    assert reload(booking).session.starts_at == FRIDAY_10
