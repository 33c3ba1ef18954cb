"""Progress photos through the API: cleaned of every bit of metadata (no EXIF location), thumbnailed, kept
in private storage, served only through the access check with safe headers, deleted with their files."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as DjangoClient
from django_scopes import scope
from PIL import Image

from coachos.progress.models import ProgressPhoto

from .conftest import Person, assert_problem

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 3, 10, 15, 0, tzinfo=UTC)
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def phone_photo(size: tuple[int, int] = (900, 1200)) -> bytes:
    """A JPEG as a phone writes it: with where it was taken (EXIF GPS) and the camera."""
    image = Image.new("RGB", size, (200, 120, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the fixture carries a location
    return data


def upload(http: DjangoClient, person: Person, client_id: int, data: bytes, name: str = "me.jpg",
           **fields: Any) -> Any:
    body = {"file": SimpleUploadedFile(name, data, content_type="image/jpeg"), "pose": "front", **fields}
    return http.post(f"/api/v1/clients/{client_id}/photos", body, **person.headers)


def _bytes(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_an_upload_keeps_only_the_pixels(client, org, olivia):
    response = upload(client, olivia, olivia.client.pk, phone_photo(), taken_on="2030-03-09", pose="side")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["pose"], body["taken_on"], body["width"], body["height"], body["content_type"]) == (
        "side", "2030-03-09", 900, 1200, "image/jpeg")
    assert body["uploaded_by"]["id"] == olivia.user.pk
    assert body["file_url"] == f"/api/v1/progress-photos/{body['id']}/file"
    with scope(organization=org):
        photo = ProgressPhoto.objects.get()
    assert photo.file.name == f"progress/{org.pk}/{photo.key}.jpg"  # a random name, nothing of the client's
    stored = Image.open(photo.file.open("rb"))
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert not dict(stored.getexif())
    thumb = Image.open(photo.thumbnail.open("rb"))
    assert max(thumb.size) == 480 and thumb.format == "JPEG"


def test_the_files_are_served_with_care(client, coach, olivia):
    body = upload(client, olivia, olivia.client.pk, phone_photo()).json()
    for suffix, kind in (("file", "image/jpeg"), ("thumbnail", "image/jpeg")):
        response = client.get(f"/api/v1/progress-photos/{body['id']}/{suffix}", **coach.headers)
        assert response.status_code == 200
        assert response["Content-Type"] == kind
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response["Cache-Control"] == "private, max-age=3600"
        assert response["Content-Disposition"].startswith("inline;")
        assert Image.open(io.BytesIO(_bytes(response))).format == "JPEG"


def test_the_list_is_in_date_order_and_filters_by_pose(client, coach, olivia):
    upload(client, olivia, olivia.client.pk, phone_photo((300, 400)), taken_on="2030-03-01", pose="back")
    upload(client, coach, olivia.client.pk, phone_photo((300, 400)), taken_on="2030-01-01", pose="front")
    upload(client, coach, olivia.client.pk, phone_photo((300, 400)), taken_on="2030-02-01", pose="front")
    url = f"/api/v1/clients/{olivia.client.pk}/photos"
    assert [p["taken_on"] for p in client.get(url, **olivia.headers).json()] == ["2030-01-01", "2030-02-01",
                                                                                 "2030-03-01"]
    fronts = client.get(url, {"pose": "front", "start": "2030-01-15"}, **olivia.headers).json()
    assert [p["taken_on"] for p in fronts] == ["2030-02-01"]


@pytest.mark.parametrize(("data", "name", "status"), [
    (b"<html><script>alert(1)</script></html>", "me.jpg", 415),
    (b"%PDF-1.4\n%test\n", "me.png", 415),
    (b"", "me.jpg", 415),
])
def test_what_is_not_a_photo_is_refused(client, org, olivia, data, name, status):
    problem = assert_problem(upload(client, olivia, olivia.client.pk, data, name=name), status, "file")
    assert problem["detail"]
    with scope(organization=org):
        assert not ProgressPhoto.objects.exists()


def test_a_damaged_photo_is_refused(client, org, olivia):
    assert_problem(upload(client, olivia, olivia.client.pk, phone_photo()[:2000]), 422, "file")


def test_a_photo_over_the_limit_is_refused(client, org, olivia, settings):
    settings.PROGRESS_PHOTO_MAX_BYTES = 1024 * 1024
    problem = assert_problem(upload(client, olivia, olivia.client.pk, b"\xff\xd8" + b"0" * (2 * 1024 * 1024)), 413)
    assert problem["detail"] == "A photo can be at most 1 MB."
    with scope(organization=org):
        assert not ProgressPhoto.objects.exists()


@pytest.mark.parametrize(("fields", "field"), [({"pose": "top"}, "form.pose"),
                                              ({"taken_on": "2030-03-20"}, "taken_on"),
                                              ({"taken_on": "yesterday"}, "form.taken_on")])
def test_bad_fields_are_refused(client, org, olivia, fields, field):
    assert_problem(upload(client, olivia, olivia.client.pk, phone_photo((100, 100)), **fields), 422, field)
    with scope(organization=org):
        assert not ProgressPhoto.objects.exists()


def test_a_deleted_photo_takes_its_files_along(client, org, coach, olivia, django_capture_on_commit_callbacks):
    body = upload(client, olivia, olivia.client.pk, phone_photo((200, 200))).json()
    with scope(organization=org):
        photo = ProgressPhoto.objects.get()
    storage = photo.file.storage
    names = (photo.file.name, photo.thumbnail.name)
    assert all(storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/progress-photos/{body['id']}", **coach.headers).status_code == 204
    assert not any(storage.exists(name) for name in names)
    assert_problem(client.get(f"/api/v1/progress-photos/{body['id']}/file", **coach.headers), 404)
