"""A client may switch the journal's messages (a coach's prompt, the goal reminder) and chat's "new
messages in the app" on or off on the portal's notification settings, like their booking reminders:
comms offers the kinds other apps register (``notifications.register_client_kind``), never importing
them. The choice is kept, and a prompt then comes only the way the client still wants it."""

from __future__ import annotations

import pytest
from django_scopes import scope

from coachos.comms import notifications
from coachos.comms.models import Notification, NotificationPreference, OutboundMessage
from coachos.notes.services.prompts import journal_prompt_send
from tests.conftest import login_as

from .conftest import Person

pytestmark = pytest.mark.django_db


def test_the_client_settings_offer_the_journal_and_chat_kinds_and_the_team_ones_do_not(org, owner,
                                                                                      olivia: Person) -> None:
    keys = [kind.key for kind in notifications.preference_kinds(notifications.CLIENT)]
    assert {"journal_prompt", "journal_reminder", "chat_message_client", "reminder_24h"} <= set(keys)
    assert keys.index("reminder_24h") < keys.index("journal_prompt")  # comms' own first
    assert "journal_prompt" not in [k.key for k in notifications.preference_kinds(notifications.TEAM)]
    page = login_as(olivia.user).get(f"/portal/{org.slug}/notifications/settings/").content.decode()
    for key in ("journal_prompt", "journal_reminder", "chat_message_client"):
        assert f'value="{key}:email"' in page and f'value="{key}:in_app"' in page
    assert "A journal prompt from your coach" in page and "Journal goal reminder" in page
    team_page = login_as(owner).get(f"/o/{org.slug}/notifications/settings/").content.decode()
    assert "journal_prompt:" not in team_page


def test_a_client_who_switched_prompt_emails_off_gets_the_prompt_in_the_portal_only(org, coach: Person,
                                                                                    olivia: Person) -> None:
    browser = login_as(olivia.user)
    keep = [f"{kind.key}:{via}" for kind in notifications.preference_kinds(notifications.CLIENT)
            for via in ("in_app", "email")]
    keep.remove("journal_prompt:email")
    assert browser.post(f"/portal/{org.slug}/notifications/settings/", {"on": keep}).status_code == 302
    with scope(organization=org):
        saved = set(NotificationPreference.objects.filter(user=olivia.user, kind="journal_prompt")
                    .values_list("via", "enabled"))
        assert saved == {("email", False)}
        prompt = journal_prompt_send(organization=org, actor=coach.user, text="How was the week?",
                                     clients=[olivia.client])
        sent = list(OutboundMessage.objects.filter(kind="journal_prompt", client=olivia.client)
                    .values_list("channel", "status"))
        # Nothing goes out (the business has no text number here): one row says the client switched it off.
        assert [status for _channel, status in sent] == [OutboundMessage.Status.SUPPRESSED]
        assert Notification.objects.filter(user=olivia.user, kind="journal_prompt").count() == 1
    assert prompt.pk


def test_registering_a_kind_twice_or_one_of_comms_own_changes_nothing() -> None:
    before = notifications.client_kinds()
    notifications.register_client_kind("journal_prompt")
    notifications.register_client_kind("reminder_24h")
    assert notifications.client_kinds() == before
    assert before.count("journal_prompt") == 1
