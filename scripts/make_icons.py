"""Draw the app's PNG icons from the brand mark (coachos/static/coachos/favicon.svg) with Pillow.

Run after changing the mark: `.venv/bin/python scripts/make_icons.py`. The PNGs are committed
(a phone asks for them, and nothing at run time draws them). The mark is the favicon's: a green
rounded square with a white "C" — an arc of radius 7 centred at (16.4, 16) in a 32-unit square,
drawn clockwise from 43.3° to 316.7°, 3.2 units wide with round ends.

Maskable icons keep the "C" inside the central 80 % circle (the safe zone a launcher may crop to)
on a full-bleed green background.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

GREEN = (0, 122, 80, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "coachos" / "static" / "coachos" / "icons"
SUPERSAMPLE = 4


def _mark(size: int, *, maskable: bool) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    unit = big / 32
    if maskable:
        draw.rectangle((0, 0, big, big), fill=GREEN)
        scale, offset = 0.62, big * 0.19  # the 32-unit mark drawn at 62 %, centred
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=7 * unit, fill=GREEN)
        scale, offset = 1.0, 0.0
    u = unit * scale
    cx, cy, r, width = 16.405 * u + offset, 16 * u + offset, 7 * u, 3.2 * u
    start, end = 43.3, 316.7
    draw.arc((cx - r - width / 2, cy - r - width / 2, cx + r + width / 2, cy + r + width / 2),
             start=start, end=end, fill=WHITE, width=round(width))
    for angle in (start, end):  # round line caps
        x, y = cx + (r) * math.cos(math.radians(angle)), cy + (r) * math.sin(math.radians(angle))
        draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("maskable-192.png", 192, True), ("maskable-512.png", 512, True),
                                 ("apple-touch-icon.png", 180, True)):
        _mark(size, maskable=maskable).save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
