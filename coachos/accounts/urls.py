from django.urls import path

from . import views

urlpatterns = [
    path("account/", views.account_home, name="account_home"),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("account/activity/", views.account_activity, name="account_activity"),
    path("account/api-tokens/<int:apitoken_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("invitations/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]
