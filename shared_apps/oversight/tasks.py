from celery import shared_task
from django.db import connection


@shared_task(name="oversight.rollup_tenant_figures")
def rollup_tenant_figures() -> dict:
    """Sent by beat into every serving tenant; runs in that tenant's schema (tenant-schemas-celery)."""
    from shared_apps.oversight.services import figures_rollup

    figures = figures_rollup()
    return {"schema": connection.schema_name, "organisations": figures.organisations, "members": figures.members}
