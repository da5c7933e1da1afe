"""`manage.py run_flow INTEGRATION_ID FLOW [--backfill]`: run one flow now and post what it read, with a progress bar.

`--backfill` forgets the flow's cursor first, so everything the source lists is read again (what is already posted
in its current version is recognised and left alone)."""

from django.core.management.base import BaseCommand, CommandError

from syncs import engine
from syncs.flows import FLOWS
from syncs.models import Cursor, Integration
from syncs.progress import TerminalBar

BATCH = 50


class Command(BaseCommand):
    help = "Run one flow of an integration now, posting in this process, showing records done out of queued."

    def add_arguments(self, parser):
        parser.add_argument("integration", type=int, metavar="INTEGRATION_ID")
        parser.add_argument("flow", choices=sorted(FLOWS))
        parser.add_argument("--backfill", action="store_true", help="Read everything again from the start.")

    def handle(self, *args, **options):
        integration = Integration.objects.filter(pk=options["integration"]).first()
        if integration is None:
            raise CommandError(f"No integration with id {options['integration']}.")
        if options["backfill"]:
            Cursor.objects.filter(integration=integration, flow=options["flow"]).update(partitions={}, position="")
        bar = TerminalBar(self.stderr._out, label=options["flow"])
        queued: list[int] = []
        bar.start(0, "reading")
        run = engine.run_flow(integration.pk, options["flow"], "manual", enqueue=lambda ids, _run: queued.extend(ids))
        if run is None:
            bar.fail("not run: the integration is paused or a connection is not usable")
            raise CommandError("The flow did not run (see the integration's connections).")
        bar.start(len(queued), f"read {run.counts.get('read', 0)}, posting")
        outcome: dict[str, int] = {}
        for start in range(0, len(queued), BATCH):
            batch = engine.post_batch(queued[start : start + BATCH], run.pk)
            for state, count in batch.items():
                outcome[state] = outcome.get(state, 0) + count
            bar.step(sum(count for state, count in batch.items() if state not in ("rescheduled", "paused")))
            if "rescheduled" in batch or "paused" in batch:
                break
        summary = ", ".join(f"{state} {count}" for state, count in sorted(outcome.items())) or "nothing to post"
        if "rescheduled" in outcome or "paused" in outcome:
            bar.fail(f"{summary}; the rest waits for the rate limit or the connection")
        else:
            bar.finish(summary)
        self.stdout.write(f"Run {run.pk} {run.status}: {summary}.")
