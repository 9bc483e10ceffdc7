"""Organisations of a tenant and the memberships that give a person roles in this tenant."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenant_apps.organisations.roles import Role
from tenants.validators import mobile_validator, uscc_normalise, uscc_validator


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        PROVIDER = "provider", _("服务商")
        ANCHOR_UNIT = "anchor_unit", _("牵引单位")
        AUTHORITY = "authority", _("主管部门")
        OPERATOR = "operator", _("运营机构")

    class Certification(models.TextChoices):
        NONE = "none", _("未认证")
        PENDING = "pending", _("认证审核中")
        RETURNED = "returned", _("已退回修改")
        CERTIFIED = "certified", _("已认证")
        REJECTED = "rejected", _("认证未通过")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=64)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=20, null=True, blank=True, unique=True, validators=[uscc_validator]
    )
    certification = models.CharField(
        _("认证状态"), max_length=20, choices=Certification.choices, default=Certification.NONE
    )
    industry = models.ForeignKey(
        "configuration.Industry", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("所属行业")
    )
    region = models.CharField(_("所在地区"), max_length=60, blank=True)
    address = models.CharField(_("详细地址"), max_length=100, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=30, blank=True)
    contact_mobile = models.CharField(_("联系人手机"), max_length=11, blank=True, validators=[mobile_validator])
    email = models.EmailField(_("电子邮箱"), blank=True)
    # The long tail of a tenant's profile groups, validated against its ProfileField definitions (onboarding).
    profile = models.JSONField(_("档案信息"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["kind", "certification"])]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # The admin and imports store the canonical form, so uniqueness holds for "9123 0100…" and lower case.
        self.uscc = uscc_normalise(self.uscc) or None if self.uscc else None


class Membership(models.Model):
    """A person's place in this tenant: their roles and, for organisation users, their organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("用户"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("所属组织"),
    )
    roles = ArrayField(models.CharField(max_length=20, choices=Role.choices), verbose_name=_("角色"), default=list)
    is_sub_account = models.BooleanField(
        _("子账号"), default=False, help_text=_("由组织主账号创建；只能使用被授权的菜单。")
    )
    # Sub-accounts only: the module codes whose menus and APIs this person may use; empty = none.
    menu_permissions = ArrayField(models.CharField(max_length=40), verbose_name=_("菜单权限"), default=list, blank=True)
    # Staff of an administrative division: decides the review stages of that division's level (handler "region").
    region = models.ForeignKey(
        "configuration.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("所辖行政区划"),
        help_text=_("审核按行政层级进行的申请（如梯度培育认定）时，由申请单位注册地所属本区划的人员办理。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.user} ({', '.join(str(label) for label in self.role_labels)})"

    @property
    def role_labels(self) -> list[str]:
        return [Role(code).label for code in self.roles if code in Role.values]

    def can_use_module(self, code: str) -> bool:
        """Sub-accounts see only the modules granted to them; everyone else every module of the tenant."""
        return self.is_active and (not self.is_sub_account or code in self.menu_permissions)

    @property
    def manages_organisation(self) -> bool:
        """The organisation's main account: may manage sub-accounts once the organisation is certified."""
        return self.is_active and self.organisation_id is not None and not self.is_sub_account

    def has_role(self, *roles: str) -> bool:
        return self.is_active and any(role in self.roles for role in roles)
