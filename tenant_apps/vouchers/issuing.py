"""Issuing vouchers: 抢券 (grab, first come, limited stock, from the type's start time) and the issue an approved
申请 makes. Race safety is the database's, not Python's (see models and lock_objects):

1. the stock: `UPDATE … SET stock_left = stock_left - 1 WHERE id = %s AND stock_left > 0 RETURNING` — one
   statement, the last of the issuing transaction, so the type's row (the hot row at an opening minute) is locked
   only from it to COMMIT; stock never goes below zero;
2. the per-enterprise limit: the new voucher takes place `held + 1` under UNIQUE (type, organisation, place), and
   no place beyond the limit is ever handed out: two concurrent grabs of one enterprise cannot both take place 1;
3. a retried grab (same `claim_key`, the client's Idempotency-Key) returns the voucher the first one issued.
A refused grab rolls back whole (one transaction). Most answers at an opening minute are refusals, so a grab first
answers from one query of what the enterprise holds (a replay, the limit) and from the cached activity state (dates,
method, eligibility, a cached stock of 0 — stock only comes back when operations edit, which drops the cache),
before any transaction; what the cache says is checked again by the database when issuing."""

from __future__ import annotations

import datetime
import math
import secrets
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from tenant_apps.vouchers import access
from tenant_apps.vouchers.models import LedgerEntry, Voucher, VoucherType
from tenants.errors import DomainError, conflict, not_found

CLAIM_KEY_MAX = 64


class _AlreadyClaimed(Exception):
    pass


def validity(vtype: VoucherType, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """Valid from/to of a voucher issued today: fixed dates, or `valid_days` counted from the day of issue."""
    today = today or timezone.localdate()
    if vtype.valid_days:
        return today, today + datetime.timedelta(days=vtype.valid_days - 1)
    return vtype.valid_from, vtype.valid_to


def voucher_number() -> str:
    return "QJ" + timezone.localdate().strftime("%Y%m%d") + secrets.token_hex(4).upper()


def obtainable(vtype: VoucherType, organisation, *, method: str, now=None) -> None:
    """Refuse (with the reason) what the enterprise cannot take now: activity not on or over, wrong way to obtain,
    grab not started, not eligible, type's validity already over."""
    now = now or timezone.now()
    activity = vtype.activity
    if not activity.is_published:
        raise not_found(_("该服务券不存在。"), code="voucher.not_found")
    if now < activity.starts_at:
        raise conflict(_("活动尚未开始。"), code="voucher.not_started")
    if now >= activity.ends_at:
        raise conflict(_("活动已结束。"), code="voucher.ended")
    if vtype.method != method:
        message = _("该服务券需要申请，不能直接抢券。") if method == "grab" else _("该服务券为抢券发放，无需申请。")
        raise DomainError(message, code="voucher.wrong_method")
    if method == VoucherType.Method.GRAB and vtype.grab_starts_at and now < vtype.grab_starts_at:
        start = timezone.localtime(vtype.grab_starts_at).strftime("%Y-%m-%d %H:%M")
        raise conflict(_("尚未开抢，开抢时间：%(start)s。") % {"start": start}, code="voucher.grab_not_started")
    from tenant_apps.vouchers import activities

    cached = activities.activity_state(activity.pk)  # the industries from the cached state: no query per grab
    industry_ids = set(cached["industry_ids"]) if cached is not None else None
    reason = access.ineligible_reason(organisation, activity, industry_ids=industry_ids)
    if reason:
        raise DomainError(reason, code="voucher.ineligible", status=403)
    valid_to = validity(vtype)[1]
    if valid_to < timezone.localdate(now):
        raise conflict(_("该服务券有效期已过，不再发放。"), code="voucher.type_expired")


def _take_stock(vtype_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {VoucherType._meta.db_table} SET stock_left = stock_left - 1 "
            "WHERE id = %s AND stock_left > 0 RETURNING stock_left",
            [vtype_id],
        )
        return cursor.fetchone() is not None


def _limit_reached(limit: int):
    return conflict(_("每家企业限领 %(limit)s 张，您的单位已领取。") % {"limit": limit}, code="voucher.limit_reached")


def _sold_out():
    return conflict(_("服务券已被领完。"), code="voucher.sold_out")


def issue(vtype, organisation, holder_id: int, *, source: str, claim_key: str = "", note: str = "") -> Voucher:
    """Give the enterprise the next free place and take one from stock, last (inside the caller's transaction,
    which a refusal rolls back whole). `vtype`: a VoucherType or the cached facts of one (`type_facts`)."""
    held = Voucher.objects.filter(type_id=vtype.pk, organisation=organisation).count()
    if held >= vtype.per_enterprise_limit:
        raise _limit_reached(vtype.per_enterprise_limit)
    valid_from, valid_to = validity(vtype)
    try:
        with transaction.atomic():
            voucher = Voucher.objects.create(
                type_id=vtype.pk,
                organisation=organisation,
                holder_id=holder_id,
                place=held + 1,
                number=voucher_number(),
                name=vtype.name,
                face_value=vtype.face_value,
                balance=vtype.face_value,  # with its issue entry below: the balance is the ledger's sum
                valid_from=valid_from,
                valid_to=valid_to,
                source=source,
                claim_key=claim_key,
            )
    except IntegrityError as error:
        if claim_key and "voucher_claim_key_once" in str(error):
            raise _AlreadyClaimed from error
        raise conflict(_("您的单位刚刚领取了该服务券，请刷新后查看。"), code="voucher.limit_reached") from error
    LedgerEntry.objects.create(
        voucher=voucher,
        kind=LedgerEntry.Kind.ISSUE,
        amount=vtype.face_value,
        balance_after=vtype.face_value,
        note=(note or voucher.get_source_display())[:200],
    )
    if not _take_stock(vtype.pk):
        raise _sold_out()
    return voucher


def type_facts(type_id: int):
    """A type as the cached activity state knows it, shaped like a VoucherType (with `.activity`); None when the
    state does not show it (unpublished, over, unknown: the database path answers those)."""
    from types import SimpleNamespace

    from django.utils.dateparse import parse_date, parse_datetime

    from tenant_apps.vouchers import activities

    for a in activities.public_state()["activities"]:
        for t in a["types"]:
            if t["id"] == type_id:
                activity = SimpleNamespace(
                    pk=a["id"],
                    is_published=True,
                    starts_at=parse_datetime(a["starts_at"]),
                    ends_at=parse_datetime(a["ends_at"]),
                    regions=a["regions"],
                )
                return SimpleNamespace(
                    pk=t["id"],
                    activity=activity,
                    activity_id=a["id"],
                    name=t["name"],
                    face_value=Decimal(t["face_value"]),
                    method=t["method"],
                    grab_starts_at=parse_datetime(t["grab_starts_at"]) if t["grab_starts_at"] else None,
                    valid_days=t["valid_days"],
                    valid_from=parse_date(t["valid_from"]) if t["valid_from"] else None,
                    valid_to=parse_date(t["valid_to"]) if t["valid_to"] else None,
                    per_enterprise_limit=t["per_enterprise_limit"],
                    stock_left=t["stock_left"],
                )
    return None


def _claim_key(value) -> str:
    key = (value or "").strip()
    if len(key) > CLAIM_KEY_MAX:
        raise DomainError(_("幂等键过长（不超过 64 个字符）。"), code="voucher.claim_key", field="idempotency_key")
    return key


class GrabBudget(SimpleRateThrottle):
    """At most `VoucherRules.grab_per_minute` grab attempts per account and minute (DRF's sliding window over the
    tenant's cache), spent by the page and the API alike, before anything else is looked up."""

    scope = "voucher_grab"

    def __init__(self, user_id: int, per_minute: int):
        self.ident, self.per_minute = user_id, per_minute
        super().__init__()

    def get_rate(self) -> str:
        return f"{self.per_minute}/min"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


def _spend_attempt(user_id: int) -> None:
    from tenant_apps.vouchers import activities

    budget = GrabBudget(user_id, activities.grab_per_minute())
    if not budget.allow_request(None, None):
        seconds = max(1, math.ceil(budget.wait() or 60))
        raise DomainError(
            _("操作过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": seconds}, code="voucher.throttled", status=429
        )


def grab(*, membership, type_id, claim_key: str = "") -> tuple[Voucher, bool]:
    """抢券. Returns (voucher, created): a retry with the same key returns the first grab's voucher, created=False.
    Retries with a known key are answered before the budget is spent (a client retrying a lost answer is not a bot)."""
    from tenant_apps.vouchers import activities

    organisation = access.certified_enterprise(membership)
    key = _claim_key(claim_key)
    try:
        type_id = int(type_id)
    except (TypeError, ValueError):
        type_id = 0
    mine = Q(type_id=type_id) | Q(claim_key=key) if key else Q(type_id=type_id)
    held = list(Voucher.objects.filter(mine, organisation=organisation))  # one query: a replay, and the limit
    earlier = next((v for v in held if key and v.claim_key == key), None)
    if earlier is not None:
        return earlier, False
    _spend_attempt(membership.user_id)  # the id: no query for the user row on the hot path
    vtype = type_facts(type_id) or activities.type_for_claim(type_id)
    obtainable(vtype, organisation, method=VoucherType.Method.GRAB)
    if sum(1 for v in held if v.type_id == type_id) >= vtype.per_enterprise_limit:
        raise _limit_reached(vtype.per_enterprise_limit)
    if vtype.stock_left <= 0:
        raise _sold_out()
    try:
        return _grab(membership, organisation, vtype, key), True
    except _AlreadyClaimed:
        return Voucher.objects.get(organisation=organisation, claim_key=key), False


@transaction.atomic
def _grab(membership, organisation, vtype, key: str) -> Voucher:
    from tenant_apps.vouchers import activities

    voucher = issue(vtype, organisation, membership.user_id, source=Voucher.Source.GRAB, claim_key=key)
    transaction.on_commit(lambda: activities.stock_changed(vtype.activity_id))
    return voucher
