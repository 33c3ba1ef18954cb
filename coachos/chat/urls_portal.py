"""A client's chat URLs, under /portal/<org_slug>/chat/ (namespace "portal_chat"). The pages add theirs here."""

from django.urls import path

from . import views_files, views_portal

urlpatterns = [
    path("", views_portal.index, name="index"),
    path("start/", views_portal.start, name="start"),
    path("<int:conversation_id>/", views_portal.conversation, name="conversation"),
    path("<int:conversation_id>/mute/", views_portal.mute, name="mute"),
    path("attachments/<int:attachment_id>/", views_files.portal_attachment, name="attachment"),
    path("attachments/<int:attachment_id>/thumbnail/", views_files.portal_attachment_thumbnail,
         name="attachment_thumbnail"),
]
