"""Writes into `public` from inside a tenant: headline figures (roll-ups) and the audit trail."""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import json
import logging
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django_tenants.utils import get_public_schema_name

from shared_apps.oversight.models import SNAPSHOT_COLUMNS, AuditEntry, TenantFigures, TenantSnapshot
from tenants.append_only import prune_allowed
from tenants.models import Tenant

logger = logging.getLogger(__name__)

_FIGURE_SOURCES: list = []


def register_figures(source) -> None:
    """`source() -> dict` of TenantFigures fields, counted inside the tenant's schema; business modules register
    theirs at ready(), so this layer never imports them."""
    if source not in _FIGURE_SOURCES:
        _FIGURE_SOURCES.append(source)


def figures_rollup() -> TenantFigures:
    """Count this tenant's organisations and members and store them for the console (one row per tenant)."""
    from tenant_apps.organisations.models import Membership, Organisation

    tenant = Tenant.objects.get(schema_name=connection.schema_name, kind=Tenant.Kind.TENANT)
    kinds = Organisation.Kind
    counts = Organisation.objects.aggregate(
        organisations=Count("id"),
        enterprises=Count("id", filter=Q(kind=kinds.ENTERPRISE)),
        certified_enterprises=Count(
            "id", filter=Q(kind=kinds.ENTERPRISE, certification=Organisation.Certification.CERTIFIED)
        ),
        providers=Count("id", filter=Q(kind=kinds.PROVIDER)),
    )
    counts["members"] = Membership.objects.filter(is_active=True).count()
    for source in _FIGURE_SOURCES:
        counts.update(source())
    figures, _ = TenantFigures.objects.update_or_create(
        tenant=tenant, defaults={**counts, "computed_at": timezone.now()}
    )
    return figures


# --- Freshness between beat's roll-ups ------------------------------------------------------------------------------
ROLLUP_DEBOUNCE_SECONDS = 60


def figures_touch(sender=None, **kwargs) -> None:
    """A counted row changed in a tenant (an application submitted or decided): after the commit, ask for one roll-up
    of this tenant within ROLLUP_DEBOUNCE_SECONDS. Connected to post_save by model label, so oversight imports no
    tenant app; the debounce is one cache `add` per save, so a burst of decisions costs one roll-up."""
    schema = connection.schema_name
    if schema in (get_public_schema_name(), settings.TENANT_BASE_SCHEMA):
        return
    transaction.on_commit(lambda: figures_rollup_soon(schema))


def figures_rollup_soon(schema: str) -> bool:
    """Queue one roll-up of `schema` unless one is already pending; True when this call queued it. The broker being
    down must not fail the request that already committed: beat's next roll-up catches up."""
    from django.core.cache import cache
    from django_tenants.utils import schema_context

    from shared_apps.oversight.tasks import rollup_tenant_figures

    # In the tenant's schema: the cache key is tenant-aware, and tenant-schemas-celery sends the task there.
    with schema_context(schema):
        if not cache.add("oversight:rollup-pending", 1, timeout=ROLLUP_DEBOUNCE_SECONDS):
            return False
        try:
            rollup_tenant_figures.apply_async(countdown=ROLLUP_DEBOUNCE_SECONDS)
        except Exception:  # noqa: BLE001 - any broker error; the roll-up is only early, never lost
            logger.warning("figures roll-up of %s not queued", schema, exc_info=True)
    return True


# --- Daily snapshots ------------------------------------------------------------------------------------------------
_SNAPSHOT_SKIP = {"id", "tenant", "computed_at"}


def _scalar_figures(figures: TenantFigures) -> dict:
    """Every number of a roll-up (amounts as strings), the JSON breakdowns left out."""
    values = {}
    for field in TenantFigures._meta.concrete_fields:
        if field.name in _SNAPSHOT_SKIP or isinstance(field, models.JSONField | models.CharField):
            continue
        value = getattr(figures, field.attname)
        values[field.name] = str(value) if isinstance(value, decimal.Decimal) else value
    return values


def snapshots_take(*, day: datetime.date | None = None) -> int:
    """Copy every city's latest roll-up into that day's snapshot (today in Asia/Shanghai by default), one statement
    per city at most 300 rows: insert, or overwrite the day's row when the job runs again. Returns the rows
    written. Runs in `public`, after the roll-ups (beat)."""
    day = day or timezone.localdate()
    rows = [
        TenantSnapshot(
            tenant_id=figures.tenant_id,
            day=day,
            figures=_scalar_figures(figures),
            computed_at=figures.computed_at,
            **{name: getattr(figures, name) for name in SNAPSHOT_COLUMNS},
        )
        for figures in TenantFigures.objects.filter(tenant__kind=Tenant.Kind.TENANT)
    ]
    TenantSnapshot.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["tenant", "day"],
        update_fields=[*SNAPSHOT_COLUMNS, "figures", "computed_at"],
    )
    return len(rows)


# One run deletes at most this many rows (a day of 300 cities is 300): lowering the retention catches up over a few
# runs instead of holding one long DELETE on the table the console reads.
SNAPSHOT_PRUNE_LIMIT = 10_000


def snapshots_prune(*, today: datetime.date | None = None, limit: int = SNAPSHOT_PRUNE_LIMIT) -> int:
    """Delete the snapshots older than `PLATFORM_SNAPSHOT_KEEP_DAYS` (0 keeps them all), oldest first, at most
    `limit` rows in one statement. Returns the rows deleted. Runs in `public` with the daily snapshot."""
    keep_days = settings.PLATFORM_SNAPSHOT_KEEP_DAYS
    if keep_days <= 0:
        return 0
    cutoff = (today or timezone.localdate()) - datetime.timedelta(days=keep_days)
    # SQL, not `QuerySet.delete()`: receivers of `post_delete` for every model (django-tenants, the portal's
    # navigation) would make the ORM select the rows first and delete them by id.
    table = connection.ops.quote_name(TenantSnapshot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE day < %s ORDER BY day, id LIMIT %s)",
            [cutoff, limit],
        )
        return cursor.rowcount


# --- Audit trail ---------------------------------------------------------------------------------------------------
def audit_value(value):
    """A value as the trail keeps it: plain JSON, related objects by their label (what a reader recognises)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): audit_value(item) for key, item in value.items()}
    if isinstance(value, Iterable):
        return [audit_value(item) for item in value]
    return str(value)


def audit_changes(before: Mapping, after: Mapping) -> dict:
    """`{field: [before, after]}` for the fields whose plain value differs."""
    changes = {}
    for field in dict.fromkeys([*before, *after]):
        old, new = audit_value(before.get(field)), audit_value(after.get(field))
        if old != new:
            changes[field] = [old, new]
    return changes


def audit_record(
    *,
    action: str,
    target: models.Model | None = None,
    target_label: str | None = None,
    changes: Mapping | None = None,
    actor=None,
    ip: str | None = None,
) -> AuditEntry:
    """Record one change in the current tenant (the connection's schema), inside the caller's transaction: a change
    that rolls back leaves no trail, and a trail row never exists without its change."""
    target_type = target_id = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = "" if target.pk is None else str(target.pk)
        if target_label is None:
            target_label = str(target)
    return AuditEntry.objects.create(
        schema_name=connection.schema_name,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=(target_label or "")[:200],
        changes={str(field): audit_value(pair) for field, pair in (changes or {}).items()},
        ip=_valid_ip(ip),
    )


def _valid_ip(ip: str | None) -> str | None:
    """A forwarded header can carry anything; the column takes only an address."""
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


# --- Retention and archive of the audit trails ----------------------------------------------------------------------
# Cybersecurity Law art. 21: network logs are kept for no less than six months. A deployment may keep them longer.
AUDIT_RETENTION_FLOOR_DAYS = 180
PUBLIC_TRAILS = ("accounts.SecurityEvent", "oversight.AuditEntry")  # in `public`
TENANT_TRAILS = ("workflow.LogEntry",)  # in each tenant schema (by label: oversight never imports tenant apps)


def audit_retention_days() -> int:
    """The configured retention, never below the legal floor."""
    configured = int(getattr(settings, "PLATFORM_AUDIT_RETENTION_DAYS", AUDIT_RETENTION_FLOOR_DAYS))
    return max(AUDIT_RETENTION_FLOOR_DAYS, configured)


@dataclass(frozen=True)
class ArchiveResult:
    label: str
    rows: int
    path: str | None
    pruned: int


def audit_archive(*, prune: bool = True, now: datetime.datetime | None = None) -> list[ArchiveResult]:
    """Archive the trails that live in the current schema (public: security events and audit entries; a tenant: its
    work-order log): rows older than the retention window go, one JSON object a line, to a dated file in this
    schema's storage (`audit-archive/<label>/<cutoff date>.jsonl`), and only then — in the same transaction, and
    only if `prune` — are those rows deleted. A failed write deletes nothing."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=audit_retention_days())
    labels = PUBLIC_TRAILS if connection.schema_name == get_public_schema_name() else TENANT_TRAILS
    return [_archive_model(apps.get_model(label), cutoff, prune=prune) for label in labels]


@transaction.atomic
def _archive_model(model, cutoff: datetime.datetime, *, prune: bool) -> ArchiveResult:
    label = model._meta.label_lower
    old = model.objects.filter(created_at__lt=cutoff).order_by("pk")
    count, last_pk = 0, None
    with tempfile.TemporaryFile() as buffer:
        for row in serializers.serialize("python", old.iterator(chunk_size=2000)):
            row["schema_name"] = connection.schema_name
            buffer.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False).encode() + b"\n")
            count, last_pk = count + 1, row["pk"]
        if not count:
            return ArchiveResult(label, 0, None, 0)
        buffer.seek(0)
        path = default_storage.save(f"audit-archive/{label}/{cutoff:%Y-%m-%d}.jsonl", File(buffer))
    pruned = 0
    if prune:
        with prune_allowed():
            pruned, _ = model.objects.filter(created_at__lt=cutoff, pk__lte=last_pk).delete()
        if pruned != count:  # something appeared that the file does not hold: delete nothing
            raise RuntimeError(f"{label}: archived {count} rows but {pruned} matched the prune")
    return ArchiveResult(label, count, path, pruned)
