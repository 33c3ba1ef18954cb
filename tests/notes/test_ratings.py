"""Session ratings: completed and attended only, once (409), editable for 7 days, a low rating tells
the owners, and a coach's average and count."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scope

from coachos.comms.models import Notification
from coachos.notes.models import SessionRating
from coachos.notes.selectors.ratings import coach_rating
from tests.factories import BookingFactory, TrainingSessionFactory

from .conftest import Person, call, completed_session, portal_client

pytestmark = pytest.mark.django_db


def test_a_client_rates_a_completed_session_once(api, org, owner_p: Person, olivia: Person) -> None:
    session, _booking = completed_session(org, olivia.client)
    url = f"/api/v1/sessions/{session.pk}/rating"
    made = call(api, "post", url, olivia, {"stars": 5, "comment": "Loved it"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["stars"], body["comment"], body["session"], body["client"]) == (5, "Loved it", session.pk,
                                                                                 olivia.client.pk)
    again = call(api, "post", url, olivia, {"stars": 4, "comment": ""})
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    assert call(api, "get", url, olivia).json()["stars"] == 5
    with scope(organization=org):
        assert SessionRating.objects.count() == 1
        assert not Notification.objects.filter(kind="session_low_rating").exists()  # 5 stars: nobody is told


def test_a_session_not_completed_or_not_attended_cannot_be_rated(api, org, olivia: Person) -> None:
    upcoming = TrainingSessionFactory(organization=org)
    BookingFactory(session=upcoming, organization=org, client=olivia.client)
    response = call(api, "post", f"/api/v1/sessions/{upcoming.pk}/rating", olivia, {"stars": 4})
    assert response.status_code == 409 and response.json()["code"] == "not_completed"
    no_show, booking = completed_session(org, olivia.client)
    with scope(organization=org):
        booking.status = "no_show"
        booking.save()
    assert call(api, "post", f"/api/v1/sessions/{no_show.pk}/rating", olivia, {"stars": 4}).status_code == 409
    someone_elses, _ = completed_session(org, portal_client(org, first_name="Noah").client)
    assert call(api, "post", f"/api/v1/sessions/{someone_elses.pk}/rating", olivia, {"stars": 4}).status_code == 404
    for stars in (0, 6):
        session, _ = completed_session(org, olivia.client)
        assert call(api, "post", f"/api/v1/sessions/{session.pk}/rating", olivia, {"stars": stars}).status_code == 422
    with scope(organization=org):
        assert not SessionRating.objects.exists()


def test_the_team_cannot_rate(api, org, coach: Person, olivia: Person) -> None:
    session, _ = completed_session(org, olivia.client)
    assert call(api, "post", f"/api/v1/sessions/{session.pk}/rating", coach, {"stars": 5}).status_code == 403


def test_a_rating_can_be_changed_for_seven_days(api, org, olivia: Person) -> None:
    session, _ = completed_session(org, olivia.client)
    url = f"/api/v1/sessions/{session.pk}/rating"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        made = call(api, "post", url, olivia, {"stars": 3}).json()
    with time_machine.travel(start + timedelta(days=6, hours=23), tick=False):
        changed = call(api, "patch", url, olivia, {"stars": 4, "comment": "Better on reflection"})
        assert changed.status_code == 200 and changed.json()["stars"] == 4
    with time_machine.travel(start + timedelta(days=7, minutes=1), tick=False):
        late = call(api, "patch", url, olivia, {"stars": 1})
        assert late.status_code == 409 and late.json()["code"] == "too_late"
    assert call(api, "get", url, olivia).json()["stars"] == 4
    assert made["editable_until"].startswith((start + timedelta(days=7)).date().isoformat())


def test_a_low_rating_tells_the_owners_once(api, org, owner_p: Person, coach: Person, olivia: Person) -> None:
    session, _ = completed_session(org, olivia.client)
    url = f"/api/v1/sessions/{session.pk}/rating"
    call(api, "post", url, olivia, {"stars": 2, "comment": "Too rushed"})
    with scope(organization=org):
        bells = Notification.objects.filter(kind="session_low_rating")
        assert [b.user_id for b in bells] == [owner_p.user.pk]  # the owner, not the coach
        assert "2 stars" in bells[0].title and olivia.client.full_name in bells[0].title
    call(api, "patch", url, olivia, {"stars": 1})
    with scope(organization=org):
        assert Notification.objects.filter(kind="session_low_rating").count() == 1


def test_a_rating_changed_down_to_low_tells_the_owners(api, org, owner_p: Person, olivia: Person) -> None:
    session, _ = completed_session(org, olivia.client)
    url = f"/api/v1/sessions/{session.pk}/rating"
    call(api, "post", url, olivia, {"stars": 4})
    call(api, "patch", url, olivia, {"stars": 2})
    with scope(organization=org):
        assert Notification.objects.filter(kind="session_low_rating", user=owner_p.user).count() == 1


def test_a_coachs_average_and_count(api, org, coach: Person, owner_p: Person) -> None:
    clients = [portal_client(org, first_name=f"C{n}") for n in range(3)]
    sessions = [completed_session(org, p.client, coach_membership=coach.membership,
                                  ended_ago=timedelta(hours=2 + 2 * n))[0] for n, p in enumerate(clients)]
    for person, session, stars in zip(clients, sessions, (5, 4, 2), strict=True):
        assert call(api, "post", f"/api/v1/sessions/{session.pk}/rating", person, {"stars": stars}).status_code == 201
    coach_id = sessions[0].coach_id
    with scope(organization=org):
        assert {s.coach_id for s in sessions} == {coach_id}
        summary = coach_rating(sessions[0].coach)
    assert (summary.average, summary.count) == (3.7, 3)
    answer = call(api, "get", f"/api/v1/coaches/{coach_id}/rating", owner_p).json()
    assert answer == {"coach": coach_id, "average": 3.7, "count": 3}
    listed = call(api, "get", f"/api/v1/sessions/{sessions[2].pk}/ratings", owner_p).json()
    assert [r["stars"] for r in listed] == [2]
