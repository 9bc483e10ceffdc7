"""Security events are append-only: a trigger refuses UPDATE/DELETE (see tenants/append_only.py)."""

from django.db import migrations

from tenants.append_only import FUNCTION_SQL, drop_trigger_sql, trigger_sql


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_reset_audit_kinds"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION_SQL, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            trigger_sql("accounts_securityevent", erasable_link="user_id"),
            reverse_sql=drop_trigger_sql("accounts_securityevent"),
        ),
    ]
