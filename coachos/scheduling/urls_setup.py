from django.urls import path

from . import views_setup as views

urlpatterns = [
    path("", views.index, name="index"),
    path("coaches/<int:coach_id>/", views.coach_overview, name="coach"),
    path("coaches/<int:coach_id>/hours/", views.hours, name="hours"),
    path("coaches/<int:coach_id>/time-off/", views.blocked, name="blocked"),
    path("coaches/<int:coach_id>/extra-time/", views.additions, name="additions"),
    path("coaches/<int:coach_id>/settings/", views.coach_settings, name="coach_settings"),
    path("coaches/<int:coach_id>/calendar-link/reset/", views.feed_reset, name="feed_reset"),
    path("time-off/<int:blocked_id>/remove/", views.blocked_delete, name="blocked_delete"),
    path("extra-time/<int:addition_id>/remove/", views.addition_delete, name="addition_delete"),
    path("session-types/", views.types, name="types"),
    path("session-types/<int:type_id>/", views.type_edit, name="type_edit"),
    path("session-types/<int:type_id>/deactivate/", views.type_deactivate, name="type_deactivate"),
    path("session-types/<int:type_id>/activate/", views.type_activate, name="type_activate"),
    path("rooms/", views.rooms, name="rooms"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("conflicts/<int:session_id>/keep/", views.conflict_keep, name="conflict_keep"),
    path("conflicts/<int:session_id>/cancel/", views.conflict_cancel, name="conflict_cancel"),
    path("conflicts/skipped/<int:skippedoccurrence_id>/dismiss/", views.skipped_dismiss, name="skipped_dismiss"),
]
