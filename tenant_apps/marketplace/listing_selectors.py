"""Reads of the provider's listings (我的商品, the form, the preview) and of listed products for operations.

Single rows reach views and APIs only through the access helpers below, which answer 404 for missing and for
another organisation's rows alike."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from tenant_apps.marketplace.models import Listing, ListingVersion
from tenants.errors import not_found


def _newest(field: str) -> Subquery:
    return Subquery(ListingVersion.objects.filter(listing=OuterRef("pk")).order_by("-number").values(field)[:1])


def listings_annotated(queryset):
    """Each listing with its newest version's number, name and review state, read in the list's own query."""
    return queryset.select_related("live_version").annotate(
        newest_version_id=_newest("pk"),
        newest_number=_newest("number"),
        newest_name=_newest("name"),
        newest_review=_newest("application__state"),
        newest_app_version=_newest("application__version"),
    )


def my_listings(membership):
    """我的商品: the organisation's listings, newest first. One query per page whatever the page size."""
    organisation_id = getattr(membership, "organisation_id", None)
    return listings_annotated(Listing.objects.filter(organisation_id=organisation_id)).order_by("-created_at", "-id")


def listed_for_ops(*, name: str = ""):
    """Listed products, for operations (delisting); newest listed first."""
    rows = listings_annotated(Listing.objects.filter(state=Listing.State.LISTED)).select_related("organisation")
    if name:
        rows = rows.filter(live_version__name__icontains=name)
    return rows.order_by("-listed_at", "-id")


def access_listing(membership, pk) -> Listing:
    """One of the caller's organisation's listings (annotated), else 404."""
    found = my_listings(membership).filter(pk=pk).first()
    if found is None:
        raise not_found(_("该商品不存在。"), code="market.listing_not_found")
    return found


def access_listed(pk) -> Listing:
    found = listed_for_ops().filter(pk=pk).first()
    if found is None:
        raise not_found(_("该商品不存在或未上架。"), code="market.listing_not_found")
    return found


def newest_version(listing: Listing) -> ListingVersion | None:
    """The newest version with what the form and the preview need."""
    return (
        ListingVersion.objects.select_related("application", "listing", "listing__organisation", "catalogue")
        .prefetch_related("cases", "specs", "media", "tags", "categories", "industries", "experts")
        .filter(listing=listing)
        .order_by("-number")
        .first()
    )


def listing_flags(listing: Listing) -> dict:
    """What 我的商品 may do with a row (computed from the annotations, no queries)."""
    review = getattr(listing, "newest_review", None)
    live = listing.live_version_id is not None
    editable_review = review in ("draft", "returned", "withdrawn")
    return {
        "can_submit": editable_review,
        "can_withdraw": review == "in_review",
        "can_edit": review != "in_review",
        "can_delist": listing.state == Listing.State.LISTED,
        "can_relist": listing.state == Listing.State.DELISTED and live and not listing.delisted_by_platform,
        "new_version_in_review": live and review == "in_review",
        "new_version_draft": live and editable_review,
    }


def access_version(membership, pk) -> ListingVersion:
    """A version its own provider may see, or one whose review application the caller may see (reviewers: ops,
    the assigned experts, the province); 404 for anything else — unpublished files leave only through here."""
    from tenant_apps.workflow.policies import application_visible

    found = ListingVersion.objects.select_related("listing", "application").filter(pk=pk).first()
    organisation_id = membership.organisation_id if membership is not None else None
    own = found is not None and organisation_id is not None and found.listing.organisation_id == organisation_id
    # Otherwise its own review application, authorised on that one row (not the caller's whole visible list).
    if (
        found is not None
        and not own
        and (found.application is None or not application_visible(membership, found.application))
    ):
        found = None
    if found is None:
        raise not_found(_("该商品不存在。"), code="market.listing_not_found")
    return found
