from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("syncs", "0010_admin_speed"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookevent",
            name="claimed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When a worker took it; a claim older than the task timeout is stale.",
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="webhookevent",
            index=models.Index(
                condition=models.Q(("status", "received")),
                fields=["connection", "received_at"],
                name="webhook_waiting",
            ),
        ),
    ]
