from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("", views.index, name="index"),
    path("settings/", views.settings_update, name="settings"),
    path("waivers/new/", views.waiver_new, name="waiver_new"),
    path("waivers/<int:waivertemplate_id>/", views.waiver_edit, name="waiver"),
    path("signatures/<int:waiversignature_id>/pdf/", views.signature_pdf, name="signature_pdf"),
    path("forms/new/", views.form_new, name="form_new"),
    path("forms/<int:intakeform_id>/", views.form_builder, name="form"),
    path("forms/<int:intakeform_id>/questions/", views.question_add, name="question_add"),
    path("questions/<int:intakequestion_id>/", views.question_edit, name="question_edit"),
    path("questions/<int:intakequestion_id>/delete/", views.question_delete, name="question_delete"),
    path("questions/<int:intakequestion_id>/move/", views.question_move, name="question_move"),
    path("clients/<int:client_id>/section/", views.client_section, name="client_section"),
    path("clients/<int:client_id>/package/", views.client_package, name="client_package"),
]
