"""The progress API (``/api/v1/``): goals and milestones, measurements and kinds, tasks, photos, the
summary. One set of endpoints for the team's tokens and a client's own token: a client sees and changes
only their own progress (and may not assign tasks); anything else is a 404.

No ``from __future__ import annotations`` in the routers: django-ninja reads the annotations at import."""

from ninja import Router

from . import goals, kinds, measurements, photos, report, summary, tasks

router = Router(tags=["progress"])
for module in (kinds, goals, measurements, tasks, photos, summary, report):
    router.add_router("", module.router)
