"""Progress photos: only pixels are kept (no GPS, no EXIF at all), turned upright; non-images, bombs,
truncated files and animations are refused with a sentence for the person."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from coachos.progress.images import CleanImage, ImageRefused, clean_image, thumbnail

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def noise(width: int, height: int, seed: int = 1) -> Image.Image:
    """A photo-like image (noise does not compress away, so a cut file is cut in its pixels)."""
    rng = random.Random(seed)
    return Image.frombytes("RGB", (width, height), bytes(rng.randrange(256) for _ in range(width * height * 3)))


def jpeg_with_gps(*, orientation: int = 1, size: tuple[int, int] = (60, 40)) -> bytes:
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))  # a red square in the stored top-left corner
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2024:05:01 07:30:00"  # DateTime
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"Jane's phone",
               xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>')
    return out.getvalue()


def png(image: Image.Image, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **options)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels (a decompression bomb's shape)."""
    data = bytearray(png(Image.new("L", (1, 1))))
    # IHDR: length (4) + type (4) at offset 8, then width and height, then the chunk's CRC over type+data.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def reopened(result: CleanImage) -> Image.Image:
    image = Image.open(io.BytesIO(result.content))
    image.load()
    return image


# --- what is kept ---------------------------------------------------------------------------------

def test_a_phone_photo_comes_out_with_no_gps_and_no_exif_at_all() -> None:
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD), "the fixture must carry GPS"
    result = clean_image(data)
    image = reopened(result)
    assert (result.content_type, result.extension, image.format) == ("image/jpeg", "jpg", "JPEG")
    assert len(image.getexif()) == 0
    assert not image.getexif().get_ifd(GPS_IFD)
    assert not {"exif", "xmp", "comment", "icc_profile"} & set(image.info)
    for trace in (b"Exif", b"PhoneMaker", b"2024:05:01", b"Jane's phone", b"adobe:ns:meta"):
        assert trace not in result.content


def test_orientation_6_is_applied_so_the_stored_photo_is_upright() -> None:
    result = clean_image(jpeg_with_gps(orientation=6))
    image = reopened(result)
    assert (result.width, result.height) == (40, 60) == image.size
    # Orientation 6 means "turn 90° clockwise to view": the stored top-left corner ends top-right.
    red, _green, blue = image.convert("RGB").getpixel((35, 5))  # type: ignore[misc]
    assert red > 200 and blue < 60
    red, _green, blue = image.convert("RGB").getpixel((5, 5))  # type: ignore[misc]
    assert red < 60 and blue > 200


def test_a_png_stays_png_with_its_transparency_and_without_its_text_or_profile() -> None:
    image = Image.new("RGBA", (30, 20), (10, 200, 10, 128))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Client")
    data = png(image, pnginfo=info, icc_profile=b"\0" * 128)
    result = clean_image(data)
    out = reopened(result)
    assert (result.content_type, result.extension, out.format, out.mode) == ("image/png", "png", "PNG", "RGBA")
    assert out.getpixel((3, 3)) == (10, 200, 10, 128)
    assert b"Jane Client" not in result.content and "icc_profile" not in out.info and "Author" not in out.info


def test_a_webp_photo_becomes_jpeg_and_a_transparent_one_png() -> None:
    photo, clear = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(photo, format="WEBP")
    Image.new("RGBA", (16, 16), (200, 30, 30, 0)).save(clear, format="WEBP", lossless=True)
    assert clean_image(photo.getvalue()).content_type == "image/jpeg"
    assert clean_image(clear.getvalue()).content_type == "image/png"


def test_a_phone_mpo_jpeg_is_its_first_picture_not_an_animation() -> None:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (255, 0, 0)).save(out, format="MPO", save_all=True,
                                                 append_images=[Image.new("RGB", (20, 10), (0, 0, 255))])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    result = clean_image(out.getvalue())
    assert result.content_type == "image/jpeg" and (result.width, result.height) == (20, 10)
    assert reopened(result).getpixel((10, 5))[0] > 200  # type: ignore[index]


def test_a_huge_photo_is_cut_down_to_the_long_side_allowed() -> None:
    result = clean_image(png(Image.new("RGB", (900, 300), (1, 2, 3))), max_side=300)
    assert (result.width, result.height) == (300, 100)


# --- what is refused ------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF",
    b"<!doctype html><html><body><script>alert(1)</script></body></html>",
    b"just some text, saved as photo.jpg",
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
    b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",  # a real GIF: not a format we keep
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b"",
], ids=["pdf", "html", "text", "gif", "svg", "empty"])
def test_what_is_not_a_photo_is_refused_whatever_its_name(data: bytes) -> None:
    with pytest.raises(ImageRefused) as refused:
        clean_image(data)
    assert refused.value.code == "not_an_image"
    assert "JPEG, PNG or WebP" in str(refused.value.message)
    with pytest.raises(ImageRefused):
        thumbnail(data)


@pytest.mark.parametrize("width,height", [(50_000, 50_000), (8_000, 6_000)], ids=["gigapixels", "48-megapixels"])
def test_a_huge_declared_size_is_refused_before_decoding(width: int, height: int) -> None:
    data = png_declaring(width, height)
    assert len(data) < 200
    with pytest.raises(ImageRefused) as refused:
        clean_image(data)
    assert refused.value.code == "too_large"
    assert "too many pixels" in str(refused.value)
    with pytest.raises(ImageRefused):
        thumbnail(data)


def test_the_pixel_limit_is_the_callers_to_set() -> None:
    data = png(Image.new("RGB", (100, 100)))
    with pytest.raises(ImageRefused) as refused:
        clean_image(data, max_pixels=9_999)
    assert refused.value.code == "too_large"
    assert clean_image(data, max_pixels=10_000).width == 100


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_a_truncated_file_is_refused(kind: str) -> None:
    out = io.BytesIO()
    noise(200, 150).save(out, format=kind)
    data = out.getvalue()
    with pytest.raises(ImageRefused) as refused:
        clean_image(data[: len(data) // 2])
    assert refused.value.code == "damaged"
    assert clean_image(data).width == 200  # the whole file is fine


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_an_animation_is_refused(kind: str) -> None:
    out = io.BytesIO()
    frames = [Image.new("RGB", (10, 10), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    frames[0].save(out, format=kind, save_all=True, append_images=frames[1:], duration=100, loop=0)
    with pytest.raises(ImageRefused) as refused:
        clean_image(out.getvalue())
    assert refused.value.code == "animated"


def test_an_image_of_16_bit_samples_is_refused() -> None:
    data = png(Image.new("I;16", (10, 10)))
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    with pytest.raises(ImageRefused) as refused:
        clean_image(data)
    assert refused.value.code == "unsupported"


# --- thumbnails -----------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [480, 120])
def test_a_thumbnail_fits_its_box_is_jpeg_upright_and_bare(size: int) -> None:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0)}
    noise(1600, 800).save(out, format="JPEG", exif=exif)
    small = Image.open(io.BytesIO(thumbnail(out.getvalue(), size=size)))
    assert small.format == "JPEG"
    assert max(small.size) == size
    assert small.size == (size // 2, size)  # turned: the wide photo is tall
    assert len(small.getexif()) == 0


def test_a_small_picture_is_not_blown_up_and_transparency_becomes_white() -> None:
    small = Image.open(io.BytesIO(thumbnail(png(Image.new("RGBA", (40, 30), (0, 0, 0, 0))))))
    assert small.size == (40, 30)
    assert min(small.convert("RGB").getpixel((20, 15))) > 240  # type: ignore[arg-type]
