"""Activities and their voucher types: operations create, edit and publish them; everyone reads them through one
cached state per tenant.

The grab opening is the spikiest moment of the product: hundreds of enterprises reload the activity page at the
minute. `public_state()` is what those pages read — activities on show, their types, remaining stock — built from
the database at most once per `STATE_SECONDS` per tenant (the cache key carries the schema) and dropped when
operations change an activity. Anonymous and ineligible visitors are answered from it without a query."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.vouchers.models import Activity, VoucherType
from tenants.errors import DomainError, conflict, not_found

STATE_KEY = "vouchers:state"
STATE_SECONDS = 2  # and dropped when operations edit or a voucher is issued
FACE_VALUE_MAX = Decimal("99999999.99")
STOCK_MAX = 1_000_000
LIMIT_MAX = 100


# --- The cached state ------------------------------------------------------------------------------------------------
def _build_state() -> dict:
    now = timezone.now()
    activities = list(
        Activity.objects.filter(is_published=True, ends_at__gt=now)
        .prefetch_related("types", "industries")
        .order_by("-starts_at", "-id")  # the newest first: an upcoming grab heads the list
    )
    return {
        "built_at": now.isoformat(),
        "activities": [
            {
                "id": a.pk,
                "name": a.name,
                "description": a.description,
                "starts_at": a.starts_at.isoformat(),
                "ends_at": a.ends_at.isoformat(),
                "industry_ids": sorted(i.pk for i in a.industries.all()),
                "industries": [i.name for i in a.industries.all()],
                "regions": list(a.regions or []),
                "types": [type_state(t) for t in a.types.all()],
            }
            for a in activities
        ],
    }


def type_state(t: VoucherType) -> dict:
    return {
        "id": t.pk,
        "name": t.name,
        "face_value": str(t.face_value),
        "method": t.method,
        "method_label": str(t.get_method_display()),
        "billing_mode": str(t.get_billing_mode_display()),
        "stock_total": t.stock_total,
        "stock_left": t.stock_left,
        "per_enterprise_limit": t.per_enterprise_limit,
        "grab_starts_at": t.grab_starts_at.isoformat() if t.grab_starts_at else None,
        "valid_from": t.valid_from.isoformat() if t.valid_from else None,
        "valid_to": t.valid_to.isoformat() if t.valid_to else None,
        "valid_days": t.valid_days,
    }


def public_state() -> dict:
    """Activities on show (published, not over) with their types and stock, at most `STATE_SECONDS` old."""
    state = cache.get(STATE_KEY)
    if state is None:
        state = _build_state()
        cache.set(STATE_KEY, state, STATE_SECONDS)
    return state


def state_changed() -> None:
    cache.delete(STATE_KEY)
    cache.delete(RULES_KEY)


def state_changing() -> None:
    """Drop the cached state now (this transaction's own reads see the change) and again once it commits (a
    visitor may have rebuilt it from the old rows in between)."""
    state_changed()
    transaction.on_commit(state_changed)


RULES_KEY = "vouchers:grab_per_minute"


def grab_per_minute() -> int:
    """The tenant's grab throttle (VoucherRules), cached like the state: the hot path reads no rules row."""
    value = cache.get(RULES_KEY)
    if value is None:
        from tenant_apps.vouchers.rules import current_rules

        value = current_rules().grab_per_minute
        cache.set(RULES_KEY, value, 60)
    return value


def stock_changed(activity_id: int) -> None:
    """A voucher was issued: drop the state so the next reader sees the stock that is left (the grabber's own page
    first of all). Refused grabs (sold out, limit) change nothing and drop nothing, so at an opening minute the state
    is rebuilt at most once per voucher issued, not once per click."""
    cache.delete(STATE_KEY)


def activity_state(activity_id) -> dict | None:
    try:
        activity_id = int(activity_id)
    except (TypeError, ValueError):
        return None
    return next((a for a in public_state()["activities"] if a["id"] == activity_id), None)


# --- Reads for claims ------------------------------------------------------------------------------------------------
def type_for_claim(type_id) -> VoucherType:
    try:
        type_id = int(type_id)
    except (TypeError, ValueError):
        type_id = 0
    vtype = VoucherType.objects.select_related("activity").filter(pk=type_id).first() if type_id else None
    if vtype is None:
        raise not_found(_("该服务券不存在。"), code="voucher.not_found")
    return vtype


# --- Operations' writes ------------------------------------------------------------------------------------------------
def _text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(_("请填写%(label)s。") % {"label": label}, code="voucher.required", field=field)
    if len(text) > max_length:
        raise DomainError(
            _("%(label)s不能超过 %(max)s 字。") % {"label": label, "max": max_length},
            code="voucher.too_long",
            field=field,
        )
    return text


def _when(value, *, field: str, label: str) -> datetime.datetime:
    if isinstance(value, str):
        parsed = None
        for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
            try:
                parsed = datetime.datetime.strptime(value.strip(), fmt)
                break
            except ValueError:
                continue
        value = parsed
    if isinstance(value, datetime.datetime):
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    raise DomainError(_("请填写%(label)s。") % {"label": label}, code="voucher.required", field=field)


def _date(value, *, field: str, label: str, required: bool = False) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise DomainError(_("请填写%(label)s。") % {"label": label}, code="voucher.required", field=field)
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError as error:
        raise DomainError(
            _("%(label)s格式应为 YYYY-MM-DD。") % {"label": label}, code="voucher.date", field=field
        ) from error


def _int(value, *, field: str, label: str, low: int, high: int, required: bool = True) -> int | None:
    if value in (None, "") and not required:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise DomainError(
            _("%(label)s须为 %(low)s 到 %(high)s 之间的整数。") % {"label": label, "low": low, "high": high},
            code="voucher.number",
            field=field,
        )
    return number


def _money(value, *, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if (
        amount is None
        or not amount.is_finite()
        or amount <= 0
        or amount > FACE_VALUE_MAX
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise DomainError(
            _("%(label)s须为大于 0 的金额，最多两位小数。") % {"label": label}, code="voucher.money", field=field
        )
    return amount.quantize(Decimal("0.01"))


def activity_clean(data: dict) -> dict:
    name = _text(data.get("name"), field="name", label=_("活动名称"), max_length=60)
    description = _text(
        data.get("description"), field="description", label=_("活动说明"), max_length=2000, required=False
    )
    starts_at = _when(data.get("starts_at"), field="starts_at", label=_("开始时间"))
    ends_at = _when(data.get("ends_at"), field="ends_at", label=_("结束时间"))
    if ends_at <= starts_at:
        raise DomainError(_("结束时间须晚于开始时间。"), code="voucher.period", field="ends_at")
    regions = data.get("regions") or []
    if isinstance(regions, str):
        regions = [r for r in (part.strip() for part in regions.replace("，", ",").replace("、", ",").split(",")) if r]
    if len(regions) > 20 or any(len(r) > 30 for r in regions):
        raise DomainError(_("限定地区最多 20 个，每个不超过 30 字。"), code="voucher.regions", field="regions")
    return {"name": name, "description": description, "starts_at": starts_at, "ends_at": ends_at, "regions": regions}


@transaction.atomic
def activity_save(
    *, actor, data: dict, activity: Activity | None = None, industry_ids=(), expected_version=None
) -> Activity:
    """Create or edit an activity (operations). Editing a published activity is allowed; the state cache drops."""
    from tenant_apps.configuration.models import Industry

    values = activity_clean(data)
    if activity is None:
        activity = Activity(created_by=actor, **values)
    else:
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if expected_version not in (None, "") and int(expected_version) != activity.version:
            raise conflict(_("该活动已被他人修改，请刷新后再编辑。"), code="voucher.stale")
        for name, value in values.items():
            setattr(activity, name, value)
        activity.version += 1
    activity.save()
    ids = [int(i) for i in industry_ids or [] if str(i).strip().isdigit()]
    activity.industries.set(Industry.objects.filter(pk__in=ids))
    state_changing()
    return activity


@transaction.atomic
def activity_publish(*, activity: Activity, published: bool) -> Activity:
    if published and not activity.types.exists():
        raise DomainError(_("请先为活动添加至少一种服务券。"), code="voucher.no_types")
    Activity.objects.filter(pk=activity.pk).update(is_published=published, version=activity.version + 1)
    activity.refresh_from_db()
    state_changing()
    return activity


def type_clean(data: dict, *, existing: VoucherType | None = None) -> dict:
    name = _text(data.get("name"), field="name", label=_("服务券名称"), max_length=60)
    face_value = _money(data.get("face_value"), field="face_value", label=_("面值"))
    method = data.get("method") or VoucherType.Method.GRAB
    if method not in VoucherType.Method.values:
        raise DomainError(_("请选择领取方式。"), code="voucher.method", field="method")
    valid_days = _int(
        data.get("valid_days"), field="valid_days", label=_("领取后有效天数"), low=1, high=3650, required=False
    )
    valid_from = _date(data.get("valid_from"), field="valid_from", label=_("有效期开始"))
    valid_to = _date(data.get("valid_to"), field="valid_to", label=_("有效期结束"))
    if valid_days is None:
        if not (valid_from and valid_to):
            raise DomainError(
                _("请填写有效期（起止日期），或领取后有效天数。"), code="voucher.validity", field="valid_to"
            )
        if valid_to < valid_from:
            raise DomainError(_("有效期结束须不早于开始。"), code="voucher.validity", field="valid_to")
    stock_total = _int(data.get("stock_total"), field="stock_total", label=_("发放总量"), low=1, high=STOCK_MAX)
    issued = (existing.stock_total - existing.stock_left) if existing else 0
    if stock_total < issued:
        raise DomainError(
            _("发放总量不能少于已发放的 %(issued)s 张。") % {"issued": issued},
            code="voucher.stock",
            field="stock_total",
        )
    limit = _int(
        data.get("per_enterprise_limit") or 1,
        field="per_enterprise_limit",
        label=_("每家企业限领"),
        low=1,
        high=LIMIT_MAX,
    )
    grab_starts_at = None
    if method == VoucherType.Method.GRAB and data.get("grab_starts_at") not in (None, ""):
        grab_starts_at = _when(data.get("grab_starts_at"), field="grab_starts_at", label=_("开抢时间"))
    return {
        "name": name,
        "face_value": face_value,
        "method": method,
        "valid_days": valid_days,
        "valid_from": None if valid_days else valid_from,
        "valid_to": None if valid_days else valid_to,
        "stock_total": stock_total,
        "stock_left": stock_total - issued,
        "per_enterprise_limit": limit,
        "grab_starts_at": grab_starts_at,
    }


@transaction.atomic
def type_save(
    *,
    activity: Activity,
    data: dict,
    vtype: VoucherType | None = None,
    catalogue_ids=(),
    category_ids=(),
    provider_ids=(),
) -> VoucherType:
    """Add or edit a voucher type. Stock is edited as the total; what was already issued stays issued (the type's
    row is locked so a grab in between is counted)."""
    from tenant_apps.marketplace.models import Catalogue, Category
    from tenant_apps.organisations.models import Organisation
    from tenant_apps.vouchers import lock_objects

    if vtype is not None:
        vtype = lock_objects.type_lock(vtype.pk)
        if vtype is None or vtype.activity_id != activity.pk:
            raise not_found(_("该服务券不存在。"), code="voucher.not_found")
    values = type_clean(data, existing=vtype)
    if vtype is None:
        vtype = VoucherType(activity=activity, position=activity.types.count(), **values)
    else:
        if vtype.vouchers.exists() and values["face_value"] != vtype.face_value:
            raise DomainError(_("已有企业领取，面值不能修改。"), code="voucher.face_locked", field="face_value")
        for name, value in values.items():
            setattr(vtype, name, value)
    vtype.save()

    def ids(values):
        return [int(i) for i in values or [] if str(i).strip().isdigit()]

    vtype.catalogues.set(Catalogue.objects.filter(pk__in=ids(catalogue_ids)))
    vtype.categories.set(Category.objects.filter(pk__in=ids(category_ids)))
    vtype.providers.set(Organisation.objects.filter(pk__in=ids(provider_ids), kind=Organisation.Kind.PROVIDER))
    state_changing()
    return vtype


def activity_of(pk, *, published_only: bool = False) -> Activity:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    queryset = Activity.objects.all()
    if published_only:
        queryset = queryset.filter(is_published=True)
    activity = queryset.filter(pk=pk).first() if pk else None
    if activity is None:
        raise not_found(_("该活动不存在。"), code="voucher.activity_not_found")
    return activity
