"""Operations' reads of activities: the list with its state (草稿 / 已上架 / 已结束) and filters, the activity's
types, and every voucher an activity issued (for the export). Pages and the API read the same querysets; each is
one query a page (plus one for a page's types)."""

from __future__ import annotations

from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenant_apps.vouchers.models import Activity, Voucher, VoucherType

ACTIVITY_STATES = {"draft": _("草稿"), "published": _("已上架"), "ended": _("已结束")}
ACTIVITY_TONES = {"draft": "info", "published": "success", "ended": "warning"}
QUERY_MAX = 60


def activity_state(activity: Activity, now=None) -> str:
    """已结束 once its end has passed (published or not), else 已上架 or 草稿."""
    now = now or timezone.now()
    if activity.ends_at <= now:
        return "ended"
    return "published" if activity.is_published else "draft"


def activity_list(*, state: str = "", q: str = ""):
    """活动管理: every activity, newest start first, with its number of voucher types and its state code."""
    now = timezone.now()
    queryset = Activity.objects.annotate(
        type_count=Count("types"),
        state_code=Case(
            When(ends_at__lte=now, then=Value("ended")),
            When(is_published=True, then=Value("published")),
            default=Value("draft"),
            output_field=CharField(),
        ),
    )
    if state == "ended":
        queryset = queryset.filter(ends_at__lte=now)
    elif state == "published":
        queryset = queryset.filter(ends_at__gt=now, is_published=True)
    elif state == "draft":
        queryset = queryset.filter(ends_at__gt=now, is_published=False)
    q = (q or "").strip()[:QUERY_MAX]
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(description__icontains=q))
    return queryset.order_by("-starts_at", "-id")


def activity_types(activity: Activity):
    """The activity's voucher types with where they apply (three prefetches, whatever the number of types)."""
    return (
        VoucherType.objects.filter(activity=activity)
        .prefetch_related("catalogues", "categories", "providers")
        .order_by("position", "id")
    )


def activity_type(activity: Activity, type_pk) -> VoucherType:
    """One type of the activity; 404 for a type of another activity or none."""
    from django.utils.translation import gettext as gettext_now

    from tenants.errors import not_found

    try:
        type_pk = int(type_pk)
    except (TypeError, ValueError):
        type_pk = 0
    vtype = activity_types(activity).filter(pk=type_pk).first() if type_pk else None
    if vtype is None:
        raise not_found(gettext_now("该服务券不存在。"), code="voucher.not_found")
    return vtype


def activity_vouchers(activity: Activity):
    """Every voucher issued in the activity, oldest first, with its enterprise (the export's second sheet)."""
    return (
        Voucher.objects.filter(type__activity=activity)
        .select_related("organisation")
        .only(
            "number", "name", "face_value", "balance", "source", "issued_at", "valid_from", "valid_to",
            "organisation__name",
        )
        .order_by("issued_at", "id")
    )  # fmt: skip
