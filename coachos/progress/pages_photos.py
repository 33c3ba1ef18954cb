"""The photos part of the progress pages: a timeline of thumbnails (newest day first), the upload form,
and the side-by-side comparison of one pose on two days. Images are served only through the pages' own
routes, after the same check as every other progress object (``views*.photo_file``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from coachos.common import moments
from coachos.common.formats import format_date

from .models import ProgressPhoto
from .pages import Reader

TIMELINE_DAYS = 12
POSES = [value for value, _label in ProgressPhoto.Pose.choices]


def photo_item(reader: Reader, photo: ProgressPhoto) -> dict[str, Any]:
    label = _("%(pose)s, %(day)s") % {"pose": photo.get_pose_display(), "day": format_date(photo.taken_on)}
    return {"photo": photo, "alt": label, "pose": photo.get_pose_display(),
            "file_url": reader.url("photo_file", progressphoto_id=photo.pk),
            "thumb_url": reader.url("photo_thumbnail", progressphoto_id=photo.pk),
            "delete_url": reader.url("photo_delete", progressphoto_id=photo.pk)}


def _day(value: str | None) -> date | None:
    return moments.day_from(value)


def missing_text(pose: str, day: date) -> str:
    # Whole sentences per pose: some languages write a pose's name otherwise inside a sentence.
    sentences = {"front": _("No front photo on %(day)s."), "side": _("No side photo on %(day)s."),
                 "back": _("No back photo on %(day)s.")}
    return sentences[pose] % {"day": format_date(day)}


def compare(reader: Reader, params: Any, poses_by_day: dict[date, set[str]]) -> dict[str, Any]:
    """One pose on two days, side by side: ``a`` and ``b`` (ISO dates; default the first and the latest
    day with photos) and ``pose`` (default the first pose both days have)."""
    days = sorted(poses_by_day)
    if len(days) < 2:
        return {"possible": False, "days": days}
    a, b = _day(params.get("a")) or days[0], _day(params.get("b")) or days[-1]
    if a > b:
        a, b = b, a
    both = poses_by_day.get(a, set()) & poses_by_day.get(b, set())
    pose = params.get("pose") if params.get("pose") in POSES else next((p for p in POSES if p in both), POSES[0])
    found = {(p.taken_on, p.pose): p for p in ProgressPhoto.objects.filter(
        client=reader.client, pose=pose, taken_on__in=[a, b]).order_by("taken_on", "id")}  # the day's last one wins
    left, right = found.get((a, pose)), found.get((b, pose))
    missing = [day for day, photo in ((a, left), (b, right)) if photo is None]
    return {
        "possible": True, "days": list(reversed(days)), "a": a, "b": b, "pose": pose, "poses": ProgressPhoto.Pose.choices,
        "left": photo_item(reader, left) if left else None, "right": photo_item(reader, right) if right else None,
        "missing": [missing_text(pose, day) for day in missing],
        "gap_days": (b - a).days, "url": reader.url("compare"),
    }


def photos_part(reader: Reader, params: Any | None = None, **extra: Any) -> dict[str, Any]:
    """The timeline (the latest days), the comparison, and what the upload form needs (three queries)."""
    poses_by_day: dict[date, set[str]] = {}
    for day, pose in ProgressPhoto.objects.filter(client=reader.client).order_by().values_list(
            "taken_on", "pose").distinct():
        poses_by_day.setdefault(day, set()).add(pose)
    days = sorted(poses_by_day, reverse=True)
    shown_days = days[:TIMELINE_DAYS]
    timeline: list[dict[str, Any]] = []
    if shown_days:
        by_day: dict[date, list[dict[str, Any]]] = {}
        for photo in ProgressPhoto.objects.filter(client=reader.client, taken_on__gte=shown_days[-1]).order_by(
                "-taken_on", "pose", "id"):
            by_day.setdefault(photo.taken_on, []).append(photo_item(reader, photo))
        order = {pose: i for i, pose in enumerate(POSES)}
        timeline = [{"day": day, "photos": sorted(by_day.get(day, []), key=lambda item: order[item["photo"].pose])}
                    for day in shown_days]
    return {"timeline": timeline, "more_days": max(0, len(days) - TIMELINE_DAYS), "count_days": len(days),
            "compare": compare(reader, params or {}, poses_by_day), "upload_url": reader.url("photo_add"), **extra}
