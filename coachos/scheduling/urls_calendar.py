"""The coach's calendar under /o/<org_slug>/calendar/ (namespace ``calendar``)."""

from django.urls import path

from . import views_calendar as views

urlpatterns = [
    path("", views.index, name="index"),
    path("day/", views.day, name="day"),
    path("events", views.events, name="events"),
    path("changes", views.changes, name="changes"),
    path("new/", views.session_new, name="new"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/move/", views.session_move, name="move"),
    path("sessions/<int:session_id>/complete/", views.session_complete, name="complete"),
    path("sessions/<int:session_id>/no-show/", views.session_no_show, name="no_show"),
    path("sessions/<int:session_id>/cancel/", views.session_cancel, name="cancel"),
]
