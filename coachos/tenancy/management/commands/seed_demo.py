from django.core.management.base import BaseCommand

from coachos.tenancy.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo business (Northside Strength). Safe to run again: it keeps existing data."

    def handle(self, *args: object, **options: object) -> None:
        organization = seed_demo()
        self.stdout.write(
            f"Demo business '{organization.name}' is at /o/{organization.slug}/ "
            f"(logins use the password {DEMO_PASSWORD})."
        )
