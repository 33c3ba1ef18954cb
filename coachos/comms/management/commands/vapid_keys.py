"""`manage.py vapid_keys`: print a new VAPID key pair for web push, as environment variables.

Set both on every web and worker process (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY) and keep the
private key secret. Changing the pair later makes every browser's subscription useless: people
turn push on again on their devices (the old ones are removed when push services refuse them).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from coachos.comms import push


class Command(BaseCommand):
    help = "Print a new VAPID key pair for web push notifications (as environment variables)."

    def handle(self, *args: Any, **options: Any) -> None:
        public, private = push.generate_keys()
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}\nVAPID_PRIVATE_KEY={private}\n")
