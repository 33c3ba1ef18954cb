"""The library's pure parts: video links to players, file types by their bytes, S3 options from a URL,
article sanitizing."""

from __future__ import annotations

import pytest

from coachos.library import embeds, files, richtext
from coachos.library.storage import s3_options

from .conftest import PDF, png_bytes


@pytest.mark.parametrize("url,expected", [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10", ("youtube", "dQw4w9WgXcQ")),
    ("https://youtu.be/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
    ("https://www.youtube.com/shorts/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
    ("https://m.youtube.com/embed/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
    ("https://vimeo.com/76979871", ("vimeo", "76979871")),
    ("https://player.vimeo.com/video/76979871", ("vimeo", "76979871")),
    ("https://www.youtube.com/watch?v=short", ("", "")),
    ("https://evil.example/youtube.com/watch?v=dQw4w9WgXcQ", ("", "")),
    ("javascript:alert(1)//youtu.be/dQw4w9WgXcQ", ("", "")),
    ("https://example.com/x", ("", "")),
])
def test_video_links(url: str, expected: tuple[str, str]) -> None:
    assert embeds.parse(url) == expected


def test_player_urls_only_for_clean_ids() -> None:
    assert embeds.player_url("youtube", "dQw4w9WgXcQ") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert embeds.player_url("youtube", '"><script>') == ""
    assert embeds.player_url("vimeo", "abc") == ""


def test_types_by_bytes() -> None:
    assert files.sniff(PDF) == "application/pdf"
    assert files.sniff(png_bytes()) == "image/png"
    assert files.sniff(b"<svg onload=alert(1)>") is None
    assert files.sniff(b"MZ\x90\x00" + b"\x00" * 100) is None  # a Windows program
    assert files.clean_name("../../etc/pa\x00ss.exe", "pdf") == "pass.pdf"


def test_s3_options_from_storage_url() -> None:
    options = s3_options("s3://AK%2F1:s%40cret@media-bucket?endpoint_url=https://s3.example.com&region_name=eu-1")
    assert options["bucket_name"] == "media-bucket"
    assert (options["access_key"], options["secret_key"]) == ("AK/1", "s@cret")
    assert options["endpoint_url"] == "https://s3.example.com" and options["default_acl"] == "private"
    assert options["querystring_auth"] is True and options["querystring_expire"] == 300
    with pytest.raises(ValueError):
        s3_options("https://bucket")


def test_articles_keep_formatting_only() -> None:
    dirty = '<h2>Hi</h2><p style="x">A <a href="javascript:x">b</a><iframe src="//x"></iframe><svg><script>1</script></svg></p>'
    assert richtext.sanitize(dirty) == '<h2>Hi</h2><p>A <a target="_blank" rel="noopener noreferrer nofollow">b</a></p>'
    assert richtext.is_blank("<p> <script>x</script></p>")
