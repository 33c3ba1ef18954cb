"""Every write of waivers, intake forms and onboarding, and the booking gate.

A signature keeps the exact text signed and its SHA-256, the client's IP and browser; a signed
waiver version is frozen (here and in the model's save). Answers keep each question's label as
asked.

Signing: the client types their full name (it must match the name on their record) and draws a
signature (a PNG from the canvas, checked here: a real PNG, small, not blank). A person who
cannot draw (keyboard, screen reader) chooses the accessible alternative instead: their typed
name is adopted as their signature. The record says which (``method``: drawn / typed_adopted).
"""

from __future__ import annotations

import io
import logging
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.common import events, formats
from coachos.credits.models import PackagePlan
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from . import selectors
from .models import (
    FrozenError,
    IntakeForm,
    IntakeQuestion,
    IntakeResponse,
    OnboardingProgress,
    OnboardingSettings,
    WaiverSignature,
    WaiverTemplate,
    WaiverVersion,
    sha256_text,
)
from .selectors import Step

logger = logging.getLogger(__name__)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 200 * 1024
MAX_SIGNATURE_PIXELS = 4000 * 4000
# A drawing needs this many dark pixels to be a signature: an empty canvas has none, a stray
# tap leaves a dot of a few.
MIN_INK_PIXELS = 20


class OnboardingError(Exception):
    """A change that cannot be made; the message is for people. ``field`` names the form field
    the message belongs to, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- settings ---------------------------------------------------------------------------------

def settings_for(organization: Organization) -> OnboardingSettings:
    found, _created = OnboardingSettings.objects.get_or_create(organization=organization)
    return found


def check_package_settings(*, organization: Organization, package_step: str, plans: list[PackagePlan]) -> None:
    if package_step not in OnboardingSettings.PackageStep.values:
        raise OnboardingError(_("Choose whether clients buy a package during onboarding."), field="package_step")
    for plan in plans:
        if plan.organization_id != organization.pk:
            raise OnboardingError(_("That package belongs to another business."), field="package_plans")
        if not plan.active or plan.price_minor <= 0:
            raise OnboardingError(_("%(name)s is not on sale, so it cannot be offered.") % {"name": plan.name},
                                  field="package_plans")
    if package_step != OnboardingSettings.PackageStep.OFF and not plans:
        raise OnboardingError(_("Choose at least one package to offer."), field="package_plans")


@transaction.atomic
def settings_update(*, organization: Organization, actor: Any, enabled: bool, require_waiver: bool,
                    package_step: str | None = None, package_plans: list[Any] | None = None) -> OnboardingSettings:
    """``package_step`` (off / offer / require) and ``package_plans`` (on sale, this business's)
    are left as they are when not given."""
    current = settings_for(organization)
    data: dict[str, Any] = {"enabled": enabled, "require_waiver": require_waiver}
    if package_step is not None or package_plans is not None:
        package_step = current.package_step if package_step is None else package_step
        plans = list(current.package_plans.all()) if package_plans is None else list(package_plans)
        check_package_settings(organization=organization, package_step=package_step, plans=plans)
        current.package_step = package_step
        data.update(package_step=package_step, package_plans=sorted(p.pk for p in plans))
    current.enabled = enabled
    current.require_waiver = require_waiver
    current.save(update_fields=["enabled", "require_waiver", "package_step"])
    if "package_plans" in data:
        current.package_plans.set(plans)
    audit.log(organization=organization, actor=actor, action="onboarding.settings_updated", obj=current, data=data)
    return current


# --- waivers ----------------------------------------------------------------------------------

@transaction.atomic
def waiver_template_create(*, organization: Organization, actor: Any, title: str, text: str,
                           required: bool = True) -> WaiverTemplate:
    if not text.strip():
        raise OnboardingError(_("A waiver needs its text."))
    template = WaiverTemplate.objects.create(organization=organization, title=title.strip(), required=required)
    version = WaiverVersion.objects.create(organization=organization, template=template, number=1, text=text,
                                           created_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.log(organization=organization, actor=actor, action="waiver.created", obj=template,
              data={"version": version.number})
    return template


@transaction.atomic
def waiver_template_update(*, template: WaiverTemplate, actor: Any, title: str, text: str, active: bool,
                           required: bool) -> WaiverTemplate:
    """Change the title and flags in place; a change of wording always adds a version, so what
    anyone signed stays exactly as they signed it."""
    template = WaiverTemplate.objects.select_for_update().get(pk=template.pk)
    if not text.strip():
        raise OnboardingError(_("A waiver needs its text."))
    template.title, template.active, template.required = title.strip(), active, required
    template.save(update_fields=["title", "active", "required"])
    current = template.current_version()
    if current is None or current.text != text:
        number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        WaiverVersion.objects.create(organization=template.organization, template=template, number=number,
                                     text=text,
                                     created_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.log(organization=template.organization, actor=actor, action="waiver.updated", obj=template,
              data={"version": template.current_version().number})  # type: ignore[union-attr]
    return template


def waiver_version_update(*, version: WaiverVersion, text: str) -> WaiverVersion:
    """Correct an unsigned version's wording; a signed one is refused."""
    if version.has_signatures():
        raise OnboardingError(_("This version has been signed, so it cannot change. Edit the waiver to add a new version."))
    version.text = text
    version.save()
    return version


def waiver_version_delete(*, version: WaiverVersion) -> None:
    if version.has_signatures():
        raise OnboardingError(_("This version has been signed, so it cannot be deleted."))
    version.delete()


def waivers_current(organization: Organization) -> list[WaiverVersion]:
    """The latest version of each active required waiver."""
    return selectors.current_waivers(organization)


def waivers_missing(client: Client) -> list[WaiverVersion]:
    signed = set(WaiverSignature.objects.filter(client=client).values_list("version_id", flat=True))
    return [v for v in waivers_current(client.organization) if v.pk not in signed]


def assert_can_book(client: Client) -> None:
    """The booking gate: with "require a waiver" on, a client without a signature of every
    current waiver cannot book (the coach's own calendar bookings are exempt: they don't call this)."""
    from coachos.scheduling.services.errors import SchedulingError

    setting = OnboardingSettings.objects.filter(organization_id=client.organization_id).first()
    if setting is None or not setting.require_waiver:
        return
    missing = waivers_missing(client)
    if missing:
        raise SchedulingError(
            _("Please sign %(title)s before booking: log in to your portal and open Onboarding → Waiver.")
            % {"title": missing[0].template.title},
            "waiver_required",
        )


def waiver_sign_url(organization: Organization) -> str:
    return reverse("onboarding_portal:waiver", kwargs={"org_slug": organization.slug})


def _again(message: str) -> OnboardingError:
    return OnboardingError(message, field="signature")


def _validate_png(data: bytes) -> None:
    """A drawn signature: a PNG of at most 200 KB that Pillow decodes, with some ink on it."""
    if len(data) > MAX_SIGNATURE_BYTES:
        raise _again(_("The signature image is too large (over 200 KB). Please clear it and sign again."))
    if not data.startswith(PNG_MAGIC):
        raise _again(_("The signature image is not a PNG. Please clear it and sign again."))
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG" or image.width * image.height > MAX_SIGNATURE_PIXELS:
                raise _again(_("The signature image is not usable. Please clear it and sign again."))
            image.verify()
        # verify() leaves the image unusable; decode it again, this time every pixel.
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            ink = _ink_pixels(image)
    except OnboardingError:
        raise
    except Exception as exc:  # Pillow raises many kinds for a broken file
        raise _again(_("The signature image is damaged. Please clear it and sign again.")) from exc
    if ink < MIN_INK_PIXELS:
        raise _again(_("The signature box is empty. Draw your signature in the box, or choose "
                       "“I can't draw a signature” to sign with your typed name."))


def _ink_pixels(image: Any) -> int:
    """Pixels that differ from the background: the image laid on white, in grey levels; a
    one-colour image (all transparent, all white, all black) has none."""
    from PIL import Image

    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(white, rgba).convert("L")
    low, high = grey.getextrema()
    if low == high:
        return 0
    histogram = grey.histogram()
    return sum(histogram[:200])


def same_name(typed: str, expected: str) -> bool:
    """The name as typed against the one on record: case, extra spaces and Unicode forms aside."""
    def norm(value: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", value).split()).casefold()

    return bool(norm(typed)) and norm(typed) == norm(expected)


@transaction.atomic
def waiver_sign(*, client: Client, version: WaiverVersion, full_name: str, agreed: bool,
                signature_png: bytes | None, ip: str | None, user_agent: str, actor: Any,
                typed_adopted: bool = False, now: datetime | None = None) -> WaiverSignature:
    """Record a signature of exactly this version's text: the typed full name and a drawn
    signature, or (``typed_adopted``, the accessible alternative) the typed name adopted as the
    signature, in which case a drawing is not kept. Checks everything before writing, so bad
    input leaves no row and no file."""
    full_name = " ".join(full_name.split())
    if not full_name:
        raise OnboardingError(_("Type your full name to sign."), field="full_name")
    if not same_name(full_name, client.full_name):
        raise OnboardingError(
            _("Type your full name as it is on your details: %(name)s. If it is wrong, correct it under "
              "“Your details” first.") % {"name": client.full_name}, field="full_name")
    if not agreed:
        raise OnboardingError(_("Tick “I agree” to sign."), field="agree")
    if version.organization_id != client.organization_id:
        raise OnboardingError(_("This waiver is not from this business."))
    latest = version.template.current_version()
    if latest is None or latest.pk != version.pk:
        raise OnboardingError(_("This waiver has been updated. Please read the new version and sign again."))
    if sha256_text(version.text) != version.text_sha256:
        logger.error("waiver version text does not match its hash", extra={"version": version.pk})
        raise OnboardingError(_("This waiver cannot be signed right now. Please tell your coach."))
    png = None if typed_adopted else signature_png
    if not typed_adopted:
        if not png:
            raise _again(_("Draw your signature in the box, or choose “I can't draw a signature” to sign "
                           "with your typed name."))
        _validate_png(png)
    signature = WaiverSignature(
        organization=client.organization, client=client, version=version, full_name=full_name[:150],
        method=WaiverSignature.Method.TYPED_ADOPTED if typed_adopted else WaiverSignature.Method.DRAWN,
        signed_text=version.text, text_sha256=sha256_text(version.text), signed_at=now or timezone.now(),
        ip=ip or None, user_agent=(user_agent or "")[:400],
        signed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if png:
        # The file is written only once all checks passed; if the insert then fails, remove it.
        signature.signature.save("signature.png", ContentFile(png), save=False)
        try:
            signature.save()
        except Exception:
            signature.signature.delete(save=False)
            raise
    else:
        signature.save()
    audit.log(organization=client.organization, actor=actor, action="waiver.signed", obj=signature,
              data={"version": version.pk, "client": client.pk, "method": signature.method})
    _mark(client, "waiver_done_at", when=signature.signed_at, only_if=not waivers_missing(client))
    events.emit("waiver.signed", organization=client.organization, client=client, obj=signature,
                data={"version": version.pk})
    return signature


def waiver_pdf(signature: WaiverSignature) -> bytes:
    from .pdf import signature_pdf

    return signature_pdf(signature)


# --- intake forms -----------------------------------------------------------------------------

def intake_form_save(*, organization: Organization, actor: Any, form: IntakeForm | None, title: str,
                     description: str, active: bool, onboarding: bool) -> IntakeForm:
    if form is None:
        form = IntakeForm(organization=organization)
    form.title, form.description, form.active, form.onboarding = title.strip(), description, active, onboarding
    form.save()
    audit.log(organization=organization, actor=actor, action="intake_form.saved", obj=form)
    return form


def _clean_options(kind: str, options: list[str]) -> list[str]:
    cleaned = []
    for option in options:
        option = option.strip()
        if option and option not in cleaned:
            cleaned.append(option[:100])
    if kind in IntakeQuestion.CHOICE_KINDS and len(cleaned) < 2:
        raise OnboardingError(_("A choice question needs at least two options, one per line."))
    return cleaned if kind in IntakeQuestion.CHOICE_KINDS else []


@transaction.atomic
def intake_question_save(*, form: IntakeForm, actor: Any, question: IntakeQuestion | None, label: str,
                         kind: str, required: bool, options: list[str], help_text: str = "") -> IntakeQuestion:
    if kind not in IntakeQuestion.Kind.values:
        raise OnboardingError(_("Choose a kind of answer."))
    if not label.strip():
        raise OnboardingError(_("Write the question."))
    cleaned = _clean_options(kind, options)
    if question is None:
        last = form.questions.aggregate(n=Max("order"))["n"]
        question = IntakeQuestion(organization=form.organization, form=form, order=(last or 0) + 1)
    question.label, question.kind, question.required = label.strip(), kind, required
    question.options, question.help_text = cleaned, help_text.strip()
    question.save()
    audit.log(organization=form.organization, actor=actor, action="intake_question.saved", obj=question)
    return question


@transaction.atomic
def intake_question_delete(*, question: IntakeQuestion, actor: Any) -> None:
    audit.log(organization=question.organization, actor=actor, action="intake_question.deleted", obj=question)
    question.delete()


@transaction.atomic
def intake_question_move(*, question: IntakeQuestion, actor: Any, direction: int) -> None:
    """Swap with the neighbour above (-1) or below (+1); orders are renumbered 1..n."""
    questions = list(IntakeQuestion.objects.select_for_update().filter(form_id=question.form_id)
                     .order_by("order", "id"))
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    target = index + (1 if direction > 0 else -1)
    if 0 <= target < len(questions):
        questions[index], questions[target] = questions[target], questions[index]
    for position, item in enumerate(questions, start=1):
        if item.order != position:
            item.order = position
            item.save(update_fields=["order"])


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    return value


def intake_response_submit(*, client: Client, form: IntakeForm, cleaned: dict[str, Any], actor: Any,
                           now: datetime | None = None) -> IntakeResponse:
    """Store validated answers (``cleaned`` from forms.IntakeFillForm: ``q_<id>`` → value)."""
    if form.organization_id != client.organization_id:
        raise OnboardingError(_("This form is not from this business."))
    answers = []
    for question in form.questions.all():
        value = cleaned.get(f"q_{question.pk}")
        answers.append({"question": question.pk, "label": question.label, "kind": question.kind,
                        "value": _jsonable(value)})
    response = IntakeResponse.objects.create(organization=client.organization, client=client, form=form,
                                             answers=answers, submitted_at=now or timezone.now(),
                                             submitted_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.log(organization=client.organization, actor=actor, action="intake_form.submitted", obj=response,
              data={"form": form.pk, "client": client.pk})
    _mark(client, "forms_done_at", when=response.submitted_at, only_if=not forms_missing(client))
    return response


def display_answer(answer: dict[str, Any]) -> str:
    value = answer.get("value")
    if value is None or value == "" or value == []:
        return "—"
    if answer.get("kind") == IntakeQuestion.Kind.YESNO:
        return str(_("Yes") if value is True else _("No") if value is False else "—")
    if answer.get("kind") == IntakeQuestion.Kind.DATE:
        try:
            return formats.format_date(date.fromisoformat(value), style="long")
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def onboarding_forms(organization: Organization) -> list[IntakeForm]:
    return selectors.onboarding_forms(organization)


def forms_missing(client: Client) -> list[IntakeForm]:
    done = set(IntakeResponse.objects.filter(client=client).values_list("form_id", flat=True))
    return [f for f in onboarding_forms(client.organization) if f.pk not in done]


# --- onboarding flow --------------------------------------------------------------------------

PROFILE_FIELDS = ("first_name", "last_name", "phone", "birthday", "emergency_contact_name",
                  "emergency_contact_phone", "sms_consent", "email_consent")


def profile_fields() -> list[str]:
    """Only the fields the client record has (others may land later)."""
    names = {f.name for f in Client._meta.get_fields()}
    return [name for name in PROFILE_FIELDS if name in names]


def progress_for(client: Client) -> OnboardingProgress:
    found, _created = OnboardingProgress.objects.get_or_create(client=client,
                                                               defaults={"organization": client.organization})
    return found


def _mark(client: Client, field: str, *, when: datetime | None = None, only_if: bool = True) -> None:
    if not only_if:
        return
    progress = progress_for(client)
    if getattr(progress, field) is None:
        setattr(progress, field, when or timezone.now())
        progress.save(update_fields=[field, "updated_at"])


@transaction.atomic
def profile_save(*, client: Client, data: dict[str, Any], actor: Any) -> Client:
    # Compare with the stored row: a bound ModelForm has already copied its data onto ``client``.
    client = Client.objects.select_for_update().get(pk=client.pk)
    changed = [name for name in profile_fields() if name in data and getattr(client, name) != data[name]]
    for name in changed:
        setattr(client, name, data[name])
    stamped = []
    for kind in ("sms", "email"):  # the client's own consent, with when it was given
        if f"{kind}_consent" in changed:
            setattr(client, f"{kind}_consent_at", timezone.now() if getattr(client, f"{kind}_consent") else None)
            stamped.append(f"{kind}_consent_at")
    if changed:
        client.save(update_fields=[*changed, *stamped, "updated_at"])
    audit.log(organization=client.organization, actor=actor, action="onboarding.profile_saved", obj=client,
              data={"fields": changed})
    _mark(client, "profile_done_at")
    return client


def steps_for(client: Client) -> list[Step]:
    """The client's steps (see ``selectors.build_steps``). A booking or a paid package found
    here is stamped on the progress row, so the step stays done."""
    progress = progress_for(client)
    org = selectors.org_facts(client.organization)
    facts = selectors.client_facts(client, org, progress)
    if progress.booking_done_at is None and facts.has_booking:
        _mark(client, "booking_done_at")
    if progress.package_done_at is None and facts.has_paid_package:
        _mark(client, "package_done_at")
    return selectors.build_steps(org, facts)


def next_step(client: Client) -> Step | None:
    return next((s for s in steps_for(client) if not s.done), None)


def stuck_label(client: Client, steps: list[Step]) -> str:
    """Where a client is, in the coach's words: the first step not done."""
    return selectors.stuck_label(steps)


def onboarding_overview(organization: Organization) -> list[dict[str, Any]]:
    """Each client with a login or an invitation, and where they are (constant query count)."""
    return selectors.onboarding_overview(organization)


__all__ = ["FrozenError", "OnboardingError"]
