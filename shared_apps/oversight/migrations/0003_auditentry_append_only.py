"""Audit entries are append-only: a trigger refuses UPDATE/DELETE (see tenants/append_only.py)."""

from django.db import migrations

from tenants.append_only import FUNCTION_SQL, drop_trigger_sql, trigger_sql


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0002_auditentry"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION_SQL, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            trigger_sql("oversight_auditentry", erasable_link="actor_id"),
            reverse_sql=drop_trigger_sql("oversight_auditentry"),
        ),
    ]
