"""Reads of the public catalogue and product page. Only listed products with a live version are ever visible here;
a draft, a product in review or a delisted one does not exist for the public (404).

Every list costs a constant number of queries whatever the page size: one COUNT, one page of listings joined to
their live version, provider and catalogue (filters are EXISTS subqueries on the live version's many-to-many
tables, never joins with DISTINCT). Search is a case-insensitive substring match on the product name and its tag
names (Chinese has no word boundaries PostgreSQL could index; ADR 0012)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.marketplace.models import (
    Catalogue,
    Category,
    Listing,
    ListingMedia,
    ListingVersion,
    Rating,
    Tag,
)

SORTS = {
    "newest": gettext_lazy("最新上架"),
    "rating": gettext_lazy("评分最高"),
    "price": gettext_lazy("价格从低到高"),
}
DEFAULT_SORT = "newest"
MAX_QUERY_LENGTH = 60


@dataclass(frozen=True)
class CatalogueFilters:
    """What a person may filter the catalogue by (all optional)."""

    q: str = ""
    catalogue: int | None = None
    category: int | None = None
    industry: int | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    sort: str = DEFAULT_SORT


def listed() -> QuerySet[Listing]:
    """The listings the public may see: listed, with the version on sale."""
    return Listing.objects.filter(state=Listing.State.LISTED, live_version__isnull=False)


def _version_has(through, field: str, value: int):
    return Exists(through.objects.filter(listingversion_id=OuterRef("live_version_id"), **{field: value}))


# What a card (page and API) shows: a page of rows never hauls the versions' intro pages, contacts and the
# provider's whole record (the intro alone is most of a version's row).
CARD_FIELDS = (
    "id",
    "state",
    "listed_at",
    "rating_count",
    "rating_sum",
    "organisation__name",
    "live_version__name",
    "live_version__thumbnail",
    "live_version__price_min",
    "live_version__price_max",
    "live_version__catalogue__name",
)


def catalogue_listings(filters: CatalogueFilters) -> QuerySet[Listing]:
    """The catalogue's rows, filtered and sorted; each row carries its live version, provider and catalogue (only
    the columns a card shows: CARD_FIELDS)."""
    rows = listed().select_related("live_version", "live_version__catalogue", "organisation").only(*CARD_FIELDS)
    version = ListingVersion
    q = (filters.q or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    for term in q.split()[:5]:
        # The versions with a matching tag, as one uncorrelated set (PostgreSQL hashes it once per query), not an
        # EXISTS per row: under an OR a correlated subquery cannot become a join and ran once per listed product.
        tagged = version.tags.through.objects.filter(tag__name__icontains=term).values("listingversion_id")
        rows = rows.filter(Q(live_version__name__icontains=term) | Q(live_version_id__in=tagged))
    if filters.catalogue:
        rows = rows.filter(live_version__catalogue_id=filters.catalogue)
    if filters.category:
        rows = rows.filter(_version_has(version.categories.through, "category_id", filters.category))
    if filters.industry:
        rows = rows.filter(_version_has(version.industries.through, "industry_id", filters.industry))
    # A product's price range [min, max] overlaps the asked range; a product with no price at all is left out
    # once a price bound is given (its price is unknown, not zero).
    low = Coalesce("live_version__price_min", "live_version__price_max")
    high = Coalesce("live_version__price_max", "live_version__price_min")
    if filters.price_min is not None:
        rows = rows.alias(_high=high).filter(_high__gte=filters.price_min)
    if filters.price_max is not None:
        rows = rows.alias(_low=low).filter(_low__lte=filters.price_max)
    sort = filters.sort if filters.sort in SORTS else DEFAULT_SORT
    if sort == "rating":
        average = ExpressionWrapper(
            F("rating_sum") * Value(Decimal("1.0")) / NullIf(F("rating_count"), 0),
            output_field=DecimalField(max_digits=12, decimal_places=4),
        )
        rows = rows.alias(_average=average).order_by(
            F("_average").desc(nulls_last=True), "-rating_count", "-listed_at", "-id"
        )
    elif sort == "price":
        rows = rows.alias(_price=low).order_by(F("_price").asc(nulls_last=True), "-listed_at", "-id")
    else:
        rows = rows.order_by(F("listed_at").desc(nulls_last=True), "-id")
    return rows


def listed_listing(pk) -> Listing:
    """A listed product with its live version ready for `_product_body.html` (cases, specs, media, tags,
    categories, industries, experts prefetched); 404 for anything else."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("商品不存在或已下架。")) from None
    listing = listed().select_related("live_version", "live_version__catalogue", "organisation").filter(pk=pk).first()
    if listing is None:
        raise Http404(_("商品不存在或已下架。"))
    version_prefetched(listing.live_version)
    return listing


def version_prefetched(version: ListingVersion) -> ListingVersion:
    """Fill the prefetch cache the product partial reads (7 queries, whatever the version holds)."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects([version], "cases", "specs", "media", "tags", "categories", "industries", "experts")
    return version


def listing_ratings(listing: Listing) -> QuerySet[Rating]:
    """A product's ratings, latest first (paginated by the caller)."""
    return Rating.objects.filter(listing=listing).select_related("buyer").order_by("-created_at", "-id")


def public_media(listing_pk, media_pk) -> ListingMedia:
    """A media file of a listed product's live version (what the public product page shows); 404 otherwise."""
    media = (
        ListingMedia.objects.filter(
            pk=media_pk,
            version__listing_id=listing_pk,
            version__listing__state=Listing.State.LISTED,
            version__listing__live_version=F("version"),
        )
        .only("id", "kind", "file", "original_name")
        .first()
    )
    if media is None:
        raise Http404
    return media


def public_thumbnail(listing_pk):
    """The live version's thumbnail of a listed product; 404 when there is none."""
    version = (
        ListingVersion.objects.filter(listing_id=listing_pk, listing__state=Listing.State.LISTED)
        .filter(listing__live_version=F("pk"))
        .only("id", "thumbnail")
        .first()
    )
    if version is None or not version.thumbnail:
        raise Http404
    return version.thumbnail


# --- Taxonomy for filters and forms ---------------------------------------------------------------------------------
def active_catalogues() -> QuerySet[Catalogue]:
    return Catalogue.objects.filter(is_active=True).order_by("position", "id")


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("position", "id")


def active_tags() -> QuerySet[Tag]:
    return Tag.objects.filter(is_active=True).order_by("name")


def active_industries():
    from tenant_apps.configuration.models import Industry

    return Industry.objects.order_by("position", "id")


FACETS_KEY = "market:facets"
FACETS_SECONDS = 300


def facet_choices() -> dict[str, list[tuple[int, str]]]:
    """The catalogue filter's choices (active catalogues, categories; industries), read on every catalogue page:
    kept in the cache per tenant (the key function puts the schema in the key) and dropped whenever one of those
    rows is saved or deleted (`facets_changed`, connected in apps.py)."""
    from django.core.cache import cache

    facets = cache.get(FACETS_KEY)
    if facets is None:
        facets = {
            "catalogue": [(c.pk, c.name) for c in active_catalogues()],
            "category": [(c.pk, c.name) for c in active_categories()],
            "industry": [(i.pk, i.name) for i in active_industries()],
        }
        cache.set(FACETS_KEY, facets, FACETS_SECONDS)
    return facets


def facets_changed(sender=None, **kwargs) -> None:
    from django.core.cache import cache

    cache.delete(FACETS_KEY)


def console_figures() -> dict:
    """What the national console shows of this tenant's marketplace: products on sale, orders (not cancelled) and
    the amount whose payment proof operations approved. Two queries; zeros where nothing was sold."""
    from django.db.models import Count, Q, Sum

    from tenant_apps.marketplace.models import Listing, Order

    orders = Order.objects.exclude(state=Order.State.CANCELLED).aggregate(
        orders=Count("id"), paid_amount=Sum("payable", filter=Q(payment=Order.Payment.PAID))
    )
    return {
        "listed_products": Listing.objects.filter(state=Listing.State.LISTED).count(),
        "orders": orders["orders"],
        "paid_amount": orders["paid_amount"] or 0,
    }
