"""Service vouchers (服务券) of one tenant: activities offering voucher types, the vouchers enterprises hold, each
voucher's append-only ledger, the deductions orders take from them, and settlement statements to providers.

Invariants the database holds, whoever writes:
- a type's `stock_left` is between 0 and `stock_total` (CHECK): the grab is one conditional UPDATE;
- an enterprise holds at most `per_enterprise_limit` vouchers of a type: each voucher takes a numbered place
  `(type, organisation, place)` that is UNIQUE, and places are handed out only from 1 to the limit;
- a voucher's `balance` is between 0 and its `face_value` (CHECK), and equals the sum of its ledger (kept by the
  services, asserted by tests); the ledger is append-only (a trigger refuses UPDATE and DELETE);
- one deduction per (voucher, order) and at most one refund of it (UNIQUE on the deduction a refund reverses);
- a deduction is settled at most once (UNIQUE on the settled deduction)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class VoucherRules(models.Model):
    """The tenant's deduction rule (one row): the share of an order a voucher may cover. National preset 0.30
    (seed 000); 1.00 is the older full-deduction rule (seed 001)."""

    cap_ratio = models.DecimalField(
        _("最高抵扣比例"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.3000"),
        help_text=_("订单金额中可用服务券抵扣的最高比例，0.30 即 30%，1 即全额抵扣。"),
    )
    grab_per_minute = models.PositiveSmallIntegerField(
        _("每账号每分钟抢券次数上限"), default=20, help_text=_("超出后稍候再试，防止脚本刷券。")
    )

    class Meta:
        verbose_name = _("服务券规则")
        verbose_name_plural = _("服务券规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(cap_ratio__gt=0) & Q(cap_ratio__lte=1), name="voucher_rules_cap_ratio_0_1"
            ),
        ]


class Activity(models.Model):
    """服务券活动: published activities are listed to enterprises between their start and end."""

    name = models.CharField(_("活动名称"), max_length=60)
    description = models.TextField(_("活动说明"), max_length=2000, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    is_published = models.BooleanField(_("已上架"), default=False)
    industries = models.ManyToManyField(
        "configuration.Industry", blank=True, related_name="+", verbose_name=_("限定行业")
    )
    regions = models.JSONField(
        _("限定地区"), default=list, blank=True, help_text=_("所在地区以其中之一开头的企业可参加；为空则不限。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("服务券活动")
        verbose_name_plural = _("服务券活动")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="voucher_activity_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name


class VoucherType(models.Model):
    """One kind of voucher an activity offers: its value, validity, where it applies, its stock and how it is
    obtained (申请 through the `voucher_application` chain, or 抢券 from `grab_starts_at`)."""

    class Method(models.TextChoices):
        APPLY = "apply", _("申请")
        GRAB = "grab", _("抢券")

    class BillingMode(models.TextChoices):
        SEPARATE = "separate", _("单独计价")

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="types", verbose_name=_("活动"))
    name = models.CharField(_("服务券名称"), max_length=60)
    face_value = models.DecimalField(_("面值（元）"), **MONEY)
    method = models.CharField(_("领取方式"), max_length=10, choices=Method.choices, default=Method.GRAB)
    billing_mode = models.CharField(
        _("计费模式"), max_length=20, choices=BillingMode.choices, default=BillingMode.SEPARATE
    )
    valid_from = models.DateField(_("有效期开始"), null=True, blank=True)
    valid_to = models.DateField(_("有效期结束"), null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField(
        _("领取后有效天数"), null=True, blank=True, help_text=_("填写后按领取日起算，忽略固定有效期。")
    )
    catalogues = models.ManyToManyField(
        "marketplace.Catalogue", blank=True, related_name="+", verbose_name=_("适用商品目录")
    )
    categories = models.ManyToManyField(
        "marketplace.Category", blank=True, related_name="+", verbose_name=_("适用解决方案分类")
    )
    providers = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="+", verbose_name=_("适用服务商")
    )
    stock_total = models.PositiveIntegerField(_("发放总量"))
    stock_left = models.PositiveIntegerField(_("剩余数量"))
    per_enterprise_limit = models.PositiveSmallIntegerField(_("每家企业限领"), default=1)
    grab_starts_at = models.DateTimeField(_("开抢时间"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("服务券类型")
        verbose_name_plural = _("服务券类型")
        ordering = ["activity", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(face_value__gt=0), name="voucher_type_face_value_positive"),
            models.CheckConstraint(
                condition=Q(stock_left__gte=0) & Q(stock_left__lte=F("stock_total")),
                name="voucher_type_stock_in_range",
            ),
            models.CheckConstraint(condition=Q(per_enterprise_limit__gte=1), name="voucher_type_limit_positive"),
            models.CheckConstraint(
                condition=Q(valid_days__isnull=False) | (Q(valid_from__isnull=False) & Q(valid_to__isnull=False)),
                name="voucher_type_has_validity",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Voucher(models.Model):
    """One voucher an enterprise holds. `balance` moves only with a ledger entry in the same transaction."""

    class Source(models.TextChoices):
        APPLY = "apply", _("申请")
        GRAB = "grab", _("抢券")

    type = models.ForeignKey(VoucherType, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("类型"))
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("企业")
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    place = models.PositiveSmallIntegerField()  # 1..type.per_enterprise_limit
    number = models.CharField(_("券号"), max_length=24, unique=True)
    name = models.CharField(_("服务券名称"), max_length=60)
    face_value = models.DecimalField(_("面值"), **MONEY)
    balance = models.DecimalField(_("余额"), **MONEY)
    valid_from = models.DateField(_("有效期开始"))
    valid_to = models.DateField(_("有效期结束"))
    source = models.CharField(_("领取方式"), max_length=10, choices=Source.choices)
    claim_key = models.CharField(max_length=64, blank=True)  # the client's idempotency key of a grab
    issued_at = models.DateTimeField(_("领取时间"), auto_now_add=True)
    expired_at = models.DateTimeField(_("过期处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务券")
        verbose_name_plural = _("服务券")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-issued_at"])]
        constraints = [
            models.UniqueConstraint(fields=["type", "organisation", "place"], name="voucher_one_place_each"),
            models.UniqueConstraint(
                fields=["organisation", "claim_key"], condition=~Q(claim_key=""), name="voucher_claim_key_once"
            ),
            models.CheckConstraint(
                condition=Q(balance__gte=0) & Q(balance__lte=F("face_value")), name="voucher_balance_in_range"
            ),
            models.CheckConstraint(condition=Q(place__gte=1), name="voucher_place_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class VoucherRequest(models.Model):
    """申请: an enterprise asks for a voucher of an `apply` type; the tenant's `voucher_application` chain decides.
    Approval issues the voucher (from the type's stock) in the deciding transaction."""

    type = models.ForeignKey(VoucherType, on_delete=models.PROTECT, related_name="requests", verbose_name=_("类型"))
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    application = models.OneToOneField("workflow.Application", on_delete=models.PROTECT, related_name="voucher_request")
    reason = models.CharField(_("申请说明"), max_length=500, blank=True)
    voucher = models.OneToOneField(Voucher, on_delete=models.PROTECT, null=True, blank=True, related_name="request")
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务券申请")
        verbose_name_plural = _("服务券申请")
        ordering = ["-created_at", "-id"]


class LedgerEntry(models.Model):
    """A voucher's history, append-only: 发放 (+face value), 抵扣 (−, with its order), 退回 (+, reversing one
    deduction), 过期 (−, what was left). `amount` is signed; the voucher's balance is the sum."""

    class Kind(models.TextChoices):
        ISSUE = "issue", _("发放")
        DEDUCT = "deduct", _("抵扣")
        REFUND = "refund", _("退回")
        EXPIRE = "expire", _("过期")

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("金额"), **MONEY)
    balance_after = models.DecimalField(_("变动后余额"), **MONEY)
    order = models.ForeignKey(
        "marketplace.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="voucher_entries"
    )
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务券流水")
        verbose_name_plural = _("服务券流水")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["voucher", "order"], condition=Q(kind="deduct"), name="voucher_ledger_one_deduction_per_order"
            ),
            models.UniqueConstraint(fields=["voucher"], condition=Q(kind="issue"), name="voucher_ledger_issued_once"),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["issue", "refund"], amount__gt=0) | Q(kind__in=["deduct", "expire"], amount__lt=0)
                ),
                name="voucher_ledger_sign_by_kind",
            ),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="voucher_ledger_balance_not_negative"),
        ]


class Settlement(models.Model):
    """结算单: what the issuing fund owes one provider for the deductions on its paid orders in a period. Drafted
    by operations, then confirmed (and exported); a confirmed statement never changes."""

    class State(models.TextChoices):
        DRAFT = "draft", _("待确认")
        CONFIRMED = "confirmed", _("已确认")

    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务商")
    )
    period_start = models.DateField(_("结算期开始"))
    period_end = models.DateField(_("结算期结束"))
    number = models.CharField(_("结算单号"), max_length=24, unique=True)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT)
    total = models.DecimalField(_("结算金额"), **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("结算单")
        verbose_name_plural = _("结算单")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="settlement_period_order"),
        ]


class SettlementItem(models.Model):
    """One settled deduction. UNIQUE on the deduction: a deduction is on at most one statement."""

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="items")
    deduction = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="settled_in")
    amount = models.DecimalField(_("抵扣金额"), **MONEY)

    class Meta:
        ordering = ["id"]
