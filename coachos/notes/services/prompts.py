"""Journal prompts: the coach asks one client or several a question; each is told (comms: consent,
quiet hours and their preferences apply) and may answer it with an entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client, Tag
from coachos.clients.selectors import clients_visible_to
from coachos.comms import notify
from coachos.notes.errors import NotesError
from coachos.notes.kinds import JOURNAL_PROMPT
from coachos.notes.models import JournalPrompt, JournalPromptRecipient
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from .notes import team_reader

PROMPT_MAX = 500
RECIPIENTS_MAX = 500


@transaction.atomic
def journal_prompt_send(*, organization: Organization, actor: Any, text: str, clients: Sequence[Client] = (),
                        tag: Tag | None = None, now: datetime | None = None) -> JournalPrompt:
    """Send a prompt to these clients and to every client with ``tag`` (those the coach may see)."""
    now = now or timezone.now()
    reader = team_reader(actor, organization)
    text = " ".join(text.split())
    if not text or len(text) > PROMPT_MAX or "\x00" in text:
        raise NotesError(_("Write the prompt (at most %(n)d characters).") % {"n": PROMPT_MAX}, field="text")
    visible = clients_visible_to(reader.membership)
    wanted = {c.pk for c in clients}
    if wanted and visible.filter(pk__in=wanted).count() != len(wanted):
        raise NotesError(_("No such client in this business."), field="clients")
    if tag is not None:
        if tag.organization_id != organization.pk:
            raise NotesError(_("No such tag in this business."), field="tag")
        wanted |= set(visible.filter(tags=tag).values_list("pk", flat=True))
    if not wanted:
        raise NotesError(_("Choose who gets the prompt."), field="clients")
    if len(wanted) > RECIPIENTS_MAX:
        raise NotesError(_("At most %(n)d clients at once.") % {"n": RECIPIENTS_MAX}, field="clients")
    prompt = JournalPrompt.objects.create(organization=organization, author=actor, text=text, created_at=now)
    recipients = JournalPromptRecipient.objects.bulk_create([
        JournalPromptRecipient(organization=organization, prompt=prompt, client_id=pk, created_at=now)
        for pk in sorted(wanted)])
    coach_name = getattr(actor, "name", "") or organization.name
    for recipient, client in zip(recipients, Client.objects.filter(pk__in=sorted(wanted)).order_by("pk"),
                                 strict=True):
        notify.client(organization=organization, kind=JOURNAL_PROMPT, client=client,
                      context={"message": text, "coach_name": coach_name}, related=prompt,
                      dedupe_key=f"journal-prompt:{recipient.pk}")
    audit.log(organization=organization, actor=actor, action="journal_prompt.sent", obj=prompt,
              data={"clients": len(wanted)})
    return prompt
