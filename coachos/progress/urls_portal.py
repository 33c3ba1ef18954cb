"""A client's own progress in the portal, /portal/<slug>/progress/ (namespace ``portal_progress``).

Every object is looked up through the signed-in client's own record: another client's goal, task,
measurement or photo is a 404, like another business's. The report's routes (``report``) join this
namespace through ``urls_shared.report_routes``."""

from django.urls import path

from . import views_goals, views_portal
from .urls_shared import report_routes

app_name = "portal_progress"

urlpatterns = [
    path("", views_portal.index, name="index"),
    path("summary/", views_portal.summary_part, name="summary"),
    path("units/", views_portal.units, name="units"),
    path("goals/", views_goals.portal_goals_part, name="goals"),
    path("goals/new/", views_goals.portal_goal_new, name="goal_new"),
    path("goals/<int:goal_id>/", views_goals.portal_goal_detail, name="goal"),
    path("goals/<int:goal_id>/edit/", views_goals.portal_goal_edit, name="goal_edit"),
    path("goals/<int:goal_id>/milestones/", views_goals.portal_milestone_add, name="milestone_add"),
    path("goals/<int:goal_id>/milestones/<int:milestone_id>/", views_goals.portal_milestone_toggle,
         name="milestone_toggle"),
    path("tasks/", views_portal.tasks_part, name="tasks"),
    path("tasks/<int:task_id>/done/", views_portal.task_tick, name="task_tick"),
    path("measurements/", views_portal.measurement_add, name="measurement_add"),
    path("measurements/charts/", views_portal.charts_part, name="charts"),
    path("measurements/<int:measurement_id>/delete/", views_portal.measurement_delete, name="measurement_delete"),
    path("photos/", views_portal.photo_add, name="photo_add"),
    path("photos/compare/", views_portal.photo_compare, name="compare"),
    path("photos/<int:progressphoto_id>/", views_portal.photo_file, name="photo_file"),
    path("photos/<int:progressphoto_id>/thumbnail/", views_portal.photo_thumbnail, name="photo_thumbnail"),
    path("photos/<int:progressphoto_id>/delete/", views_portal.photo_delete, name="photo_delete"),
    *report_routes("portal"),
]
