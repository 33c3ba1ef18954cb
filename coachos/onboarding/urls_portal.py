from django.urls import path

from . import views_portal as views

app_name = "onboarding_portal"

urlpatterns = [
    path("", views.start, name="start"),
    path("profile/", views.profile, name="profile"),
    path("forms/", views.forms_step, name="forms"),
    path("forms/<int:intakeform_id>/", views.form_fill, name="form"),
    path("waiver/", views.waiver_step, name="waiver"),
    path("waivers/<int:waivertemplate_id>/", views.sign, name="sign"),
    path("package/", views.package, name="package"),
    path("package/status/", views.package_status, name="package_status"),
    path("package/skip/", views.package_skip, name="package_skip"),
    path("package/<int:packageplan_id>/", views.package_buy, name="package_buy"),
    path("book/", views.book, name="book"),
    path("signatures/<int:waiversignature_id>/pdf/", views.my_signature_pdf, name="signature_pdf"),
]
