"""Which pools and alliance members the ecosystem API lists: an anchor unit its own, the city every unit or one by
code. The rows are the pages' own (`selectors.alliance_pool`, `selectors.alliance_members`); only who may list
which units is the API's."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tenant_apps.configuration.models import AnchorUnit
from tenant_apps.ecosystem import common, selectors
from tenants.errors import DomainError


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
    return selectors.alliance_pool(units_for(membership, code))


def members_for(membership, code: str = ""):
    """Alliance members now, each with its pooled product count in its unit."""
    return selectors.alliance_members(units_for(membership, code))
