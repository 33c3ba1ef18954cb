"""Note and journal templates: ordered sections (a heading and a hint each) a text starts from.

Every business gets the built-in ones on first use (``templates_seed``), worded in its language;
it may then change, add or stop offering templates. ``template_body`` turns sections into the
starting rich text (a heading per section, the hint in italics below it).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachos.notes.errors import FORBIDDEN, NotesError
from coachos.notes.models import NoteTemplate
from coachos.notes.readers import reader_for
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

SECTIONS_MAX = 20
HEADING_MAX = 120
HINT_MAX = 300
NAME_MAX = 120


@dataclass(frozen=True)
class Builtin:
    key: str
    kind: str
    name: Promise
    sections: tuple[tuple[Promise, Promise], ...]


BUILTINS: tuple[Builtin, ...] = (
    Builtin("soap", NoteTemplate.Kind.NOTE, gettext_lazy("SOAP note"), (
        (gettext_lazy("Subjective"), gettext_lazy("What the client tells you: how they feel, pain, sleep, stress.")),
        (gettext_lazy("Objective"), gettext_lazy("What you measured or saw: weights, reps, range of motion.")),
        (gettext_lazy("Assessment"), gettext_lazy("What it means: progress, limits, what changed.")),
        (gettext_lazy("Plan"), gettext_lazy("What happens next. Start a line with [ ] for a task for the client.")),
    )),
    Builtin("initial_assessment", NoteTemplate.Kind.NOTE, gettext_lazy("Initial assessment"), (
        (gettext_lazy("Goals"), gettext_lazy("What the client wants to achieve, and by when.")),
        (gettext_lazy("Health and history"), gettext_lazy("Injuries, conditions, medication, past training.")),
        (gettext_lazy("Current routine"), gettext_lazy("Activity, sleep, nutrition, schedule.")),
        (gettext_lazy("Baseline"), gettext_lazy("Starting measurements and test results.")),
        (gettext_lazy("Plan"), gettext_lazy("The first weeks' plan and how you will check progress.")),
    )),
    Builtin("session_review", NoteTemplate.Kind.NOTE, gettext_lazy("Session review"), (
        (gettext_lazy("What we did"), gettext_lazy("Exercises, loads, duration.")),
        (gettext_lazy("How it went"), gettext_lazy("Energy, form, anything that stood out.")),
        (gettext_lazy("Next time"), gettext_lazy("What to change or focus on.")),
        (gettext_lazy("Action items"), gettext_lazy("[ ] for a task for the client, [me] for a to-do of yours.")),
    )),
    Builtin("weekly_reflection", NoteTemplate.Kind.JOURNAL, gettext_lazy("Weekly reflection"), (
        (gettext_lazy("What went well"), gettext_lazy("Wins, big or small.")),
        (gettext_lazy("What was hard"), gettext_lazy("What got in the way.")),
        (gettext_lazy("Next week"), gettext_lazy("One thing to try.")),
    )),
    Builtin("after_session", NoteTemplate.Kind.JOURNAL, gettext_lazy("After a session"), (
        (gettext_lazy("How I felt"), gettext_lazy("Before, during and after.")),
        (gettext_lazy("What I learned"), gettext_lazy("A cue, an exercise, a habit.")),
    )),
    Builtin("gratitude", NoteTemplate.Kind.JOURNAL, gettext_lazy("Gratitude"), (
        (gettext_lazy("Three good things"), gettext_lazy("Anything you are glad about today.")),
    )),
)


def template_body(sections: Sequence[dict[str, Any]]) -> str:
    """The starting rich text of these sections (escaped: a heading is text, never markup)."""
    parts = []
    for section in sections:
        heading = html.escape(str(section.get("heading", "")), quote=False)
        hint = html.escape(str(section.get("hint", "")), quote=False)
        parts.append(f"<h3>{heading}</h3>" + (f"<p><em>{hint}</em></p>" if hint else "<p></p>"))
    return "".join(parts)


def clean_sections(raw: Any) -> list[dict[str, str]]:
    """Sections as stored: a list of ``{"heading", "hint"}`` with a heading each."""
    if not isinstance(raw, list) or not raw:
        raise NotesError(_("A template needs at least one section."), field="sections")
    if len(raw) > SECTIONS_MAX:
        raise NotesError(_("A template can have at most %(n)d sections.") % {"n": SECTIONS_MAX}, field="sections")
    cleaned = []
    for section in raw:
        heading = " ".join(str((section or {}).get("heading", "")).split()) if isinstance(section, dict) else ""
        hint = " ".join(str(section.get("hint", "")).split()) if isinstance(section, dict) else ""
        if not heading or len(heading) > HEADING_MAX or len(hint) > HINT_MAX or "\x00" in heading + hint:
            raise NotesError(_("Each section needs a heading of at most %(heading)d characters and a hint of at "
                               "most %(hint)d.") % {"heading": HEADING_MAX, "hint": HINT_MAX}, field="sections")
        cleaned.append({"heading": heading, "hint": hint})
    return cleaned


def templates_seed(*, organization: Organization) -> int:
    """Make the built-in templates the business does not have yet (in its language). Returns how many."""
    made = 0
    with translation.override(organization.locale or "en"):
        for position, builtin in enumerate(BUILTINS):
            if NoteTemplate.objects.filter(organization=organization, builtin_key=builtin.key).exists():
                continue
            try:
                with transaction.atomic():
                    NoteTemplate.objects.create(
                        organization=organization, kind=builtin.kind, name=str(builtin.name),
                        builtin_key=builtin.key, position=position,
                        sections=[{"heading": str(h), "hint": str(t)} for h, t in builtin.sections])
                    made += 1
            except IntegrityError:
                continue  # made at the same moment by another request
    return made


def _owner_or_coach(actor: Any, organization: Organization) -> None:
    reader = reader_for(user=actor, organization=organization)
    if reader is None or not reader.is_team or reader.membership.role not in ("owner", "coach"):
        raise NotesError(_("Only owners and coaches can change templates."), code=FORBIDDEN)


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX or "\x00" in name:
        raise NotesError(_("Give the template a name of at most %(n)d characters.") % {"n": NAME_MAX}, field="name")
    return name


@transaction.atomic
def template_create(*, organization: Organization, actor: Any, name: str, sections: Any,
                    kind: str = NoteTemplate.Kind.NOTE) -> NoteTemplate:
    _owner_or_coach(actor, organization)
    if kind not in NoteTemplate.Kind.values:
        raise NotesError(_("Unknown kind of template."), field="kind")
    template = NoteTemplate.objects.create(organization=organization, kind=kind, name=_clean_name(name),
                                           sections=clean_sections(sections), position=100)
    audit.log(organization=organization, actor=actor, action="note_template.created", obj=template)
    return template


@transaction.atomic
def template_update(*, template: NoteTemplate, actor: Any, name: str | None = None, sections: Any = None,
                    active: bool | None = None) -> NoteTemplate:
    _owner_or_coach(actor, template.organization)
    if name is not None:
        template.name = _clean_name(name)
    if sections is not None:
        template.sections = clean_sections(sections)
    if active is not None:
        template.active = active
    template.save()
    audit.log(organization=template.organization, actor=actor, action="note_template.updated", obj=template)
    return template
