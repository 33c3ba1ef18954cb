from django.urls import path

from . import views

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("settings/", views.settings_view, name="settings"),
    path("audit/", views.audit_log, name="audit"),
    path("team/", views.team, name="team"),
    path("team/invitations/<int:invitation_id>/resend/", views.invitation_resend_view, name="invitation_resend"),
    path("team/invitations/<int:invitation_id>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("team/members/<int:membership_id>/role/", views.membership_role, name="membership_role"),
    path("team/members/<int:membership_id>/remove/", views.membership_remove, name="membership_remove"),
]
