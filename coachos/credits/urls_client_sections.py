"""The client page's "Packages and credits" section, mounted under /o/<slug>/clients/ (namespace
``client_packages``) beside the clients app's own routes."""

from django.urls import path

from . import client_sections as views

app_name = "client_packages"

urlpatterns = [
    path("<int:client_id>/sections/packages/", views.section_packages, name="section"),
    path("<int:client_id>/packages/give/", views.package_give, name="give"),
    path("<int:client_id>/packages/<int:package_id>/use/", views.package_use, name="use"),
    path("<int:client_id>/packages/<int:package_id>/adjust/", views.package_adjust, name="adjust"),
]
