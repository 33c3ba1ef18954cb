"""The back office's pages under /o/<slug>/ (namespace ``backoffice``): the dashboard, and the
business's own pages (settings, audit log, members) from tenancy and the team page from accounts."""

from django.urls import path

from coachos.accounts import urls_team
from coachos.tenancy import urls as tenancy_urls

from . import help as help_pages
from . import views, views_setup

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("booking-link/qr.svg", views_setup.booking_link_qr, name="booking_link_qr"),
    path("booking-link/shared/", views_setup.booking_link_shared_view, name="booking_link_shared"),
    path("setup/choice/", views_setup.setup_choice, name="setup_choice"),
    path("help/", help_pages.index, name="help"),
    path("help/<slug:slug>/", help_pages.guide, name="help_guide"),
    *tenancy_urls.urlpatterns,
    *urls_team.urlpatterns,
]
