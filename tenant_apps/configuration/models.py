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


class SubsidyPolicy(models.Model):
    """Turns a recognised project amount into a subsidy: ratio of the eligible base, capped, optionally tiered.

    `tiers` holds `[{"when": {...}, "ratio": "0.40", "cap_per_project": "300000.00"}, ...]`; `tranches` holds
    `[{"after": "signing", "share": "0.30"}, ...]`. The calculator that reads them arrives with acceptance.
    """

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    ratio = models.DecimalField(
        _("补贴比例"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    cap_per_project = models.DecimalField(
        _("单个项目上限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    cap_per_enterprise = models.DecimalField(
        _("单个企业上限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    hardware_share_limit = models.DecimalField(
        _("硬件投入计入比例上限"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    tiers = models.JSONField(_("分档规则"), default=list, blank=True)
    tranches = models.JSONField(_("分期拨付"), default=list, blank=True)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("补贴政策")
        verbose_name_plural = _("补贴政策")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(ratio__gte=0) & Q(ratio__lte=1), name="subsidy_ratio_0_1"),
            models.CheckConstraint(
                condition=Q(cap_per_project__isnull=True) | Q(cap_per_project__gte=0), name="subsidy_cap_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DeclarationWindow(models.Model):
    """When a module accepts declarations (e.g. cultivation recognition, annual info update)."""

    module = models.CharField(_("模块"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
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
