"""Files in conversations: the type comes from the bytes (a PDF named .png is a PDF; HTML named .png is
refused), 10 MB at most, private storage, thumbnails for images, downloads only for those who may read
the message, always with Content-Disposition and nosniff."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as DjangoClient
from django_scopes import scope
from PIL import Image

from coachos.chat.models import Attachment
from tests.conftest import login_as

from .conftest import assert_problem, open_conversation, send

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png(width: int = 900, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def upload(http: DjangoClient, name: str, data: bytes, headers: dict[str, str], content_type: str = "image/png") -> Any:
    return http.post("/api/v1/attachments", {"file": SimpleUploadedFile(name, data, content_type=content_type)},
                     **headers)


def test_an_image_is_stored_privately_with_a_thumbnail(client, org, coach, olivia, settings, tmp_path):
    response = upload(client, "squat.png", png(), olivia.headers)
    assert response.status_code == 201
    body = response.json()
    assert {"id", "name", "size", "content_type", "thumbnail_url"} <= set(body)
    assert body["name"] == "squat.png" and body["content_type"] == "image/png" and body["is_image"] is True
    assert body["thumbnail_url"].startswith(f"/portal/{org.slug}/chat/attachments/")
    with scope(organization=org):
        attachment = Attachment.objects.get()
        assert attachment.file.storage.location.startswith(str(settings.PRIVATE_MEDIA_ROOT))
        assert str(settings.MEDIA_ROOT) not in attachment.file.path
        assert attachment.message is None and (attachment.width, attachment.height) == (900, 600)
        with Image.open(attachment.thumbnail.path) as thumb:
            assert max(thumb.size) == 480
    conversation = open_conversation(client, olivia.client, olivia.headers)
    sent = send(client, conversation["id"], "", olivia.headers, "photo", attachments=[body["id"]])
    assert sent.status_code == 201
    assert [a["id"] for a in sent.json()["attachments"]] == [body["id"]]
    # The coach sees it in the thread, with the team's links.
    seen = client.get(f"/api/v1/conversations/{conversation['id']}/messages", **coach.headers).json()
    assert seen[0]["attachments"][0]["url"] == f"/o/{org.slug}/chat/attachments/{body['id']}/"


def test_a_png_name_with_pdf_bytes_is_a_pdf(client, org, olivia):
    response = upload(client, "holiday.png", PDF, olivia.headers, content_type="image/png")
    assert response.status_code == 201
    body = response.json()
    assert body["content_type"] == "application/pdf" and body["name"] == "holiday.pdf"
    assert body["thumbnail_url"] is None and body["is_image"] is False


@pytest.mark.parametrize("name, data", [
    ("evil.png", b"<html><script>alert(document.cookie)</script></html>"),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("notes.txt", b"plain text"),
    ("archive.zip", b"PK\x03\x04" + b"\x00" * 40),
    ("empty.pdf", b""),
])
def test_anything_else_is_refused_by_its_content(client, org, olivia, name, data):
    body = assert_problem(upload(client, name, data, olivia.headers), 415)
    assert body["errors"][0]["field"] == "file"
    with scope(organization=org):
        assert not Attachment.objects.exists()


def test_office_documents_are_accepted(client, org, olivia):
    response = upload(client, "plan.docx", docx(), olivia.headers, content_type="application/octet-stream")
    assert response.status_code == 201
    assert response.json()["content_type"].endswith("wordprocessingml.document")


def test_a_broken_image_is_refused(client, org, olivia):
    broken = png()[:200]  # the PNG signature, then nothing Pillow can decode
    assert_problem(upload(client, "broken.png", broken, olivia.headers), 415)


def test_ten_megabytes_at_most(client, org, olivia, settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = 200_000
    just_over = PDF + b"0" * (200_001 - len(PDF))
    body = assert_problem(upload(client, "big.pdf", just_over, olivia.headers), 413)
    assert "at most" in body["detail"]
    way_over = PDF + b"0" * 400_000  # refused from its Content-Length, before the body is read
    assert_problem(upload(client, "bigger.pdf", way_over, olivia.headers), 413)
    fits = PDF + b"0" * (200_000 - len(PDF))
    assert upload(client, "fits.pdf", fits, olivia.headers).status_code == 201
    assert settings.CHAT_ATTACHMENT_MAX_BYTES == 200_000


def test_the_default_limit_is_ten_megabytes():
    from coachos.chat import attachments

    assert attachments.max_bytes() == 10 * 1024 * 1024


def test_downloads_are_attachments_with_nosniff(client, org, coach, olivia):
    pdf = upload(client, "plan.pdf", PDF, coach.headers).json()
    image = upload(client, "form.png", png(), coach.headers).json()
    conversation = open_conversation(client, olivia.client, coach.headers)
    send(client, conversation["id"], "Your plan", coach.headers, "k", attachments=[pdf["id"], image["id"]])

    response = client.get(f"/api/v1/attachments/{pdf['id']}", **olivia.headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content) == PDF
    # A PDF never inline, even when asked; an image inline only as an image.
    assert client.get(f"/api/v1/attachments/{pdf['id']}?inline=true",
                      **olivia.headers)["Content-Disposition"].startswith("attachment;")
    shown = client.get(f"/api/v1/attachments/{image['id']}?inline=true", **olivia.headers)
    assert shown["Content-Disposition"] == 'inline; filename="form.png"' and shown["Content-Type"] == "image/png"
    assert client.get(f"/api/v1/attachments/{image['id']}",
                      **olivia.headers)["Content-Disposition"].startswith("attachment;")
    thumb = client.get(f"/api/v1/attachments/{image['id']}/thumbnail", **olivia.headers)
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert_problem(client.get(f"/api/v1/attachments/{pdf['id']}/thumbnail", **olivia.headers), 404)

    # The pages' own links, through the session.
    page = login_as(olivia.user).get(f"/portal/{org.slug}/chat/attachments/{pdf['id']}/")
    assert page.status_code == 200 and page["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Content-Security-Policy"] == "default-src 'none'; sandbox"
    team_page = login_as(coach.user).get(f"/o/{org.slug}/chat/attachments/{image['id']}/thumbnail/")
    assert team_page.status_code == 200 and team_page["Content-Type"] == "image/jpeg"


def test_only_those_who_may_read_the_message_may_download(client, org, other_org, coach, olivia, liam):
    from .conftest import team_member

    conversation = open_conversation(client, olivia.client, coach.headers)
    pdf = upload(client, "plan.pdf", PDF, coach.headers).json()
    pending = upload(client, "draft.pdf", PDF, coach.headers).json()  # not sent yet: the uploader's alone
    send(client, conversation["id"], "Your plan", coach.headers, "k", attachments=[pdf["id"]])
    stranger = team_member(other_org, "owner", name="Other Owner")
    for headers in (liam.headers, stranger.headers, olivia.headers):
        assert_problem(client.get(f"/api/v1/attachments/{pending['id']}", **headers), 404)
    for headers in (liam.headers, stranger.headers):
        assert_problem(client.get(f"/api/v1/attachments/{pdf['id']}", **headers), 404)
    assert client.get(f"/api/v1/attachments/{pending['id']}", **coach.headers).status_code == 200
    assert login_as(liam.user).get(f"/portal/{org.slug}/chat/attachments/{pdf['id']}/").status_code == 404
    # Someone else's upload cannot be attached to one's own message.
    assert_problem(send(client, conversation["id"], "mine now", olivia.headers, "steal",
                        attachments=[pending["id"]]), 422)
    # Nor can a file go with two messages.
    assert_problem(send(client, conversation["id"], "again", coach.headers, "again", attachments=[pdf["id"]]), 422)


def test_deleting_the_message_deletes_its_files(client, org, coach, olivia, django_capture_on_commit_callbacks):
    conversation = open_conversation(client, olivia.client, coach.headers)
    pdf = upload(client, "plan.pdf", PDF, coach.headers).json()
    sent = send(client, conversation["id"], "Oops, wrong file", coach.headers, "k", attachments=[pdf["id"]]).json()
    with scope(organization=org):
        path = Attachment.objects.get().file.path
    with django_capture_on_commit_callbacks(execute=True):
        client.delete(f"/api/v1/conversations/{conversation['id']}/messages/{sent['id']}", **coach.headers)
    import os

    assert not os.path.exists(path)
    assert_problem(client.get(f"/api/v1/attachments/{pdf['id']}", **coach.headers), 404)


def test_uploads_never_sent_are_pruned_after_a_day(client, org, coach, olivia, time_machine):
    import os
    from datetime import UTC, datetime, timedelta

    from coachos.chat.tasks import prune_unsent_uploads

    start = datetime(2026, 11, 24, 18, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    forgotten = upload(client, "draft.pdf", PDF, coach.headers).json()
    kept = upload(client, "plan.pdf", PDF, coach.headers).json()
    conversation = open_conversation(client, olivia.client, coach.headers)
    send(client, conversation["id"], "Plan", coach.headers, "k", attachments=[kept["id"]])
    with scope(organization=org):
        path = Attachment.objects.get(pk=forgotten["id"]).file.path
    time_machine.move_to(start + timedelta(hours=23), tick=False)
    assert prune_unsent_uploads.delay().get() == 0
    time_machine.move_to(start + timedelta(hours=25), tick=False)
    assert prune_unsent_uploads.delay().get() == 1
    with scope(organization=org):
        assert list(Attachment.objects.values_list("pk", flat=True)) == [kept["id"]]
    assert not os.path.exists(path)
