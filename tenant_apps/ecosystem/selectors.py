"""Reads for the anchor unit's, the city's and the public pages (the provider's lists are `provider_selectors`).

- The anchor unit: its alliance now, its pool, its former members, its pending confirmations.
- The city: counts per anchor unit; every submitted declaration and product across units, filtered by unit, state
  and name.
- The portal: 上架产品 (approved products in at least one open pool of an active unit), a product's page, and the
  active anchor units with their alliance and pool sizes.

Every list is one statement for its rows plus a fixed number for its prefetches: counts are correlated subqueries and
many-valued filters are EXISTS (docs/conventions.md), so no join multiplies rows and nothing needs DISTINCT."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404

from tenant_apps.configuration.models import AnchorUnit, Industry
from tenant_apps.ecosystem import access, alliances, common, declarations, products
from tenant_apps.ecosystem.counts import correlated_count
from tenant_apps.ecosystem.models import AllianceMember, Declaration, PoolEntry, Product, Status
from tenant_apps.workflow import policies

MAX_QUERY_LENGTH = 50
REVIEW_KINDS = (declarations.KIND, products.KIND)
# What the city lists: everything ever submitted (a draft never sent is the provider's own business).
CITY_STATUSES = (
    Status.PENDING,
    Status.IN_REVIEW,
    Status.RETURNED,
    Status.APPROVED,
    Status.REJECTED,
    Status.WITHDRAWN,
)


def _open_pools():
    """A product's open pool entries in active units, with their unit (one prefetch for a whole page)."""
    return Prefetch(
        "pool_entries",
        queryset=PoolEntry.objects.filter(removed_at__isnull=True, anchor_unit__is_active=True)
        .select_related("anchor_unit")
        .order_by("anchor_unit__code"),
        to_attr="open_pools",
    )


# --- Who acts for which unit -------------------------------------------------------------------------------------------
def own_unit(membership) -> AnchorUnit | None:
    return common.anchor_unit_of(membership)


def unit_for_city(pk) -> AnchorUnit:
    """One anchor unit for the city's pages (the caller has checked `common.is_city`)."""
    unit = AnchorUnit.objects.filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def member_to_manage(membership, pk) -> AllianceMember:
    """An open alliance member this person may remove (its own unit's, or any for the city); 404 otherwise."""
    queryset = AllianceMember.objects.filter(pk=pk, left_at__isnull=True).select_related("anchor_unit", "organisation")
    if not common.is_city(membership):
        unit = own_unit(membership)
        if unit is None:
            raise Http404
        queryset = queryset.filter(anchor_unit=unit)
    member = queryset.first()
    if member is None:
        raise Http404
    return member


# --- The anchor unit's page --------------------------------------------------------------------------------------------
def alliance_members(units):
    """The alliance now of one unit (or of every unit of a queryset), each member with its pooled product count in
    its unit."""
    return alliances.members_of(units)


def alliance_pool(units):
    """The pool now of one unit (or of every unit of a queryset), newest first."""
    return alliances.pool_of(units)


def former_members(unit: AnchorUnit):
    """Who left (移出联合体), latest first: the history the open rows no longer show."""
    return (
        AllianceMember.objects.filter(anchor_unit=unit, left_at__isnull=False)
        .select_related("organisation")
        .order_by("-left_at", "-id")
    )


def alliance_summary(unit: AnchorUnit) -> dict:
    """Members now, products in the pool now, members who left (three correlated counts, one statement)."""
    members = AllianceMember.objects.filter(anchor_unit=OuterRef("pk"))
    pooled = PoolEntry.objects.filter(anchor_unit=OuterRef("pk"), removed_at__isnull=True)
    return (
        AnchorUnit.objects.filter(pk=unit.pk)
        .annotate(
            members_now=correlated_count(members.filter(left_at__isnull=True), "anchor_unit"),
            former=correlated_count(members.filter(left_at__isnull=False), "anchor_unit"),
            pooled=correlated_count(pooled, "anchor_unit"),
        )
        .values("members_now", "former", "pooled")
        .get()
    )


def pending_confirmations(membership) -> int:
    """Declarations and products waiting for this person in 待我审批 (the engine's inbox)."""
    return policies.tasks_awaiting(membership).filter(application__kind__in=REVIEW_KINDS).count()


# --- The city's overview -----------------------------------------------------------------------------------------------
def unit_rows():
    """Per anchor unit (active or not): alliance members and pooled products now, declarations naming it in review and
    approved, products it reviews in review and approved. Six correlated counts, one statement."""
    unit = OuterRef("pk")
    members = AllianceMember.objects.filter(anchor_unit=unit, left_at__isnull=True)
    pooled = PoolEntry.objects.filter(anchor_unit=unit, removed_at__isnull=True)
    declared = Declaration.objects.filter(anchor_unit=unit)
    reviewed = Product.objects.filter(anchor_unit=unit)
    return AnchorUnit.objects.annotate(
        member_count=correlated_count(members, "anchor_unit"),
        pooled_count=correlated_count(pooled, "anchor_unit"),
        declarations_in_review=correlated_count(declared.filter(status=Status.IN_REVIEW), "anchor_unit"),
        declarations_approved=correlated_count(declared.filter(status=Status.APPROVED), "anchor_unit"),
        products_in_review=correlated_count(reviewed.filter(status=Status.IN_REVIEW), "anchor_unit"),
        products_approved=correlated_count(reviewed.filter(status=Status.APPROVED), "anchor_unit"),
    ).order_by("-is_active", "code")


def unit_choices() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in AnchorUnit.objects.order_by("-is_active", "code").values_list("pk", "name")]


@dataclass(frozen=True)
class CityFilters:
    unit: int | None = None
    status: str = ""
    q: str = ""


def _detail_visible(membership):
    """Whether the engine's application page opens for this person (it shows what `applications_visible` allows:
    the city reads a row here before its own stage, the page only from it on), so a list never links to a 404."""
    return Exists(policies.applications_visible(membership).filter(pk=OuterRef("application_id")))


def city_declarations(membership, filters: CityFilters = CityFilters()):
    """Every submitted declaration of the city, newest submission first; `q` matches the provider's name."""
    queryset = (
        access.declarations_readable(membership)
        .filter(status__in=CITY_STATUSES)
        .select_related("organisation", "anchor_unit", "application")
        .annotate(detail_visible=_detail_visible(membership))
    )
    if filters.unit:
        queryset = queryset.filter(anchor_unit_id=filters.unit)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.q:
        queryset = queryset.filter(organisation__name__icontains=filters.q)
    return queryset.order_by("-application__submitted_at", "-id")


def city_products(membership, filters: CityFilters = CityFilters()):
    """Every submitted product of the city, newest submission first. `unit` is the reviewing unit or a unit whose
    pool holds it now; `q` matches the product's or the provider's name."""
    queryset = (
        access.products_readable(membership)
        .filter(status__in=CITY_STATUSES)
        .select_related("organisation", "anchor_unit", "application")
        .annotate(detail_visible=_detail_visible(membership))
        .prefetch_related(_open_pools())
    )
    if filters.unit:
        pooled = PoolEntry.objects.filter(product=OuterRef("pk"), anchor_unit_id=filters.unit, removed_at__isnull=True)
        queryset = queryset.filter(Q(anchor_unit_id=filters.unit) | Exists(pooled))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.q:
        queryset = queryset.filter(Q(name__icontains=filters.q) | Q(organisation__name__icontains=filters.q))
    return queryset.order_by("-application__submitted_at", "-id")


# --- The portal: 上架产品 and the anchor units ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicFilters:
    q: str = ""
    category: str = ""
    industry: str = ""  # an Industry code
    unit: str = ""  # an AnchorUnit code


def _in_open_pool(unit_code: str = ""):
    pooled = PoolEntry.objects.filter(product=OuterRef("pk"), removed_at__isnull=True, anchor_unit__is_active=True)
    if unit_code:
        pooled = pooled.filter(anchor_unit__code=unit_code)
    return Exists(pooled)


def listed_products():
    """上架产品: approved and in at least one open pool of an active anchor unit."""
    return Product.objects.filter(_in_open_pool(), status=Status.APPROVED)


def public_products(filters: PublicFilters = PublicFilters()):
    """The catalogue's rows, latest approval first, with the provider and the units whose pools hold each product."""
    queryset = listed_products()
    if filters.q:
        queryset = queryset.filter(Q(name__icontains=filters.q) | Q(organisation__name__icontains=filters.q))
    if filters.category:
        queryset = queryset.filter(categories__contains=[filters.category])
    if filters.industry:
        tagged = Product.industries.through.objects.filter(product_id=OuterRef("pk"), industry__code=filters.industry)
        queryset = queryset.filter(Exists(tagged))
    if filters.unit:
        queryset = queryset.filter(_in_open_pool(filters.unit))
    return queryset.select_related("organisation").prefetch_related(_open_pools()).order_by("-approved_at", "-id")


def public_product(pk) -> Product:
    """A listed product with what its public page shows; anything else (a draft, one under review, one no pool holds)
    answers 404."""
    product = (
        listed_products()
        .filter(pk=pk)
        .select_related("organisation", "anchor_unit")
        .prefetch_related("cases", "industries", _open_pools())
        .first()
    )
    if product is None:
        raise Http404
    return product


def public_facets() -> dict[str, list[tuple[str, str]]]:
    """The filter choices: categories, industries, active units (two statements)."""
    return {
        "category": [(str(code), str(label)) for code, label in Product.Category.choices],
        "industry": list(Industry.objects.order_by("position", "id").values_list("code", "name")),
        "unit": list(AnchorUnit.objects.filter(is_active=True).order_by("code").values_list("code", "name")),
    }


def public_units():
    """The active anchor units with their industries, alliance size and pool size."""
    return alliances.unit_counts().prefetch_related("industries")
