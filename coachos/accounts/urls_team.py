"""The team page's routes; ``coachos.site.urls`` mounts them under /o/<slug>/ (namespace ``backoffice``)."""

from django.urls import path

from . import views_team as views

urlpatterns = [
    path("team/", views.team, name="team"),
    path("team/invitations/<int:invitation_id>/resend/", views.invitation_resend_view, name="invitation_resend"),
    path("team/invitations/<int:invitation_id>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
]
