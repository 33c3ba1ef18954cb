"""Where credits meet messages: a client whose package runs low hears about it once per count.

Called by ``use_session`` inside the caller's transaction, so the message commits (or rolls back)
with the credit it reports.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from coachos.clients.models import Client
from coachos.comms import notify
from coachos.comms.context import absolute, local_date

from .models import ClientPackage


def low_credits(*, package: ClientPackage, client: Client) -> None:
    """After a use: at or below the low mark (the one the client list uses), tell the client.
    The dedupe key holds the count, so 1 left and 0 left are each said once."""
    from coachos.clients.selectors import LOW_CREDITS

    remaining = ClientPackage.objects.filter(pk=package.pk).values_list("remaining", flat=True).first()
    if remaining is None or remaining > LOW_CREDITS:
        return
    organization = client.organization
    link = absolute(reverse("portal_packages:index", kwargs={"org_slug": organization.slug}))
    with transaction.atomic():
        notify.client(organization=organization, kind="low_credits", client=client, related=package,
                      context={"credits_left": remaining, "package_name": package.name, "link": link,
                               "expires_on": local_date(organization, package.expires_at)},
                      dedupe_key=f"low-credits:{package.pk}:{remaining}")
