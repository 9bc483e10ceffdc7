"""Alliances and pools: who is in which anchor unit's alliance, which products are in which unit's pool. Rows are
closed (`left_at`, `removed_at`), never deleted, so history stays readable; the open rows are the current state."""

from __future__ import annotations

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.configuration.models import AnchorUnit
from tenant_apps.ecosystem import common
from tenant_apps.ecosystem.counts import correlated_count
from tenant_apps.ecosystem.models import AllianceMember, PoolEntry, Product, Status
from tenants.errors import DomainError, not_found


def join(declaration) -> AllianceMember:
    """The unit confirmed: the provider joins its alliance and every approved product of the provider enters the
    unit's pool (a first declaration's products are not approved yet; they follow on their own approval)."""
    member, _created = AllianceMember.objects.get_or_create(
        anchor_unit=declaration.anchor_unit,
        organisation=declaration.organisation,
        left_at__isnull=True,
        defaults={"declaration": declaration, "joined_at": timezone.now()},
    )
    for product in Product.objects.filter(organisation=declaration.organisation, status=Status.APPROVED):
        pool_add(declaration.anchor_unit, product)
    return member


def pool_add(unit: AnchorUnit, product: Product) -> None:
    PoolEntry.objects.get_or_create(
        anchor_unit=unit, product=product, removed_at__isnull=True, defaults={"added_at": timezone.now()}
    )


def product_approved(product: Product) -> None:
    """An approved product enters the pool of every unit the provider is bound to now."""
    for member in AllianceMember.objects.filter(organisation=product.organisation, left_at__isnull=True).select_related(
        "anchor_unit"
    ):
        pool_add(member.anchor_unit, product)


def _of(units) -> Q:
    """Rows of one anchor unit, or of every unit of a queryset."""
    return Q(anchor_unit__in=units) if isinstance(units, QuerySet) else Q(anchor_unit=units)


def members_of(units):
    """The alliance now of one unit (or of every unit of a queryset), each member with its pooled product count in
    its unit (one correlated count)."""
    pooled = PoolEntry.objects.filter(
        anchor_unit=OuterRef("anchor_unit"), removed_at__isnull=True, product__organisation=OuterRef("organisation")
    )
    return (
        AllianceMember.objects.filter(_of(units), left_at__isnull=True)
        .select_related("anchor_unit", "organisation")
        .annotate(products=correlated_count(pooled, "anchor_unit"))
        .order_by("-joined_at", "-id")
    )


def pool_of(units):
    """The products in the pool now of one unit (or of every unit of a queryset), newest first."""
    return (
        PoolEntry.objects.filter(_of(units), removed_at__isnull=True)
        .select_related("anchor_unit", "product__organisation")
        .order_by("-added_at", "-id")
    )


def _may_manage(membership, unit: AnchorUnit) -> bool:
    if common.is_city(membership):
        return True
    own = common.anchor_unit_of(membership)
    return own is not None and own.pk == unit.pk


@transaction.atomic
def member_leave(*, membership, member_pk: int, reason: str) -> AllianceMember:
    """移出联合体 (by the unit itself or the city): the member row and the provider's products in this unit's pool
    are closed with the reason; other units' pools keep them."""
    member = (
        AllianceMember.objects.select_for_update(of=("self",))
        .select_related("anchor_unit")
        .filter(pk=member_pk, left_at__isnull=True)
        .first()
    )
    if member is None or not _may_manage(membership, member.anchor_unit):
        raise not_found(_("该联合体成员不存在。"), code="alliance.not_found")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写移出原因。"), code="alliance.reason_required", field="reason")
    if len(reason) > 200:
        raise DomainError(_("移出原因不能超过 200 字。"), code="alliance.reason_too_long", field="reason")
    now = timezone.now()
    member.left_at, member.left_reason = now, reason
    member.save(update_fields=["left_at", "left_reason"])
    PoolEntry.objects.filter(
        anchor_unit=member.anchor_unit, product__organisation=member.organisation, removed_at__isnull=True
    ).update(removed_at=now, removed_reason=reason)
    return member


def unit_counts():
    """Per active unit: alliance members and pooled products now (the city's and the portal's figures)."""
    members = AllianceMember.objects.filter(anchor_unit=OuterRef("pk"), left_at__isnull=True)
    pooled = PoolEntry.objects.filter(anchor_unit=OuterRef("pk"), removed_at__isnull=True)
    return (
        AnchorUnit.objects.filter(is_active=True)
        .annotate(
            member_count=correlated_count(members, "anchor_unit"), product_count=correlated_count(pooled, "anchor_unit")
        )
        .order_by("code")
    )
