from django.core.management.base import BaseCommand, CommandError, CommandParser

from coachos.accounts.models import User
from coachos.accounts.services import AccountError, api_token_create
from coachos.tenancy.services import organization_for_slug


class Command(BaseCommand):
    help = "Create a personal API token for a member of a business; the token is printed alone on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--org", required=True, help="The business's slug")
        parser.add_argument("--name", default="command line")

    def handle(self, *args: object, **options: str) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError("No user has that email address.")
        organization = organization_for_slug(options["org"].strip())
        if organization is None:
            raise CommandError("No business has that slug.")
        try:
            _token, raw = api_token_create(user=user, organization=organization, name=options["name"])
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(raw)
