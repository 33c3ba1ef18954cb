"""Help: a Help link in every page's header, the guides for the team, the client guide in the portal."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client as DjangoClient
from django.urls import reverse

from coachos.site import help as site_help
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import member

pytestmark = pytest.mark.django_db
GUIDES_DIR = Path(site_help.__file__).parent / "templates" / "site" / "help" / "guides"


def help_link(html: str) -> str:
    match = re.search(r'<a href="([^"]+)" data-help-link>Help</a>', html)
    assert match, "no Help link in the header"
    return match.group(1)


def words(html: str) -> int:
    text = re.sub(r"<[^>]+>", " ", html)
    return len(text.split())


@pytest.mark.parametrize("guide", site_help.GUIDES, ids=lambda g: g.slug)
def test_each_guide_renders_for_a_coach(org: Any, guide: site_help.Guide) -> None:
    web = login_as(member(org, Role.COACH))
    response = web.get(reverse("backoffice:help_guide", kwargs={"org_slug": org.slug, "slug": guide.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{guide.title}</h1>" in html
    body = render_to_string(guide.template)
    assert 150 <= words(body) <= 350, (guide.slug, words(body))
    assert body.strip() and body.strip()[:60] in html  # the guide itself, in the back-office page


def test_the_help_index_lists_every_guide(web: DjangoClient, org: Any) -> None:
    html = web.get(reverse("backoffice:help", kwargs={"org_slug": org.slug})).content.decode()
    for guide in site_help.GUIDES:
        assert reverse("backoffice:help_guide", kwargs={"org_slug": org.slug, "slug": guide.slug}) in html


def test_an_unknown_guide_is_404(web: DjangoClient, org: Any) -> None:
    assert web.get(reverse("backoffice:help_guide", kwargs={"org_slug": org.slug, "slug": "nope"})).status_code == 404


def test_another_business_gets_404(org: Any, other_org: Any) -> None:
    stranger = login_as(member(other_org, Role.OWNER))
    assert stranger.get(reverse("backoffice:help", kwargs={"org_slug": org.slug})).status_code == 404
    client = login_as(member(other_org, Role.CLIENT))
    assert client.get(reverse("portal_help:index", kwargs={"org_slug": org.slug})).status_code == 404


def test_the_client_guide_renders_for_a_client_in_the_portal(org: Any) -> None:
    web = login_as(member(org, Role.CLIENT))
    response = web.get(reverse("portal_help:index", kwargs={"org_slug": org.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{site_help.CLIENT_GUIDE.title}</h1>" in html
    assert 'class="container portalnav"' in html  # in the portal's own layout
    # A client does not get the team's guides.
    assert web.get(reverse("backoffice:help", kwargs={"org_slug": org.slug})).status_code in (403, 404)


def test_the_help_link_is_on_back_office_pages(org: Any) -> None:
    web = login_as(member(org, Role.OWNER))
    expected = reverse("backoffice:help", kwargs={"org_slug": org.slug})
    for name in ("backoffice:dashboard", "calendar:index", "calendar:day", "clients:list"):
        html = web.get(reverse(name, kwargs={"org_slug": org.slug})).content.decode()
        assert help_link(html) == expected, name
    assert web.get(expected).status_code == 200


def test_the_help_link_is_on_portal_pages(org: Any) -> None:
    web = login_as(member(org, Role.CLIENT))
    expected = reverse("portal_help:index", kwargs={"org_slug": org.slug})
    for name in ("portal:home", "portal_bookings:index"):
        html = web.get(reverse(name, kwargs={"org_slug": org.slug})).content.decode()
        assert help_link(html) == expected, name


def test_the_help_link_and_guides_outside_a_business() -> None:
    web = DjangoClient()
    html = web.get(reverse("account_login")).content.decode()
    assert help_link(html) == reverse("help:index")
    index = web.get(reverse("help:index"))
    assert index.status_code == 200
    assert web.get(reverse("help:guide", kwargs={"slug": "clients"})).status_code == 200


def test_every_sentence_of_the_guides_is_translatable() -> None:
    """Nothing a person reads sits outside {% translate %} / {% blocktranslate %}."""
    for path in GUIDES_DIR.glob("*.html"):
        outside = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", "", path.read_text(), flags=re.S)
        outside = re.sub(r"{%.*?%}|<[^>]+>", "", outside)
        assert not outside.strip(), (path.name, outside.strip()[:80])

