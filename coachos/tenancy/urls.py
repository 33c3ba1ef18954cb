"""The business's own back-office pages; ``coachos.site.urls`` adds the dashboard and the team page
and mounts them under /o/<slug>/ (namespace ``backoffice``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("settings/", views.settings_view, name="settings"),
    path("audit/", views.audit_log, name="audit"),
    path("team/members/<int:membership_id>/role/", views.membership_role, name="membership_role"),
    path("team/members/<int:membership_id>/access/", views.membership_access, name="membership_access"),
    path("team/members/<int:membership_id>/remove/", views.membership_remove, name="membership_remove"),
]
