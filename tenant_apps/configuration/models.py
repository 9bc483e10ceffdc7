"""Per-tenant configuration: seeded from a preset at provisioning, edited by the tenant admin afterwards."""

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tenants.errors import DomainError
from tenants.uploads import upload_checked
from tenants.validators import phone_validator, uscc_validator

LOGO_FORMATS = ("png", "jpg", "webp")
LOGO_MAX_BYTES = 1024 * 1024


def logo_validator(upload) -> None:
    """A logo is a PNG, JPEG or WebP image of at most 1 MB, checked by content like every upload."""
    if getattr(upload, "_committed", False):
        return  # the stored file of an unchanged form: it was checked when it was uploaded
    try:
        upload_checked(
            upload,
            allowed=LOGO_FORMATS,
            max_bytes=LOGO_MAX_BYTES,
            wrong_type=_("标志须为 PNG、JPEG 或 WebP 图片。"),
            too_large=_("标志图片不能超过 1 MB。"),
            field="logo",
        )
    except DomainError as error:
        raise ValidationError(error.message, code=error.code) from error


SMS_SIGNATURE_MAX = 20
SMS_SIGNATURE_WORDS = "中小企业数字化转型"
sms_signature_validator = RegexValidator(r"^[^【】\[\]]{2,20}$", _("短信签名为 2 至 20 个字，不含括号。"))


def sms_signature_default(short_name: str) -> str:
    """The signature a city gets until its admin writes one: its short name and the pilot's words, e.g.
    哈尔滨 → 哈尔滨中小企业数字化转型 (a short name that already says them is cut after them)."""
    base = (short_name or "").strip()
    if SMS_SIGNATURE_WORDS in base:
        return base[: base.index(SMS_SIGNATURE_WORDS) + len(SMS_SIGNATURE_WORDS)][:SMS_SIGNATURE_MAX]
    base = base.removesuffix("平台")
    return base[: SMS_SIGNATURE_MAX - len(SMS_SIGNATURE_WORDS)] + SMS_SIGNATURE_WORDS


class TenantSettings(models.Model):
    """One row per tenant schema (pk = 1): identity, branding, pilot period and password-policy knobs."""

    display_name = models.CharField(_("平台名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30)
    tagline = models.CharField(_("标语"), max_length=200, blank=True)
    primary_color = models.CharField(_("主题色"), max_length=7, default="#1d4ed8")
    # The portal's identity (footer, header): this city's own names, never copied from another city's preset.
    authority_name = models.CharField(_("主办单位"), max_length=100, blank=True)
    organiser_name = models.CharField(_("承办单位"), max_length=100, blank=True)
    logo = models.ImageField(
        _("标志"),
        upload_to="branding/",
        blank=True,
        validators=[logo_validator],
        help_text=_("PNG、JPEG 或 WebP，不超过 1 MB。"),
    )
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[phone_validator])
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    contact_address = models.CharField(_("联系地址"), max_length=200, blank=True)
    icp_number = models.CharField(_("ICP 备案号"), max_length=50, blank=True)
    police_record_number = models.CharField(_("公安机关备案号"), max_length=50, blank=True)
    site_code = models.CharField(_("网站标识码"), max_length=30, blank=True)
    sms_signature = models.CharField(
        _("短信签名"),
        max_length=SMS_SIGNATURE_MAX,
        blank=True,
        validators=[sms_signature_validator],
        help_text=_("本城市每条短信开头的【签名】，不含括号，如“哈尔滨中小企业数字化转型”；留空则按简称生成。"),
    )
    pilot_start = models.DateField(_("试点期开始"), null=True, blank=True)
    pilot_end = models.DateField(_("试点期结束"), null=True, blank=True)
    password_min_length = models.PositiveSmallIntegerField(
        _("密码最短长度"), default=8, validators=[MinValueValidator(6), MaxValueValidator(64)]
    )
    password_max_length = models.PositiveSmallIntegerField(
        _("密码最长长度"), default=18, validators=[MinValueValidator(8), MaxValueValidator(128)]
    )
    password_min_classes = models.PositiveSmallIntegerField(
        _("至少包含的字符类别数"), default=3, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    password_history = models.PositiveSmallIntegerField(
        _("不得与最近几次密码相同"), default=5, validators=[MaxValueValidator(24)]
    )
    registration_roles = ArrayField(
        models.CharField(max_length=20, choices=[("enterprise", _("企业用户")), ("provider", _("服务商"))]),
        verbose_name=_("可注册的角色"),
        default=list,
        blank=True,
    )
    registration_mobile_as_username = models.BooleanField(_("以手机号作为账号"), default=False)
    registration_company_step = models.BooleanField(
        _("注册时填写企业信息"), default=False, help_text=_("在账号信息中填写单位名称（支持企业名称模糊查询）等。")
    )
    registration_profile_step = models.BooleanField(
        _("注册第二步填写组织档案"), default=False, help_text=_("按本城市配置的字段分组填写，草稿自动保存。")
    )
    service_agreement = models.TextField(_("服务协议"), blank=True)
    privacy_notice = models.TextField(_("隐私政策"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("城市设置")
        verbose_name_plural = _("城市设置")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="tenant_settings_singleton"),
            models.CheckConstraint(
                condition=Q(password_min_length__lte=F("password_max_length")),
                name="tenant_settings_password_range",
            ),
            models.CheckConstraint(
                condition=Q(pilot_start__isnull=True) | Q(pilot_end__isnull=True) | Q(pilot_start__lte=F("pilot_end")),
                name="tenant_settings_pilot_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        if not self.sms_signature:  # a new city, or an admin who cleared it: the default from the short name
            self.sms_signature = sms_signature_default(self.short_name)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sms_signature"}
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "TenantSettings":
        return cls.objects.get(pk=1)


class Industry(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    is_pilot = models.BooleanField(_("试点行业"), default=False)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("行业")
        verbose_name_plural = _("行业")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """An administrative division (省 / 市 / 区县) of the tenant's territory, by its GB/T 2260 code.

    Reviews that run through administrative levels (the cultivation declarations: county → city → province) go to
    the staff of the division at each level that contains the applicant's registered place; `path` ("330000/330200/
    330212") lets a level's administrators read everything under their division with one prefix match."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        COUNTY = "county", _("区县级")

    code = models.CharField(_("区划代码"), max_length=6, unique=True, validators=[RegexValidator(r"^\d{6}$")])
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级区划")
    )
    path = models.CharField(_("区划路径"), max_length=60, editable=False, db_index=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path}/{self.code}" if self.parent_id else self.code
        super().save(*args, **kwargs)

    def clean(self):
        order = [self.Level.PROVINCE, self.Level.CITY, self.Level.COUNTY]
        if self.parent_id and order.index(self.parent.level) >= order.index(self.level):
            raise ValidationError({"parent": _("上级区划的层级须高于本区划。")})
        if not self.parent_id and self.level != self.Level.PROVINCE:
            raise ValidationError({"parent": _("市级、区县级区划须选择上级区划。")})

    @property
    def full_name(self) -> str:
        """省 · 市 · 区县, from the stored path (one query for the ancestors)."""
        codes = self.path.split("/")
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        return "".join(names.get(code, "") for code in codes)

    def ancestor_at(self, level: str) -> "Region | None":
        """This division or the one above it at `level` (None when it sits above that level)."""
        codes = self.path.split("/")
        return Region.objects.filter(code__in=codes, level=level).first()


class AnchorUnit(models.Model):
    """数字化牵引单位: leads an ecosystem alliance and confirms declarations made to it."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    uscc = models.CharField(_("统一社会信用代码"), max_length=20, blank=True, validators=[uscc_validator])
    industries = models.ManyToManyField(Industry, blank=True, verbose_name=_("所属行业"))
    description = models.TextField(_("简介"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=30, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # The organisation whose members confirm declarations made to this unit (review stages "anchor unit").
    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="anchor_unit",
        verbose_name=_("对应组织"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("牵引单位")
        verbose_name_plural = _("牵引单位")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


# Vocabularies of a subsidy policy's JSON (tenants/preset_schema.py keeps the same tuples for the presets).
SUBSIDY_TIER_CONDITIONS = ("digital_level_after", "enterprise_size")
SUBSIDY_TIER_KEYS = ("when", "ratio", "cap_per_project")
ENTERPRISE_SIZES = {"micro": _("微型"), "small": _("小型"), "medium": _("中型"), "large": _("大型")}
TRANCHE_AFTER = {"signing": _("签约后拨付"), "acceptance": _("验收后拨付"), "publicity": _("公示后拨付")}


def _policy_decimal(value, *, low=None, high=None) -> Decimal | None:
    """A number from the policy's JSON (string or number), or None when it is not one within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        return None
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return None
    if not number.is_finite() or (low is not None and number < low) or (high is not None and number > high):
        return None
    return number


def subsidy_tiers_errors(tiers) -> list[str]:
    """What is wrong with a policy's `tiers` (Chinese, one line each; empty when valid)."""
    if tiers in (None, ""):
        return []
    if not isinstance(tiers, list):
        return [str(_('分档规则应为列表，例如 [{"when": {"digital_level_after": 3}, "ratio": "0.50"}]。'))]
    errors = []
    for n, tier in enumerate(tiers, start=1):
        prefix = _("第 %(n)d 档：") % {"n": n}
        if not isinstance(tier, dict):
            errors.append(f"{prefix}{_('应为对象。')}")
            continue
        unknown = sorted(set(tier) - set(SUBSIDY_TIER_KEYS))
        if unknown:
            errors.append(f"{prefix}{_('未知的键 %(keys)s。') % {'keys': '、'.join(unknown)}}")
        when = tier.get("when")
        if not isinstance(when, dict) or not when:
            errors.append(f"{prefix}{_('缺少适用条件 when。')}")
        else:
            unknown = sorted(set(when) - set(SUBSIDY_TIER_CONDITIONS))
            if unknown:
                errors.append(f"{prefix}{_('未知的条件 %(keys)s。') % {'keys': '、'.join(unknown)}}")
            if "digital_level_after" in when:
                level = when["digital_level_after"]
                if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 4:
                    errors.append(f"{prefix}{_('digital_level_after 应为 1–4 的整数。')}")
            if "enterprise_size" in when and when["enterprise_size"] not in ENTERPRISE_SIZES:
                errors.append(
                    f"{prefix}{_('enterprise_size 应为 %(sizes)s 之一。') % {'sizes': '、'.join(ENTERPRISE_SIZES)}}"
                )
        if "ratio" not in tier and "cap_per_project" not in tier:
            errors.append(f"{prefix}{_('至少设置比例 ratio 或单个项目上限 cap_per_project。')}")
        if "ratio" in tier and _policy_decimal(tier["ratio"], low=Decimal(0), high=Decimal(1)) is None:
            errors.append(f"{prefix}{_('比例 ratio 应在 0 到 1 之间。')}")
        if "cap_per_project" in tier and _policy_decimal(tier["cap_per_project"], low=Decimal(0)) is None:
            errors.append(f"{prefix}{_('单个项目上限 cap_per_project 应为不小于 0 的金额。')}")
    return errors


def subsidy_tranches_errors(tranches) -> list[str]:
    """What is wrong with a policy's `tranches`: known `after`, shares in (0, 1] adding up to exactly 1."""
    if tranches in (None, ""):
        return []
    if not isinstance(tranches, list):
        return [str(_('分期拨付应为列表，例如 [{"after": "signing", "share": "0.30"}]。'))]
    errors, total = [], Decimal(0)
    for n, tranche in enumerate(tranches, start=1):
        prefix = _("第 %(n)d 期：") % {"n": n}
        if not isinstance(tranche, dict):
            errors.append(f"{prefix}{_('应为对象。')}")
            continue
        unknown = sorted(set(tranche) - {"after", "share"})
        if unknown:
            errors.append(f"{prefix}{_('未知的键 %(keys)s。') % {'keys': '、'.join(unknown)}}")
        if tranche.get("after") not in TRANCHE_AFTER:
            errors.append(f"{prefix}{_('拨付时点 after 应为 %(keys)s 之一。') % {'keys': '、'.join(TRANCHE_AFTER)}}")
        share = _policy_decimal(tranche.get("share"), low=Decimal(0), high=Decimal(1))
        if share is None or share == 0:
            errors.append(f"{prefix}{_('比例 share 应大于 0 且不超过 1。')}")
        else:
            total += share
    if not errors and tranches and total != 1:
        errors.append(str(_("各期比例之和应为 1（现为 %(total)s）。") % {"total": total}))
    return errors


class SubsidyPolicy(models.Model):
    """Turns a recognised project amount into a subsidy: ratio of the eligible base, capped, optionally tiered.

    `tiers` holds `[{"when": {...}, "ratio": "0.40", "cap_per_project": "300000.00"}, ...]`; `tranches` holds
    `[{"after": "signing", "share": "0.30"}, ...]` (semantics: `tenant_apps.pilots.subsidy`). A city keeps several
    versions of one policy (same code, rising version); each acceptance records the row that applied to it, so a
    new version never changes an acceptance already recognised.
    """

    code = models.SlugField(_("编码"), max_length=40)
    version = models.PositiveIntegerField(_("版本"), default=1, validators=[MinValueValidator(1)])
    effective_from = models.DateField(
        _("生效日期"), null=True, blank=True, help_text=_("留空即时生效；未到生效日期的版本不会用于新的认定。")
    )
    name = models.CharField(_("名称"), max_length=100)
    ratio = models.DecimalField(
        _("补贴比例"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    cap_per_project = models.DecimalField(
        _("单个项目上限（元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    cap_per_enterprise = models.DecimalField(
        _("单个企业上限（元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    hardware_share_limit = models.DecimalField(
        _("硬件投入计入比例上限"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    tiers = models.JSONField(
        _("分档规则"),
        default=list,
        blank=True,
        help_text=_(
            '例如 [{"when": {"digital_level_after": 3}, "ratio": "0.50"}]：认定数字化水平达到三级及以上按 50%；'
            "条件可用 digital_level_after（1–4，达到即适用）、enterprise_size（micro/small/medium/large）；"
            "多档适用时，比例与上限各取等级门槛最高（同门槛取靠后）的一档。"
        ),
    )
    tranches = models.JSONField(
        _("分期拨付"),
        default=list,
        blank=True,
        help_text=_(
            '例如 [{"after": "signing", "share": "0.30"}, {"after": "acceptance", "share": "0.70"}]，比例之和为 1；留空一次性拨付。'
        ),
    )
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("补贴政策")
        verbose_name_plural = _("补贴政策")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="subsidy_policy_code_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="subsidy_policy_version_positive"),
            models.CheckConstraint(condition=Q(ratio__gte=0) & Q(ratio__lte=1), name="subsidy_ratio_0_1"),
            models.CheckConstraint(
                condition=Q(cap_per_project__isnull=True) | Q(cap_per_project__gte=0), name="subsidy_cap_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(cap_per_enterprise__isnull=True) | Q(cap_per_enterprise__gte=0),
                name="subsidy_enterprise_cap_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(hardware_share_limit__isnull=True)
                | (Q(hardware_share_limit__gte=0) & Q(hardware_share_limit__lte=1)),
                name="subsidy_hardware_share_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.version} 版）"

    def clean(self):
        """The JSON fields, checked with a message on the field (the admin shows it there, never a 500)."""
        errors = {}
        tiers = subsidy_tiers_errors(self.tiers)
        if tiers:
            errors["tiers"] = tiers
        tranches = subsidy_tranches_errors(self.tranches)
        if tranches:
            errors["tranches"] = tranches
        if errors:
            raise ValidationError(errors)


class DeclarationWindow(models.Model):
    """When a module accepts declarations (e.g. cultivation recognition, annual info update), both days included.

    `kind` says what opens (a cultivation tier's code, or `info_update`); `region` where (a province or city: the
    enterprises registered under it). A region without an open window offers no entry (seed 003, FAQ 4)."""

    module = models.CharField(_("模块"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.SlugField(
        _("申报类别"), max_length=40, blank=True, help_text=_("例如 innovative、specialised、info_update。")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="windows", verbose_name=_("申报地区")
    )
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))

    class Meta:
        verbose_name = _("申报窗口")
        verbose_name_plural = _("申报窗口")
        ordering = ["module", "opens_on"]
        constraints = [
            models.CheckConstraint(condition=Q(opens_on__lte=F("closes_on")), name="window_order"),
            models.UniqueConstraint(fields=["module", "name"], name="window_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
