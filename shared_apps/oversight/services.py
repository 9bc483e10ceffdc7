"""Writes into `public` from inside a tenant: headline figures (roll-ups) and the audit trail."""

from __future__ import annotations

import datetime
import decimal
import ipaddress
from collections.abc import Iterable, Mapping

from django.db import connection, models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise

from shared_apps.oversight.models import AuditEntry, TenantFigures
from tenants.models import Tenant


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
    figures, _ = TenantFigures.objects.update_or_create(
        tenant=tenant, defaults={**counts, "computed_at": timezone.now()}
    )
    return figures


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
