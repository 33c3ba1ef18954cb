from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export_csv, name="csv"),
    path("export.pdf", views.export_pdf, name="pdf"),
    path("cards/dismiss/", views.card_dismiss, name="card_dismiss"),
    path("target/", views.target_set, name="target"),
]

from . import views_assistant  # noqa: E402

urlpatterns += [
    path("assistant/", views_assistant.panel, name="assistant"),
    path("assistant/proposals/<int:proposal_id>/", views_assistant.proposal_decide, name="proposal_decide"),
    path("settings/", views_assistant.settings_page, name="settings"),
]
