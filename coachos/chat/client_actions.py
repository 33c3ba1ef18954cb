"""Chat's button on the client's page: "Message" opens (or starts) the client's conversation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from coachos.clients import sections


def register() -> None:
    sections.register_action(sections.HeaderAction("message", gettext_lazy("Message"), "chat:client",
                                                    method="post", order=10))
