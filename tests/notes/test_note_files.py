"""Files on a coach's note: the rules of chat attachments (type from the bytes, size limit, thumbnails,
private storage, careful downloads); the team who sees the client adds, removes and reads them; the
client reads them only once the note is shared; anyone else — a limited coach, another client, another
business — gets a 404."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as DjangoClient
from django_scopes import scope
from PIL import Image

from coachos.notes.models import Note, NoteAttachment
from coachos.tenancy.models import AuditEntry
from tests.conftest import login_as

from .conftest import Person, completed_session, portal_client, team_member

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png(width: int = 900, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def _note(org: Any, client: Any, *, shared: bool = False, session: Any = None) -> Note:
    with scope(organization=org):
        return Note.objects.create(organization=org, client=client, body_html="<p>Plan</p>", shared=shared,
                                   session=session)


def _upload(http: DjangoClient, note: Note, name: str, data: bytes, person: Person) -> Any:
    return http.post(f"/api/v1/notes/{note.pk}/attachments",
                     {"file": SimpleUploadedFile(name, data, content_type="image/png")}, **person.headers)


def test_the_team_adds_a_file_kept_privately_with_a_thumbnail(org, coach: Person, olivia: Person, settings) -> None:
    note = _note(org, olivia.client)
    http = DjangoClient()
    response = _upload(http, note, "squat.png", png(), coach)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "squat.png" and body["content_type"] == "image/png" and (body["width"], body["height"]) == (900, 600)
    assert body["url"] == f"/api/v1/notes/{note.pk}/attachments/{body['id']}" and body["thumbnail_url"]
    with scope(organization=org):
        attachment = NoteAttachment.objects.get()
        assert str(settings.PRIVATE_MEDIA_ROOT) in attachment.file.path
        with Image.open(attachment.thumbnail.path) as thumb:
            assert max(thumb.size) == 480
        assert AuditEntry.objects.filter(action="note.attachment_added").count() == 1
    note_json = http.get(f"/api/v1/notes/{note.pk}", **coach.headers).json()
    assert [a["id"] for a in note_json["attachments"]] == [body["id"]]
    download = http.get(body["url"], **coach.headers)
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == 'attachment; filename="squat.png"'
    inline = http.get(body["url"] + "?inline=1", **coach.headers)
    assert inline["Content-Disposition"].startswith("inline")


def test_the_type_comes_from_the_bytes_and_bad_files_change_nothing(org, coach: Person, olivia: Person,
                                                                     settings) -> None:
    note = _note(org, olivia.client)
    http = DjangoClient()
    renamed = _upload(http, note, "photo.png", PDF, coach)  # a PDF named .png is a PDF
    assert renamed.status_code == 201 and renamed.json()["name"] == "photo.pdf"
    assert renamed.json()["content_type"] == "application/pdf" and renamed.json()["thumbnail_url"] is None
    html = _upload(http, note, "evil.png", b"<html><script>alert(1)</script></html>", coach)
    assert html.status_code == 415 and html["Content-Type"] == "application/problem+json"
    settings.NOTE_ATTACHMENT_MAX_BYTES = 1000
    big = _upload(http, note, "big.pdf", PDF + b"0" * 1000, coach)
    assert big.status_code == 413 and "at most" in big.json()["detail"]
    empty = _upload(http, note, "empty.pdf", b"", coach)
    assert empty.status_code in (413, 415, 422)
    with scope(organization=org):
        assert NoteAttachment.objects.count() == 1


def test_a_client_reads_files_only_of_a_note_shared_with_them(org, coach: Person, olivia: Person,
                                                               noah: Person) -> None:
    private = _note(org, olivia.client)
    shared = _note(org, olivia.client, shared=True)
    http = DjangoClient()
    private_file = _upload(http, private, "a.pdf", PDF, coach).json()
    shared_file = _upload(http, shared, "b.pdf", PDF, coach).json()
    assert http.get(shared_file["url"], **olivia.headers).status_code == 200
    assert http.get(private_file["url"], **olivia.headers).status_code == 404  # not shared
    assert http.get(shared_file["url"], **noah.headers).status_code == 404  # another client
    # A client cannot add or remove files, even on a shared note.
    assert _upload(http, shared, "c.pdf", PDF, olivia).status_code == 403
    assert http.delete(shared_file["url"], **olivia.headers).status_code == 403
    with scope(organization=org):
        assert NoteAttachment.objects.count() == 2


def test_a_limited_coach_and_another_business_get_a_404(org, other_org, coach: Person, limited: Person,
                                                         olivia: Person) -> None:
    note = _note(org, olivia.client, shared=True)
    http = DjangoClient()
    body = _upload(http, note, "a.pdf", PDF, coach).json()
    outsider = team_member(other_org, "owner")
    outsider_client = portal_client(other_org, first_name="Bea")
    for person in (limited, outsider, outsider_client):
        assert http.get(body["url"], **person.headers).status_code == 404
        assert http.delete(body["url"], **person.headers).status_code == 404
        assert _upload(http, note, "x.pdf", PDF, person).status_code == 404
    # The pages too.
    for person in (limited, outsider):
        page = login_as(person.user)
        assert page.get(f"/o/{org.slug}/notes/{note.pk}/files/{body['id']}/").status_code == 404
    assert login_as(outsider_client.user).get(
        f"/portal/{org.slug}/sessions/notes/{note.pk}/files/{body['id']}/").status_code == 404
    with scope(organization=org):
        assert NoteAttachment.objects.count() == 1


def test_removing_a_file_deletes_it_once(org, coach: Person, olivia: Person, django_capture_on_commit_callbacks) -> None:
    note = _note(org, olivia.client)
    http = DjangoClient()
    body = _upload(http, note, "a.png", png(), coach).json()
    with scope(organization=org):
        stored = NoteAttachment.objects.get()
        paths = [stored.file.path, stored.thumbnail.path]
    with django_capture_on_commit_callbacks(execute=True):
        assert http.delete(body["url"], **coach.headers).status_code == 204
    assert http.delete(body["url"], **coach.headers).status_code == 404
    import os

    assert not any(os.path.exists(p) for p in paths)
    with scope(organization=org):
        assert not NoteAttachment.objects.exists()
        assert AuditEntry.objects.filter(action="note.attachment_removed").count() == 1


def test_the_note_page_uploads_shows_and_removes_files(org, coach: Person, olivia: Person,
                                                        django_capture_on_commit_callbacks) -> None:
    note = _note(org, olivia.client)
    page = login_as(coach.user)
    url = f"/o/{org.slug}/notes/{note.pk}/"
    assert "No files yet" in page.get(url).content.decode()
    response = page.post(f"{url}files/", {"file": [SimpleUploadedFile("plan.pdf", PDF),
                                                    SimpleUploadedFile("bad.png", b"<svg onload=x>")]},
                         follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "plan.pdf" in html and "bad.png was not added" in html
    with scope(organization=org):
        attachment = NoteAttachment.objects.get()
    download = page.get(f"{url}files/{attachment.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    with django_capture_on_commit_callbacks(execute=True):
        removed = page.post(f"{url}files/{attachment.pk}/remove/", follow=True)
    assert "File removed." in removed.content.decode()
    with scope(organization=org):
        assert not NoteAttachment.objects.exists()


def test_the_client_downloads_from_the_session_page(org, coach: Person, olivia: Person) -> None:
    session, _booking = completed_session(org, olivia.client, coach_membership=coach.membership)
    shared = _note(org, olivia.client, shared=True, session=session)
    private = _note(org, olivia.client, shared=False, session=session)
    http = DjangoClient()
    shared_file = _upload(http, shared, "shared-plan.pdf", PDF, coach).json()
    _upload(http, private, "private-plan.pdf", PDF, coach)
    portal = login_as(olivia.user)
    html = portal.get(f"/portal/{org.slug}/sessions/{session.pk}/").content.decode()
    assert "shared-plan.pdf" in html and "private-plan.pdf" not in html
    url = f"/portal/{org.slug}/sessions/notes/{shared.pk}/files/{shared_file['id']}/"
    assert url in html
    assert portal.get(url).status_code == 200
    with scope(organization=org):
        private_id = NoteAttachment.objects.get(note=private).pk
    assert portal.get(f"/portal/{org.slug}/sessions/notes/{private.pk}/files/{private_id}/").status_code == 404
