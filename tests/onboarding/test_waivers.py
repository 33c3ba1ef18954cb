"""Waivers: versions, frozen signed versions, signing, the PDF and the booking gate."""

from __future__ import annotations

import base64
import hashlib
import io
import random
import re
import zlib
from datetime import UTC, datetime, time
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from PIL import Image

from coachos.onboarding import services
from coachos.onboarding.models import FrozenError, WaiverSignature, WaiverVersion
from coachos.scheduling.models import Booking
from coachos.scheduling.services import COACH, booking_create
from coachos.scheduling.services.errors import SchedulingError
from coachos.tenancy.models import AuditEntry

from ..conftest import login_as
from ..factories import CoachFactory, SessionTypeFactory, WeeklyAvailabilityFactory
from .conftest import png_bytes

TEXT = "I take part at my own risk.\n\nI have told my coach about any injuries."


def make_waiver(org: Any, owner: Any, text: str = TEXT) -> Any:
    with scope(organization=org):
        return services.waiver_template_create(organization=org, actor=owner, title="Liability waiver", text=text)


def sign(client: Any, version: Any, **overrides: Any) -> WaiverSignature:
    kwargs = {"client": client, "version": version, "full_name": "Casey Client", "agreed": True,
              "signature_png": png_bytes(), "ip": "203.0.113.7", "user_agent": "Mozilla/5.0 test",
              "actor": client.user, **overrides}
    return services.waiver_sign(**kwargs)


def test_editing_the_text_adds_a_version_and_keeps_the_old_one(org: Any, owner: Any) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        services.waiver_template_update(template=template, actor=owner, title="Liability waiver",
                                        text=TEXT + "\n\nNew clause.", active=True, required=True)
        services.waiver_template_update(template=template, actor=owner, title="Renamed",
                                        text=TEXT + "\n\nNew clause.", active=True, required=True)
        versions = list(template.versions.order_by("number"))
        assert [v.number for v in versions] == [1, 2]  # a title change alone adds none
        assert versions[0].text == TEXT
        assert versions[1].text_sha256 == hashlib.sha256((TEXT + "\n\nNew clause.").encode()).hexdigest()
        assert services.waivers_current(org) == [versions[1]]


def test_a_signed_version_never_changes(org: Any, owner: Any, client_record: Any) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        version = template.current_version()
        sign(client_record, version)
        with pytest.raises(services.OnboardingError):
            services.waiver_version_update(version=version, text="changed")
        with pytest.raises(services.OnboardingError):
            services.waiver_version_delete(version=version)
        version.text = "changed behind the service's back"
        with pytest.raises(FrozenError):
            version.save()
        with pytest.raises(FrozenError):
            WaiverVersion.objects.get(pk=version.pk).delete()
        assert WaiverVersion.objects.get(pk=version.pk).text == TEXT
        # An unsigned version may still be corrected.
        services.waiver_template_update(template=template, actor=owner, title="x", text="Draft", active=True,
                                        required=True)
        draft = template.current_version()
        services.waiver_version_update(version=draft, text="Draft, corrected")
        assert WaiverVersion.objects.get(pk=draft.pk).text == "Draft, corrected"


def test_signing_stores_the_exact_text_its_hash_ip_and_browser(org: Any, owner: Any, client_record: Any) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        signature = sign(client_record, template.current_version())
        signature.refresh_from_db()
        assert signature.signed_text == TEXT
        assert signature.text_sha256 == hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
        assert signature.ip == "203.0.113.7"
        assert signature.user_agent == "Mozilla/5.0 test"
        assert signature.method == WaiverSignature.Method.DRAWN
        assert signature.signature.name.startswith(f"waivers/{org.pk}/")
        assert signature.signature.read().startswith(b"\x89PNG")
        assert AuditEntry.objects.filter(action="waiver.signed").count() == 1
        with pytest.raises(FrozenError):
            signature.save()


def blank_png(size: tuple[int, int] = (600, 180), colour: tuple[int, int, int, int] = (0, 0, 0, 0),
              dots: int = 0) -> bytes:
    """What a canvas sends when nothing (or only a stray tap) was drawn."""
    image = Image.new("RGBA", size, colour)
    for x in range(dots):
        image.putpixel((10 + x, 10), (17, 17, 17, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_text(body: bytes) -> str:
    """The text drawing operators of a ReportLab PDF (its streams are ASCII85 + Flate encoded)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", body, re.S):
        try:
            chunks.append(zlib.decompress(base64.a85decode(stream.strip(), adobe=True)).decode("latin-1"))
        except (ValueError, zlib.error):
            continue
    return "\n".join(chunks)


@pytest.mark.parametrize("bad", [
    b"GIF89a not a png at all",
    b"\x89PNG\r\n\x1a\n" + b"garbage" * 10,
    b"\x89PNG\r\n\x1a\n" + b"\0" * (200 * 1024),
])
def test_a_bad_png_is_refused_and_nothing_is_written(org: Any, owner: Any, client_record: Any, bad: bytes,
                                                    settings: Any) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        with pytest.raises(services.OnboardingError) as info:
            sign(client_record, template.current_version(), signature_png=bad)
        assert info.value.field == "signature"
        assert WaiverSignature.objects.count() == 0
    private = settings.PRIVATE_MEDIA_ROOT / "waivers"
    assert not private.exists() or not any(private.rglob("*.png"))


@pytest.mark.parametrize("blank", [
    blank_png(),                                    # an untouched canvas: every pixel transparent
    blank_png(colour=(255, 255, 255, 255)),         # a canvas filled white
    blank_png(colour=(17, 17, 17, 255)),            # one colour all over is not a signature either
    blank_png(dots=3),                              # a stray tap
], ids=["transparent", "white", "filled", "a-dot"])
def test_a_blank_drawing_is_refused(org: Any, owner: Any, client_record: Any, blank: bytes,
                                    settings: Any) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        with pytest.raises(services.OnboardingError, match="signature box is empty") as info:
            sign(client_record, template.current_version(), signature_png=blank)
        assert info.value.field == "signature"
        assert WaiverSignature.objects.count() == 0
    private = settings.PRIVATE_MEDIA_ROOT / "waivers"
    assert not private.exists() or not any(private.rglob("*.png"))


def test_an_image_bigger_than_the_limit_is_refused(org: Any, owner: Any, client_record: Any) -> None:
    noisy = Image.frombytes("RGBA", (400, 200), random.Random(4).randbytes(400 * 200 * 4))  # does not compress
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    assert len(buffer.getvalue()) > services.MAX_SIGNATURE_BYTES
    template = make_waiver(org, owner)
    with scope(organization=org), pytest.raises(services.OnboardingError, match="too large"):
        sign(client_record, template.current_version(), signature_png=buffer.getvalue())


def test_a_drawing_is_required_unless_the_typed_name_is_adopted(org: Any, owner: Any,
                                                                client_record: Any) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        version = template.current_version()
        for missing in (None, b""):
            with pytest.raises(services.OnboardingError, match="Draw your signature") as info:
                sign(client_record, version, signature_png=missing)
            assert info.value.field == "signature"
        assert WaiverSignature.objects.count() == 0
        adopted = sign(client_record, version, signature_png=None, typed_adopted=True)
        assert adopted.method == WaiverSignature.Method.TYPED_ADOPTED == "typed_adopted"
        assert not adopted.signature
        assert adopted.signed_text == TEXT and adopted.ip == "203.0.113.7"
        assert AuditEntry.objects.get(action="waiver.signed").data["method"] == "typed_adopted"


def test_an_adopted_typed_name_keeps_no_drawing_even_if_one_was_sent(org: Any, owner: Any,
                                                                      client_record: Any) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        adopted = sign(client_record, template.current_version(), typed_adopted=True)
        assert adopted.method == "typed_adopted" and not adopted.signature


def test_name_and_agreement_are_required(org: Any, owner: Any, client_record: Any) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        version = template.current_version()
        with pytest.raises(services.OnboardingError) as info:
            sign(client_record, version, full_name="  ")
        assert info.value.field == "full_name"
        with pytest.raises(services.OnboardingError) as info:
            sign(client_record, version, agreed=False)
        assert info.value.field == "agree"
        assert WaiverSignature.objects.count() == 0


@pytest.mark.parametrize("typed", ["Someone Else", "Casey", "Casey Clients", "Client Casey"])
def test_the_typed_name_must_be_the_clients_full_name(org: Any, owner: Any, client_record: Any,
                                                      typed: str) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        for adopted in (False, True):
            with pytest.raises(services.OnboardingError, match="as it is on your details: Casey Client") as info:
                sign(client_record, template.current_version(), full_name=typed, typed_adopted=adopted)
            assert info.value.field == "full_name"
        assert WaiverSignature.objects.count() == 0


@pytest.mark.parametrize("typed", ["casey client", "  CASEY   Client ", "Casey\u00a0Client"])
def test_the_name_matches_whatever_the_case_and_spacing(org: Any, owner: Any, client_record: Any,
                                                        typed: str) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        signature = sign(client_record, template.current_version(), full_name=typed)
        assert signature.full_name == " ".join(typed.split())


def test_an_outdated_version_cannot_be_signed(org: Any, owner: Any, client_record: Any) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        old = template.current_version()
        services.waiver_template_update(template=template, actor=owner, title="t", text="v2", active=True,
                                        required=True)
        with pytest.raises(services.OnboardingError, match="updated"):
            sign(client_record, old)


def test_the_portal_sign_page_signs_with_the_drawn_png(org: Any, owner: Any, client_user: Any,
                                                       client_record: Any) -> None:
    template = make_waiver(org, owner)
    web = login_as(client_user)
    url = reverse("onboarding_portal:sign", kwargs={"org_slug": org.slug, "waivertemplate_id": template.pk})
    page = web.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "I take part at my own risk." in html
    assert "data-signature-canvas" in html and "onboarding/signature.js" in html
    assert "I can&#x27;t draw a signature (keyboard or screen reader)" in html
    assert "<script>" not in html and 'style="' not in html  # strict CSP: the script is a static file
    bad = web.post(url, {"full_name": "Casey Client", "agree": "on", "signature": "data:image/gif;base64,R0lG"})
    assert bad.status_code == 200 and "not a PNG" in bad.content.decode()
    assert bad.context["form"].errors["signature"]
    assert "R0lG" not in bad.content.decode()  # a drawing is never echoed back; the pad starts empty
    data_url = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    response = web.post(url, {"full_name": "Casey Client", "agree": "on", "signature": data_url},
                        HTTP_USER_AGENT="TestBrowser/1.0", REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 302
    with scopes_disabled():
        signature = WaiverSignature.objects.get()
    assert (signature.ip, signature.user_agent, signature.method) == ("198.51.100.9", "TestBrowser/1.0", "drawn")
    assert signature.signature.read() == png_bytes()


@pytest.mark.parametrize(("posted", "field", "message"), [
    ({}, "signature", "Draw your signature in the box"),
    ({"signature": "data:image/png;base64," + base64.b64encode(blank_png()).decode()}, "signature",
     "The signature box is empty"),
    ({"signature": "data:image/png;base64,!!notbase64!!"}, "signature", "damaged"),
    ({"signature": "data:image/png;base64," + "A" * 300_000}, "signature", "too large"),
    ({"full_name": "Someone Else", "cannot_draw": "on"}, "full_name", "as it is on your details"),
    ({"agree": "", "cannot_draw": "on"}, "agree", "Tick"),
], ids=["no-drawing", "blank-canvas", "not-base64", "too-large", "wrong-name", "no-agreement"])
def test_the_sign_page_refuses_with_a_clear_error_and_keeps_what_was_typed(
        org: Any, owner: Any, client_user: Any, client_record: Any, posted: dict[str, str], field: str,
        message: str) -> None:
    template = make_waiver(org, owner)
    url = reverse("onboarding_portal:sign", kwargs={"org_slug": org.slug, "waivertemplate_id": template.pk})
    data = {"full_name": "Casey Client", "agree": "on", **posted}
    response = login_as(client_user).post(url, {k: v for k, v in data.items() if v})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert f'value="{data["full_name"]}"' in response.content.decode()
    with scopes_disabled():
        assert WaiverSignature.objects.count() == 0


def test_the_accessible_alternative_signs_with_the_typed_name(org: Any, owner: Any, client_user: Any,
                                                              client_record: Any) -> None:
    template = make_waiver(org, owner)
    url = reverse("onboarding_portal:sign", kwargs={"org_slug": org.slug, "waivertemplate_id": template.pk})
    response = login_as(client_user).post(url, {"full_name": " casey  CLIENT", "agree": "on", "cannot_draw": "on"},
                                          HTTP_USER_AGENT="ScreenReader/2.0", REMOTE_ADDR="198.51.100.10")
    assert response.status_code == 302
    with scopes_disabled():
        signature = WaiverSignature.objects.get()
        progress = client_record.onboarding_progress
    assert signature.method == "typed_adopted" and not signature.signature
    assert (signature.full_name, signature.ip, signature.user_agent) == ("casey CLIENT", "198.51.100.10",
                                                                         "ScreenReader/2.0")
    assert signature.text_sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
    assert progress.waiver_done_at is not None


def test_pdf_download(org: Any, owner: Any, client_user: Any, client_record: Any) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        signature = sign(client_record, template.current_version())
    for web, name in ((login_as(owner), "onboarding:signature_pdf"),
                      (login_as(client_user), "onboarding_portal:signature_pdf")):
        response = web.get(reverse(name, kwargs={"org_slug": org.slug, "waiversignature_id": signature.pk}))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        body = response.content
        assert body.startswith(b"%PDF")
        assert b"Liability waiver" in body  # the document title (metadata) carries the waiver's title
        assert b"/Subtype /Image" in body  # the drawing
        text = pdf_text(body)
        assert "Typed name and drawn signature" in text and "accessible alternative" not in text


def test_the_pdf_of_an_adopted_typed_name_says_so(org: Any, owner: Any, client_record: Any) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        signature = sign(client_record, template.current_version(), signature_png=None, typed_adopted=True)
    response = login_as(owner).get(reverse("onboarding:signature_pdf", kwargs={
        "org_slug": org.slug, "waiversignature_id": signature.pk}))
    body = response.content
    assert response.status_code == 200 and b"/Subtype /Image" not in body
    text = pdf_text(body)
    assert "Signed by typed name \\(accessible alternative\\)" in text  # PDF strings escape brackets
    assert "Casey Client" in text


def test_the_clients_section_says_how_each_waiver_was_signed(org: Any, owner: Any, client_record: Any) -> None:
    template = make_waiver(org, owner)
    with scope(organization=org):
        sign(client_record, template.current_version())
        services.waiver_template_update(template=template, actor=owner, title="Liability waiver", text="v2",
                                        active=True, required=True)
        sign(client_record, template.current_version(), typed_adopted=True)
    html = login_as(owner).get(reverse("onboarding:client_section", kwargs={
        "org_slug": org.slug, "client_id": client_record.pk})).content.decode()
    assert "(drawn signature)" in html and "(typed name, accessible alternative)" in html


def test_a_client_cannot_download_another_clients_signature(org: Any, owner: Any, client_user: Any) -> None:
    from ..factories import WaiverSignatureFactory

    other = WaiverSignatureFactory(organization=org)
    url = reverse("onboarding_portal:signature_pdf", kwargs={"org_slug": org.slug, "waiversignature_id": other.pk})
    assert login_as(client_user).get(url).status_code == 404


# --- the booking gate -------------------------------------------------------------------------

NOW = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)


@pytest.fixture
def bookable(org: Any) -> dict[str, Any]:
    coach = CoachFactory(organization=org, min_notice_minutes=0)
    for weekday in range(7):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(9), end_time=time(17))
    return {"coach": coach, "type": SessionTypeFactory(organization=org, duration_minutes=60)}


def test_require_waiver_blocks_client_bookings_until_signed(org: Any, owner: Any, client_record: Any,
                                                           bookable: dict[str, Any]) -> None:
    template = make_waiver(org, owner)
    starts = datetime(2026, 6, 2, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in Chicago
    with time_machine.travel(NOW, tick=False), scope(organization=org):
        services.settings_update(organization=org, actor=owner, enabled=True, require_waiver=True)
        with pytest.raises(SchedulingError) as info:
            booking_create(coach=bookable["coach"], session_type=bookable["type"], client=client_record,
                           starts_at=starts, actor=client_record.user)
        assert info.value.code == "waiver_required"
        assert "Liability waiver" in str(info.value) and "sign" in str(info.value)
        assert Booking.objects.count() == 0
        # The coach's own calendar is exempt.
        booking_create(coach=bookable["coach"], session_type=bookable["type"], client=client_record,
                       starts_at=datetime(2026, 6, 3, 15, 0, tzinfo=UTC), actor=owner, mode=COACH)
        sign(client_record, template.current_version())
        booking_create(coach=bookable["coach"], session_type=bookable["type"], client=client_record,
                       starts_at=starts, actor=client_record.user)
        assert Booking.objects.count() == 2
        # A new version makes the signature outdated: the gate closes again.
        services.waiver_template_update(template=template, actor=owner, title="t", text="v2", active=True,
                                        required=True)
        with pytest.raises(SchedulingError):
            booking_create(coach=bookable["coach"], session_type=bookable["type"], client=client_record,
                           starts_at=datetime(2026, 6, 4, 15, 0, tzinfo=UTC), actor=client_record.user)


def test_without_the_setting_nothing_is_required(org: Any, owner: Any, client_record: Any,
                                                 bookable: dict[str, Any]) -> None:
    make_waiver(org, owner)
    with time_machine.travel(NOW, tick=False), scope(organization=org):
        booking_create(coach=bookable["coach"], session_type=bookable["type"], client=client_record,
                       starts_at=datetime(2026, 6, 2, 15, 0, tzinfo=UTC), actor=client_record.user)
        assert Booking.objects.count() == 1


def test_public_details_page_links_to_the_waiver(org: Any, owner: Any, client_user: Any,
                                                 bookable: dict[str, Any]) -> None:
    from ..factories import SlotHoldFactory

    make_waiver(org, owner)
    with scope(organization=org):
        services.settings_update(organization=org, actor=owner, enabled=True, require_waiver=True)
    hold = SlotHoldFactory(organization=org, coach=bookable["coach"], session_type=bookable["type"])
    response = login_as(client_user).get(reverse("booking:details", kwargs={"org_slug": org.slug,
                                                                            "token": hold.token}))
    html = response.content.decode()
    assert "Before booking, please sign Liability waiver." in html
    assert reverse("onboarding_portal:waiver", kwargs={"org_slug": org.slug}) in html


def test_the_pdf_is_in_the_signers_language_with_the_time_as_the_business_writes_it(
        org: Any, owner: Any, client_user: Any, client_record: Any) -> None:
    """A client who reads Spanish gets the record in Spanish; the exact UTC instant stays beside it."""
    from coachos.onboarding.pdf import signature_pdf

    client_user.language = "es"
    client_user.save(update_fields=["language"])
    template = make_waiver(org, owner)
    with time_machine.travel(datetime(2026, 12, 8, 15, 4, 5, tzinfo=UTC), tick=False), scope(organization=org):
        signature = sign(client_record, template.current_version(), typed_adopted=True)
        text = pdf_text(signature_pdf(signature))
    assert "Firmado por" in text and "Signed by" not in text
    assert "2026-12-08T15:04:05Z" in text
    assert "2026-12-08 " not in text  # no hand-made local timestamp any more
