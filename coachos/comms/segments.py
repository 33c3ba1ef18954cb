"""How many SMS segments a text takes. Pure Python, no Django; static/comms/sms_length.js does the same.

A text made only of GSM-7 characters fits 160 characters in one segment (153 per segment once it
is split, the rest carries the join header); a single character outside that alphabet (an emoji,
a curly quote ’ typed on a phone) makes the whole text UCS-2: 70 characters, then 67 per segment.
Carriers bill per segment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")  # each takes two septets (an escape, then the character)


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" | "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # the limit that applies: 160/153 or 70/67
    non_gsm: tuple[str, ...]  # the characters that forced UCS-2, in order of first use

    @property
    def single_limit(self) -> int:
        return 160 if self.encoding == "GSM-7" else 70


def measure(text: str) -> SmsLength:
    non_gsm: list[str] = []
    septets = 0
    for char in text:
        if char in GSM7_BASIC:
            septets += 1
        elif char in GSM7_EXTENDED:
            septets += 2
        elif char not in non_gsm:
            non_gsm.append(char)
    if not non_gsm:
        return SmsLength("GSM-7", septets, _segments(septets, 160, 153), 160 if septets <= 160 else 153, ())
    units = len(text.encode("utf-16-le")) // 2
    return SmsLength("UCS-2", units, _segments(units, 70, 67), 70 if units <= 70 else 67, tuple(non_gsm))


def _segments(units: int, single: int, multi: int) -> int:
    if units == 0:
        return 0
    if units <= single:
        return 1
    return math.ceil(units / multi)
