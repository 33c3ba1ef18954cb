from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("", views.index, name="index"),
    path("coaches/<int:coach_id>/", views.coach_calendars, name="coach"),
    path("coaches/<int:coach_id>/google/", views.google_start, name="google_start"),
    path("<int:connection_id>/settings/", views.connection_settings, name="connection_settings"),
    path("<int:connection_id>/sync/", views.connection_sync, name="connection_sync"),
    path("<int:connection_id>/disconnect/", views.connection_disconnect, name="connection_disconnect"),
    path("video/", views.video_settings, name="video"),
    path("sessions/<int:session_id>/video/", views.session_panel, name="session_panel"),
]
