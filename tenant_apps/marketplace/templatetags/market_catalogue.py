"""Template helpers of the product page (`{% load market_catalogue %}`), used by the shared partial
`marketplace/catalogue/_product_body.html`: the intro blocks with their media resolved, spec prices per unit, stars.

Everything here reads what the caller prefetched (`version.media`, `version.specs` …): no query per block or row."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from shared_apps.ui.templatetags.ui import money as ui_money

register = template.Library()

INTRO_TYPES = ("banner", "highlights", "description", "gallery", "support")


def _ids(value) -> list[int]:
    if value in (None, ""):
        return []
    values = value if isinstance(value, list | tuple) else [value]
    ids = []
    for item in values:
        if isinstance(item, dict):
            item = item.get("id")
        try:
            ids.append(int(item))
        except (TypeError, ValueError):
            continue
    return ids


def media_url(listing, version, media, preview: bool) -> str:
    """Public pages serve a listed product's live media through `market-media`; a preview (provider, reviewers)
    through `market-version-media` when the listings area defines it, else nothing (the block shows the file name)."""
    try:
        if preview or listing is None or getattr(listing, "pk", None) is None:
            return reverse("market-version-media", args=[version.pk, media.pk])
        return reverse("market-media", args=[listing.pk, media.pk])
    except NoReverseMatch:
        return ""


def thumbnail_url(listing, version, preview: bool) -> str:
    if not version.thumbnail:
        return ""
    try:
        if preview or listing is None or getattr(listing, "pk", None) is None:
            return reverse("market-version-thumbnail", args=[version.pk])
        return reverse("market-thumbnail", args=[listing.pk])
    except NoReverseMatch:
        return ""


@register.simple_tag
def product_thumbnail(listing, version, preview=False) -> str:
    return thumbnail_url(listing, version, bool(preview))


@register.simple_tag
def product_intro(listing, version, preview=False) -> list[dict]:
    """`version.intro` as blocks ready to draw: unknown types and malformed values are skipped, media ids are
    resolved against the version's own media (an id of another version is never shown)."""
    own = {media.pk: media for media in version.media.all()}
    blocks = []
    for raw in version.intro or []:
        if not isinstance(raw, dict) or raw.get("type") not in INTRO_TYPES:
            continue
        value = raw.get("value") if isinstance(raw.get("value"), dict) else {}
        block = {"type": raw["type"], **value}
        ids = _ids(value.get("media"))
        block["media_items"] = [
            {
                "kind": own[pk].kind,
                "name": own[pk].original_name,
                "url": media_url(listing, version, own[pk], bool(preview)),
            }
            for pk in ids
            if pk in own
        ]
        if block["type"] == "highlights":
            items = value.get("items") or []
            block["items"] = [
                (item.get("title") or item.get("text") or "") if isinstance(item, dict) else str(item)
                for item in items
                if item
            ]
            block["item_details"] = [
                {"title": item.get("title", ""), "text": item.get("text", "")}
                if isinstance(item, dict)
                else {"title": str(item), "text": ""}
                for item in items
                if item
            ]
        blocks.append(block)
    return blocks


@register.filter
def spec_price(spec) -> str:
    """免费, or the unit price with its unit: ¥12,000.00/年, ¥1,000.00/月, ¥500.00/件."""
    if spec.pricing == "free":
        return _("免费")
    unit = {"year": _("年"), "month": _("月"), "quantity": _("件")}.get(spec.purchase_mode, "")
    amount = Decimal(spec.unit_price).quantize(Decimal("0.01"))
    text = f"¥{amount:,.2f}"
    return f"{text}/{unit}" if unit else text


register.filter("money", ui_money)  # one formatting of amounts (shared_apps.ui)


@register.filter
def stars(value) -> str:
    """4.3 → ★★★★☆ (rounded to the nearest whole star)."""
    if value is None:
        return ""
    full = max(0, min(5, int(Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP))))
    return "★" * full + "☆" * (5 - full)
