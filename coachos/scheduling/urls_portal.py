"""/portal/<org_slug>/bookings/: a client's own bookings."""

from django.urls import path

from . import views_portal as views

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:booking_id>/confirm/", views.confirm, name="confirm"),
    path("<int:booking_id>/cancel/", views.cancel, name="cancel"),
    path("<int:booking_id>/move/", views.reschedule, name="reschedule"),
    path("<int:booking_id>/calendar.ics", views.ics, name="ics"),
    path("waitlist/<int:waitlist_id>/book/", views.take_offer, name="take_offer"),
    path("recurring/", views.recurring, name="recurring"),
    path("recurring/<int:recurring_id>/", views.recurring_result, name="recurring_result"),
]
