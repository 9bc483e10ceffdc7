from celery import shared_task
from django.db import connection


@shared_task(name="oversight.rollup_tenant_figures")
def rollup_tenant_figures() -> dict:
    """Sent by beat into every serving tenant; runs in that tenant's schema (tenant-schemas-celery)."""
    from shared_apps.oversight.services import figures_rollup

    figures = figures_rollup()
    return {"schema": connection.schema_name, "organisations": figures.organisations, "members": figures.members}


@shared_task(name="oversight.snapshot_figures")
def snapshot_figures() -> dict:
    """Sent by beat into `public` once a day, after the roll-ups: every city's figures as of today; snapshots past
    the retention (`PLATFORM_SNAPSHOT_KEEP_DAYS`) are pruned in the same run."""
    from shared_apps.oversight.services import snapshots_prune, snapshots_take

    return {"snapshots": snapshots_take(), "pruned": snapshots_prune()}


@shared_task(name="oversight.archive_audit_trail")
def archive_audit_trail() -> dict:
    """Sent by beat into `public` (security events, audit entries) and into every serving tenant (work-order log):
    archive rows past the retention window to storage, then prune them."""
    from shared_apps.oversight.services import audit_archive

    results = audit_archive()
    return {"schema": connection.schema_name, "archived": {r.label: r.rows for r in results}}
