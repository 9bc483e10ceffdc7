"""Who reads which cultivation declarations, evidence and recognitions — the one policy the pages, the API, the
engine's content links and the downloads share.

- An enterprise reads its own (any active member with the enterprise role).
- The staff of a division (`Membership.region`, with a cultivation role) read those of enterprises registered in
  that division's subtree (`Region.path` prefix: 宁波市 staff see 鄞州区 and 海曙区, 海曙区 staff only 海曙区), once
  submitted — a draft is the enterprise's own until it is handed in.
- The tenant admin reads every one.
- Revocation is for the province level and the tenant admin (the province recognises, so it revokes; a county or
  city reads the recognitions of its place but may not cancel them).

Querysets are filters on single-valued paths and EXISTS, never a join to a many-valued relation with DISTINCT.
Missing and forbidden answer alike (404), so ids cannot be probed."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from tenant_apps.configuration.models import Region
from tenant_apps.cultivation.models import Declaration, EnterpriseInfo, Evidence, Recognition
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError, not_found

ADMIN_ROLES = ("city_bureau", "province", "tenant_admin")


def _usable(membership) -> bool:
    return membership is not None and membership.is_active


def sees_all(membership) -> bool:
    return _usable(membership) and membership.has_role("tenant_admin")


def admin_region(membership) -> Region | None:
    """The division whose subtree this person administers (None: not division staff)."""
    if not _usable(membership) or not membership.region_id or not membership.has_role(*ADMIN_ROLES):
        return None
    return membership.region


def is_admin(membership) -> bool:
    return sees_all(membership) or admin_region(membership) is not None


def may_revoke(membership) -> bool:
    """Province-level staff and the tenant admin (documented in the module docstring)."""
    if sees_all(membership):
        return True
    region = admin_region(membership)
    return region is not None and region.level == Region.Level.PROVINCE


def in_subtree(path: str, field: str = "region__path") -> Q:
    """`field` is the division `path` or one below it ("330200" matches "330200/330212", never "3302001")."""
    return Q(**{field: path}) | Q(**{f"{field}__startswith": path + "/"})


def registered_under(path: str):
    """An EXISTS on the organisation's cultivation info registered in the subtree of `path`."""
    return Exists(EnterpriseInfo.objects.filter(in_subtree(path), organisation_id=OuterRef("organisation_id")))


def _own(membership) -> Q | None:
    if membership.organisation_id and membership.has_role("enterprise"):
        return Q(organisation_id=membership.organisation_id)
    return None


def declarations_readable(membership):
    if not _usable(membership):
        return Declaration.objects.none()
    submitted = Q(application__submitted_at__isnull=False) & ~Q(application__state=Application.State.DRAFT)
    if sees_all(membership):
        return Declaration.objects.filter(submitted | (_own(membership) or Q(pk__in=[])))
    condition = _own(membership)
    region = admin_region(membership)
    if region is not None:
        staff = Q(registered_under(region.path)) & submitted
        condition = staff if condition is None else condition | staff
    if condition is None:
        return Declaration.objects.none()
    return Declaration.objects.filter(condition)


def recognitions_readable(membership):
    if not _usable(membership):
        return Recognition.objects.none()
    if sees_all(membership):
        return Recognition.objects.all()
    condition = _own(membership)
    region = admin_region(membership)
    if region is not None:
        staff = Q(registered_under(region.path))
        condition = staff if condition is None else condition | staff
    if condition is None:
        return Recognition.objects.none()
    return Recognition.objects.filter(condition)


def read_declaration(membership, pk) -> Declaration:
    declaration = (
        declarations_readable(membership)
        .select_related("tier", "window", "window__region", "application", "organisation", "assessment")
        .filter(pk=pk)
        .first()
    )
    if declaration is None:
        raise not_found(_("该申报不存在。"), code="cultivation.not_found")
    return declaration


def evidence_file(membership, pk, evidence_pk) -> Evidence:
    item = Evidence.objects.filter(
        pk=evidence_pk, declaration_id=pk, declaration__in=declarations_readable(membership)
    ).first()
    if item is None:
        raise not_found(_("该文件不存在。"), code="cultivation.file_not_found")
    return item


def read_recognition(membership, pk) -> Recognition:
    recognition = (
        recognitions_readable(membership).select_related("tier", "region", "organisation").filter(pk=pk).first()
    )
    if recognition is None:
        raise not_found(_("该认定不存在。"), code="cultivation.recognition_not_found")
    return recognition


def revocable_recognition(membership, pk) -> Recognition:
    """A recognition this person reads (else 404) and may revoke (else 403: it is shown to them, so no secret)."""
    recognition = read_recognition(membership, pk)
    if not may_revoke(membership):
        raise DomainError(
            _("只有省级主管部门和平台管理员可以撤销认定。"), code="cultivation.revoke_not_allowed", status=403
        )
    return recognition
