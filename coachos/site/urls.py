"""The back office's pages under /o/<slug>/ (namespace ``backoffice``): the dashboard, and the
business's own pages (settings, audit log, members) from tenancy and the team page from accounts."""

from django.urls import path

from coachos.accounts import urls_team
from coachos.tenancy import urls as tenancy_urls

from . import views

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    *tenancy_urls.urlpatterns,
    *urls_team.urlpatterns,
]
