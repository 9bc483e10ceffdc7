"""Pilot enterprises of one city (seed 002 §六): the admission application (入库申请) in five sections, the
reviewers' defect rules as data, and the pilot status an approved admission confers.

An `Admission` is the enterprise's form; its review runs through the engine as an application of kind `admission`
(the tenant's `[flows.admission]`: bureau review → the applicant uploads the stamped generated form → the bureau
checks the scan). Approval makes the organisation a `PilotEnterprise` of this tenant."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.uploads import StoredUpload, stored_name

MONEY = {"max_digits": 14, "decimal_places": 2}
LEVELS = [(1, _("一级")), (2, _("二级")), (3, _("三级")), (4, _("四级"))]


def _evidence_path(instance, filename: str) -> str:
    return stored_name("pilots/evidence", filename)


class DefectRule(models.Model):
    """A form check the reviewers used to do by eye (seed 002 注意事项 1), switched on and tuned per tenant. A
    blocking rule refuses the submission; a warning is shown and lets it through. Reviewers see every rule as ✔/✘."""

    class Code(models.TextChoices):
        PERIOD = "project_period", _("项目周期超出试点期")
        LEVELS = "levels", _("改造前数字化水平高于改造后")
        INDICATOR_NAME = "indicator_name", _("成效指标只填数值未填名称")
        PROJECT_NAME = "project_name", _("项目名称表述不完整")
        CONTENT = "project_content", _("项目内容表述过于简单")

    code = models.CharField(_("规则"), max_length=30, choices=Code.choices, unique=True)
    enabled = models.BooleanField(_("启用"), default=True)
    blocking = models.BooleanField(_("阻止提交"), default=True, help_text=_("否：仅提示，仍可提交。"))
    threshold = models.PositiveSmallIntegerField(
        _("最少字数"), null=True, blank=True, help_text=_("项目名称、项目内容的最少字数。")
    )

    class Meta:
        verbose_name = _("形式审查规则")
        verbose_name_plural = _("形式审查规则")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_code_display()


# --- What the admission and the acceptance forms share (abstract: each form keeps its own tables) --------------------
class SheetModel(models.Model):
    """A form (admission or acceptance): 一、基本情况 as data, 四's benchmark answer, who started it and when; the
    concrete model adds its organisation and its engine application."""

    basic = models.JSONField(_("基本情况"), default=dict, blank=True)
    benchmark = models.BooleanField(_("愿意参与标杆样板打造"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class SheetNeed(models.Model):
    """A need before transformation (repeatable); the concrete model adds the link to its form."""

    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("需求类型"), max_length=30)
    description = models.CharField(_("需求描述"), max_length=500)
    analysis = models.CharField(_("问题及需求分析"), max_length=1000, blank=True)

    class Meta:
        abstract = True


class SheetProject(models.Model):
    """A transformation project (repeatable); the concrete model adds the link to its form, the investment in its
    unit and the named constraints."""

    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("项目名称"), max_length=60)
    # A draft may be incomplete: everything but the name can wait until submission.
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    content = models.TextField(_("改造内容"), max_length=2000, blank=True)
    level_before = models.PositiveSmallIntegerField(_("改造前数字化水平"), choices=LEVELS, null=True, blank=True)
    level_after = models.PositiveSmallIntegerField(_("改造后数字化水平"), choices=LEVELS, null=True, blank=True)

    class Meta:
        abstract = True


class SheetIndicator(models.Model):
    """A result indicator of a project: name, unit, before, after (e.g. 设备联网率 % 20 → 85)."""

    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("指标名称"), max_length=30, blank=True)
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    before = models.CharField(_("改造前"), max_length=20, blank=True)
    after = models.CharField(_("改造后"), max_length=20, blank=True)

    class Meta:
        abstract = True


class Admission(SheetModel):
    """入库申请: one per enterprise and tenant while it is not rejected (a rejected one may be followed by another)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="admissions", verbose_name=_("企业")
    )
    application = models.OneToOneField(
        "workflow.Application", on_delete=models.PROTECT, related_name="admission", verbose_name=_("审核申请")
    )

    class Meta:
        verbose_name = _("入库申请")
        verbose_name_plural = _("入库申请")
        ordering = ["-created_at", "-id"]


class AdmissionNeed(SheetNeed):
    """二、数字化改造需求: what the enterprise lacked before transformation (repeatable)."""

    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="needs")

    class Meta:
        ordering = ["admission", "position", "id"]


class AdmissionProject(SheetProject):
    """三、数字化改造情况及成效: a transformation project inside the pilot period (repeatable)."""

    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="projects")
    investment = models.DecimalField(_("项目投资（万元）"), null=True, blank=True, **MONEY)
    # The admission's levels also carry range validators (its migration has them; the acceptance's do not).
    level_before = models.PositiveSmallIntegerField(
        _("改造前数字化水平"),
        choices=LEVELS,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    level_after = models.PositiveSmallIntegerField(
        _("改造后数字化水平"),
        choices=LEVELS,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )

    class Meta:
        ordering = ["admission", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="admission_project_period",
            ),
            models.CheckConstraint(condition=Q(investment__gte=0), name="admission_project_investment"),
        ]


class ProjectIndicator(SheetIndicator):
    project = models.ForeignKey(AdmissionProject, on_delete=models.CASCADE, related_name="indicators")

    class Meta:
        ordering = ["project", "position", "id"]


class AdmissionFile(StoredUpload):
    """五、相关佐证材料: the audit report, the 信用中国 credit report, and (when certification asked for it) a stamped
    statement of pilot-industry membership."""

    class Kind(models.TextChoices):
        AUDIT_REPORT = "audit_report", _("上年度审计报告")
        CREDIT_REPORT = "credit_report", _("信用中国企业信用信息报告")
        INDUSTRY_STATEMENT = "industry_statement", _("所属试点行业盖章声明")

    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("材料类型"), max_length=30, choices=Kind.choices)
    file = models.FileField(upload_to=_evidence_path, max_length=200)

    class Meta:
        ordering = ["admission", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["admission", "kind"], name="admission_one_file_per_kind")]


class PilotEnterprise(models.Model):
    """试点企业: an organisation admitted to this city's pilot (the approved admission says when and how)."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="pilot", verbose_name=_("企业")
    )
    admission = models.OneToOneField(Admission, on_delete=models.PROTECT, related_name="pilot")
    admitted_on = models.DateField(_("入库日期"))

    class Meta:
        verbose_name = _("试点企业")
        verbose_name_plural = _("试点企业")
        ordering = ["-admitted_on", "-id"]


# --- Acceptance and subsidy (验收申请 / 资金申请, seed 002 §七) ----------------------------------------------------------
def _acceptance_path(instance, filename: str) -> str:
    return stored_name("pilots/acceptance", filename)


class Acceptance(SheetModel):
    """验收申请: a pilot enterprise asks for its finished projects to be accepted and subsidised. Reviewed through the
    engine as kind `acceptance` (the tenant's `[flows.acceptance]`: material review → on-site acceptance → stamped
    table → its review → publicity → disbursement). Amounts here are in 元 (contracts and invoices are)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="acceptances", verbose_name=_("企业")
    )
    pilot = models.ForeignKey(PilotEnterprise, on_delete=models.PROTECT, related_name="acceptances")
    application = models.OneToOneField(
        "workflow.Application", on_delete=models.PROTECT, related_name="acceptance", verbose_name=_("审核申请")
    )
    # Set when the bureau records the recognition: the policy version that applied, kept even if a newer one arrives.
    policy = models.ForeignKey(
        "configuration.SubsidyPolicy", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recognised_at = models.DateTimeField(_("认定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("验收申请")
        verbose_name_plural = _("验收申请")
        ordering = ["-created_at", "-id"]


class AcceptanceNeed(SheetNeed):
    """数字化转型基础: the needs before transformation (repeatable, prefilled from the admission)."""

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="needs")

    class Meta:
        ordering = ["acceptance", "position", "id"]


class AcceptanceProject(SheetProject):
    """A project to accept, with its providers and their products; the bureau's recognition and the subsidy computed
    from it live on the same row (one project, one recognised amount, one subsidy)."""

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="projects")
    investment = models.DecimalField(_("项目总投资（元）"), null=True, blank=True, **MONEY)
    # The bureau's recognition after the on-site acceptance (the national SME digital-level indicators, 2024).
    recognised_amount = models.DecimalField(_("认定投资（元）"), null=True, blank=True, **MONEY)
    recognised_hardware = models.DecimalField(_("其中硬件投入（元）"), null=True, blank=True, **MONEY)
    level_reached = models.PositiveSmallIntegerField(_("认定数字化水平"), choices=LEVELS, null=True, blank=True)
    # The bureau's findings that decide whether the project counts at all (kept as recorded, not re-derived).
    in_period = models.BooleanField(_("项目周期在试点期内"), null=True, blank=True)
    proven = models.BooleanField(_("合同、发票、银行回单齐全"), null=True, blank=True)
    subsidy_computed = models.DecimalField(_("测算补贴（元）"), null=True, blank=True, **MONEY)
    subsidy_breakdown = models.TextField(_("测算过程"), blank=True)
    subsidy = models.DecimalField(_("补贴金额（元）"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["acceptance", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="acceptance_project_period",
            ),
            models.CheckConstraint(condition=Q(investment__gte=0), name="acceptance_project_investment"),
            models.CheckConstraint(
                condition=Q(recognised_hardware__isnull=True)
                | Q(recognised_amount__isnull=True)
                | Q(recognised_hardware__lte=models.F("recognised_amount")),
                name="acceptance_project_hardware_within",
            ),
            models.CheckConstraint(condition=Q(subsidy__gte=0), name="acceptance_project_subsidy"),
        ]


class AcceptanceIndicator(SheetIndicator):
    project = models.ForeignKey(AcceptanceProject, on_delete=models.CASCADE, related_name="indicators")

    class Meta:
        ordering = ["project", "position", "id"]


class ProjectProvider(models.Model):
    """A digital service provider of a project (several per project), with its contract amount."""

    project = models.ForeignKey(AcceptanceProject, on_delete=models.CASCADE, related_name="providers")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("服务商名称"), max_length=64)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contract_amount = models.DecimalField(_("合同金额（元）"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["project", "position", "id"]


class ProjectProduct(models.Model):
    """A product or service a provider delivered to the project (several per provider), with its amount."""

    class Kind(models.TextChoices):
        SOFTWARE = "software", _("软件")
        HARDWARE = "hardware", _("硬件")
        SERVICE = "service", _("服务")

    provider = models.ForeignKey(ProjectProvider, on_delete=models.CASCADE, related_name="products")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("产品/服务名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.SOFTWARE)
    amount = models.DecimalField(_("金额（元）"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["provider", "position", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="acceptance_product_amount")]


class AcceptanceFile(StoredUpload):
    """Supporting material: the summary report, the investment list, contracts, receipts, invoices, bank slips, the
    digital-level self-assessment and anything else (several files per kind)."""

    class Kind(models.TextChoices):
        SUMMARY_REPORT = "summary_report", _("项目总结报告")
        INVESTMENT_LIST = "investment_list", _("项目投资清单")
        CONTRACT = "contract", _("项目合同")
        RECEIPT = "receipt", _("收货/验收单")
        INVOICE = "invoice", _("发票")
        BANK_SLIP = "bank_slip", _("银行回单")
        SELF_ASSESSMENT = "self_assessment", _("数字化水平自测结果")
        OTHER = "other", _("其他补充材料")

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("材料类型"), max_length=30, choices=Kind.choices)
    file = models.FileField(upload_to=_acceptance_path, max_length=200)

    class Meta:
        ordering = ["acceptance", "kind", "id"]


class OnSiteVisit(models.Model):
    """现场验收: booked by the bureau once the material review passed (when, where, whom to ask, what to prepare),
    then concluded. 不通过 and 完善材料后通过 return the application with a deadline; an overdue one shows in the
    bureau's inbox and is reminded by Celery beat."""

    class Conclusion(models.TextChoices):
        PASS = "pass", _("通过")
        FAIL = "fail", _("不通过")
        PASS_AFTER_MATERIAL = "pass_after_material", _("完善材料后通过")

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="visits")
    scheduled_at = models.DateTimeField(_("验收时间"))
    place = models.CharField(_("验收地点"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=30)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    preparation = models.TextField(_("准备要求"), max_length=2000, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    conclusion = models.CharField(_("验收结论"), max_length=30, choices=Conclusion.choices, blank=True)
    conclusion_note = models.TextField(_("结论说明"), max_length=2000, blank=True)
    deadline = models.DateField(_("整改/补充期限"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    concluded_at = models.DateTimeField(null=True, blank=True)
    # Set when the applicant resubmitted after a 不通过 / 完善材料后通过 (the deadline is then met).
    resolved_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("现场验收")
        verbose_name_plural = _("现场验收")
        ordering = ["acceptance", "-booked_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(conclusion="") | Q(conclusion="pass") | Q(deadline__isnull=False),
                name="onsite_deadline_when_not_passed",
            )
        ]


class SubsidyAdjustment(models.Model):
    """The bureau changed a computed subsidy: from, to, why, who (append-only)."""

    project = models.ForeignKey(AcceptanceProject, on_delete=models.CASCADE, related_name="adjustments")
    amount_before = models.DecimalField(**MONEY)
    amount_after = models.DecimalField(**MONEY)
    reason = models.CharField(_("调整原因"), max_length=500)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    adjusted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "adjusted_at", "id"]


class PublicityBatch(models.Model):
    """公示: a batch of accepted projects (enterprise, project, recognised amount, subsidy) shown on the portal for
    the configured number of days; objections are recorded against it."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("公示中")
        CLOSED = "closed", _("公示结束")

    title = models.CharField(_("公示标题"), max_length=100)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    days = models.PositiveSmallIntegerField(_("公示天数"), default=5)
    starts_on = models.DateField(_("公示开始"), null=True, blank=True)
    ends_on = models.DateField(_("公示截止"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("公示批次")
        verbose_name_plural = _("公示批次")
        ordering = ["-created_at", "-id"]


class PublicityItem(models.Model):
    """One accepted application in a batch, its figures snapshotted when the batch is published."""

    batch = models.ForeignKey(PublicityBatch, on_delete=models.CASCADE, related_name="items")
    acceptance = models.ForeignKey(Acceptance, on_delete=models.PROTECT, related_name="publicity_items")
    enterprise_name = models.CharField(max_length=64)
    projects = models.CharField(max_length=500)
    recognised_amount = models.DecimalField(**MONEY)
    subsidy = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["batch", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "acceptance"], name="publicity_item_once")]


class Objection(models.Model):
    """异议: recorded by the bureau against an item of a published batch, with how it was settled."""

    item = models.ForeignKey(PublicityItem, on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField(_("收到日期"))
    content = models.TextField(_("异议内容"), max_length=2000)
    resolution = models.TextField(_("处理结果"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "received_on", "id"]


class Tranche(models.Model):
    """资金拨付: a part of an acceptance's subsidy (the policy's tranches, or one whole), marked paid by the finance
    bureau with the date and voucher number; the enterprise sees each payment."""

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="tranches")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("拨付批次"), max_length=40)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    voucher_number = models.CharField(_("凭证号"), max_length=40, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("拨付批次")
        verbose_name_plural = _("拨付批次")
        ordering = ["acceptance", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="tranche_amount"),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True) | ~Q(voucher_number=""), name="tranche_paid_has_voucher"
            ),
            models.UniqueConstraint(fields=["acceptance", "position"], name="tranche_position_once"),
        ]
