"""The progress report's download routes (``report_views``), kept apart from the progress pages' URL
modules so that the two are written independently. They join the pages' namespaces through
``urls_shared.report_routes`` (one namespace, one include: Django reverses within the first only):

- ``team_urlpatterns``: under ``/o/<org_slug>/clients/`` in ``progress`` — ``progress:report``,
  ``/o/<slug>/clients/<client_id>/progress/report.pdf``;
- ``portal_urlpatterns``: under ``/portal/<org_slug>/progress/`` in ``portal_progress`` —
  ``portal_progress:report``, ``/portal/<slug>/progress/report.pdf``.

Both take ``?start=&end=`` (YYYY-MM-DD; default the last 90 days).
"""

from __future__ import annotations

from django.urls import URLPattern, path

from . import report_views

team_urlpatterns: list[URLPattern] = [
    path("<int:client_id>/progress/report.pdf", report_views.team_report, name="report"),
]

portal_urlpatterns: list[URLPattern] = [
    path("report.pdf", report_views.portal_report, name="report"),
]
