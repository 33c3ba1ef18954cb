"""Chat in two browsers at once: a coach and a client, each in their own browser context, on the
project's ASGI server (pages, API and the events socket; see ``asgi_server``).

A message appears live on the other side, the read receipt comes back, typing shows, an image
uploads with a progress bar and arrives as a thumbnail, and a client who goes offline and comes back
catches up on what they missed — and the message they wrote while offline is sent once — with no
message shown twice.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from coachos.chat import services
from coachos.chat.models import Message, MessageReport
from coachos.tenancy.roles import Role
from tests.factories import (
    ChatMessageFactory,
    ClientFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    member,
)

from .conftest import DESKTOP, AsgiServer, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

RECORD_PROGRESS = """() => {
  window.progressSeen = [];
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of [change.target, ...change.addedNodes]) {
        if (node.tagName === 'PROGRESS') window.progressSeen.push(Number(node.value));
      }
    }
  }).observe(document.querySelector('[data-chat-uploads]'), {subtree: true, childList: true, attributes: true,
                                                             attributeFilter: ['value']});
}"""


@pytest.fixture
def people(transactional_db: None) -> dict[str, Any]:
    org = OrganizationFactory(name="Northside Strength", slug="northside-chat", timezone="America/Chicago")
    coach = UserFactory(name="Jordan Reyes")
    with scope(organization=org):
        membership = MembershipFactory(organization=org, user=coach, role=Role.COACH)
        maya_user = member(org, Role.CLIENT, name="Maya Lopez")
        maya = ClientFactory(organization=org, first_name="Maya", last_name="Lopez", user=maya_user,
                             coach_membership=membership)
        conversation, _created = services.conversation_get_or_create(client=maya)
    return {"org": org, "coach": coach, "maya": maya_user, "conversation": conversation}


@pytest.fixture
def open_page(browser: Browser, asgi_server: AsgiServer) -> Iterator[Callable[[Any, str], Page]]:
    """A page in a new browser context, logged in as that user, at that path; its script errors and
    CSP violations are collected on ``page.problems``."""
    contexts: list[BrowserContext] = []

    def open_as(user: Any, path: str) -> Page:
        context = browser.new_context(**DESKTOP)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.problems = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))  # type: ignore[attr-defined]
        page.on("console", lambda message: page.problems.append(message.text)  # type: ignore[attr-defined]
                if "Content Security Policy" in message.text else None)
        log_in(page, asgi_server.url, user)
        page.goto(asgi_server.url + path)
        expect(page.locator("html")).to_have_attribute("data-chat-socket", "open")
        return page

    yield open_as
    for context in contexts:
        context.close()


def noisy_png(width: int = 900, height: int = 700) -> bytes:
    """A photo-sized PNG (noise does not compress), so that the upload takes more than one step."""
    rng = random.Random(13)
    image = Image.frombytes("RGB", (width, height), bytes(rng.getrandbits(8) for _ in range(width * height * 3)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def messages_with(page: Page, text: str) -> Any:
    return page.locator("[data-chat-log] li.msg", has_text=text)


def shown_ids(page: Page) -> list[str]:
    return page.eval_on_selector_all("[data-chat-log] li.msg[data-id]", "items => items.map((li) => li.dataset.id)")


def test_coach_and_client_chat_live(people: dict[str, Any], open_page: Callable[[Any, str], Page]) -> None:
    org, conversation = people["org"], people["conversation"]
    coach = open_page(people["coach"], f"/o/{org.slug}/chat/{conversation.pk}/")
    maya = open_page(people["maya"], f"/portal/{org.slug}/chat/{conversation.pk}/")

    # Typing shows on the other side.
    maya.locator("[data-chat-body]").press_sequentially("Hi Jordan")
    expect(coach.locator("[data-chat-typing]")).to_have_text("Maya is typing…")

    # Enter sends; the message appears live for the coach; the coach's page reads it and the read
    # receipt comes back to Maya.
    maya.locator("[data-chat-body]").press_sequentially(", can we move Thursday?")
    maya.locator("[data-chat-body]").press("Enter")
    expect(messages_with(coach, "Hi Jordan, can we move Thursday?")).to_have_count(1)
    expect(coach.locator("[data-chat-typing]")).to_have_text("")
    mine = messages_with(maya, "Hi Jordan, can we move Thursday?")
    expect(mine).to_have_count(1)
    expect(mine.locator(".msg-state")).to_have_text("Read")
    expect(maya.locator("[data-chat-body]")).to_have_value("")

    # Shift+Enter is a new line, not a send.
    coach.locator("[data-chat-body]").press_sequentially("Sure.")
    coach.locator("[data-chat-body]").press("Shift+Enter")
    coach.locator("[data-chat-body]").press_sequentially("6 pm works: https://example.com/plan")
    expect(coach.locator("[data-chat-body]")).to_have_value("Sure.\n6 pm works: https://example.com/plan")
    coach.locator("[data-chat-body]").press("Enter")
    reply = messages_with(maya, "6 pm works")
    expect(reply).to_have_count(1)
    expect(reply.locator(".msg-sender")).to_have_text("Jordan")
    expect(reply.locator("a[href='https://example.com/plan']")).to_have_count(1)
    expect(messages_with(coach, "6 pm works").locator(".msg-state")).to_have_text("Read")

    # An image uploads with a progress bar, then goes with the next message as a thumbnail.
    coach.evaluate(RECORD_PROGRESS)
    coach.locator("[data-chat-file]").set_input_files(
        files=[{"name": "squat.png", "mimeType": "image/png", "buffer": noisy_png()}])
    upload = coach.locator("[data-chat-uploads] li.upload")
    expect(upload).to_have_class("upload done")
    expect(upload.locator("progress")).to_have_attribute("value", "100")
    seen = coach.evaluate("window.progressSeen")
    assert seen and max(seen) == 100, seen
    expect(coach.locator("[data-chat-send]")).to_be_enabled()
    coach.locator("[data-chat-send]").click()
    thumbnail = maya.locator("[data-chat-log] li.msg .msg-image img[alt='squat.png']")
    expect(thumbnail).to_have_count(1)
    expect(thumbnail).to_be_visible()
    maya.wait_for_function("document.querySelector(\"img[alt='squat.png']\").naturalWidth > 0")
    expect(coach.locator("[data-chat-uploads] li")).to_have_count(0)

    # Maya goes offline: she misses two messages and writes one that cannot go yet.
    maya.context.set_offline(True)
    expect(maya.locator("html")).to_have_attribute("data-chat-socket", "offline")
    for text in ("While you were away 1", "While you were away 2"):
        coach.locator("[data-chat-body]").fill(text)
        coach.locator("[data-chat-body]").press("Enter")
        expect(messages_with(coach, text)).to_have_count(1)
        expect(messages_with(coach, text)).not_to_have_class("msg mine pending")
    expect(messages_with(maya, "While you were away")).to_have_count(0)
    maya.locator("[data-chat-body]").fill("Written on the train")
    maya.locator("[data-chat-body]").press("Enter")
    offline_message = messages_with(maya, "Written on the train")
    expect(offline_message.locator(".msg-state")).to_contain_text("Not sent")
    expect(offline_message.get_by_role("button", name="Retry")).to_be_visible()

    # Back online: the socket reconnects, the page fetches what it missed and sends what waited.
    maya.context.set_offline(False)
    expect(maya.locator("html")).to_have_attribute("data-chat-socket", "open")
    expect(messages_with(maya, "While you were away 1")).to_have_count(1)
    expect(messages_with(maya, "While you were away 2")).to_have_count(1)
    expect(messages_with(coach, "Written on the train")).to_have_count(1)
    expect(offline_message.locator(".msg-state")).to_have_text("Read")
    expect(offline_message).to_have_count(1)

    with scope(organization=org):
        stored = list(Message.objects.filter(conversation=conversation).order_by("pk").values_list("pk", flat=True))
    assert len(stored) == 6
    for page in (maya, coach):
        ids = shown_ids(page)
        assert ids == [str(pk) for pk in stored], (ids, stored)  # each once, in order
        assert page.locator("[data-chat-log] li.msg.pending").count() == 0
        assert page.problems == []  # type: ignore[attr-defined]

    # The day heading is there once.
    expect(maya.locator("[data-chat-log] li.chat-day")).to_have_count(1)



def test_react_edit_delete_report_and_scroll_back(people: dict[str, Any],
                                                  open_page: Callable[[Any, str], Page]) -> None:
    org, conversation = people["org"], people["conversation"]
    coach_user, maya_user = people["coach"], people["maya"]
    start = timezone.now() - timedelta(days=2)
    with scope(organization=org):
        history = [ChatMessageFactory(conversation=conversation, sender=coach_user if i % 2 else maya_user,
                                      sender_client=None if i % 2 else conversation.client, body=f"History {i}",
                                      created_at=start + timedelta(minutes=i)) for i in range(70)]
    coach = open_page(coach_user, f"/o/{org.slug}/chat/{conversation.pk}/")
    maya = open_page(maya_user, f"/portal/{org.slug}/chat/{conversation.pk}/")

    # History: the latest 50 first; scrolling up brings the rest, and what was on screen stays put.
    log = coach.locator("[data-chat-log] li.msg")
    expect(log).to_have_count(50)
    anchor = coach.locator(f"#m-{history[20].pk}")  # the oldest message shown
    where = "li => li.getBoundingClientRect().top - li.closest('[data-chat-scroll]').getBoundingClientRect().top"
    at_the_top = anchor.evaluate(f"li => ({where})(li) + li.closest('[data-chat-scroll]').scrollTop")
    coach.eval_on_selector("[data-chat-scroll]", "n => { n.scrollTop = 0; }")
    expect(log).to_have_count(70)
    assert abs(anchor.evaluate(where) - at_the_top) <= 2  # still where it was on screen
    assert coach.eval_on_selector("[data-chat-scroll]", "n => n.scrollTop") > 500  # above it: the older ones
    assert len(set(shown_ids(coach))) == 70
    expect(coach.locator("[data-chat-older]")).to_have_count(0)  # nothing older left

    # A reaction shows on the other side.
    maya.locator("[data-chat-body]").fill("Is the 7 am slot free?")
    maya.locator("[data-chat-body]").press("Enter")
    question = messages_with(coach, "Is the 7 am slot free?")
    expect(question).to_have_count(1)
    question.hover()
    question.get_by_role("button", name="React").click()
    question.get_by_role("button", name="React with 👍").click()
    expect(messages_with(maya, "Is the 7 am slot free?").locator(".reaction")).to_have_text("👍 1")
    expect(question.locator(".reaction")).to_have_attribute("aria-pressed", "true")

    # Maya edits her message; the coach sees the new text, marked edited.
    mine = messages_with(maya, "Is the 7 am slot free?")
    mine.hover()
    mine.get_by_role("button", name="Edit").click()
    box = mine.locator(".msg-edit textarea")
    box.fill("Is the 6 am slot free?")
    box.press("Enter")
    changed = messages_with(coach, "Is the 6 am slot free?")
    expect(changed).to_have_count(1)
    expect(changed.locator(".msg-edited")).to_have_text("edited")

    # The coach answers, then deletes it: "Message deleted" on both sides.
    coach.locator("[data-chat-body]").fill("Oops, wrong client")
    coach.locator("[data-chat-body]").press("Enter")
    wrong = messages_with(coach, "Oops, wrong client")
    expect(wrong).not_to_have_class("msg mine pending")
    expect(messages_with(maya, "Oops, wrong client")).to_have_count(1)
    coach.once("dialog", lambda dialog: dialog.accept())
    wrong.hover()
    wrong.get_by_role("button", name="Delete").click()
    expect(messages_with(maya, "Oops, wrong client")).to_have_count(0)
    expect(maya.locator("[data-chat-log] li.msg.deleted .msg-deleted")).to_have_text("Message deleted")

    # Maya reports a message of the coach's.
    reported = maya.locator(f"#m-{history[69].pk}")
    reported.hover()
    reported.get_by_role("button", name="Report").click()
    dialog = maya.get_by_role("dialog", name="Report this message")
    expect(dialog).to_be_visible()
    dialog.get_by_label("What is wrong with it? (optional)").fill("Not appropriate")
    dialog.get_by_role("button", name="Report").click()
    expect(maya.locator("[data-chat-status]")).to_have_text("Thank you. The business owner will look at it.")
    with scope(organization=org):
        assert MessageReport.objects.get().message_id == history[69].pk

    # The emoji picker types into the message, by keyboard too.
    maya.get_by_role("button", name="Insert an emoji").click()
    picker = maya.locator("[data-chat-emoji-panel]")
    expect(picker).to_be_visible()
    maya.keyboard.press("ArrowRight")
    maya.keyboard.press("Enter")
    expect(picker).to_be_hidden()
    expect(maya.locator("[data-chat-body]")).to_have_value("😃")
    for page in (maya, coach):
        assert page.problems == []  # type: ignore[attr-defined]
