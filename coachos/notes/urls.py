"""The team's notes pages, under /o/<org_slug>/notes/ (namespace "notes"). The client's journal and the
session pages have their own URL modules."""

from django.urls import path

from . import views, views_editor, views_embeds, views_files, views_templates

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views_editor.new, name="new"),
    path("<int:note_id>/", views_editor.edit, name="edit"),
    path("<int:note_id>/autosave/", views_editor.autosave, name="autosave"),
    path("<int:note_id>/delete/", views_editor.delete, name="delete"),
    path("<int:note_id>/versions/", views_editor.versions, name="versions"),
    path("<int:note_id>/versions/<int:noteversion_id>/", views_editor.version, name="version"),
    path("<int:note_id>/versions/<int:noteversion_id>/restore/", views_editor.restore, name="restore"),
    path("<int:note_id>/action-items/<int:noteactionitem_id>/", views_editor.action_item, name="action_item"),
    path("<int:note_id>/files/", views_files.upload, name="file_upload"),
    path("<int:note_id>/files/<int:noteattachment_id>/", views_files.download, name="file"),
    path("<int:note_id>/files/<int:noteattachment_id>/remove/", views_files.remove, name="file_remove"),
    path("templates/", views_templates.template_list, name="templates"),
    path("templates/new/", views_templates.template_new, name="template_new"),
    path("templates/<int:notetemplate_id>/", views_templates.template_edit, name="template_edit"),
    # Parts of other apps' pages: the client page's section and the calendar's session panel.
    path("clients/<int:client_id>/section/", views_embeds.client_section, name="client_section"),
    path("sessions/<int:session_id>/panel/", views_embeds.session_panel, name="session_panel"),
]
