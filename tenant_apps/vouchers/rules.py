"""The deduction arithmetic, exact to the fen (seed 000 §1.4.7).

    cap        = order total × the tenant's cap ratio, rounded DOWN to the fen (never above the ratio)
    deduction  = min(cap, the voucher's balance)             (≤ total, since the ratio is at most 1)
    payable    = total − deduction

The seed's worked example at 30 %: a 50,000.00 order has a 15,000.00 cap; a 15,000.00 voucher → pay 35,000.00; a
30,000.00 voucher → pay 35,000.00 and 15,000.00 stays on the voucher; a 500.00 voucher → pay 49,500.00. A cap
that is not a whole fen (33.33 × 30 % = 9.999) is cut to 9.99: a buyer never gets more than the ratio, a voucher
never goes below zero."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
DEFAULT_RATIO = Decimal("0.30")


def cap_for(total: Decimal, ratio: Decimal) -> Decimal:
    return (Decimal(total) * Decimal(ratio)).quantize(FEN, rounding=ROUND_DOWN)


def deduction_for(total: Decimal, balance: Decimal, ratio: Decimal) -> Decimal:
    return max(ZERO, min(cap_for(total, ratio), Decimal(balance))).quantize(FEN)


def current_ratio() -> Decimal:
    from tenant_apps.vouchers.models import VoucherRules

    rules = VoucherRules.objects.first()
    return rules.cap_ratio if rules is not None else DEFAULT_RATIO


def current_rules():
    from tenant_apps.vouchers.models import VoucherRules

    return VoucherRules.objects.first() or VoucherRules(cap_ratio=DEFAULT_RATIO)


def ratio_label(ratio: Decimal) -> str:
    """ "本单最高可抵扣 30%" / "可全额抵扣"."""
    if ratio >= 1:
        return _("服务券可全额抵扣订单金额")
    percent = (Decimal(ratio) * 100).normalize()
    return _("本单最高可抵扣 %(percent)s%%") % {"percent": f"{percent:f}"}


PERCENT_MIN, PERCENT_MAX = Decimal("1"), Decimal("100")
GRAB_PER_MINUTE_MAX = 600


def rules_save(*, actor, cap_percent, grab_per_minute):
    """Operations set the cap (a percentage, 1–100, at most two places) and the grab throttle. An order keeps the
    deduction it was placed with: the new rule applies to orders placed from now on."""
    from django.db import transaction

    from tenant_apps.vouchers import activities
    from tenant_apps.vouchers.models import VoucherRules
    from tenants.errors import DomainError

    try:
        percent = Decimal(str(cap_percent).strip().rstrip("%").strip())
    except (ArithmeticError, ValueError):
        percent = None
    if (
        percent is None
        or not percent.is_finite()
        or not PERCENT_MIN <= percent <= PERCENT_MAX
        or percent != percent.quantize(FEN)
    ):
        raise DomainError(
            _("最高抵扣比例须为 1 到 100 之间的百分数，最多两位小数。"), code="voucher.cap_ratio", field="cap_percent"
        )
    try:
        per_minute = int(grab_per_minute)
    except (TypeError, ValueError):
        per_minute = 0
    if not 1 <= per_minute <= GRAB_PER_MINUTE_MAX:
        raise DomainError(
            _("每分钟抢券次数上限须为 1 到 %(max)s 之间的整数。") % {"max": GRAB_PER_MINUTE_MAX},
            code="voucher.grab_per_minute",
            field="grab_per_minute",
        )
    ratio = (percent / 100).quantize(Decimal("0.0001"))
    with transaction.atomic():
        row = VoucherRules.objects.order_by("pk").first()
        if row is None:
            row = VoucherRules.objects.create(cap_ratio=ratio, grab_per_minute=per_minute)
        else:
            VoucherRules.objects.filter(pk=row.pk).update(cap_ratio=ratio, grab_per_minute=per_minute)
            row.cap_ratio, row.grab_per_minute = ratio, per_minute
        activities.state_changing()  # drops the cached grab throttle too
    return row


def ratio_percent(ratio: Decimal) -> str:
    """0.3000 → "30", 0.3333 → "33.33"."""
    return f"{(Decimal(ratio) * 100).quantize(FEN).normalize():f}"
