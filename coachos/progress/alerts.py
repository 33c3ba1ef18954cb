"""Celebrating achievements: a goal achieved rings the coach's bell and congratulates the client.

- The team: a bell entry for each member who may see the client (a coach the owner limited to their own
  clients hears only of theirs), email or text as each chose (``goal_achieved_team``: in-app only by
  default). Whoever marked the goal achieved by hand is not told what they just did.
- The client: a bell entry in the portal (when they have a login) and an email, as their notification
  preferences allow (``goal_achieved``); quiet hours hold the email like any other.

Both are written in the transaction that achieved the goal (``goal.achieved``, emitted once per
achievement by the services): they commit or roll back with it. Dedupe keys name the goal, so a goal
is celebrated once — reopened and achieved again, it is not celebrated twice.

The monthly report's email kind (``progress_report``) is declared here too, with the others.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from coachos.clients.models import Client
from coachos.common import events
from coachos.comms import catalog, notifications, notify
from coachos.comms.context import absolute

from .models import Goal

logger = logging.getLogger("coachos.progress")

TEAM_KIND = "goal_achieved_team"
CLIENT_KIND = "goal_achieved"
REPORT_KIND = "progress_report"


def register_kinds() -> None:
    """Progress's messages in the comms catalog: their wording, names on the outbox page, and the
preferences (the client may switch the congratulations and the monthly report off)."""
    kinds = (
        catalog.Kind(TEAM_KIND, gettext_lazy("A client achieved a goal"), audience="team",
                     subject=gettext_lazy("{client_name} achieved a goal: {message}"), notify_default=("in_app",)),
        catalog.Kind(CLIENT_KIND, gettext_lazy("Goal achieved"),
                     subject=gettext_lazy("Congratulations! You reached your goal: {message}"),
                     email=gettext_lazy("Hi {client_first_name},\n\nYou reached your goal “{message}”. Well done: "
                                        "that took work.\n\nSee your progress: {link}\n\n{business_name}")),
        catalog.Kind(REPORT_KIND, gettext_lazy("Monthly progress report"),
                     subject=gettext_lazy("Your progress in {month}"),
                     email=gettext_lazy("Hi {client_first_name},\n\nHere is your progress report for {month}, "
                                        "attached as a PDF.\n\n{message}\n\nSee all your progress: {link}\n\n"
                                        "{business_name}")),
    )
    for kind in kinds:
        if kind.key not in catalog.KINDS:
            catalog.register(kind)
    for key in (CLIENT_KIND, REPORT_KIND):  # on the client's notification settings, to switch off
        notifications.register_client_kind(key)


def _path(name: str, **kwargs: object) -> str:
    """A page's path when the pages exist (they are built alongside: until then, no link)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def team_progress_path(organization_slug: str, client_id: int) -> str:
    return (_path("progress:page", org_slug=organization_slug, client_id=client_id)
            or _path("clients:detail", org_slug=organization_slug, client_id=client_id))


def portal_progress_path(organization_slug: str) -> str:
    return _path("portal_progress:index", org_slug=organization_slug) or _path("portal:home", org_slug=organization_slug)


def _plain(text: str) -> str:
    """Typed words that go through the catalog's renderer: braces must not read as placeholders."""
    return text.replace("{", "(").replace("}", ")")


def goal_achieved_alerts(goal: Goal, *, actor_id: int | None) -> None:
    """Tell the team and congratulate the client (in the achieving transaction)."""
    client = Client.objects.select_related("organization", "user").get(pk=goal.client_id)
    organization = client.organization
    key = f"progress:goal-achieved:{goal.pk}"
    title = _plain(goal.title)
    team = [user for user in notify.team_recipients(organization=organization, client=client)
            if user.pk != actor_id]
    if team:
        notify.team(organization=organization, kind=TEAM_KIND, users=team, client=client, related=goal,
                    context={"message": title}, dedupe_key=key,
                    url=team_progress_path(organization.slug, client.pk))
    portal = portal_progress_path(organization.slug)
    notify.client(organization=organization, kind=CLIENT_KIND, client=client, related=goal,
                  context={"message": title, "link": absolute(portal) if portal else ""}, dedupe_key=key)
    logger.info("goal achievement announced", extra={"goal_id": goal.pk, "organization_id": organization.pk})


def on_goal_achieved(event: events.Event) -> None:
    goal = event.instance if isinstance(event.instance, Goal) else (
        Goal.objects.filter(pk=event.object_id).first() if event.object_id is not None else None)
    if goal is None:
        return
    actor = event.data.get("actor_id")
    # In a savepoint: if telling people fails, none of it stays, and the achievement still stands.
    with transaction.atomic():
        goal_achieved_alerts(goal, actor_id=actor if isinstance(actor, int) else None)


def register() -> None:
    register_kinds()
    events.subscribe(on_goal_achieved, ["goal.achieved"])
