"""Operations manage the marketplace's taxonomy: 商品目录 (catalogues), 解决方案分类 (categories) and 标签 (tags).

Names are unique per kind, compared without regard to case or surrounding spaces (a duplicate is a DomainError on
`name`, `market.duplicate_name`). Nothing is deleted: a listing keeps what it was filed under, so an item no longer
offered is deactivated (new listings cannot pick it; listed products keep showing it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.marketplace.models import Catalogue, Category, Tag
from tenants.errors import DomainError, not_found


@dataclass(frozen=True)
class Kind:
    code: str
    model: type[Model]
    label: str
    plural: str
    max_length: int
    positioned: bool  # has a `position` (catalogues and categories are ordered by hand; tags by name)


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind("catalogue", Catalogue, gettext_lazy("商品目录"), gettext_lazy("商品目录"), 40, True),
        Kind("category", Category, gettext_lazy("解决方案分类"), gettext_lazy("解决方案分类"), 40, True),
        Kind("tag", Tag, gettext_lazy("标签"), gettext_lazy("标签"), 20, False),
    )
}


def kind_of(code: str) -> Kind:
    kind = KINDS.get(code)
    if kind is None:
        raise not_found(_("未知的分类类型。"), code="market.unknown_kind")
    return kind


def list_url(kind: Kind) -> str:
    return f"{reverse('market-taxonomy')}?kind={kind.code}"


def _ordering(kind: Kind) -> list[str]:
    return ["position", "id"] if kind.positioned else ["name", "id"]


def items(kind: Kind, *, active_only: bool = False) -> QuerySet:
    rows = kind.model.objects.order_by(*_ordering(kind))
    return rows.filter(is_active=True) if active_only else rows


def item(kind: Kind, pk):
    found = kind.model.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise not_found(_("该条目不存在。"), code="market.taxonomy_not_found")
    return found


def _require_ops(membership) -> None:
    if membership is None or not membership.has_role("ops"):
        raise DomainError(_("仅运营人员可以管理商品目录、分类与标签。"), code="market.ops_only", status=403)


def _clean_name(kind: Kind, name) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise DomainError(_("请填写名称。"), code="market.name_required", field="name")
    if len(name) > kind.max_length:
        raise DomainError(
            _("名称不能超过 %(n)s 个字。") % {"n": kind.max_length}, code="market.name_too_long", field="name"
        )
    return name


def _duplicate(kind: Kind) -> DomainError:
    return DomainError(_("已存在同名的%(kind)s。") % {"kind": kind.label}, code="market.duplicate_name", field="name")


def _save(kind: Kind, row, name: str, exclude_pk=None):
    if kind.model.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        raise _duplicate(kind)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # a concurrent save of the same name
        raise _duplicate(kind) from None
    return row


def create(membership, kind: Kind, *, name, position: int | None = 0, is_active: bool = True):
    _require_ops(membership)
    name = _clean_name(kind, name)
    row = kind.model(name=name, is_active=bool(is_active))
    if kind.positioned:
        row.position = int(position or 0)
    return _save(kind, row, name)


def update(membership, kind: Kind, pk, *, name, position: int | None = None, is_active: bool | None = None):
    _require_ops(membership)
    row = item(kind, pk)
    name = _clean_name(kind, name)
    row.name = name
    if kind.positioned and position is not None:
        row.position = int(position)
    if is_active is not None:
        row.is_active = bool(is_active)
    return _save(kind, row, name, exclude_pk=row.pk)


def set_active(membership, kind: Kind, pk, active: bool):
    """启用 / 停用. Listings keep a deactivated item; only new choices stop offering it."""
    _require_ops(membership)
    row = item(kind, pk)
    if row.is_active != bool(active):
        row.is_active = bool(active)
        row.save(update_fields=["is_active"])
    return row


# --- A preset's starting taxonomy (`[marketplace]` in the preset) -------------------------------------------------------
def seed_taxonomy(data: dict) -> dict[str, int]:
    """Create the named catalogues, categories and tags in the current schema where missing (idempotent: existing
    names are left as they are). `data` has the keys catalogues, categories, tags (lists of names)."""
    created = {"catalogues": 0, "categories": 0, "tags": 0}
    for key, model, positioned in (
        ("catalogues", Catalogue, True),
        ("categories", Category, True),
        ("tags", Tag, False),
    ):
        for position, name in enumerate(data.get(key) or [], start=1):
            defaults = {"position": position} if positioned else {}
            _row, made = model.objects.get_or_create(name=name, defaults=defaults)
            created[key] += int(made)
    return created


def taxonomy_provision(data: dict, context) -> None:
    """Provisioning step: a tenant that runs the marketplace starts with its preset's taxonomy."""
    if "marketplace" in (data.get("modules") or context.tenant.modules or []):
        seed_taxonomy(data.get("marketplace") or {})


def taxonomy_provision_if_empty(data: dict, context) -> None:
    """On a restart that keeps the city's configuration: only a marketplace with no taxonomy at all gets the
    preset's (so what operations renamed or switched off stays as they left it)."""
    if not (Catalogue.objects.exists() or Category.objects.exists() or Tag.objects.exists()):
        taxonomy_provision(data, context)
