"""The library's pages: the team's list (cursor pages, search, folders), adding files with clear errors,
a resource's page with sharing and analytics, collections reordered, the client's Library page, viewer,
beats and completion, the client page's section, and the CSV export — each closed to other businesses
and to clients it was not shared with."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django_scopes import scope

from coachos.library import services, sharing
from coachos.library.models import Collection, Engagement, Resource
from tests.conftest import login_as

from .conftest import PDF, Person, upload

pytestmark = pytest.mark.django_db


def make_link(org: Any, owner: Any, title: str) -> Resource:
    with scope(organization=org):
        return services.resource_link(organization=org, actor=owner, title=title,
                                      url=f"https://example.com/r?t={quote(title)}")


def give(org: Any, owner: Any, person: Person, **what: Any) -> None:
    with scope(organization=org):
        sharing.share_create(organization=org, actor=owner, client_ids=[person.client.pk], **what)


def test_team_list_pages_searches_and_is_in_the_navigation(web: Any, org: Any, owner: Any) -> None:
    for n in range(55):
        make_link(org, owner, f"Drill{n:02d}")
    page = web.get(f"/o/{org.slug}/library/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/o/{org.slug}/library/"' in html and "Drill54" in html and "Drill04" not in html
    cursor = page.context["next_cursor"]
    second = web.get(f"/o/{org.slug}/library/", {"cursor": cursor}).content.decode()
    assert "Drill04" in second and "Drill54" not in second
    found = web.get(f"/o/{org.slug}/library/", {"q": "Drill07"}).context["rows"]
    assert [r.title for r in found] == ["Drill07"]
    assert web.get(f"/o/{org.slug}/library/", {"cursor": "garbage"}).status_code == 200


def test_upload_page_answers_json_for_the_progress_bar(web: Any, org: Any, settings: Any) -> None:
    ok = web.post(f"/o/{org.slug}/library/upload/", {"file": upload("plan.pdf", PDF), "title": "Plan",
                                                     "downloadable": "on"}, HTTP_ACCEPT="application/json")
    assert ok.status_code == 201 and ok.json()["url"].startswith(f"/o/{org.slug}/library/resources/")
    bad = web.post(f"/o/{org.slug}/library/upload/", {"file": upload("x.html", b"<html><script></script>"),
                                                      "title": "X"}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 422 and "cannot be added" in bad.json()["errors"]["file"][0]
    settings.LIBRARY_FILE_MAX_BYTES = 10
    page = web.post(f"/o/{org.slug}/library/upload/", {"file": upload("plan.pdf", PDF), "title": "Kept title"})
    assert page.status_code == 422
    assert "too large" in page.content.decode() and 'value="Kept title"' in page.content.decode()
    with scope(organization=org):
        assert Resource.objects.count() == 1


def test_resource_page_shares_and_shows_history(web: Any, org: Any, owner: Any, olivia: Person) -> None:
    item = make_link(org, owner, "Squats")
    url = f"/o/{org.slug}/library/resources/{item.pk}/"
    assert web.get(url).status_code == 200
    bad = web.post(url, {"audience": "clients", "when": "now"})
    assert bad.status_code == 422 and "Choose at least one client" in bad.content.decode()
    done = web.post(url, {"audience": "clients", "clients": [olivia.client.pk], "when": "now", "message": "Try"})
    assert done.status_code == 302
    page = web.get(url).content.decode()
    assert "Olivia Martinez" in page and "Delivered" in page


def test_other_business_gets_404_on_every_team_page(org: Any, owner: Any, other_owner: Person) -> None:
    item = make_link(org, owner, "Mine")
    with scope(organization=org):
        collection = services.collection_create(organization=org, actor=owner, title="C", resource_ids=[item.pk])
    web = login_as(other_owner.user)
    slug = other_owner.membership.organization.slug
    for path in (f"resources/{item.pk}/", f"resources/{item.pk}/file/", f"collections/{collection.pk}/"):
        assert web.get(f"/o/{slug}/library/{path}").status_code == 404
    assert web.get(f"/o/{org.slug}/library/").status_code in (403, 404)


def test_reorder_by_page(web: Any, org: Any, owner: Any) -> None:
    a, b, c = (make_link(org, owner, t) for t in "ABC")
    with scope(organization=org):
        collection = services.collection_create(organization=org, actor=owner, title="C",
                                                resource_ids=[a.pk, b.pk, c.pk])
    url = f"/o/{org.slug}/library/collections/{collection.pk}/order/"
    ok = web.post(url, json.dumps({"resources": [c.pk, a.pk, b.pk]}), content_type="application/json")
    assert ok.status_code == 200
    with scope(organization=org):
        assert list(Collection.objects.get().items.values_list("resource_id", flat=True)) == [c.pk, a.pk, b.pk]
    stale = web.post(url, json.dumps({"resources": [a.pk]}), content_type="application/json")
    assert stale.status_code == 409
    assert web.get(f"/o/{org.slug}/library/collections/{collection.pk}/").status_code == 200


def test_client_library_viewer_beats_and_completion(org: Any, owner: Any, olivia: Person, liam: Person) -> None:
    with scope(organization=org):
        doc = services.resource_upload(organization=org, actor=owner, upload=upload("plan.pdf", PDF), title="Plan")
    give(org, owner, olivia, resource=doc, message="Read before Monday")
    web = login_as(olivia.user)
    index = web.get(f"/portal/{org.slug}/library/").content.decode()
    assert "Plan" in index and "New" in index and "Read before Monday" in index
    viewer = web.get(f"/portal/{org.slug}/library/{doc.pk}/")
    assert viewer.status_code == 200 and "youtube" in viewer["Content-Security-Policy"]
    inline = web.get(f"/portal/{org.slug}/library/{doc.pk}/file/?inline=1")
    assert inline.status_code == 200 and inline["Content-Disposition"].startswith("inline")
    beat = web.post(f"/portal/{org.slug}/library/{doc.pk}/beat/", json.dumps({"seconds": 15}),
                    content_type="application/json")
    assert beat.json() == {"seconds": 15}
    assert web.post(f"/portal/{org.slug}/library/{doc.pk}/beat/", json.dumps({"seconds": 600}),
                    content_type="application/json").status_code == 422
    assert web.post(f"/portal/{org.slug}/library/{doc.pk}/complete/", {"done": "1"}).status_code == 302
    download = web.get(f"/portal/{org.slug}/library/{doc.pk}/file/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    with scope(organization=org):
        row = Engagement.objects.get(client=olivia.client)
        assert (row.seconds, row.downloads, row.completed_at is not None) == (15, 1, True)
    other = login_as(liam.user)
    for path in (f"{doc.pk}/", f"{doc.pk}/file/?inline=1", f"{doc.pk}/file/"):
        assert other.get(f"/portal/{org.slug}/library/{path}").status_code == 404
    assert other.post(f"/portal/{org.slug}/library/{doc.pk}/complete/").status_code == 404


def test_sequential_collection_in_the_portal(org: Any, owner: Any, olivia: Person) -> None:
    one, two = make_link(org, owner, "One"), make_link(org, owner, "Two")
    with scope(organization=org):
        collection = services.collection_create(organization=org, actor=owner, title="Steps",
                                                resource_ids=[one.pk, two.pk], sequential=True)
    give(org, owner, olivia, collection=collection)
    web = login_as(olivia.user)
    page = web.get(f"/portal/{org.slug}/library/collections/{collection.pk}/").content.decode()
    assert "0 of 2 done" in page
    assert web.get(f"/portal/{org.slug}/library/{two.pk}/").status_code == 409
    web.post(f"/portal/{org.slug}/library/{one.pk}/complete/", {"done": "1"})
    assert web.get(f"/portal/{org.slug}/library/{two.pk}/").status_code == 200
    assert "1 of 2 done" in web.get(f"/portal/{org.slug}/library/").content.decode()


def test_client_section_and_csv_export(web: Any, org: Any, owner: Any, olivia: Person) -> None:
    item = make_link(org, owner, "=cmd|' /C calc'!A0")
    give(org, owner, olivia, resource=item)
    with scope(organization=org):
        from coachos.library.engagement import engagement_complete

        engagement_complete(client=olivia.client, resource_id=item.pk)
    section = web.get(f"/o/{org.slug}/library/clients/{olivia.client.pk}/section/").content.decode()
    assert "completed" in section
    response = web.get(f"/o/{org.slug}/library/export/", {"start": "", "end": ""})
    assert response.status_code == 200 and response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("client,client id,resource")
    assert len(lines) == 2 and "Olivia Martinez" in lines[1] and ",'=cmd" in lines[1]
    assert web.get(f"/o/{org.slug}/library/export/", {"start": "nope"}).status_code == 422
