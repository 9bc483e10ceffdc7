"""Reads for the national console: public tables only (the tenant registry, the roll-ups, the daily snapshots, the
audit trail), a fixed number of queries whatever the number of cities."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from shared_apps.oversight.models import SNAPSHOT_COLUMNS, AuditEntry, TenantFigures, TenantSnapshot
from tenants.models import Tenant

# What the console list may be sorted by: `?sort=<key>` or `?sort=-<key>` (descending). Figures sort with the
# cities that have no roll-up yet last, whichever the direction.
SORTS = {
    "name": "name",
    "created": "created_at",
    "province": "figures__province",
    "batch": "figures__batch",
    "enterprises": "figures__enterprises",
    "certified": "figures__certified_enterprises",
    "pilots": "figures__pilot_enterprises",
    "accepted": "figures__acceptances_accepted",
    "investment": "figures__recognised_investment",
    "disbursed": "figures__subsidy_disbursed",
    "orders": "figures__orders",
    "vouchers": "figures__vouchers_issued",
    "recognised": "figures__cultivation_recognised",
    "backlog": "figures__tasks_open",
    "overdue": "figures__tasks_overdue",
}
TREND_DAYS = 90
# What the list never draws (the city page does): not fetched, not decoded, 50 rows at a time.
LIST_DEFERRED = ("figures__backlog", "figures__applications_by_kind", "figures__acceptance_conclusions")


@dataclass(frozen=True)
class ConsoleFilter:
    province: str = ""
    batch: str = ""
    status: str = ""
    q: str = ""
    sort: str = ""


def console_tenants(filters: ConsoleFilter | None = None) -> QuerySet[Tenant]:
    """The cities with their latest roll-up in one join (and their hosts in one prefetch), filtered and sorted."""
    filters = filters or ConsoleFilter()
    tenants = (
        Tenant.objects.filter(kind=Tenant.Kind.TENANT)
        .select_related("figures")
        .prefetch_related("domains")
        .defer(*LIST_DEFERRED)
    )
    tenants = tenants.filter(_tenant_filter(filters))
    key = filters.sort.lstrip("-")
    if key in SORTS:
        field = F(SORTS[key])
        order = field.desc(nulls_last=True) if filters.sort.startswith("-") else field.asc(nulls_last=True)
        return tenants.order_by(order, "created_at", "id")
    return tenants.order_by("created_at", "id")


def _tenant_filter(filters: ConsoleFilter, prefix: str = "") -> Q:
    condition = Q()
    if filters.province:
        condition &= Q(**{f"{prefix}figures__province": filters.province})
    if filters.batch:
        condition &= Q(**{f"{prefix}figures__batch": filters.batch})
    if filters.status:
        condition &= Q(**{f"{prefix}status": filters.status})
    if filters.q:
        condition &= Q(**{f"{prefix}name__icontains": filters.q}) | Q(**{f"{prefix}schema_name__icontains": filters.q})
    return condition


def console_choices() -> tuple[list[str], list[str]]:
    """The provinces and batches the cities' roll-ups name, for the filter bar (one query)."""
    pairs = TenantFigures.objects.filter(tenant__kind=Tenant.Kind.TENANT).values_list("province", "batch").distinct()
    provinces, batches = set(), set()
    for province, batch in pairs:
        provinces.add(province)
        batches.add(batch)
    return sorted(p for p in provinces if p), sorted((b for b in batches if b), reverse=True)


TOTALS = (
    "organisations",
    "enterprises",
    "certified_enterprises",
    "pilot_enterprises",
    "acceptances_accepted",
    "recognised_investment",
    "subsidy_published",
    "subsidy_disbursed",
    "ecosystem_providers_approved",
    "ecosystem_products_approved",
    "listed_products",
    "orders",
    "paid_amount",
    "vouchers_issued",
    "vouchers_redeemed",
    "cultivation_declared",
    "cultivation_recognised",
    "tasks_open",
    "tasks_overdue",
)


def console_totals(filters: ConsoleFilter) -> dict:
    """The filtered cities' figures added up (one aggregate)."""
    rows = TenantFigures.objects.filter(tenant__kind=Tenant.Kind.TENANT).filter(_tenant_filter(filters, "tenant__"))
    return rows.aggregate(**{name: Sum(name) for name in TOTALS})


TRENDS_CACHE_SECONDS = 600


def console_trends(filters: ConsoleFilter, *, days: int = TREND_DAYS, columns=SNAPSHOT_COLUMNS) -> dict:
    """Daily sums over the filtered cities for the charts: `{"days": [...], "series": {name: [...]}}`, one GROUP BY
    over at most `days` × cities snapshot rows (27,000 at 300 cities). Snapshots change once a day, so the sums are
    cached for TRENDS_CACHE_SECONDS per filter and day: a re-run of the day's job shows within that time."""
    from django.core.cache import cache

    today = timezone.localdate()
    parts = [today.isoformat(), str(days), *columns, filters.province, filters.batch, filters.status, filters.q]
    key = "oversight:trends:" + hashlib.sha256(json.dumps(parts).encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = TenantSnapshot.objects.filter(day__gte=today - datetime.timedelta(days=days - 1))
    condition = _tenant_filter(filters, "tenant__")
    if condition:  # only a filter joins the tenants (snapshots are taken of cities only)
        rows = rows.filter(condition)
    rows = rows.values("day").annotate(**{name: Sum(name) for name in columns}).order_by("day")
    result = {"days": [], "series": {name: [] for name in columns}}
    for row in rows:
        result["days"].append(row["day"].isoformat())
        for name in columns:
            result["series"][name].append(row[name] or 0)
    cache.set(key, result, TRENDS_CACHE_SECONDS)
    return result


def console_tenant(schema_name: str) -> Tenant | None:
    """One city with its roll-up and hosts, or None (the template schema and `public` are no city)."""
    return (
        Tenant.objects.filter(kind=Tenant.Kind.TENANT, schema_name=schema_name)
        .select_related("figures")
        .prefetch_related("domains")
        .first()
    )


def tenant_snapshots(tenant: Tenant, *, days: int = TREND_DAYS) -> list[TenantSnapshot]:
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    return list(TenantSnapshot.objects.filter(tenant=tenant, day__gte=since).order_by("day"))


def audit_tenants():
    """The tenants the audit page filters by (the template schema is no city)."""
    return Tenant.objects.filter(kind=Tenant.Kind.TENANT).order_by("created_at", "id").only("schema_name", "name")


def audit_entries(*, schema_name: str | None = None, action: str | None = None):
    """Every tenant's audit trail, newest first, with the acting identity in the same query."""
    entries = AuditEntry.objects.select_related("actor").order_by("-created_at", "-id")
    if schema_name:
        entries = entries.filter(schema_name=schema_name)
    if action:
        entries = entries.filter(action=action)
    return entries
