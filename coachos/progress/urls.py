"""The team's progress pages, mounted under /o/<slug>/clients/ (namespace ``progress``) beside the clients
app's own routes, like the other sections of the client's page: the section (``section``), the full page
(``page``), goals, tasks, measurements and photos of one client. Every route takes the client first; an
object of another client (or business) is a 404.

The PDF report's routes (``report``) are written beside these, in ``urls_report.py``, and join this
namespace through ``urls_shared.report_routes``."""

from django.urls import path

from . import views, views_goals, views_session
from .urls_shared import report_routes

app_name = "progress"

P = "<int:client_id>/progress/"

urlpatterns = [
    path("<int:client_id>/sections/progress/", views.section, name="section"),
    # The calendar's session panel's "Measurements" part (scheduling/panel_sections.py).
    path("sessions/<int:session_id>/progress/", views_session.session_panel, name="session_panel"),
    path(P, views.page, name="page"),
    path(P + "summary/", views.summary_part, name="summary"),
    path(P + "goals/", views_goals.goals_part, name="goals"),
    path(P + "goals/new/", views_goals.goal_new, name="goal_new"),
    path(P + "goals/<int:goal_id>/", views_goals.goal_detail, name="goal"),
    path(P + "goals/<int:goal_id>/edit/", views_goals.goal_edit, name="goal_edit"),
    path(P + "goals/<int:goal_id>/milestones/", views_goals.milestone_add, name="milestone_add"),
    path(P + "goals/<int:goal_id>/milestones/<int:milestone_id>/", views_goals.milestone_toggle,
         name="milestone_toggle"),
    path(P + "tasks/", views.task_add, name="task_add"),
    path(P + "tasks/<int:task_id>/done/", views.task_tick, name="task_tick"),
    path(P + "tasks/<int:task_id>/stop/", views.task_stop, name="task_stop"),
    path(P + "measurements/", views.measurement_add, name="measurement_add"),
    path(P + "measurements/charts/", views.charts_part, name="charts"),
    path(P + "measurements/<int:measurement_id>/delete/", views.measurement_delete, name="measurement_delete"),
    path(P + "photos/", views.photo_add, name="photo_add"),
    path(P + "photos/compare/", views.photo_compare, name="compare"),
    path(P + "photos/<int:progressphoto_id>/", views.photo_file, name="photo_file"),
    path(P + "photos/<int:progressphoto_id>/thumbnail/", views.photo_thumbnail, name="photo_thumbnail"),
    path(P + "photos/<int:progressphoto_id>/delete/", views.photo_delete, name="photo_delete"),
    path(P + "units/", views.units, name="units"),
    path(P + "defaults/", views.defaults, name="defaults"),
    *report_routes("team"),
]
