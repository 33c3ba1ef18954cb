"""The team's session pages, under /o/<org_slug>/sessions/ (namespace ``sessions``)."""

from django.urls import path

from . import views_sessions_team as views

urlpatterns = [
    path("", views.open_page, name="open"),  # ?session=<id>: the calendar panel's link without script
    path("<int:session_id>/", views.detail, name="detail"),
    path("<int:session_id>/panel/", views.panel, name="panel"),
    path("<int:session_id>/items/<int:noteactionitem_id>/", views.action_item, name="action_item"),
]
