"""The client's journal, under /portal/<org_slug>/journal/ (namespace ``portal_journal``)."""

from django.urls import path

from . import views_journal_portal as views
from . import views_journal_write as write

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", write.new, name="new"),
    path("insights/", views.insights, name="insights"),
    path("goal/", views.goal, name="goal"),
    path("<int:journalentry_id>/", views.entry, name="entry"),
    path("<int:journalentry_id>/edit/", write.edit, name="edit"),
    path("<int:journalentry_id>/autosave/", write.autosave, name="autosave"),
    path("<int:journalentry_id>/share/", views.share, name="share"),
    path("<int:journalentry_id>/delete/", views.delete, name="delete"),
]
