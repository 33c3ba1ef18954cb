"""The library's API contract: resources (files checked by their bytes, links, articles), cursor pages
and search, collections, shares, a client's library, and downloads only for those allowed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.library.models import Resource

from .conftest import (
    PDF,
    Person,
    assert_problem,
    get,
    png_bytes,
    post_json,
    upload_resource,
)

pytestmark = pytest.mark.django_db


def share_now(coach: Person, client: Person, **what: Any) -> dict[str, Any]:
    response = post_json(coach, "/api/v1/shares", {**what, "clients": [client.client.pk], "message": "Read this"})
    assert response.status_code == 201, response.content
    return response.json()


def test_upload_pdf_then_the_team_downloads_it(coach: Person) -> None:
    response = upload_resource(coach, tags="nutrition, week 1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["media"], body["content_type"]) == ("file", "pdf", "application/pdf")
    assert body["tags"] == ["nutrition", "week 1"] and body["size"] == len(PDF)
    download = get(coach, body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")


def test_a_file_is_what_its_bytes_say(coach: Person) -> None:
    body = upload_resource(coach, name="photo.pdf", data=png_bytes(), title="Form").json()
    assert (body["media"], body["file_name"]) == ("image", "photo.png")


@pytest.mark.parametrize("name,data", [
    ("page.html", b"<!doctype html><html><script>alert(1)</script></html>"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("tool.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200),
])
def test_dangerous_files_are_refused_and_nothing_is_kept(coach: Person, org: Any, name: str, data: bytes) -> None:
    assert_problem(upload_resource(coach, name=name, data=data), 415, "file")
    with scope(organization=org):
        assert not Resource.objects.exists()


def test_per_file_limit_and_quota(coach: Person, org: Any, settings: Any) -> None:
    settings.LIBRARY_FILE_MAX_BYTES = 40
    body = assert_problem(upload_resource(coach), 413, "file")
    assert "MB" in body["detail"]
    settings.LIBRARY_FILE_MAX_BYTES = 10_000
    settings.LIBRARY_QUOTA_BYTES = len(PDF) + 10
    assert upload_resource(coach).status_code == 201
    body = assert_problem(upload_resource(coach), 413, "file")
    assert body["code"] == "quota_exceeded"
    with scope(organization=org):
        assert Resource.objects.count() == 1


def test_links_embed_youtube_and_vimeo_and_articles_are_sanitized(coach: Person) -> None:
    yt = post_json(coach, "/api/v1/resources", {"title": "Squat", "url": "https://youtu.be/dQw4w9WgXcQ"}).json()
    assert (yt["kind"], yt["media"]) == ("link", "video_link")
    assert yt["embed_url"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    vimeo = post_json(coach, "/api/v1/resources", {"title": "Hinge", "url": "https://vimeo.com/76979871"}).json()
    assert vimeo["embed_url"].startswith("https://player.vimeo.com/video/76979871")
    web = post_json(coach, "/api/v1/resources", {"title": "Blog", "url": "https://example.com/a"}).json()
    assert (web["media"], web["embed_url"]) == ("web", "")
    article = post_json(coach, "/api/v1/resources", {
        "title": "Sleep", "body": '<p onclick="x()">Sleep <script>alert(1)</script>well</p>'})
    assert article.status_code == 201
    with scope(organization=coach.membership.organization):
        assert Resource.objects.get(pk=article.json()["id"]).body == "<p>Sleep well</p>"
    assert_problem(post_json(coach, "/api/v1/resources", {"title": "Bad", "url": "javascript:alert(1)"}), 422, "url")
    assert_problem(post_json(coach, "/api/v1/resources", {"title": "", "url": "https://example.com"}), 422, "title")


def test_list_pages_with_a_cursor_and_searches(coach: Person) -> None:
    for n in range(7):
        post_json(coach, "/api/v1/resources", {"title": f"Lesson {n}", "url": f"https://example.com/{n}",
                                                "tags": ["mobility"] if n % 2 else []})
    first = get(coach, "/api/v1/resources", limit=3).json()
    second = get(coach, "/api/v1/resources", limit=3, cursor=first["next_cursor"]).json()
    third = get(coach, "/api/v1/resources", limit=3, cursor=second["next_cursor"]).json()
    titles = [r["title"] for page in (first, second, third) for r in page["items"]]
    assert titles == [f"Lesson {n}" for n in range(6, -1, -1)]
    assert third["next_cursor"] == ""
    found = get(coach, "/api/v1/resources", q="mobility").json()["items"]
    assert sorted(r["title"] for r in found) == ["Lesson 1", "Lesson 3", "Lesson 5"]
    assert get(coach, "/api/v1/resources", kind="article").json()["items"] == []
    assert_problem(get(coach, "/api/v1/resources", cursor="not-a-cursor"), 422, "cursor")
    assert_problem(get(coach, "/api/v1/resources", folder=999999), 422, "folder")


def test_clients_cannot_manage_the_library(olivia: Person) -> None:
    assert_problem(upload_resource(olivia), 403)
    assert_problem(get(olivia, "/api/v1/resources"), 403)


def test_shared_file_download_is_for_that_client_only(coach: Person, olivia: Person, liam: Person,
                                                      stranger: Person, other_owner: Person) -> None:
    resource = upload_resource(coach).json()
    share_now(coach, olivia, resource=resource["id"])
    url = resource["download_url"]
    ok = get(olivia, url)
    assert ok.status_code == 200 and b"".join(ok.streaming_content) == PDF
    assert_problem(get(liam, url), 404)          # same business, not shared
    assert_problem(get(stranger, url), 404)      # a client of business B
    assert_problem(get(other_owner, url), 404)   # the owner of business B
    assert DjangoClient().get(url).status_code == 401


def test_client_library_lists_what_was_shared_with_dates(coach: Person, olivia: Person, liam: Person,
                                                        stranger: Person) -> None:
    resource = upload_resource(coach).json()
    share_now(coach, olivia, resource=resource["id"])
    rows = get(coach, f"/api/v1/clients/{olivia.client.pk}/resources").json()
    assert [(r["id"], r["opened_at"], r["completed_at"], r["new"]) for r in rows] == [
        (resource["id"], None, None, True)]
    assert post_json(olivia, f"/api/v1/resources/{resource['id']}/engagement", {"event": "complete"}).status_code == 200
    own = get(olivia, f"/api/v1/clients/{olivia.client.pk}/resources").json()
    assert own[0]["opened_at"] is not None and own[0]["completed_at"] is not None and own[0]["new"] is False
    assert get(liam, f"/api/v1/clients/{liam.client.pk}/resources").json() == []
    assert_problem(get(liam, f"/api/v1/clients/{olivia.client.pk}/resources"), 404)
    assert_problem(get(stranger, f"/api/v1/clients/{olivia.client.pk}/resources"), 404)
    assert_problem(post_json(liam, f"/api/v1/resources/{resource['id']}/engagement", {"event": "open"}), 404)


def test_sequential_collection_refuses_a_locked_item(coach: Person, olivia: Person) -> None:
    first = upload_resource(coach, title="Week 1").json()
    second = upload_resource(coach, title="Week 2").json()
    made = post_json(coach, "/api/v1/collections", {"title": "Programme", "resources": [first["id"], second["id"]],
                                                     "sequential": True})
    assert made.status_code == 201
    collection = made.json()
    assert [i["resource"]["id"] for i in collection["items"]] == [first["id"], second["id"]]
    share_now(coach, olivia, collection=collection["id"])
    rows = {r["id"]: r for r in get(olivia, f"/api/v1/clients/{olivia.client.pk}/resources").json()}
    assert (rows[first["id"]]["locked"], rows[second["id"]]["locked"]) == (False, True)
    assert assert_problem(get(olivia, second["download_url"]), 409)["code"] == "locked"
    assert_problem(post_json(olivia, f"/api/v1/resources/{second['id']}/engagement", {"event": "complete"}), 409)
    post_json(olivia, f"/api/v1/resources/{first['id']}/engagement", {"event": "complete"})
    assert get(olivia, second["download_url"]).status_code == 200


def test_collection_reorder_and_bad_ids(coach: Person, stranger: Person, other_owner: Person) -> None:
    a = post_json(coach, "/api/v1/resources", {"title": "A", "url": "https://example.com/a"}).json()["id"]
    b = post_json(coach, "/api/v1/resources", {"title": "B", "url": "https://example.com/b"}).json()["id"]
    collection = post_json(coach, "/api/v1/collections", {"title": "C", "resources": [a, b]}).json()
    client = DjangoClient()
    reordered = client.put(f"/api/v1/collections/{collection['id']}/items", data={"resources": [b, a]},
                           content_type="application/json", **coach.headers)
    assert [i["resource"]["id"] for i in reordered.json()["items"]] == [b, a]
    theirs = post_json(other_owner, "/api/v1/resources", {"title": "X", "url": "https://example.com/x"}).json()["id"]
    assert_problem(post_json(coach, "/api/v1/collections", {"title": "D", "resources": [a, theirs]}), 422, "resources")
    assert_problem(get(other_owner, f"/api/v1/collections/{collection['id']}"), 404)


def test_share_validation(coach: Person, olivia: Person, stranger: Person) -> None:
    resource = post_json(coach, "/api/v1/resources", {"title": "A", "url": "https://example.com/a"}).json()
    assert_problem(post_json(coach, "/api/v1/shares", {"resource": resource["id"]}), 422, "clients")
    assert_problem(post_json(coach, "/api/v1/shares", {"resource": resource["id"],
                                                       "clients": [stranger.client.pk]}), 422, "clients")
    assert_problem(post_json(coach, "/api/v1/shares", {"resource": resource["id"], "clients": [olivia.client.pk],
                                                       "repeat": "weekly"}), 422, "repeat")
    assert_problem(post_json(coach, "/api/v1/shares", {"resource": resource["id"], "clients": [olivia.client.pk],
                                                       "at": "2001-01-01T09:00:00Z"}), 422, "at")



def test_a_search_with_a_nul_character_is_not_a_500(coach: Person) -> None:
    """Found by schemathesis: PostgreSQL text cannot hold NUL; the search leaves it out."""
    http = DjangoClient()
    created = http.post("/api/v1/resources", data={"title": "Warm up", "url": "https://example.com/warm-up"},
                        content_type="application/json", **coach.headers)
    assert created.status_code == 201, created.content
    response = http.get("/api/v1/resources", {"q": "Warm\x00 up", "tag": "\x00"}, **coach.headers)
    assert response.status_code == 200, response.content
    assert [r["title"] for r in response.json()["items"]] == ["Warm up"]  # NUL left out of the words
    found = http.get("/api/v1/resources", {"q": "Warm\x00"}, **coach.headers).json()["items"]
    assert [r["title"] for r in found] == ["Warm up"]


def test_a_body_that_is_not_utf8_json_is_a_400(coach: Person) -> None:
    """Found by schemathesis: bytes that are not UTF-8 under a JSON content type were a 500."""
    http = DjangoClient()
    for body in (b"\xff\xfeZ\x9aj", b'{"title": "A\\u0000", "url": "https://example.com"}', b"{"):
        response = http.post("/api/v1/resources", data=body, content_type="application/json", **coach.headers)
        assert response.status_code == 400, (body, response.content)
    with scope(organization=coach.membership.organization):
        assert not Resource.objects.exists()

