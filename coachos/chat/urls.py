"""The team's chat URLs, under /o/<org_slug>/chat/ (namespace "chat"). The pages add theirs here."""

from django.urls import path

from . import views, views_files

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("groups/new/", views.group_new, name="group_new"),
    path("clients/<int:client_id>/", views.client, name="client"),
    path("<int:conversation_id>/", views.conversation, name="conversation"),
    path("<int:conversation_id>/archive/", views.archive, name="archive"),
    path("<int:conversation_id>/mute/", views.mute, name="mute"),
    path("attachments/<int:attachment_id>/", views_files.attachment, name="attachment"),
    path("attachments/<int:attachment_id>/thumbnail/", views_files.attachment_thumbnail,
         name="attachment_thumbnail"),
]
