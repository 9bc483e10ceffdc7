from celery import shared_task
from django.db import connection


@shared_task(name="tenants.current_schema")
def current_schema() -> str:
    """Reports the schema a task runs in: the probe for tenant-aware task routing."""
    return connection.schema_name
