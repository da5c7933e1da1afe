"""Seed a demo tenant wired to the local simulators, with an admin, a finance and a viewer login.

Safe to run repeatedly: existing rows are updated, not duplicated. Refuses to run outside DEBUG unless --force.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from connections.models import Connection, Environment, Membership, Role, Tenant

DEMO_USERS = (
    # username, password, role (None = superuser)
    ("admin", "admin-demo", None),
    ("finance", "finance-demo", Role.FINANCE),
    ("viewer", "viewer-demo", Role.VIEWER),
)


class Command(BaseCommand):
    help = "Create or refresh the demo tenant, its users and its simulator connections."

    def add_arguments(self, parser):
        parser.add_argument("--sandbox-url", default=settings.SANDBOX_URL)
        parser.add_argument("--force", action="store_true", help="Seed even when DEBUG is off.")
        parser.add_argument(
            "--first-run", action="store_true", help="Run every flow once now and pay one bill in the ERP."
        )

    def handle(self, *args, sandbox_url, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates users with known passwords; it runs only with DEBUG=true.")
        tenant, _ = Tenant.objects.get_or_create(slug="summit", defaults={"name": "Summit Builders"})
        self._users(tenant)
        connections = self._connections(tenant, sandbox_url)
        self._integrations(tenant, connections, first_run=options.get("first_run"))
        self.stdout.write(self.style.SUCCESS(f"Demo tenant '{tenant.name}' ready."))
        for username, password, role in DEMO_USERS:
            self.stdout.write(f"  login: {username} / {password}  ({role or 'superuser'})")

    def _users(self, tenant):
        User = get_user_model()
        for username, password, role in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = role is None
            user.set_password(password)
            user.save()
            if role:
                Membership.objects.update_or_create(user=user, tenant=tenant, defaults={"role": role})

    def _connections(self, tenant, sandbox_url):
        connections = {}
        from syncs.demo import connection_specs

        for spec in connection_specs(sandbox_url):
            connection = Connection.objects.filter(tenant=tenant, name=spec["name"]).first() or Connection(
                tenant=tenant, name=spec["name"]
            )
            connection.system = spec["system"]
            connection.environment = Environment.SIMULATOR
            connection.settings = spec["settings"]
            if dict(connection.secrets or {}) != spec["secrets"]:
                connection.secrets = spec["secrets"]
                connection.token_state = {}
            connection.save()
            connections[spec["system"]] = connection
        return connections

    def _integrations(self, tenant, connections, **options):
        from connections.errors import ApiError
        from syncs.demo import seed_integrations, seed_maps
        from syncs.models import Integration

        seed_integrations(tenant, connections)
        for integration in Integration.objects.filter(tenant=tenant):
            try:
                counts = seed_maps(integration)
            except ApiError as exc:
                self.stderr.write(f"Could not reach the simulators to seed maps ({exc}); is runsandbox running?")
                continue
            self.stdout.write(f"  {integration}: mapped {counts['vendors']} vendors, {counts['cost_codes']} cost codes")
            if options.get("first_run"):
                self._first_run(integration)

    def _first_run(self, integration):
        """Every flow once, so the demo opens on posted bills, a reconciliation and a payment on its way back."""
        from syncs.demo import first_run, pay_one_bill

        for flow, outcome in first_run(integration).items():
            self.stdout.write(f"  {integration}: {flow} {outcome}")
        paid = pay_one_bill(integration)
        if paid:
            erp, source = integration.destination.spec.label, integration.source
            # Procurify publishes no call that marks a bill paid: its payments flow keeps the status in the ledger.
            where = "records it in the ledger" if source.system == "procurify" else f"carries it to {source.spec.label}"
            self.stdout.write(f"  Bill {paid} was paid in {erp}; the next payments poll {where}.")
