"""``manage.py runsandbox``: serve every vendor simulator until interrupted.

It needs no database: the simulators keep their state in memory.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from sandbox.core.server import make_server
from sandbox.registry import build_app


class Command(BaseCommand):
    help = "Serve the vendor API simulators (Procore, Acumatica, ...) for the demo and manual testing."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8100)
        parser.add_argument("--seed", choices=["demo"], help="load a preset data set into every simulator")
        parser.add_argument("--verbose-requests", action="store_true", help="log every request")

    def handle(self, *args, host, port, seed, verbose_requests, **options):
        app = build_app()
        if seed:
            for simulator in app.simulators.values():
                simulator.seed({"preset": seed})
        server = make_server(app, host, port, verbose=verbose_requests)
        base = f"http://{host}:{server.server_address[1]}"
        self.stdout.write(f"Sandbox serving at {base}")
        for prefix in sorted(app.routes):
            self.stdout.write(f"  {base}/{prefix}/")
        self.stdout.write(f"  controls: {base}/_sandbox/<system>/  (systems: {', '.join(sorted(app.simulators))})")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Sandbox stopped.")
        finally:
            server.server_close()
