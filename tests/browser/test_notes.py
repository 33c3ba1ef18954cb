"""The note editor in a real browser: autosave survives a reload; text typed with the connection down is
kept on the device, survives a reload and is sent once the connection is back; a change made elsewhere
is shown as a conflict, not overwritten."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from coachos.notes.models import Note
from coachos.notes.services import notes as services
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Role
from tests.factories import ClientFactory, OrganizationFactory, member

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def context_options() -> dict[str, Any]:
    """No service worker: the editor's own offline handling is under test, and Playwright's routes
    (which play the dropped connection) do not see requests a service worker makes."""
    from .conftest import DESKTOP

    return {**DESKTOP, "service_workers": "block"}


def text_of(note_id: int) -> str:
    with scopes_disabled():
        return Note.objects.get(pk=note_id).body_text


@pytest.fixture
def people(transactional_db: None) -> dict[str, Any]:
    org = OrganizationFactory(name="Northside Strength", slug="northside-notes", timezone="America/Chicago")
    coach = member(org, Role.COACH, email="jordan@example.com", name="Jordan Reyes")
    with scope(organization=org):
        client = ClientFactory(organization=org, first_name="Olivia", last_name="Martinez",
                               coach_membership=Membership.objects.get(user=coach))
    return {"org": org, "coach": coach, "client": client}


def test_autosave_survives_a_reload_and_an_offline_spell(live_server: Any, page: Page, people: dict[str, Any]):
    org, coach = people["org"], people["coach"]
    log_in(page, live_server.url, coach)
    page.goto(f"{live_server.url}/o/{org.slug}/notes/new/?client={people['client'].pk}")
    page.get_by_role("button", name="SOAP note").click()  # one click: the template's sections
    editor = page.get_by_role("textbox", name="Note")
    expect(editor.get_by_role("heading", name="Subjective")).to_be_visible()
    editor.press("Control+End")
    editor.press_sequentially("Squats felt easy today")
    status = page.locator("[data-note-status]")
    expect(status).to_contain_text("Saved at")
    page.wait_for_url(re.compile(r".*/notes/[0-9]+/$"))
    note_id = int(page.url.rstrip("/").rsplit("/", 1)[1])  # the first autosave made the note
    assert "Squats felt easy today" in text_of(note_id)

    page.reload()
    expect(page.get_by_role("textbox", name="Note")).to_contain_text("Squats felt easy today")
    expect(page.get_by_label("Title")).to_have_value("SOAP note")

    # The connection drops: typing goes on, nothing reaches the server, the device keeps it.
    page.route("**/autosave/", lambda route: route.abort())
    page.context.set_offline(True)
    editor = page.get_by_role("textbox", name="Note")
    editor.press("Control+End")
    editor.press_sequentially(" and no knee pain")
    expect(status).to_contain_text("offline")
    page.context.set_offline(False)
    expect(status).to_contain_text("Could not save just now")
    assert "no knee pain" not in text_of(note_id)

    # Leaving, the page tries once more with a beacon; the connection being down, it is lost too
    # (Playwright cannot intercept beacons, so the test makes it fail the way a dropped line would).
    page.evaluate("navigator.sendBeacon = () => false")
    page.reload()  # the page comes back; the autosave address still does not answer
    expect(page.get_by_role("textbox", name="Note")).to_contain_text("and no knee pain")  # from the device
    assert "no knee pain" not in text_of(note_id)
    expect(status).to_contain_text("kept on this device")

    page.unroute("**/autosave/")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_contain_text("Saved at")
    assert "Squats felt easy today and no knee pain" in text_of(note_id)
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_change_made_elsewhere_is_shown_not_overwritten(live_server: Any, page: Page, people: dict[str, Any]):
    org, coach = people["org"], people["coach"]
    with scope(organization=org):
        note = services.note_create(client=people["client"], actor=coach, title="Plan", body_html="<p>Start</p>")
    log_in(page, live_server.url, coach)
    page.goto(f"{live_server.url}/o/{org.slug}/notes/{note.pk}/")
    with scope(organization=org):  # another tab (or a colleague) saves first
        services.note_autosave(note=note, actor=coach, title="Plan", body_html="<p>Theirs</p>", base_version=1)
    editor = page.get_by_role("textbox", name="Note")
    editor.press("Control+End")
    editor.press_sequentially(" mine")
    conflict = page.locator("[data-note-conflict]")
    expect(conflict).to_contain_text("changed in another tab")
    assert text_of(note.pk) == "Theirs"
    conflict.get_by_role("button", name="Keep mine").click()
    expect(page.locator("[data-note-status]")).to_contain_text("Saved at")
    assert text_of(note.pk) == "Start mine"
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_toolbar_by_keyboard_and_a_link_without_the_browser_prompt(live_server: Any, page: Page,
                                                                       people: dict[str, Any]):
    org, coach = people["org"], people["coach"]
    with scope(organization=org):
        note = services.note_create(client=people["client"], actor=coach, title="Plan", body_html="<p>Read this</p>")
    log_in(page, live_server.url, coach)
    page.goto(f"{live_server.url}/o/{org.slug}/notes/{note.pk}/")
    toolbar = page.get_by_role("toolbar", name="Formatting")
    bold = toolbar.get_by_role("button", name="Bold")
    expect(bold).to_have_attribute("tabindex", "0")  # one tab stop for the whole toolbar
    expect(toolbar.get_by_role("button", name="Italic")).to_have_attribute("tabindex", "-1")
    bold.focus()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Italic")).to_be_focused()
    page.keyboard.press("End")
    expect(toolbar.get_by_role("button", name="To-do for me")).to_be_focused()
    page.keyboard.press("ArrowRight")  # wraps around
    expect(bold).to_be_focused()

    editor = page.get_by_role("textbox", name="Note")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Control+k")
    address = page.get_by_label("Link address (https://…)")
    expect(address).to_be_focused()
    address.fill("javascript:alert(1)")
    address.press("Enter")
    expect(page.locator("[data-link-error]")).to_contain_text("https://")
    address.fill("https://example.com/plan")
    address.press("Enter")
    expect(editor.locator("a[href='https://example.com/plan']")).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Note saved.")).to_be_visible()
    with scopes_disabled():
        assert 'href="https://example.com/plan"' in Note.objects.get(pk=note.pk).body_html
    # No script error. (The browser's own createLink may try an inline style, which the CSP refuses:
    # that is reported as a CSP problem and changes nothing in the saved, sanitized note.)
    assert [p for p in page.problems if "Content Security Policy" not in p] == []  # type: ignore[attr-defined]
