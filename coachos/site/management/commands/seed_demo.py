import logging

from django.core.management.base import BaseCommand

from coachos.site.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo business (Northside Strength) into an empty database; otherwise change nothing."

    def handle(self, *args: object, **options: object) -> None:
        # One line of output: the services' logs (hundreds of messages queued) only with -v 2.
        quiet = int(str(options.get("verbosity", 1))) < 2
        if quiet:
            logging.disable(logging.WARNING)
        try:
            organization = seed_demo()
        finally:
            if quiet:
                logging.disable(logging.NOTSET)
        if organization is None:
            self.stdout.write("Demo data not loaded: the database already has a business (it is seeded once).")
            return
        self.stdout.write(
            f"Demo business '{organization.name}' is at /o/{organization.slug}/ "
            f"(logins use the password {DEMO_PASSWORD})."
        )
