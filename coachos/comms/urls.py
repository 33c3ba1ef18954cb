from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views, views_client, views_templates

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.outbox_index, name="outbox"),
    path("<int:outboundmessage_id>/", views.message_detail, name="message"),
    path("<int:outboundmessage_id>/send-again/", views.message_resend, name="resend"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbound_read_all, name="inbound_read_all"),
    path("inbox/<int:inboundmessage_id>/read/", views.inbound_read, name="inbound_read"),
    path("inbox/<int:inboundmessage_id>/reply/", views.inbound_reply, name="inbound_reply"),
    path("templates/", views_templates.template_list, name="templates"),
    path("templates/<slug:kind>/<slug:channel>/", views_templates.template_edit, name="template"),
    path("templates/<slug:kind>/<slug:channel>/preview/", views_templates.template_preview, name="template_preview"),
    path("templates/<slug:kind>/<slug:channel>/reset/", views_templates.template_reset, name="template_reset"),
    path("clients/<int:client_id>/section/", views_client.client_section, name="client_section"),
    path("clients/<int:client_id>/send/", views_client.client_send, name="client_send"),
]
