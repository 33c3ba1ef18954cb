"""What the team's and the portal's progress URLs share: the PDF report's routes.

The report is written beside the pages (``coachos/progress/urls_report.py``, when it exists): its lists
``team_urlpatterns`` (paths under /o/<slug>/clients/, taking ``client_id``) and ``portal_urlpatterns``
(paths under /portal/<slug>/progress/) join the ``progress`` and ``portal_progress`` namespaces here, so
that ``{% url 'progress:report' … %}`` and ``{% url 'portal_progress:report' … %}`` resolve — two
includes under one namespace would not (Django reverses within the first only)."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

REPORT_MODULE = "coachos.progress.urls_report"


def report_routes(side: str) -> list[Any]:
    """The report's paths for ``side`` ("team" or "portal"); none until the report lands."""
    if importlib.util.find_spec(REPORT_MODULE) is None:
        return []
    module = importlib.import_module(REPORT_MODULE)
    return list(getattr(module, f"{side}_urlpatterns", []))
