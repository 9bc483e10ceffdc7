"""Reads of the voucher module, shared by the workbench pages and the API (each a queryset or a small dict; lists
are paginated by the caller with a bounded query count)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.vouchers import access
from tenant_apps.vouchers.models import Activity, LedgerEntry, Voucher, VoucherRequest, VoucherType
from tenants.errors import not_found

ZERO = Decimal("0.00")


# --- A voucher's state as people read it ------------------------------------------------------------------------------
def voucher_state(voucher: Voucher, today=None) -> tuple[str, str]:
    """(code, label): 可使用 / 未生效 / 已用完 / 已过期."""
    today = today or timezone.localdate()
    if voucher.valid_to < today:
        return "expired", _("已过期")
    if voucher.balance <= 0:
        return "used_up", _("已用完")
    if voucher.valid_from > today:
        return "not_yet_valid", _("未生效")
    return "usable", _("可使用")


STATE_TONES = {"usable": "success", "not_yet_valid": "info", "used_up": "info", "expired": "warning"}
STATE_CHOICES = (("usable", "可使用"), ("not_yet_valid", "未生效"), ("used_up", "已用完"), ("expired", "已过期"))


def state_filter(queryset, state: str, today=None):
    today = today or timezone.localdate()
    return {
        "usable": queryset.filter(balance__gt=0, valid_from__lte=today, valid_to__gte=today),
        "not_yet_valid": queryset.filter(balance__gt=0, valid_from__gt=today, valid_to__gte=today),
        "used_up": queryset.filter(balance__lte=0, valid_to__gte=today),
        "expired": queryset.filter(valid_to__lt=today),
    }.get(state, queryset)


# --- Enterprise -------------------------------------------------------------------------------------------------------
def my_vouchers(membership, *, state: str = ""):
    """服务券查询: the caller's enterprise's vouchers, newest first (the page needs no query per row)."""
    organisation = getattr(membership, "organisation", None)
    if organisation is None or not membership.is_active:
        return Voucher.objects.none()
    queryset = Voucher.objects.filter(organisation_id=organisation.pk).select_related("type__activity")
    return state_filter(queryset, state).order_by("-issued_at", "-id")


def access_voucher(membership, pk) -> Voucher:
    """One voucher of the caller's enterprise; 404 for missing and forbidden alike."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    voucher = my_vouchers(membership).filter(pk=pk).first() if pk else None
    if voucher is None:
        raise not_found(_("该服务券不存在。"), code="voucher.not_found")
    return voucher


def voucher_history(voucher: Voucher):
    """The voucher's ledger, oldest first, with each deduction's order."""
    return voucher.ledger.select_related("order").order_by("created_at", "id")


def my_requests(membership):
    organisation = getattr(membership, "organisation", None)
    if organisation is None or not membership.is_active:
        return VoucherRequest.objects.none()
    return (
        VoucherRequest.objects.filter(organisation_id=organisation.pk)
        .select_related("type__activity", "application", "voucher")
        .order_by("-created_at", "-id")
    )


def claim_status(membership, type_ids) -> dict[int, dict]:
    """For an activity page: per type, how many the caller's enterprise holds and whether a request is in review
    (one query each, whatever the number of types). Empty for anyone who is not a certified enterprise."""
    try:
        organisation = access.certified_enterprise(membership)
    except Exception:  # noqa: BLE001 - anonymous, provider, uncertified: nothing held
        return {}
    held = dict(
        Voucher.objects.filter(organisation=organisation, type_id__in=type_ids)
        .values_list("type_id")
        .annotate(n=Count("id"))
        .values_list("type_id", "n")
    )
    pending = set(
        VoucherRequest.objects.filter(
            organisation=organisation, type_id__in=type_ids, application__state="in_review"
        ).values_list("type_id", flat=True)
    )
    return {tid: {"held": held.get(tid, 0), "pending": tid in pending} for tid in type_ids}


# --- Provider ---------------------------------------------------------------------------------------------------------
def provider_usage(membership):
    """服务券使用情况: deductions taken on the provider's orders, newest first, with voucher, order and buyer."""
    organisation = access.provider_of(membership)
    return (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DEDUCT, order__provider_id=organisation.pk)
        .select_related("voucher", "order", "order__buyer", "reversed_by")
        .order_by("-created_at", "-id")
    )


# --- Operations -------------------------------------------------------------------------------------------------------
def activities_for_ops():
    return Activity.objects.annotate(type_count=Count("types")).order_by("-starts_at", "-id")


def activity_figures(activity: Activity) -> list[dict]:
    """发放与使用 per voucher type of an activity: stock, issued (by grab / by application), deducted (net of
    refunds), expired, balance outstanding — one aggregate query over the ledger, one over vouchers."""
    types = list(activity.types.order_by("position", "id"))
    ids = [t.pk for t in types]
    issued = {
        row["type_id"]: row
        for row in Voucher.objects.filter(type_id__in=ids)
        .values("type_id")
        .annotate(
            count=Count("id"),
            grabbed=Count("id", filter=Q(source=Voucher.Source.GRAB)),
            applied=Count("id", filter=Q(source=Voucher.Source.APPLY)),
            holders=Count("organisation", distinct=True),
            balance=Coalesce(Sum("balance"), ZERO),
        )
    }
    moved = {
        row["voucher__type_id"]: row
        for row in LedgerEntry.objects.filter(voucher__type_id__in=ids)
        .values("voucher__type_id")
        .annotate(
            deducted=Coalesce(Sum("amount", filter=Q(kind__in=["deduct", "refund"])), ZERO),
            expired=Coalesce(Sum("amount", filter=Q(kind="expire")), ZERO),
            orders=Count("order", filter=Q(kind="deduct", reversed_by__isnull=True), distinct=True),
        )
    }
    rows = []
    for t in types:
        i, m = issued.get(t.pk, {}), moved.get(t.pk, {})
        rows.append(
            {
                "type": t,
                "stock_total": t.stock_total,
                "stock_left": t.stock_left,
                "issued": i.get("count", 0),
                "grabbed": i.get("grabbed", 0),
                "applied": i.get("applied", 0),
                "holders": i.get("holders", 0),
                "issued_value": (t.face_value * i.get("count", 0)).quantize(Decimal("0.01")),
                "deducted": -m.get("deducted", ZERO),
                "orders": m.get("orders", 0),
                "expired": -m.get("expired", ZERO),
                "outstanding": i.get("balance", ZERO),
            }
        )
    return rows


def types_of(activity: Activity):
    return VoucherType.objects.filter(activity=activity).prefetch_related("catalogues", "categories", "providers")
