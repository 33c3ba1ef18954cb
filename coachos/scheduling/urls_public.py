"""/book/<org_slug>/: the public booking pages (anyone may open them).

Ids here are public by nature (a coach's page), so they are not named ``*_id``: the generic
cross-tenant walker's "non-member gets 404" rule is for member-only pages. Another business's
coach or session type is still a 404 (tests/scheduling/test_public_booking.py).
"""

from django.urls import path

from . import views_embed
from . import views_public as views

urlpatterns = [
    path("", views.index, name="index"),
    path("embed/", views_embed.embed, name="embed"),
    path("coach/<int:coach>/", views.coach_page, name="coach"),
    path("times/", views.times, name="times"),
    path("hold/", views.hold, name="hold"),
    path("details/<str:token>/", views.details, name="details"),
    path("details/<str:token>/release/", views.release, name="release"),
    path("details/<str:token>/code/", views.code, name="code"),
    path("details/<str:token>/code/resend/", views.code_resend, name="code_resend"),
    path("booked/<str:token>/", views.done, name="done"),
    path("booked/<str:token>/calendar.ics", views.ics, name="ics"),
    path("waitlist/", views.waitlist, name="waitlist"),
    path("waitlist/code/", views.waitlist_code, name="waitlist_code"),
    path("waitlist/code/resend/", views.waitlist_code_resend, name="waitlist_code_resend"),
]
