"""/book/<org_slug>/embed/: the one page another site may frame; every other page refuses."""

import pytest

from ..factories import CoachFactory, SessionTypeFactory, WeeklyAvailabilityFactory

pytestmark = pytest.mark.django_db


def _frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("frame-ancestors"))


def test_the_embed_page_may_be_framed_by_any_site(client, org):
    coach = CoachFactory(organization=org)
    WeeklyAvailabilityFactory(coach=coach)
    SessionTypeFactory(organization=org, name="Intro session")
    response = client.get(f"/book/{org.slug}/embed/")
    assert response.status_code == 200
    assert _frame_ancestors(response) == "frame-ancestors *"
    assert "X-Frame-Options" not in response
    page = response.content.decode()
    assert "Intro session" in page
    assert 'target="_blank"' in page
    assert 'class="topbar"' not in page  # no site chrome


@pytest.mark.parametrize("path", ["/book/{slug}/", "/o/{slug}/", "/o/{slug}/schedule/"])
def test_every_other_page_refuses_to_be_framed(client, org, owner, path):
    client.force_login(owner)
    response = client.get(path.format(slug=org.slug))
    assert response.status_code == 200
    assert _frame_ancestors(response) == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_the_embed_of_an_unknown_business_is_a_404(client):
    assert client.get("/book/no-such-business/embed/").status_code == 404


def test_the_embed_says_when_nothing_can_be_booked_yet(client, org):
    page = client.get(f"/book/{org.slug}/embed/").content.decode()
    assert "Online booking is not open yet" in page
