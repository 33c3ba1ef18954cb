"""Progress photos: upload (multipart), list, the image and its thumbnail (served only to the client
and their business), delete."""

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.decorators import decorate_view

from .. import serialize, services
from ..files import photo_response
from ..models import ProgressPhoto
from ..selectors import access
from ..services.photos import max_bytes, too_large
from .access import membership_of, progress_view
from .common import client_of
from .schemas import PhotoOut, PhotoQuery, Pose, problems

router = Router(tags=["progress"])


def _photo(request: HttpRequest, progressphoto_id: int) -> ProgressPhoto:
    return access.photos_visible(membership_of(request)).select_related("uploaded_by").get(pk=progressphoto_id)


@router.post("/clients/{client_id}/photos", response={201: PhotoOut, **problems(413, 415, 422)},
             summary="Upload a progress photo (the team, or the client themself)",
             description="multipart/form-data: `file` (JPEG, PNG or WebP; at most 15 MB), `pose` (front, side, "
                         "back), `taken_on` (YYYY-MM-DD, default today). The image is stored without any metadata "
                         "(no EXIF location), upright, with a 480 px thumbnail.")
@decorate_view(progress_view(upload=True))
def photo_upload(request: HttpRequest, client_id: int, file: File[UploadedFile], pose: Form[Pose],
                 taken_on: Form[date | None] = None) -> Any:
    client = client_of(request, client_id)
    if (file.size or 0) > max_bytes():
        raise too_large()
    photo = services.photo_upload(client=client, actor=request.auth, data=file.read(), pose=pose, taken_on=taken_on)
    return Status(201, serialize.photo_json(photo))


@router.get("/clients/{client_id}/photos", response={200: list[PhotoOut], **problems()},
            summary="A client's progress photos, oldest first (filter by pose and dates)")
@decorate_view(progress_view())
def photo_list(request: HttpRequest, client_id: int, query: Query[PhotoQuery]) -> Any:
    photos = ProgressPhoto.objects.filter(client=client_of(request, client_id)).select_related("uploaded_by")
    if query.pose:
        photos = photos.filter(pose=query.pose)
    if query.start:
        photos = photos.filter(taken_on__gte=query.start)
    if query.end:
        photos = photos.filter(taken_on__lt=query.end + timedelta(days=1))
    return [serialize.photo_json(photo) for photo in photos.order_by("taken_on", "pose", "id")]


@router.get("/progress-photos/{progressphoto_id}", response={200: PhotoOut, **problems()}, summary="One photo")
@decorate_view(progress_view())
def photo_get(request: HttpRequest, progressphoto_id: int) -> Any:
    return serialize.photo_json(_photo(request, progressphoto_id))


@router.get("/progress-photos/{progressphoto_id}/file", response={200: None, **problems()},
            summary="The photo (image/jpeg or image/png)")
@decorate_view(progress_view())
def photo_file(request: HttpRequest, progressphoto_id: int) -> Any:
    return photo_response(_photo(request, progressphoto_id))


@router.get("/progress-photos/{progressphoto_id}/thumbnail", response={200: None, **problems()},
            summary="The photo's 480 px thumbnail (image/jpeg)")
@decorate_view(progress_view())
def photo_thumbnail(request: HttpRequest, progressphoto_id: int) -> Any:
    return photo_response(_photo(request, progressphoto_id), thumbnail=True)


@router.delete("/progress-photos/{progressphoto_id}", response={204: None, **problems()},
               summary="Delete a photo (its files go too)")
@decorate_view(progress_view())
def photo_delete(request: HttpRequest, progressphoto_id: int) -> Any:
    services.photo_delete(photo=_photo(request, progressphoto_id), actor=request.auth)
    return Status(204, None)
