"""Declaration and recognition lists as the pages and the API read them: the access policy's querysets, filtered,
with the latest review opinion annotated (one subquery) and the related rows joined, so a page of rows costs the
same statements as one row. The current level is read from the application's stage snapshot (no query)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery

from tenant_apps.configuration.models import Region
from tenant_apps.cultivation import access
from tenant_apps.cultivation.models import Tier
from tenant_apps.workflow.models import Application, LogEntry

OPINION_ACTIONS = (LogEntry.Action.APPROVE, LogEntry.Action.RETURN, LogEntry.Action.REJECT)
MAX_QUERY_LENGTH = 50
ROW_RELATED = ("tier", "window", "window__region", "application", "organisation", "organisation__cultivation_info",
               "organisation__cultivation_info__region")  # fmt: skip


@dataclass(frozen=True)
class Filters:
    tier: str = ""
    state: str = ""
    region: str = ""  # a Region code: that division and everything under it
    q: str = ""


def _latest_opinion():
    return Subquery(
        LogEntry.objects.filter(application_id=OuterRef("application_id"), action__in=OPINION_ACTIONS)
        .exclude(opinion="")
        .order_by("-created_at", "-id")
        .values("opinion")[:1]
    )


def stage_name(application: Application) -> str:
    """The level holding an application under review (its open task's stage), from the snapshot."""
    if application.state != Application.State.IN_REVIEW:
        return ""
    return str((application.current_stage or {}).get("name", ""))


def _region_path(code: str) -> str | None:
    return Region.objects.filter(code=code).values_list("path", flat=True).first() if code else None


def _filtered_declarations(queryset, filters: Filters):
    if filters.tier:
        queryset = queryset.filter(tier__code=filters.tier)
    if filters.state:
        queryset = queryset.filter(application__state=filters.state)
    if filters.region:
        path = _region_path(filters.region)
        queryset = queryset.filter(access.registered_under(path)) if path else queryset.none()
    if filters.q:
        queryset = queryset.filter(organisation__name__icontains=filters.q[:MAX_QUERY_LENGTH])
    return queryset


def declaration_rows(queryset, filters: Filters = Filters()):
    return (
        _filtered_declarations(queryset, filters)
        .select_related(*ROW_RELATED)
        .annotate(opinion=_latest_opinion())
        .order_by("-created_at", "-id")
    )


def enterprise_declarations(membership, filters: Filters = Filters()):
    """企业申报信息's history: the enterprise's own declarations (drafts included)."""
    organisation_id = membership.organisation_id
    return declaration_rows(access.declarations_readable(membership).filter(organisation_id=organisation_id), filters)


def admin_declarations(membership, filters: Filters = Filters()):
    return declaration_rows(access.declarations_readable(membership), filters)


def declaration_counts(membership) -> dict:
    """Counts per tier and state of what this administrator reads: {"tiers": [...], "states": [...], "rows":
    [{"tier", "counts": [n per state], "total"}]} — one grouped query."""
    grouped = (
        access.declarations_readable(membership)
        .values("tier_id", "application__state")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_tier: dict[int, dict[str, int]] = {}
    for row in grouped:
        by_tier.setdefault(row["tier_id"], {})[row["application__state"]] = row["n"]
    states = [s for s in Application.State if s != Application.State.DRAFT]
    rows = []
    for tier in Tier.objects.all():
        counts = by_tier.get(tier.pk, {})
        rows.append(
            {
                "tier": tier,
                "counts": [counts.get(state.value, 0) for state in states],
                "total": sum(counts.values()),
            }
        )
    return {"states": states, "rows": rows}


def recognition_rows(membership, filters: Filters = Filters()):
    queryset = access.recognitions_readable(membership)
    if filters.tier:
        queryset = queryset.filter(tier__code=filters.tier)
    if filters.state:
        queryset = queryset.filter(status=filters.state)
    if filters.region:
        path = _region_path(filters.region)
        queryset = queryset.filter(access.registered_under(path)) if path else queryset.none()
    if filters.q:
        queryset = queryset.filter(
            Q(organisation__name__icontains=filters.q[:MAX_QUERY_LENGTH])
            | Q(certificate_no__icontains=filters.q[:MAX_QUERY_LENGTH])
        )
    return queryset.select_related(
        "tier", "region", "organisation", "organisation__cultivation_info", "organisation__cultivation_info__region"
    ).order_by("-valid_from", "-id")


def region_choices(membership) -> list[tuple[str, str]]:
    """The divisions an administrator may filter by: their own and those below it (all for the tenant admin)."""
    regions = Region.objects.all()
    if not access.sees_all(membership):
        region = access.admin_region(membership)
        if region is None:
            return []
        regions = regions.filter(access.in_subtree(region.path, "path"))
    return [(r.code, ("　" * r.path.count("/")) + r.name) for r in regions.order_by("path")]


def recognition_counts(membership) -> dict[str, int]:
    grouped = access.recognitions_readable(membership).values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in grouped}
