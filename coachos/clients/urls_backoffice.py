from django.urls import path

from . import views_backoffice as views
from . import views_sections as sections
from . import views_tags as tags

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_new, name="new"),
    path("import/", views.client_import, name="import"),
    path("export.csv", views.client_export, name="export"),
    path("bulk-tags/", tags.clients_bulk_tag, name="bulk_tag"),
    path("tags/", tags.tag_list, name="tags"),
    path("tags/<int:tag_id>/", tags.tag_edit, name="tag_edit"),
    path("tags/<int:tag_id>/delete/", tags.tag_delete, name="tag_delete"),
    path("tags/<int:tag_id>/merge/", tags.tag_merge, name="tag_merge"),
    path("<int:client_id>/", views.client_detail, name="detail"),
    path("<int:client_id>/edit/", views.client_edit, name="edit"),
    path("<int:client_id>/status/", views.client_status, name="status"),
    path("<int:client_id>/coach/", views.client_coach, name="coach"),
    path("<int:client_id>/invite/", views.client_invite, name="invite"),
    path("<int:client_id>/tags/", views.client_tag_add, name="tag_add"),
    path("<int:client_id>/tags/<int:tag_id>/remove/", views.client_tag_remove, name="tag_remove"),
    path("<int:client_id>/sections/profile/", sections.section_profile, name="section_profile"),
    path("<int:client_id>/sections/notes/", sections.section_notes, name="section_notes"),
    path("<int:client_id>/notes/", sections.note_add, name="note_add"),
]
