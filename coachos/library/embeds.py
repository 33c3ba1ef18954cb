"""YouTube and Vimeo links as embedded players: the video's id from the many shapes of their links.
No Django here: pure and tested."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{5,12}$")
YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com",
                           "youtube-nocookie.com", "www.youtube-nocookie.com"})
VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})


def parse(url: str) -> tuple[str, str]:
    """("youtube" | "vimeo", id) for a video link, else ("", "")."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "", ""
    if parts.scheme not in {"http", "https"}:
        return "", ""
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if host == "youtu.be" and segments:
        candidate = segments[0]
        return ("youtube", candidate) if _YOUTUBE_ID.match(candidate) else ("", "")
    if host in YOUTUBE_HOSTS:
        candidate = ""
        if segments[:1] == ["watch"]:
            candidate = (parse_qs(parts.query).get("v") or [""])[0]
        elif len(segments) >= 2 and segments[0] in {"embed", "shorts", "live", "v"}:
            candidate = segments[1]
        return ("youtube", candidate) if _YOUTUBE_ID.match(candidate) else ("", "")
    if host in VIMEO_HOSTS:
        for segment in reversed(segments):
            if _VIMEO_ID.match(segment):
                return "vimeo", segment
    return "", ""


def player_url(provider: str, video_id: str) -> str:
    if provider == "youtube" and _YOUTUBE_ID.match(video_id):
        return f"https://www.youtube-nocookie.com/embed/{video_id}"
    if provider == "vimeo" and _VIMEO_ID.match(video_id):
        return f"https://player.vimeo.com/video/{video_id}?dnt=1"
    return ""
