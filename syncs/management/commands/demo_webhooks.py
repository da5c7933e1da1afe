"""`manage.py demo_webhooks --base-url http://127.0.0.1:8000`: point the demo's simulator connections' webhooks at
this web server, once it answers (scripts/run.sh runs it after starting the server). Safe to run again: nothing is
subscribed twice. Refuses to run outside DEBUG unless --force."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from connections.models import Tenant
from syncs.demo_webhooks import set_up_demo


class Command(BaseCommand):
    help = "Set up the webhooks of the demo tenant's simulator connections, delivering to this web server."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", required=True, help="Where the simulators reach this web server.")
        parser.add_argument("--sandbox-url", default=settings.SANDBOX_URL)
        parser.add_argument("--tenant", default="summit", help="Slug of the demo tenant (seed_demo's: summit).")
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, base_url, sandbox_url, tenant, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("demo_webhooks points webhooks at a local address; it runs only with DEBUG=true.")
        found = Tenant.objects.filter(slug=tenant).first()
        if found is None:
            raise CommandError(f"No tenant {tenant!r}: run seed_demo first.")
        for outcome in set_up_demo(found, base_url, sandbox_url):
            (self.stdout if outcome.ok else self.stderr).write(f"  {outcome}")
