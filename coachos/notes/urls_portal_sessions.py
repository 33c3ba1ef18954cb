"""A client's sessions, under /portal/<org_slug>/sessions/ (namespace ``portal_sessions``)."""

from django.urls import path

from . import views_files
from . import views_sessions_portal as views

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:session_id>/", views.detail, name="detail"),
    path("<int:session_id>/rating/", views.rate, name="rate"),
    path("notes/<int:note_id>/files/<int:noteattachment_id>/", views_files.portal_download, name="note_file"),
    path("<int:session_id>/items/<int:noteactionitem_id>/", views.action_item, name="action_item"),
]
