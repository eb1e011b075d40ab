from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from mentors.integration import INTEGRATION_GROUP, ensure_integration_group


class Command(BaseCommand):
    help = (
        "Print the API token of USERNAME (created if missing). With --integration the user is "
        "put in the Integration group (may post activities and read every record); with "
        "--create a login-less user is created first, for a CRM or telephony system."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--create", action="store_true", help="Create the user if missing.")
        parser.add_argument(
            "--integration", action="store_true", help=f"Add the user to '{INTEGRATION_GROUP}'."
        )
        parser.add_argument("--rotate", action="store_true", help="Replace an existing token.")

    def handle(self, *args, username, create=False, integration=False, rotate=False, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            if not create:
                raise CommandError(f"No user {username!r} (use --create for a system account).")
            user = User(username=username)
            user.set_unusable_password()
            user.save()
            self.stderr.write(f"Created user {username!r} (no password: token only).")
        if integration:
            ensure_integration_group()
            user.groups.add(Group.objects.get(name=INTEGRATION_GROUP))
        if rotate:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        if created:
            self.stderr.write(f"New token for {username!r}.")
        self.stdout.write(token.key)
