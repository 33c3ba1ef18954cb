"""Google's callbacks: the OAuth redirect (a signed-in coach's browser) and push notifications."""

from django.urls import path

from . import views_google

app_name = "google_calendar"

urlpatterns = [
    path("oauth/callback/", views_google.oauth_callback, name="oauth_callback"),
    path("notifications/", views_google.notification, name="notification"),
]
