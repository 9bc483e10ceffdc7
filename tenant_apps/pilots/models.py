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

MONEY = {"max_digits": 14, "decimal_places": 2}
LEVELS = [(1, _("一级")), (2, _("二级")), (3, _("三级")), (4, _("四级"))]


def _evidence_path(instance, filename: str) -> str:
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"pilots/evidence/{uuid.uuid4().hex}.{suffix}"


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


class Admission(models.Model):
    """入库申请: one per enterprise and tenant while it is not rejected (a rejected one may be followed by another)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="admissions", verbose_name=_("企业")
    )
    application = models.OneToOneField(
        "workflow.Application", on_delete=models.PROTECT, related_name="admission", verbose_name=_("审核申请")
    )
    basic = models.JSONField(_("基本情况"), default=dict, blank=True)
    benchmark = models.BooleanField(_("愿意参与标杆样板打造"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("入库申请")
        verbose_name_plural = _("入库申请")
        ordering = ["-created_at", "-id"]


class AdmissionNeed(models.Model):
    """二、数字化改造需求: what the enterprise lacked before transformation (repeatable)."""

    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="needs")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("需求类型"), max_length=30)
    description = models.CharField(_("需求描述"), max_length=500)
    analysis = models.CharField(_("问题及需求分析"), max_length=1000, blank=True)

    class Meta:
        ordering = ["admission", "position", "id"]


class AdmissionProject(models.Model):
    """三、数字化改造情况及成效: a transformation project inside the pilot period (repeatable)."""

    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="projects")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("项目名称"), max_length=60)
    # A draft may be incomplete: everything but the name can wait until submission.
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    content = models.TextField(_("改造内容"), max_length=2000, blank=True)
    investment = models.DecimalField(_("项目投资（万元）"), null=True, blank=True, **MONEY)
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


class ProjectIndicator(models.Model):
    """A result indicator of a project: name, unit, before, after (e.g. 设备联网率 % 20 → 85)."""

    project = models.ForeignKey(AdmissionProject, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("指标名称"), max_length=30, blank=True)
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    before = models.CharField(_("改造前"), max_length=20, blank=True)
    after = models.CharField(_("改造后"), max_length=20, blank=True)

    class Meta:
        ordering = ["project", "position", "id"]


class AdmissionFile(models.Model):
    """五、相关佐证材料: the audit report, the 信用中国 credit report, and (when certification asked for it) a stamped
    statement of pilot-industry membership."""

    class Kind(models.TextChoices):
        AUDIT_REPORT = "audit_report", _("上年度审计报告")
        CREDIT_REPORT = "credit_report", _("信用中国企业信用信息报告")
        INDUSTRY_STATEMENT = "industry_statement", _("所属试点行业盖章声明")

    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("材料类型"), max_length=30, choices=Kind.choices)
    file = models.FileField(upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

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
