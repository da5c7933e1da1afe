"""`manage.py pull_reference CONNECTION_ID... [--kinds vendor,account]`: pull reference data now, showing progress."""

from django.core.management.base import BaseCommand, CommandError

from connections.models import Connection
from mappings.pull import kinds_to_pull, pull_reference
from syncs.progress import TerminalBar


class Command(BaseCommand):
    help = "Pull reference data (vendors, accounts, cost codes, dimensions) from connections, showing progress."

    def add_arguments(self, parser):
        parser.add_argument("connections", nargs="+", type=int, metavar="CONNECTION_ID")
        parser.add_argument("--kinds", help="Comma-separated kinds to pull (default: every kind the system lists).")

    def handle(self, *args, **options):
        kinds = [kind.strip() for kind in options["kinds"].split(",") if kind.strip()] if options["kinds"] else None
        connections = list(Connection.objects.filter(pk__in=options["connections"]))
        missing = set(options["connections"]) - {connection.pk for connection in connections}
        if missing:
            raise CommandError(f"No connection with id {', '.join(map(str, sorted(missing)))}.")
        bar = TerminalBar(self.stderr._out, label="pull")
        bar.start(sum(len(kinds_to_pull(connection, kinds)) for connection in connections))
        for connection in connections:
            try:
                results = pull_reference(connection, kinds, progress=bar)
            except ValueError as exc:
                bar.fail(str(exc))
                raise CommandError(str(exc)) from exc
            for kind, counts in results.items():
                self.stdout.write(f"{connection} {kind}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        bar.finish("done")
