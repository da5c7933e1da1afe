"""`manage.py import_maps INTEGRATION_ID KIND FILE`: import a mapping CSV (as the grid's Import CSV), with progress."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mappings import csv_io
from syncs.models import Integration
from syncs.progress import TerminalBar


class Command(BaseCommand):
    help = "Import a mapping CSV file into an integration: every row is checked first; nothing is applied on error."

    def add_arguments(self, parser):
        parser.add_argument("integration", type=int, metavar="INTEGRATION_ID")
        parser.add_argument("kind", choices=sorted(csv_io.KINDS))
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        integration = Integration.objects.filter(pk=options["integration"]).first()
        if integration is None:
            raise CommandError(f"No integration with id {options['integration']}.")
        try:
            data = options["file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}") from exc
        bar = TerminalBar(self.stderr._out, label="import")
        result = csv_io.import_csv(integration, options["kind"], data, None, progress=bar)
        if not result.ok:
            bar.fail(f"refused: {len(result.errors)} error(s), nothing imported")
            for line, message in result.errors:
                self.stderr.write(f"line {line}: {message}")
            raise CommandError("Nothing was imported.")
        bar.finish(f"{len(result.changes)} row(s) changed")
        self.stdout.write(f"Imported: {len(result.changes)} row(s) changed.")
