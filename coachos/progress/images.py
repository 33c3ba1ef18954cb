"""Progress photos made safe to keep: decoded, turned upright, stripped of everything but pixels.

A phone photo carries where it was taken (EXIF GPS), the phone, the time, sometimes the owner's name
(XMP, comments). Progress photos are private body pictures, so nothing but the pixels is kept: the
image is decoded, turned as its EXIF orientation says, and encoded again from scratch — no EXIF, XMP,
ICC profile or comment survives, whatever the format.

What is refused (``ImageRefused``, with a sentence for the person uploading): anything that is not a
JPEG, PNG or WebP (HEIC too when pillow-heif is installed), whatever its name says; images with more
than ``max_pixels`` (decompression bombs: a few kilobytes declaring gigapixels); truncated or damaged
files; animations; and pixel formats a photo does not have (16-bit, floating point).

Only Pillow; no Django models, so the same code serves the page, the API and the demo seed.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC (iPhones) only when the optional plugin is present; it is not a dependency.
    from pillow_heif import register_heif_opener  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the machine
    HEIF = False
else:  # pragma: no cover - depends on the machine
    register_heif_opener()
    HEIF = True

MAX_PIXELS = 40_000_000
MAX_SIDE = 4096  # a progress photo needs no more; a 48 MP original is cut down to this
JPEG_QUALITY = 88
THUMBNAIL_QUALITY = 80

# The decoders Pillow may try: never the others (EPS would start Ghostscript, PSD, TGA, … are not photos).
FORMATS = ("JPEG", "PNG", "WEBP", *(("HEIF",) if HEIF else ()))
# Pixel modes a photo or screenshot has; "I;16", "I", "F" (scientific images) are refused.
MODES = frozenset({"1", "L", "LA", "La", "P", "PA", "RGB", "RGBA", "RGBa", "RGBX", "CMYK", "YCbCr"})


class ImageRefused(ValueError):  # noqa: N818 - the name says what the caller catches
    """An upload that is not a photo we keep. ``message`` is a sentence for the person; ``code`` is
    for machines (problem details): not_an_image, too_large, damaged, animated, unsupported."""

    def __init__(self, message: str | Promise, *, code: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    content_type: str  # image/jpeg or image/png
    extension: str  # "jpg" or "png", without the dot
    width: int
    height: int


NOT_AN_IMAGE = _("This file is not a photo. Upload a JPEG, PNG or WebP image.")
TOO_LARGE = _("This image is too large (too many pixels). Upload a smaller photo.")
DAMAGED = _("This image could not be read. Is the file damaged or incomplete?")
ANIMATED = _("Animated images cannot be used. Upload a still photo.")
UNSUPPORTED = _("This kind of image cannot be used. Upload a JPEG, PNG or WebP photo.")


def _open(data: bytes, max_pixels: int, *, draft: tuple[int, int] | None = None) -> Image.Image:
    """The first frame, decoded and checked; raises ImageRefused. ``draft``: a JPEG only needed this
    small is decoded at a reduced scale (1/2 … 1/8), far less work for a large photo."""
    if not data:
        raise ImageRefused(NOT_AN_IMAGE, code="not_an_image")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it; we refuse at our smaller limit.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except Image.DecompressionBombError:
        raise ImageRefused(TOO_LARGE, code="too_large") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ImageRefused(NOT_AN_IMAGE, code="not_an_image") from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        raise ImageRefused(TOO_LARGE, code="too_large")
    # Phones write MPO (a JPEG plus a depth or HDR map as a second frame): its first frame is the photo.
    if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
        raise ImageRefused(ANIMATED, code="animated")
    if image.mode not in MODES:
        raise ImageRefused(UNSUPPORTED, code="unsupported")
    try:
        image.seek(0)
        if draft is not None and image.format in {"JPEG", "MPO"}:
            image.draft("RGB", draft)
        image.load()  # a truncated file fails here (Pillow does not load truncated images by default)
    except Image.DecompressionBombError:
        raise ImageRefused(TOO_LARGE, code="too_large") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise ImageRefused(DAMAGED, code="damaged") from None
    return image


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image) or image
    except (OSError, ValueError, SyntaxError, KeyError, TypeError):
        # A broken EXIF block: the pixels are fine, the orientation is unknown; keep them as they are.
        return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"LA", "La", "PA", "RGBA", "RGBa"} or (image.mode == "P" and "transparency" in image.info)


def _pixels_only(image: Image.Image, mode: str) -> Image.Image:
    """A copy in ``mode`` with no metadata at all: savers fall back to ``info`` for ICC profiles and
    comments, so ``info`` is emptied rather than trusted to be ignored."""
    clean = image.convert(mode)
    if clean is image:  # pragma: no cover - convert() copies even to the same mode, but be sure
        clean = image.copy()
    clean.info = {}
    return clean


def clean_image(data: bytes, *, max_pixels: int = MAX_PIXELS, max_side: int = MAX_SIDE) -> CleanImage:
    """Check an uploaded photo and encode it again without metadata, upright, at most ``max_side``
    pixels on its long side. Photos become JPEG (quality 88); a PNG stays PNG (screenshots, drawings),
    and so does a WebP with transparency. Raises ImageRefused."""
    with _open(data, max_pixels) as original:
        keep_png = original.format == "PNG" or (original.format == "WEBP" and _has_alpha(original))
        upright = _upright(original)
        if keep_png:
            clean = _pixels_only(upright, "RGBA" if _has_alpha(upright) else "RGB")
        else:
            clean = _pixels_only(_flatten(upright), "RGB")
    if max(clean.size) > max_side:
        clean.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    options: dict[str, Any]
    if keep_png:
        options = {"format": "PNG", "optimize": True}
    else:
        options = {"format": "JPEG", "quality": JPEG_QUALITY, "optimize": True}
    clean.save(out, **options)
    width, height = clean.size
    if keep_png:
        return CleanImage(out.getvalue(), "image/png", "png", width, height)
    return CleanImage(out.getvalue(), "image/jpeg", "jpg", width, height)


def _flatten(image: Image.Image) -> Image.Image:
    """Transparency laid on white (JPEG has none; black would hide a dark photo's edges)."""
    if not _has_alpha(image):
        return image
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    background.alpha_composite(rgba)
    return background.convert("RGB")


def thumbnail(data: bytes, *, size: int = 480, max_pixels: int = MAX_PIXELS) -> bytes:
    """A JPEG that fits in ``size`` × ``size``, upright, without metadata. Raises ImageRefused."""
    with _open(data, max_pixels, draft=(size, size)) as image:
        picture = _pixels_only(_flatten(_upright(image)), "RGB")
    picture.thumbnail((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return out.getvalue()
