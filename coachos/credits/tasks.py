from __future__ import annotations

import logging

from celery import shared_task
from django_scopes import scopes_disabled

from .services import packages_expire

logger = logging.getLogger(__name__)


@shared_task
def expire_packages() -> int:
    """Packages past their expiry lose their remaining credits (one ledger row each)."""
    with scopes_disabled():
        count = packages_expire()
    logger.info("packages expired", extra={"count": count})
    return count
