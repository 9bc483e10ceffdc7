"""The work-order log is append-only: a trigger refuses UPDATE/DELETE in every tenant schema (this runs per schema;
the function is in `public`, so clones of the template keep the trigger). See tenants/append_only.py."""

from django.db import migrations

from tenants.append_only import FUNCTION_SQL, drop_trigger_sql, trigger_sql


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0005_expert_grants"),
    ]

    operations = [
        # Idempotent; present here too so a tenant schema never depends on the order apps were migrated in public.
        migrations.RunSQL(FUNCTION_SQL, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(trigger_sql("workflow_logentry"), reverse_sql=drop_trigger_sql("workflow_logentry")),
    ]
