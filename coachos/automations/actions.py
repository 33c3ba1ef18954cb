"""What an automation can do, and the schema its ``actions`` list is checked against.

An action is a small dict, stored in order on the automation::

    {"type": "send_sms", "message_kind": "automation", "text": "Hi {client_first_name}…"}
    {"type": "send_email", "message_kind": "low_credits"}
    {"type": "add_tag", "tag": "Win-back"}          {"type": "remove_tag", "tag": "New"}
    {"type": "create_todo", "title": "Call {client_name}", "due_in_days": 1}
    {"type": "notify_team", "text": "Someone to call today"}

``clean_actions`` is the one validator (pages and API); it returns the stored form with only
the keys each type uses.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coachos.comms import catalog

SEND_SMS, SEND_EMAIL = "send_sms", "send_email"
ADD_TAG, REMOVE_TAG = "add_tag", "remove_tag"
CREATE_TODO, NOTIFY_TEAM = "create_todo", "notify_team"

TYPES: dict[str, Any] = {
    SEND_SMS: gettext_lazy("Send an SMS"),
    SEND_EMAIL: gettext_lazy("Send an email"),
    ADD_TAG: gettext_lazy("Add a tag"),
    REMOVE_TAG: gettext_lazy("Remove a tag"),
    CREATE_TODO: gettext_lazy("Create a to-do for the coach"),
    NOTIFY_TEAM: gettext_lazy("Notify the coach"),
}
MESSAGE_TYPES = (SEND_SMS, SEND_EMAIL)
# Actions done once per run (not once per client).
RUN_LEVEL = (NOTIFY_TEAM,)

# The message an SMS or email action sends: your own words, or one of the messaging templates.
OWN_TEXT = "automation"
PROMOTION = "promotion"
MESSAGE_KINDS: dict[str, Any] = {
    OWN_TEXT: gettext_lazy("Your own text"),
    PROMOTION: gettext_lazy("Your own text, as news and offers (needs consent to promotional email)"),
    "low_credits": gettext_lazy("Template: Low credits"),
    "follow_up": gettext_lazy("Template: Follow-up after a session"),
}
TEXT_KINDS = (OWN_TEXT, PROMOTION)

MAX_ACTIONS = 10
SMS_MAX, EMAIL_MAX, SUBJECT_MAX, TITLE_MAX, NOTE_MAX = 1000, 5000, 200, 200, 500
TAG_MAX = 40


def register_message_kinds() -> None:
    """The kinds automations send, in the messaging catalog (so the outbox page can name them)."""
    if OWN_TEXT not in catalog.KINDS:
        catalog.register(catalog.Kind(
            OWN_TEXT, gettext_lazy("Automation message"), sms="{message}",
            subject="A message from {business_name}", email="{message}\n\n{business_name}"))
    if "automation_notice" not in catalog.KINDS:
        catalog.register(catalog.Kind(
            "automation_notice", gettext_lazy("An automation ran"), audience="team", subject="{message}",
            notify_default=("in_app",)))


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(key)
    if "\x00" in value:
        raise ValueError(key)
    return value.strip()


def _clean_one(raw: Any, number: int) -> dict[str, Any]:
    def bad(message: str) -> ValidationError:
        return ValidationError({"actions": [_("Action %(n)d: %(message)s") % {"n": number, "message": message}]})

    if not isinstance(raw, dict):
        raise bad(_("not an action."))
    kind = raw.get("type")
    if kind not in TYPES:
        raise bad(_("choose what it does (%(types)s).") % {"types": ", ".join(TYPES)})
    try:
        text, subject, tag, title = (_text(raw, k) for k in ("text", "subject", "tag", "title"))
    except ValueError as exc:
        raise bad(_("“%(field)s” must be plain text.") % {"field": exc.args[0]}) from None
    if kind in MESSAGE_TYPES:
        message_kind = raw.get("message_kind") or OWN_TEXT
        if message_kind not in MESSAGE_KINDS:
            raise bad(_("choose a message (%(kinds)s).") % {"kinds": ", ".join(MESSAGE_KINDS)})
        action: dict[str, Any] = {"type": kind, "message_kind": message_kind}
        if message_kind in TEXT_KINDS:
            limit = SMS_MAX if kind == SEND_SMS else EMAIL_MAX
            if not text:
                raise bad(_("write the text of the message."))
            if len(text) > limit:
                raise bad(_("the text has at most %(n)d characters.") % {"n": limit})
            unknown = catalog.unknown_variables(text + " " + subject)
            if unknown:
                raise bad(ngettext("unknown placeholder: %(names)s. Use e.g. {client_first_name}.",
                                   "unknown placeholders: %(names)s. Use e.g. {client_first_name}.", len(unknown))
                          % {"names": ", ".join("{" + n + "}" for n in unknown)})
            action["text"] = text
            if kind == SEND_EMAIL:
                if len(subject) > SUBJECT_MAX:
                    raise bad(_("the subject has at most %(n)d characters.") % {"n": SUBJECT_MAX})
                action["subject"] = subject
        return action
    if kind in (ADD_TAG, REMOVE_TAG):
        tag = " ".join(tag.split())
        if not tag:
            raise bad(_("name the tag."))
        if len(tag) > TAG_MAX:
            raise bad(_("a tag name has at most %(n)d characters.") % {"n": TAG_MAX})
        return {"type": kind, "tag": tag}
    if kind == CREATE_TODO:
        if not title:
            raise bad(_("write what the coach should do."))
        if len(title) > TITLE_MAX:
            raise bad(_("a to-do has at most %(n)d characters.") % {"n": TITLE_MAX})
        unknown = catalog.unknown_variables(title)
        if unknown:
            raise bad(ngettext("unknown placeholder: %(names)s.", "unknown placeholders: %(names)s.", len(unknown))
                      % {"names": ", ".join("{" + n + "}" for n in unknown)})
        days = raw.get("due_in_days", 0)
        if days in (None, ""):
            days = 0
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 365:
            raise bad(_("the to-do is due in 0 to 365 days."))
        return {"type": kind, "title": title, "due_in_days": days}
    # notify_team
    if len(text) > NOTE_MAX:
        raise bad(_("the note has at most %(n)d characters.") % {"n": NOTE_MAX})
    return {"type": kind, "text": text}


def clean_actions(raw: Any) -> list[dict[str, Any]]:
    """The stored list, or ValidationError on ``actions`` naming the action (1-based)."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError({"actions": [_("Add at least one action.")]})
    if len(raw) > MAX_ACTIONS:
        raise ValidationError({"actions": [_("At most %(n)d actions.") % {"n": MAX_ACTIONS}]})
    return [_clean_one(item, number) for number, item in enumerate(raw, start=1)]


def describe(action: dict[str, Any]) -> str:
    """One line for people: “Send an SMS: Your own text”."""
    label = str(TYPES.get(action.get("type", ""), action.get("type", "")))
    kind = action.get("type")
    if kind in MESSAGE_TYPES:
        detail = str(MESSAGE_KINDS.get(action.get("message_kind", ""), ""))
        text = action.get("text", "")
        if text:
            detail = "“" + (text if len(text) <= 60 else text[:57] + "…") + "”"
        return f"{label}: {detail}"
    if kind in (ADD_TAG, REMOVE_TAG):
        return f"{label}: {action.get('tag', '')}"
    if kind == CREATE_TODO:
        return f"{label}: {action.get('title', '')}"
    return label
