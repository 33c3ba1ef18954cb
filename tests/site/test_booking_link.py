"""The public booking link on the dashboard, calendar and schedule pages: copy, QR code, embed."""

import pytest
from django_scopes import scope, scopes_disabled

from coachos.site.models import SetupProgress
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import CoachFactory, SessionTypeFactory, WeeklyAvailabilityFactory, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["", "calendar/", "schedule/"])
def test_the_booking_link_box_is_on_the_pages_a_coach_looks_at(org, owner, web, path):
    with scopes_disabled():
        coach = CoachFactory(organization=org, membership=owner.memberships.get())
    WeeklyAvailabilityFactory(coach=coach)
    SessionTypeFactory(organization=org)
    page = web.get(f"/o/{org.slug}/{path}").content.decode()
    assert f'value="http://testserver/book/{org.slug}/"' in page
    assert "data-copy-target=" in page
    assert f'src="/o/{org.slug}/booking-link/qr.svg"' in page
    assert f"&lt;iframe src=&quot;http://testserver/book/{org.slug}/embed/&quot;" in page or \
        f'&lt;iframe src="http://testserver/book/{org.slug}/embed/"' in page


def test_the_qr_code_is_an_svg_of_the_link_and_downloads_as_a_file(org, owner, web):
    response = web.get(f"/o/{org.slug}/booking-link/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert body.lstrip().startswith("<?xml") or body.lstrip().startswith("<svg")
    assert "<path" in body
    assert "Content-Disposition" not in response
    with scope(organization=org):
        assert not SetupProgress.objects.exists()  # looking at it is not sharing it
    download = web.get(f"/o/{org.slug}/booking-link/qr.svg?download=1")
    assert download["Content-Disposition"] == f'attachment; filename="booking-link-{org.slug}.svg"'
    with scope(organization=org):
        assert SetupProgress.objects.get().booking_link_shared_at is not None


def test_the_qr_code_encodes_the_booking_link():
    import qrcode

    from coachos.site.views_setup import booking_qr_svg

    link = "https://example.com/book/northside/"
    expected = qrcode.QRCode(border=2)
    expected.add_data(link)
    expected.make(fit=True)
    # The SVG's box is the code's matrix (modules and border) for exactly this link.
    size = len(expected.get_matrix())
    assert f'viewBox="0 0 {size} {size}"' in booking_qr_svg(link).decode()


def test_marking_the_link_shared_needs_a_post(org, owner, web):
    assert web.get(f"/o/{org.slug}/booking-link/shared/").status_code == 405


def test_a_client_cannot_get_the_back_office_qr(org, owner):
    client_user = member(org, Role.CLIENT)
    assert login_as(client_user).get(f"/o/{org.slug}/booking-link/qr.svg").status_code == 403
