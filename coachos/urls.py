from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from coachos.api import api
from coachos.common import views as common_views
from coachos.ops import views as ops_views
from coachos.site import urls_help as site_help
from coachos.tenancy import views as tenancy_views

admin.site.site_header = "Coach OS platform admin"
admin.site.site_title = "Coach OS admin"

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("businesses/", tenancy_views.businesses, name="businesses"),
    path("businesses/new/", tenancy_views.business_new, name="business_new"),
    path("o/<slug:org_slug>/", include("coachos.site.urls", namespace="backoffice")),
    path("o/<slug:org_slug>/calendar/", include(("coachos.scheduling.urls_calendar", "calendar"))),
    path("o/<slug:org_slug>/schedule/", include(("coachos.scheduling.urls_setup", "setup"))),
    path("o/<slug:org_slug>/clients/", include("coachos.clients.urls_backoffice", namespace="clients")),
    # Sections of the client's page that belong to the apps above clients (coachos/clients/sections.py).
    path("o/<slug:org_slug>/clients/", include("coachos.credits.urls_client_sections")),
    path("o/<slug:org_slug>/clients/", include("coachos.scheduling.urls_client_sections")),
    path("o/<slug:org_slug>/clients/", include("coachos.progress.urls")),  # the client's progress (section, page)
    path("o/<slug:org_slug>/packages/", include(("coachos.credits.urls", "packages"))),
    path("portal/<slug:org_slug>/", include("coachos.clients.urls", namespace="portal")),
    path("portal/<slug:org_slug>/help/", include((site_help.portal, "portal_help"))),
    path("help/", include((site_help.public, "help"))),
    path("o/<slug:org_slug>/onboarding/", include("coachos.onboarding.urls", namespace="onboarding")),
    path("portal/<slug:org_slug>/onboarding/", include("coachos.onboarding.urls_portal", namespace="onboarding_portal")),
    path("portal/<slug:org_slug>/bookings/", include(("coachos.scheduling.urls_portal", "portal_bookings"))),
    path("portal/<slug:org_slug>/packages/", include(("coachos.credits.urls_portal", "portal_packages"))),
    path("o/<slug:org_slug>/messages/", include(("coachos.comms.urls", "comms"))),
    path("portal/<slug:org_slug>/messages/", include(("coachos.comms.urls_portal", "portal_comms"))),
    path("o/<slug:org_slug>/notifications/", include(("coachos.comms.urls_notifications", "notifications"))),
    path("portal/<slug:org_slug>/notifications/",
         include(("coachos.comms.urls_notifications_portal", "portal_notifications"))),
    path("o/<slug:org_slug>/payments/", include(("coachos.billing.urls", "billing"))),
    path("portal/<slug:org_slug>/payments/", include(("coachos.billing.urls_portal", "portal_billing"))),
    path("o/<slug:org_slug>/books/", include(("coachos.books.urls", "books"))),
    path("o/<slug:org_slug>/insights/", include("coachos.insights.urls", namespace="insights")),
    path("o/<slug:org_slug>/automations/", include(("coachos.automations.urls", "automations"))),
    path("o/<slug:org_slug>/chat/", include(("coachos.chat.urls", "chat"))),
    path("portal/<slug:org_slug>/chat/", include(("coachos.chat.urls_portal", "portal_chat"))),
    path("portal/<slug:org_slug>/progress/", include("coachos.progress.urls_portal")),
    path("o/<slug:org_slug>/notes/", include(("coachos.notes.urls", "notes"))),
    path("o/<slug:org_slug>/journal/", include(("coachos.notes.urls_journal", "journal"))),
    path("o/<slug:org_slug>/sessions/", include(("coachos.notes.urls_sessions", "sessions"))),
    path("portal/<slug:org_slug>/journal/", include(("coachos.notes.urls_portal_journal", "portal_journal"))),
    path("portal/<slug:org_slug>/sessions/", include(("coachos.notes.urls_portal_sessions", "portal_sessions"))),
    path("o/<slug:org_slug>/library/", include("coachos.library.urls")),
    path("portal/<slug:org_slug>/library/", include("coachos.library.urls_portal")),
    path("webhooks/twilio/", include(("coachos.comms.urls_webhooks", "twilio_webhooks"))),
    path("webhooks/stripe", include(("coachos.billing.urls_webhooks", "stripe_webhooks"))),
    path("book/<slug:org_slug>/", include(("coachos.scheduling.urls_public", "booking"))),
    path("ical/", include(("coachos.scheduling.urls_ical", "ical"))),
    path("o/<slug:org_slug>/calendars/", include("coachos.integrations.urls")),
    path("integrations/google/", include("coachos.integrations.urls_google")),
    path("api/v1/", api.urls),
    path("", include("coachos.common.urls_pwa", namespace="pwa")),  # manifest, service worker, offline page
    path("accounts/", include("allauth.urls")),
    path("", include("coachos.accounts.urls")),
    path("platform/jobs/", include(("coachos.automations.urls_platform", "platform_jobs"))),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

# A request refused before its view (a body over the upload limit: 413; the API in problem details).
handler400 = "coachos.common.error_views.bad_request"
