"""Help outside a business (/help/, namespace ``help``) and in the client portal
(/portal/<slug>/help/, namespace ``portal_help``). The back office's are in urls.py."""

from django.urls import path

from . import help as views

public = [
    path("", views.public_index, name="index"),
    path("<slug:slug>/", views.public_guide, name="guide"),
]

portal = [
    path("", views.portal_guide, name="index"),
]
