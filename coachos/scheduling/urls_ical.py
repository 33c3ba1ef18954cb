from django.urls import path

from . import views_ical

urlpatterns = [
    path("coach/<slug:token>.ics", views_ical.coach_feed, name="coach"),
    path("client/<slug:token>.ics", views_ical.client_feed, name="client"),
    # The portal's "calendar link" button (scheduling/setup/_client_feed.html).
    path("<slug:org_slug>/client/reset/", views_ical.client_feed_reset_view, name="client_reset"),
]
