"""The team's journal pages, under /o/<org_slug>/journal/ (namespace ``journal``): a client's shared
entries and insights, the client page's "Journal" section, one shared entry, and prompts."""

from django.urls import path

from . import views_journal_team as views

urlpatterns = [
    path("prompts/", views.prompts, name="prompts"),
    path("clients/<int:client_id>/", views.client_journal, name="client"),
    path("clients/<int:client_id>/section/", views.section, name="section"),
    path("entries/<int:journalentry_id>/", views.entry, name="entry"),
]
