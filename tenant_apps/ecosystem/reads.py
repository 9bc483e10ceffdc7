"""Reads of the ecosystem API beside the services' and the pages' own (`selectors` holds the public ones the portal
and the API share): which pools and alliance members an anchor unit (its own) or the city (every unit, or one by
code) may list."""

from __future__ import annotations

from django.db.models import OuterRef
from django.utils.translation import gettext as _

from tenant_apps.configuration.models import AnchorUnit
from tenant_apps.ecosystem import alliances, common
from tenant_apps.ecosystem.models import AllianceMember, PoolEntry
from tenants.errors import DomainError


# --- Pools and alliances (an anchor unit: its own; the city: every unit or `unit`) --------------------------------
def units_for(membership, code: str = ""):
    """The units whose pool and alliance this person lists: an anchor unit its own (whatever `code` says), the city
    every active unit or the one `code` names; anyone else is refused (403)."""
    own = common.anchor_unit_of(membership)
    if own is not None:
        return AnchorUnit.objects.filter(pk=own.pk)
    if not common.is_city(membership):
        raise DomainError(
            _("只有数字化牵引单位和市级管理部门可以查看联合体与产品池。"), code="alliance.not_reader", status=403
        )
    units = AnchorUnit.objects.filter(is_active=True)
    return units.filter(code=code) if code else units


def pools_for(membership, code: str = ""):
    """Products in the pools now (open entries), newest first."""
    return (
        PoolEntry.objects.filter(anchor_unit__in=units_for(membership, code), removed_at__isnull=True)
        .select_related("anchor_unit", "product__organisation")
        .order_by("-added_at", "-id")
    )


def members_for(membership, code: str = ""):
    """Alliance members now, each with its pooled product count in that unit (one correlated count)."""
    pooled = PoolEntry.objects.filter(
        anchor_unit=OuterRef("anchor_unit"), removed_at__isnull=True, product__organisation=OuterRef("organisation")
    )
    return (
        AllianceMember.objects.filter(anchor_unit__in=units_for(membership, code), left_at__isnull=True)
        .select_related("anchor_unit", "organisation")
        .annotate(products=alliances._count(pooled, "anchor_unit"))
        .order_by("-joined_at", "-id")
    )
