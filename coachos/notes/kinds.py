"""Notes' messages in the comms catalog: their wording, their names on the outbox page, preferences."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coachos.comms import catalog

JOURNAL_PROMPT = "journal_prompt"
JOURNAL_REMINDER = "journal_reminder"
LOW_RATING = "session_low_rating"


def register() -> None:
    kinds = (
        catalog.Kind(JOURNAL_PROMPT, _("A journal prompt from your coach"),
                     sms=_("{business_name}: {coach_name} asks: {message} Answer in your journal: {link}"),
                     subject=_("A question from {coach_name}"),
                     email=_("Hi {client_first_name},\n\n{coach_name} asks:\n\n{message}\n\nAnswer it in your "
                             "journal: {link}\n\n{business_name}")),
        # Gentle, once a week at most, and only for a client who set a goal and asked to be reminded.
        catalog.Kind(JOURNAL_REMINDER, _("Journal goal reminder"),
                     subject=_("A moment for your journal?"),
                     email=_("Hi {client_first_name},\n\n{message}\n\nWrite an entry: {link}\n\n"
                             "(You set this goal yourself; change or remove it in your journal.)\n\n"
                             "{business_name}")),
        catalog.Kind(LOW_RATING, _("A client rated a session low"), audience="team", subject="{message}",
                     notify_default=("in_app", "email")),
    )
    for kind in kinds:
        if kind.key not in catalog.KINDS:
            catalog.register(kind)
