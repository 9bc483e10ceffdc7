"""Quality-SME gradient cultivation (优质中小企业梯度培育, seed 003).

- `EnterpriseInfo`: what the cultivation reviews read of an enterprise — its registered division (which decides who
  reviews: the county, city and province containing it) and its sector (which decides the questionnaire). Free to
  edit until the enterprise holds a recognition; afterwards only through the annual update (`InfoUpdate`) or a
  major change (`MajorChange`), both reviewed, both keeping the before/after.
- `Questionnaire` / `Assessment`: the digital-level self-assessment; questionnaires are versioned data, the latest
  assessment of an organisation is the one that counts.
- `Tier`, `Declaration`, `Recognition`, `ReReview`: declarations for a tier inside a window, through the levels,
  ending in a recognition with a validity; a re-review renews it before it lapses.
- `Message`: 我的消息, in the five categories of the seed; `key` makes every scheduled message exactly-once.

The review states live on the engine's Application (one per declaration, update, change and re-review)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    """The three questionnaires' sectors (评测表分类)."""

    MANUFACTURING = "manufacturing", _("制造业")
    PRODUCER_SERVICES = "producer_services", _("生产性服务业")
    OTHER = "other", _("其他行业")


class EnterpriseInfo(models.Model):
    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="cultivation_info"
    )
    region = models.ForeignKey(
        "configuration.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("注册地")
    )
    sector = models.CharField(_("所属行业类别"), max_length=20, choices=Sector.choices)
    main_business = models.CharField(_("主营业务"), max_length=200)
    legal_rep = models.CharField(_("法定代表人"), max_length=30)
    ownership = models.CharField(_("企业性质"), max_length=20, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("从业人员（人）"), null=True, blank=True)
    revenue = models.DecimalField(_("上年度营业收入（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    rd_expense = models.DecimalField(
        _("上年度研发费用（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    contact_name = models.CharField(_("联系人"), max_length=30)
    contact_mobile = models.CharField(_("联系电话"), max_length=20)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("培育企业信息")
        verbose_name_plural = _("培育企业信息")

    def __str__(self) -> str:
        return str(self.organisation)


class Questionnaire(models.Model):
    """A version of one sector's questionnaire. `definition` is the data the form and the scoring read:
    `{"sections": [{"code", "name", "weight", "questions": [{"code", "text", "multiple", "options": [{"code",
    "text", "score"}]}]}], "levels": [{"level": 1, "min": 0}, …]}` (checked by `questionnaires.definition_errors`)."""

    sector = models.CharField(_("适用行业类别"), max_length=20, choices=Sector.choices)
    version = models.PositiveSmallIntegerField(_("版本"))
    title = models.CharField(_("名称"), max_length=100)
    definition = models.JSONField(_("题目与计分"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("数字化水平评测表")
        verbose_name_plural = _("数字化水平评测表")
        ordering = ["sector", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["sector", "version"], name="questionnaire_sector_version"),
            models.UniqueConstraint(
                fields=["sector"], condition=Q(is_active=True), name="questionnaire_one_active_per_sector"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第 {self.version} 版）"


class Assessment(models.Model):
    """One completed self-assessment: the answers as given, the scores and the level they came to (1–4)."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="assessments")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="assessments")
    answers = models.JSONField(_("作答"))
    section_scores = models.JSONField(_("分项得分"))  # [{"code", "name", "score", "max"}]
    score = models.DecimalField(_("总分"), max_digits=6, decimal_places=2)
    level = models.PositiveSmallIntegerField(_("数字化水平等级"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("评测时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("数字化水平自评")
        verbose_name_plural = _("数字化水平自评")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]
        constraints = [models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=4), name="assessment_level")]


class Tier(models.Model):
    """A recognition tier this tenant runs (创新型, 专精特新, 小巨人) and its declaration form (`indicators`:
    `[{"code", "label", "kind", "required", "choices", "help", "evidence", "max_length"}]`)."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    requires_assessment = models.BooleanField(_("须先完成数字化水平评测"), default=False)
    valid_years = models.PositiveSmallIntegerField(_("有效期（年）"), default=3)
    certificate_prefix = models.CharField(_("证书编号前缀"), max_length=8)
    indicators = models.JSONField(_("申报指标"), default=list)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("认定层级")
        verbose_name_plural = _("认定层级")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        """The form's indicators as the declaration pages read them; a mistake is named on the field, never a 500."""
        from django.core.exceptions import ValidationError

        problems = indicator_errors(self.indicators)
        if problems:
            raise ValidationError({"indicators": problems})


INDICATOR_KINDS = ("text", "textarea", "number", "choice")


def indicator_errors(indicators) -> list[str]:
    import re

    if not isinstance(indicators, list) or not indicators:
        return [str(_("申报指标须为非空列表。"))]
    problems, codes = [], set()
    for n, item in enumerate(indicators, start=1):
        if not isinstance(item, dict):
            problems.append(str(_("第 %(n)d 项须为对象。") % {"n": n}))
            continue
        code = item.get("code")
        if not isinstance(code, str) or not re.fullmatch(r"[a-z0-9_-]{1,40}", code) or code in codes:
            problems.append(str(_("第 %(n)d 项的 code 缺失、格式不对或重复。") % {"n": n}))
        codes.add(code)
        if not str(item.get("label") or "").strip():
            problems.append(str(_("第 %(n)d 项缺少 label。") % {"n": n}))
        if item.get("kind", "textarea") not in INDICATOR_KINDS:
            problems.append(
                str(_("第 %(n)d 项的 kind 须为 %(kinds)s 之一。") % {"n": n, "kinds": "、".join(INDICATOR_KINDS)})
            )
        if item.get("kind") == "choice" and not (isinstance(item.get("choices"), list) and item["choices"]):
            problems.append(str(_("第 %(n)d 项为选择题，须给出 choices。") % {"n": n}))
    return problems


def _evidence_path(instance, filename: str) -> str:
    return f"cultivation/{instance.declaration_id}/{uuid.uuid4().hex}"


class Declaration(models.Model):
    """企业申报: one tier, in the window it was opened in (which names the region), with the indicator answers."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="cultivation_declarations"
    )
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="declarations", verbose_name=_("申报层级"))
    window = models.ForeignKey(
        "configuration.DeclarationWindow", on_delete=models.PROTECT, related_name="+", verbose_name=_("申报批次")
    )
    application = models.OneToOneField(
        "workflow.Application", on_delete=models.PROTECT, related_name="cultivation_declaration"
    )
    data = models.JSONField(_("申报内容"), default=dict, blank=True)
    # The self-assessment the declaration carried when it was last submitted (专精特新's indicator 5).
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("认定申报")
        verbose_name_plural = _("认定申报")
        ordering = ["-created_at", "-id"]


class Evidence(models.Model):
    """A supporting document for one indicator of a declaration (PDF/JPG/PNG, checked by content)."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="evidence")
    indicator = models.SlugField(_("指标"), max_length=40)
    file = models.FileField(upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["declaration", "indicator", "id"]


class Recognition(models.Model):
    """认定: created when the last level approves a declaration; lapses at `valid_to` unless a re-review renews it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        EXPIRED = "expired", _("已到期")
        REVOKED = "revoked", _("已撤销")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="recognitions"
    )
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="recognitions", verbose_name=_("认定层级"))
    region = models.ForeignKey(
        "configuration.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("认定地区")
    )
    declaration = models.OneToOneField(
        Declaration, on_delete=models.PROTECT, null=True, blank=True, related_name="recognition"
    )
    certificate_no = models.CharField(_("证书编号"), max_length=40, unique=True)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("撤销原因"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("认定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("认定结果")
        verbose_name_plural = _("认定结果")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "tier"], condition=Q(status="active"), name="recognition_one_active_per_tier"
            ),
            models.CheckConstraint(condition=Q(valid_from__lte=models.F("valid_to")), name="recognition_validity"),
        ]

    def __str__(self) -> str:
        return f"{self.tier} · {self.certificate_no}"


class ReReview(models.Model):
    """到期复核: renews a recognition for another validity period when its chain approves."""

    recognition = models.ForeignKey(Recognition, on_delete=models.PROTECT, related_name="rereviews")
    application = models.OneToOneField(
        "workflow.Application", on_delete=models.PROTECT, related_name="cultivation_rereview"
    )
    statement = models.TextField(_("复核说明"), max_length=2000)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("到期复核")
        verbose_name_plural = _("到期复核")
        ordering = ["-created_at", "-id"]


class InfoUpdate(models.Model):
    """A recognised enterprise's annual information update: `after` applies to EnterpriseInfo on approval."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField(
        "workflow.Application", on_delete=models.PROTECT, related_name="cultivation_update"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    before = models.JSONField(_("更新前"), default=dict)
    after = models.JSONField(_("更新后"), default=dict)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("年度信息更新")
        verbose_name_plural = _("年度信息更新")
        ordering = ["-created_at", "-id"]


class MajorChange(models.Model):
    """重大变更: a change of name, USCC, registered place, main business or ownership, reviewed before it applies."""

    class Type(models.TextChoices):
        NAME = "name", _("企业名称变更")
        USCC = "uscc", _("统一社会信用代码变更")
        REGION = "region", _("注册地变更")
        MAIN_BUSINESS = "main_business", _("主营业务变更")
        OWNERSHIP = "ownership", _("股权结构/企业性质变更")
        OTHER = "other", _("其他重大变更")

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField(
        "workflow.Application", on_delete=models.PROTECT, related_name="cultivation_change"
    )
    change_type = models.CharField(_("变更类型"), max_length=20, choices=Type.choices)
    before = models.CharField(_("变更前"), max_length=200)
    after = models.CharField(_("变更后"), max_length=200)
    reason = models.TextField(_("变更原因"), max_length=1000)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("重大变更")
        verbose_name_plural = _("重大变更")
        ordering = ["-created_at", "-id"]


class Message(models.Model):
    """我的消息. `key` names what a scheduled message is about (e.g. `expiring:42:90`): the unique index makes a
    beat job that runs twice, or on two workers, create it once."""

    class Category(models.TextChoices):
        EXPIRING = "expiring", _("认定到期")
        INFO_UPDATE = "info_update", _("信息更新")
        RECOGNITION = "recognition", _("认定通知")
        REVOCATION = "revocation", _("取消认定")
        DECLARATION = "declaration", _("申报提醒")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="cultivation_messages"
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=200, blank=True)
    key = models.CharField(max_length=100, null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培育消息")
        verbose_name_plural = _("培育消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], condition=Q(key__isnull=False), name="message_once")
        ]
