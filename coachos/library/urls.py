"""The team's library, /o/<slug>/library/ (namespace ``library``)."""

from django.urls import path

from . import views, views_collections, views_section

app_name = "library"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("links/new/", views.link_new, name="link_new"),
    path("articles/new/", views.article_new, name="article_new"),
    path("folders/new/", views.folder_new, name="folder_new"),
    path("export/", views.export, name="export"),
    path("resources/<int:resource_id>/", views.resource, name="resource"),
    path("resources/<int:resource_id>/file/", views.resource_file, name="resource_file"),
    path("resources/<int:resource_id>/delete/", views.resource_delete, name="resource_delete"),
    path("shares/<int:share_id>/", views.share_edit, name="share_edit"),
    path("shares/<int:share_id>/cancel/", views.share_cancel, name="share_cancel"),
    path("collections/", views_collections.index, name="collections"),
    path("collections/new/", views_collections.new, name="collection_new"),
    path("collections/<int:collection_id>/", views_collections.detail, name="collection"),
    path("collections/<int:collection_id>/settings/", views_collections.settings, name="collection_settings"),
    path("collections/<int:collection_id>/items/", views_collections.add_item, name="collection_add"),
    path("collections/<int:collection_id>/items/<int:resource_id>/remove/", views_collections.remove_item,
         name="collection_remove"),
    path("collections/<int:collection_id>/order/", views_collections.reorder, name="collection_order"),
    path("collections/<int:collection_id>/delete/", views_collections.delete, name="collection_delete"),
    path("clients/<int:client_id>/section/", views_section.client_section, name="client_section"),
]
