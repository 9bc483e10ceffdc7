"""What tenants push up into `public` (figures, the audit trail), so the console never has to read tenant schemas."""

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenants.models import Tenant


class TenantFigures(models.Model):
    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="figures", verbose_name=_("租户"))
    organisations = models.PositiveIntegerField(_("组织数"), default=0)
    enterprises = models.PositiveIntegerField(_("企业数"), default=0)
    certified_enterprises = models.PositiveIntegerField(_("已认证企业数"), default=0)
    providers = models.PositiveIntegerField(_("服务商数"), default=0)
    members = models.PositiveIntegerField(_("用户数"), default=0)
    # Figures modules contribute (registered in their AppConfig.ready; 0 where the module is off).
    listed_products = models.PositiveIntegerField(_("在售商品数"), default=0)
    orders = models.PositiveIntegerField(_("订单数"), default=0)
    paid_amount = models.DecimalField(_("已支付金额（元）"), max_digits=16, decimal_places=2, default=0)
    # Pilots (tenant_apps.pilots.figures): admitted enterprises, acceptances whose recognition the bureau recorded,
    # their recognised investment, the subsidy in published or closed publicity batches and the tranches paid.
    pilot_enterprises = models.PositiveIntegerField(_("试点企业数"), default=0)
    acceptances_accepted = models.PositiveIntegerField(_("验收通过数"), default=0)
    recognised_investment = models.DecimalField(_("认定投资（元）"), max_digits=16, decimal_places=2, default=0)
    subsidy_published = models.DecimalField(_("公示补贴（元）"), max_digits=16, decimal_places=2, default=0)
    subsidy_disbursed = models.DecimalField(_("已拨付补贴（元）"), max_digits=16, decimal_places=2, default=0)
    # Ecosystems (tenant_apps.ecosystem.figures): providers with a submitted declaration, providers in at least one
    # anchor unit's alliance now, approved products, and the same per anchor unit.
    ecosystem_providers_declared = models.PositiveIntegerField(_("生态申报服务商数"), default=0)
    ecosystem_providers_approved = models.PositiveIntegerField(_("入盟服务商数"), default=0)
    ecosystem_products_approved = models.PositiveIntegerField(_("审核通过产品数"), default=0)
    # One entry per active anchor unit, `{"code", "name", "members", "products"}` (alliance members and pooled
    # products now); empty where the module is off or the city has no units.
    ecosystem_units = models.JSONField(_("牵引单位成员与产品"), default=list, blank=True)
    # Cultivation (tenant_apps.cultivation.figures): declarations handed in, recognitions in force, and the
    # breakdown `{"tiers": [{code, name, declared, recognised}], "regions": [{code, name, recognised}],
    # "levels": {"1": n, … "4": n}}` (regions: provinces; levels: each enterprise's latest self-assessment).
    cultivation_declared = models.PositiveIntegerField(_("培育申报数"), default=0)
    cultivation_recognised = models.PositiveIntegerField(_("有效认定数"), default=0)
    cultivation_breakdown = models.JSONField(_("培育分项"), default=dict, blank=True)
    # Vouchers (tenant_apps.vouchers.figures): vouchers issued, vouchers with at least one deduction, the amount
    # deducted net of refunds.
    vouchers_issued = models.PositiveIntegerField(_("发放服务券数"), default=0)
    vouchers_redeemed = models.PositiveIntegerField(_("已核销服务券数"), default=0)
    vouchers_redeemed_amount = models.DecimalField(_("核销金额（元）"), max_digits=16, decimal_places=2, default=0)
    # Pilots: on-site acceptances concluded, and per conclusion `{"pass": n, "fail": n, "pass_after_material": n}`.
    acceptances_concluded = models.PositiveIntegerField(_("已出验收结论数"), default=0)
    acceptance_conclusions = models.JSONField(_("验收结论分项"), default=dict, blank=True)
    # The review engine (tenant_apps.workflow.figures): applications handed in and open/overdue tasks, then per
    # kind `[{kind, name, submitted, in_review, approved, rejected}]` and the backlog per stage
    # `[{kind, name, stage, position, open, overdue, oldest_days}]` (ages in whole days, no applicant named).
    applications_submitted = models.PositiveIntegerField(_("已提交申请数"), default=0)
    tasks_open = models.PositiveIntegerField(_("待办数"), default=0)
    tasks_overdue = models.PositiveIntegerField(_("超期待办数"), default=0)
    applications_by_kind = models.JSONField(_("申请分类"), default=list, blank=True)
    backlog = models.JSONField(_("各环节积压"), default=list, blank=True)
    # Where the city sits in the programme (tenant_apps.configuration.figures): its province (from the registered
    # places of its organisations, else its authority's name) and its batch (the pilot period's first year).
    province = models.CharField(_("省份"), max_length=20, blank=True, db_index=True)
    batch = models.CharField(_("批次"), max_length=10, blank=True, db_index=True)
    computed_at = models.DateTimeField(_("统计时间"))

    class Meta:
        verbose_name = _("租户指标")
        verbose_name_plural = _("租户指标")

    def __str__(self) -> str:
        return f"{self.tenant} @ {self.computed_at:%Y-%m-%d %H:%M}"


# The figures a daily snapshot keeps as columns (charted across cities with SUM ... GROUP BY day); every other
# number of the roll-up is kept in `TenantSnapshot.figures`.
SNAPSHOT_COLUMNS = (
    "organisations",
    "certified_enterprises",
    "pilot_enterprises",
    "acceptances_accepted",
    "ecosystem_providers_approved",
    "orders",
    "vouchers_issued",
    "cultivation_recognised",
    "applications_submitted",
    "tasks_open",
    "tasks_overdue",
)


class TenantSnapshot(models.Model):
    """One city's roll-up as it stood on one day (Asia/Shanghai), written by beat after the roll-ups; re-running a
    day overwrites that day's row (unique tenant + day), so the job is idempotent. Trends and the drill-down's
    figure deltas read these rows only."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("租户"))
    day = models.DateField(_("日期"))
    organisations = models.PositiveIntegerField(_("组织数"), default=0)
    certified_enterprises = models.PositiveIntegerField(_("已认证企业数"), default=0)
    pilot_enterprises = models.PositiveIntegerField(_("试点企业数"), default=0)
    acceptances_accepted = models.PositiveIntegerField(_("验收通过数"), default=0)
    ecosystem_providers_approved = models.PositiveIntegerField(_("入盟服务商数"), default=0)
    orders = models.PositiveIntegerField(_("订单数"), default=0)
    vouchers_issued = models.PositiveIntegerField(_("发放服务券数"), default=0)
    cultivation_recognised = models.PositiveIntegerField(_("有效认定数"), default=0)
    applications_submitted = models.PositiveIntegerField(_("已提交申请数"), default=0)
    tasks_open = models.PositiveIntegerField(_("待办数"), default=0)
    tasks_overdue = models.PositiveIntegerField(_("超期待办数"), default=0)
    # Every scalar figure of the roll-up (amounts as strings), for deltas of the figures not kept as columns.
    figures = models.JSONField(_("全部指标"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField(_("统计时间"))

    class Meta:
        verbose_name = _("每日指标快照")
        verbose_name_plural = _("每日指标快照")
        ordering = ["-day", "tenant_id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "day"], name="snapshot_one_per_tenant_day")]
        indexes = [models.Index(fields=["day"], name="snapshot_day")]

    def __str__(self) -> str:
        return f"{self.tenant_id} @ {self.day}"


class AuditEntry(models.Model):
    """Who changed which roles, sub-accounts or configuration of a tenant, with the values before and after.

    Lives in `public`, keyed by schema name rather than a foreign key to the tenant: the national center reads every
    city's trail in one query, and a trail outlives the tenant row. Append-only: nothing in the product updates or
    deletes a row. `changes` maps a field to `[before, after]` (plain JSON values: labels, codes, numbers)."""

    class Action(models.TextChoices):
        CREATE = "create", pgettext_lazy("audit action", "新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        ROLES = "roles", _("角色变更")
        GRANT = "grant", _("授予角色")
        SUB_ACCOUNT_CREATE = "sub_account.create", _("开通子账号")
        SUB_ACCOUNT_UPDATE = "sub_account.update", _("修改子账号")
        SUB_ACCOUNT_PASSWORD = "sub_account.password", _("重置子账号密码")
        SUB_ACCOUNT_DELETE = "sub_account.delete", _("注销子账号")

    schema_name = models.CharField(_("租户"), max_length=63)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=40, choices=Action.choices)
    target_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_label = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["schema_name", "-created_at"], name="audit_schema_created"),
            models.Index(fields=["-created_at"], name="audit_created"),
        ]

    def __str__(self) -> str:
        return f"{self.schema_name} · {self.get_action_display()} · {self.target_label}"

    @property
    def change_pairs(self) -> list[tuple[str, tuple]]:
        """`[(field, (before, after))]` for templates; a malformed row shows what it has rather than failing."""
        return [
            (field, tuple(pair) if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair))
            for field, pair in (self.changes or {}).items()
        ]

    @property
    def target_type_label(self) -> str:
        """The target model's verbose name, from the app registry (no query, no import of tenant apps)."""
        try:
            return str(apps.get_model(self.target_type)._meta.verbose_name)
        except (LookupError, ValueError):
            return self.target_type
