"""Who receives a nationwide notice (ADR 0011): the approver is told this number before a notice goes live."""

from __future__ import annotations

from django.db.models import QuerySet


def audience(source_schema: str) -> QuerySet:
    """The tenants whose portals show the nationwide notices published by `source_schema`: every serving tenant
    but the source itself — the other side of `NationwideNotice.objects.shown_in`."""
    from tenants.models import Tenant

    return Tenant.objects.serving().exclude(schema_name=source_schema)


def audience_count(source_schema: str) -> int:
    return audience(source_schema).count()
