"""A client's library in the portal, /portal/<slug>/library/ (namespace ``portal_library``)."""

from django.urls import path

from . import views_portal

app_name = "portal_library"

urlpatterns = [
    path("", views_portal.index, name="index"),
    path("collections/<int:collection_id>/", views_portal.collection, name="collection"),
    path("<int:resource_id>/", views_portal.resource, name="resource"),
    path("<int:resource_id>/file/", views_portal.resource_file, name="file"),
    path("<int:resource_id>/complete/", views_portal.complete, name="complete"),
    path("<int:resource_id>/beat/", views_portal.beat, name="beat"),
]
