"""Integrations, the ledger of records moved, their audit trail, runs, cursors and inbound webhooks."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from connections.models import Connection, Tenant


class Integration(models.Model):
    """Two of a tenant's connections and the flows that run between them."""

    tenant_path = "tenant"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="integrations")
    name = models.CharField(max_length=200, help_text="e.g. 'Procore -> Acumatica (Summit)'.")
    source = models.ForeignKey(
        Connection,
        on_delete=models.PROTECT,
        related_name="integrations_as_source",
        help_text="Where records are read.",
    )
    destination = models.ForeignKey(
        Connection,
        on_delete=models.PROTECT,
        related_name="integrations_as_destination",
        help_text="Where records are written.",
    )
    flows = models.JSONField(default=list, blank=True, help_text="Keys of the flows this integration runs.")
    options = models.JSONField(default=dict, blank=True, help_text="Per-integration flow options.")
    enabled = models.BooleanField(default=True, help_text="Paused integrations neither poll nor post.")
    poll_interval_minutes = models.PositiveIntegerField(
        default=15, help_text="How often scheduled polls run."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="unique_integration_name_per_tenant")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from .flows import FLOWS

        for side in ("source", "destination"):
            conn = getattr(self, side, None)
            if conn is not None and self.tenant_id and conn.tenant_id != self.tenant_id:
                raise ValidationError({side: "The connection belongs to another tenant."})
        unknown = [key for key in self.flows or [] if key not in FLOWS]
        if unknown:
            raise ValidationError({"flows": f"Unknown flows: {', '.join(unknown)}."})


class RecordState(models.TextChoices):
    PENDING = "pending", "Pending"
    NEEDS_MAPPING = "needs_mapping", "Needs mapping"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    POSTING = "posting", "Posting"
    POSTED = "posted", "Posted"
    FAILED = "failed", "Failed (will retry)"
    DEAD = "dead", "Dead (gave up)"
    CONFLICT = "conflict", "Conflict (needs a person)"
    SKIPPED = "skipped", "Skipped"
    SOURCE_DELETED = "source_deleted", "Deleted at source"
    REJECTED = "rejected", "Rejected (not posted)"


class SyncRecord(models.Model):
    """The ledger: one row per integration + flow + source record, whatever happens to it."""

    tenant_path = "integration__tenant"

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="records")
    flow = models.CharField(max_length=80, help_text="Flow key, see syncs/flows.py.")
    source_id = models.CharField(max_length=200, help_text="The record's id in the source system.")
    source_version = models.CharField(max_length=200, blank=True, help_text="Source version last read.")
    posted_version = models.CharField(max_length=200, blank=True, help_text="Source version last written.")
    label = models.CharField(
        max_length=300, blank=True, help_text="Human summary, e.g. 'Invoice 1042, Star Framing'."
    )
    state = models.CharField(
        max_length=20, choices=RecordState.choices, default=RecordState.PENDING, db_index=True
    )
    canonical = models.JSONField(default=dict, blank=True, help_text="The canonical record as last read.")
    sent_payload = models.JSONField(
        null=True, blank=True, help_text="Exactly what was last sent to the destination."
    )
    synced = models.JSONField(
        default=dict, blank=True, help_text="Mirror flows: the values both sides agreed on at the last sync."
    )
    destination_id = models.CharField(
        max_length=200, blank=True, help_text="The record's id in the destination."
    )
    # What a finance user searches the ledger by, copied from the canonical record when it is read.
    document_number = models.CharField(max_length=200, blank=True, db_index=True, help_text="e.g. the invoice number.")
    vendor_name = models.CharField(max_length=300, blank=True, help_text="The vendor, as the source names it.")
    project_name = models.CharField(max_length=300, blank=True, help_text="The document's project (code and name).")
    amount = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, db_index=True, help_text="The document's total."
    )
    idempotency_key = models.CharField(
        max_length=100, unique=True, editable=False, help_text="Destination-side key."
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Write attempts in the current cycle.")
    last_error = models.TextField(blank=True)
    mapping_errors = models.JSONField(
        default=list, blank=True, help_text="What is missing for this record to post."
    )
    overrides = models.JSONField(
        default=dict,
        blank=True,
        help_text="Field values a person set for this record (only those its flow allows), applied before mapping.",
    )
    preview = models.JSONField(
        null=True, blank=True, help_text="Flows with approval: the destination payload the approver saw."
    )
    approved_version = models.CharField(
        max_length=200, blank=True, help_text="Flows with approval: the source version a person approved."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=64, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "flow", "source_id"], name="one_ledger_row_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["integration", "state"]),
            # The dashboard's counts per flow and state, postings per day and stale-record alerts.
            models.Index(fields=["integration", "flow", "state"], name="ledger_flow_state"),
            models.Index(fields=["posted_at"], name="ledger_posted_at"),
            # The dashboard's postings per flow and per day of the user's integrations, read without the rows. (Its
            # counts by state and the stale-record alerts read ledger_state_flow, made by migration 0010.)
            models.Index(fields=["integration", "posted_at", "flow"], name="ledger_posted_flow"),
            # The ledger search by amount (admin_ledger.search_filter). Rows without an amount are left out, so
            # SQLite's planner does not take "amount = x" for a read of every row not yet summarised.
            models.Index(fields=["amount"], condition=models.Q(amount__isnull=False), name="ledger_amount_set"),
            models.Index(fields=["state", "updated_at"], name="ledger_state_updated"),
            # The ledger list's default order (newest first) read from an index, not a sort of every row.
            models.Index(fields=["updated_at"], name="ledger_updated_at"),
        ]

    def __str__(self):
        return self.label or f"{self.flow} {self.source_id}"


class AuditKind(models.TextChoices):
    READ = "read", "Read"
    MAPPED = "mapped", "Mapped"
    BLOCKED = "blocked", "Blocked"
    POSTING = "posting", "Posting"
    POSTED = "posted", "Posted"
    FOUND = "found", "Found existing"
    FAILED = "failed", "Failed"
    DEAD = "dead", "Gave up"
    REPLAYED = "replayed", "Replayed"
    CONFLICT = "conflict", "Conflict"
    SOURCE_DELETED = "source_deleted", "Deleted at source"
    SKIPPED = "skipped", "Skipped"
    WEBHOOK = "webhook", "Webhook"
    MAPPING = "mapping", "Mapping changed"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    OVERRIDE = "override", "Field override"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """An append-only trail entry: who did what to which record, what was sent and what came back."""

    tenant_path = "integration__tenant"

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="audit_events")
    record = models.ForeignKey(
        SyncRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    run = models.ForeignKey(
        "SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    kind = models.CharField(max_length=20, choices=AuditKind.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Empty for the system.",
    )
    message = models.TextField(blank=True)
    request = models.JSONField(null=True, blank=True, help_text="What was sent (secrets redacted).")
    response = models.JSONField(null=True, blank=True, help_text="What came back (secrets redacted).")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.message[:80]}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    RESCHEDULED = "rescheduled", "Rescheduled (rate limited)"
    PARTIAL = "partial", "Finished, some parts unreadable"
    FAILED = "failed", "Failed"


class SyncRun(models.Model):
    """One execution of one flow of an integration, with its counts."""

    tenant_path = "integration__tenant"

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="runs")
    flow = models.CharField(max_length=80)
    trigger = models.CharField(
        max_length=20, default="schedule", help_text="schedule, webhook, manual or mapping."
    )
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING)
    counts = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0, help_text="Records queued for posting so far.")
    done = models.PositiveIntegerField(default=0, help_text="Queued records whose attempt has finished.")
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["integration", "flow", "status"], name="run_flow_status")]

    def __str__(self):
        return f"{self.integration} {self.flow} {self.started_at:%Y-%m-%d %H:%M}"


class Cursor(models.Model):
    """Where incremental reads of one flow resume, per partition of the source (e.g. one list of one project).

    A source read project by project is not ordered by time as a whole, so one high-water mark would skip the
    older records of projects a stopped run never reached. Each partition keeps its own mark, moved only once
    the whole partition has been read and recorded; a stopped run resumes with the partitions it did not finish.
    """

    tenant_path = "integration__tenant"

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="cursors")
    flow = models.CharField(max_length=80)
    position = models.CharField(
        max_length=200,
        blank=True,
        help_text="The oldest partition mark: everything modified before it has been recorded.",
    )
    partitions = models.JSONField(
        default=dict, blank=True, help_text="Partition -> highest source modification time read in full."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "flow"], name="one_cursor_per_flow")]

    def __str__(self):
        return f"{self.integration} {self.flow} @ {self.position or 'start'}"

    def mark(self, partition: str) -> str:
        """The high-water mark of one partition ('' when it was never read in full)."""
        return (self.partitions or {}).get(partition, "")

    def advance(self, partition: str, high_water: str) -> None:
        """Record that `partition` has been read in full up to `high_water` (never moves backwards)."""
        if not high_water or high_water <= self.mark(partition):
            return
        self.partitions = {**(self.partitions or {}), partition: high_water}
        self.position = min(self.partitions.values())
        self.save(update_fields=["partitions", "position", "updated_at"])


class WebhookStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Failed"


class WebhookEvent(models.Model):
    """An inbound webhook, stored raw after verification and before anything else happens."""

    tenant_path = "connection__tenant"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="webhook_events")
    event_id = models.CharField(max_length=200, help_text="The sender's event id, used to drop duplicates.")
    body = models.TextField()
    status = models.CharField(max_length=20, choices=WebhookStatus.choices, default=WebhookStatus.RECEIVED)
    error = models.TextField(blank=True)
    duplicates = models.PositiveIntegerField(default=0, help_text="Times the same event was delivered again.")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker took it; a claim older than the task timeout is stale."
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "event_id"], name="one_webhook_per_event")
        ]
        indexes = [  # the drain's and the sweep's queue: only the events still waiting are in it
            models.Index(
                fields=["connection", "received_at"], name="webhook_waiting", condition=models.Q(status="received")
            )
        ]

    def __str__(self):
        return f"{self.connection} event {self.event_id}"


class WorkerHeartbeat(models.Model):
    """The last time a django-q2 worker on a host ran the heartbeat task (read by /healthz).

    A row in the database, not django-q2's cluster Stat: with the ORM broker that Stat lives in Django's cache,
    which by default is per-process and invisible to the web server.
    """

    name = models.CharField(max_length=200, unique=True, help_text="Host name of the worker that beat.")
    beat_at = models.DateTimeField(db_index=True, help_text="When the heartbeat task last ran there.")

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self):
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class ReconcileState(models.TextChoices):
    MATCHED = "matched", "Matched"
    AMOUNT_DIFFERS = "amount_differs", "Amount differs"
    LINES_DIFFER = "lines_differ", "Lines differ"
    MISSING_IN_DESTINATION = "missing_in_destination", "Missing in the destination"
    MISSING_IN_SOURCE = "missing_in_source", "Missing in the source"


class ReconcileReport(models.Model):
    """One comparison of a set of documents on both sides, for one scope (e.g. one project)."""

    tenant_path = "integration__tenant"

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="reconcile_reports")
    flow = models.CharField(max_length=80)
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scope = models.CharField(max_length=200, help_text="What was compared, e.g. the project.")
    scope_key = models.CharField(max_length=200, blank=True, help_text="The scope's id on the source side.")
    counts = models.JSONField(default=dict, blank=True, help_text="Documents per state.")
    source_total = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    destination_total = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "scope"]

    def __str__(self):
        return f"{self.integration} {self.scope} {self.created_at:%Y-%m-%d %H:%M}"


class ReconcileLine(models.Model):
    """One document of a reconciliation: on which side it is, and how the two sides differ."""

    tenant_path = "report__integration__tenant"

    report = models.ForeignKey(ReconcileReport, on_delete=models.CASCADE, related_name="lines")
    state = models.CharField(max_length=30, choices=ReconcileState.choices, db_index=True)
    number = models.CharField(max_length=200, blank=True, help_text="The document number both sides share.")
    vendor = models.CharField(max_length=300, blank=True)
    source_id = models.CharField(max_length=200, blank=True)
    destination_id = models.CharField(max_length=200, blank=True)
    source_total = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    destination_total = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    difference = models.TextField(blank=True, help_text="What differs, in words.")
    source_record = models.JSONField(null=True, blank=True, help_text="The source document (canonical), for a fix.")

    class Meta:
        ordering = ["state", "number"]

    def __str__(self):
        return f"{self.number}: {self.get_state_display()}"


class ApprovalQueue(SyncRecord):
    """The ledger rows of flows with approval that wait for a person (the admin's "Approval queue")."""

    class Meta:
        proxy = True
        verbose_name = "record awaiting approval"
        verbose_name_plural = "Approval queue"


class BillReconciliation(Integration):
    """An integration seen as its invoices, the AP bills they became and their paid status, per project."""

    class Meta:
        proxy = True
        verbose_name = "invoice reconciliation"
        verbose_name_plural = "Invoices vs AP bills vs paid"


class JobKind(models.TextChoices):
    PULL = "pull", "Reference data pull"
    IMPORT = "import", "CSV import"
    BACKFILL = "backfill", "Backfill"


class JobStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """Progress of one piece of long work started by a person (a pull, an import, a backfill), for a progress bar."""

    tenant_path = "integration__tenant"

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    label = models.CharField(max_length=300, blank=True, help_text="What is being done, in words.")
    total = models.PositiveIntegerField(default=0, help_text="Steps to do (0 while unknown).")
    done = models.PositiveIntegerField(default=0, help_text="Steps done.")
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.RUNNING)
    message = models.TextField(blank=True, help_text="The outcome, or the step under way.")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.label} ({self.done}/{self.total or '?'})"


class AlertKind(models.TextChoices):
    REAUTH = "reauth", "Connection needs re-authorisation"
    FAILING = "failing", "Records failing"
    WAITING_MAPPING = "waiting_mapping", "Records waiting for a mapping"
    WAITING_APPROVAL = "waiting_approval", "Records waiting for approval"
    DIGEST = "digest", "Daily digest"


class Alert(models.Model):
    """A condition a tenant's admins were told about by email: opened once, resolved when it clears.

    One open row per condition (tenant + key) makes each alert go out once, however often the check runs and
    however many workers run it; a condition that clears and comes back is a new alert. Digests are one per tenant
    and day.
    """

    tenant_path = "tenant"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    key = models.CharField(max_length=200, help_text="The condition, e.g. 'reauth:12' or 'digest:2025-03-01'.")
    message = models.TextField()
    link = models.CharField(max_length=500, blank=True, help_text="Path of the page that fixes it.")
    opened_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When the email went out (empty: not yet).")
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "key"], condition=models.Q(resolved_at__isnull=True), name="one_open_alert_per_key"
            ),
            models.UniqueConstraint(
                fields=["tenant", "key"], condition=models.Q(kind="digest"), name="one_digest_per_tenant_and_day"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.message[:80]}"
