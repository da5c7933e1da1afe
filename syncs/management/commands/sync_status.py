"""`manage.py sync_status [--json] [--tenant SLUG]`: each integration's ledger counts by state and its last run."""

import json

from django.core.management.base import BaseCommand, CommandError

from connections.models import Tenant
from syncs.ops.status import STATES, integration_status


def table(headings, rows) -> list[str]:
    """Left-aligned text table with a dashed rule under the headings."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headings, *rows, strict=True)]
    lines = []
    for line in [headings, *rows]:
        lines.append("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))
    lines.insert(1, "  ".join("-" * width for width in widths))
    return [line.rstrip() for line in lines]


def last_run_text(run) -> str:
    if run is None:
        return "never run"
    counts = ", ".join(f"{key}={value}" for key, value in sorted((run["counts"] or {}).items())) or "no counts"
    finished = run["finished_at"] or "still running"
    return f"{run['flow']} {run['status']} started {run['started_at']} finished {finished} ({counts})"


class Command(BaseCommand):
    help = "Show each integration's ledger counts by state and its last run."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        parser.add_argument("--tenant", metavar="SLUG", help="Only this tenant's integrations.")

    def handle(self, *args, **options):
        slug = options["tenant"]
        if slug and not Tenant.objects.filter(slug=slug).exists():
            raise CommandError(f"No tenant with slug {slug!r}.")
        report = integration_status(tenant_slug=slug)
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        if not report:
            self.stdout.write("No integrations.")
            return
        headings = ["id", "tenant", "integration", "on", *STATES]
        rows = [
            [item["id"], item["tenant"], item["name"], "yes" if item["enabled"] else "no"]
            + [item["records"][state] for state in STATES]
            for item in report
        ]
        self.stdout.write("\n".join(table(headings, rows)))
        self.stdout.write("\nBy flow:")
        flow_rows = [
            [item["id"], flow["key"], *[flow["records"][state] for state in STATES]]
            for item in report
            for flow in item["flows"]
        ]
        if flow_rows:
            self.stdout.write("\n".join(table(["id", "flow", *STATES], flow_rows)))
        self.stdout.write("\nLast runs:")
        for item in report:
            self.stdout.write(f"  {item['id']} {item['name']}: {last_run_text(item['last_run'])}")
