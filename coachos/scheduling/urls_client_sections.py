"""The client page's "Bookings" section, mounted under /o/<slug>/clients/ (namespace
``client_bookings``) beside the clients app's own routes."""

from django.urls import path

from . import client_sections as views

app_name = "client_bookings"

urlpatterns = [
    path("<int:client_id>/sections/bookings/", views.section_bookings, name="section"),
]
