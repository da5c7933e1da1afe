from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("syncs", "0008_finance_screens"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="syncrecord",
            index=models.Index(fields=["updated_at"], name="ledger_updated_at"),
        ),
    ]
