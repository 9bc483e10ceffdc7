"""Registration: the tenant's profile form as data (field groups per role) and each person's server-side draft."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

ROLE_CHOICES = [("enterprise", _("企业用户")), ("provider", _("服务商"))]


class ProfileFieldGroup(models.Model):
    role = models.CharField(_("角色"), max_length=20, choices=ROLE_CHOICES)
    code = models.SlugField(_("编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=60)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("档案字段分组")
        verbose_name_plural = _("档案字段分组")
        ordering = ["role", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["role", "code"], name="profile_group_unique_code")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.name}"


class ProfileField(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("单行文本")
        TEXTAREA = "textarea", _("多行文本")
        INTEGER = "integer", _("整数")
        DECIMAL = "decimal", _("金额/小数")
        DATE = "date", _("日期")
        BOOLEAN = "boolean", _("是/否")
        CHOICE = "choice", _("单选")
        MULTICHOICE = "multichoice", _("多选")
        EMAIL = "email", _("电子邮箱")
        PHONE = "phone", _("电话")

    group = models.ForeignKey(
        ProfileFieldGroup, on_delete=models.CASCADE, related_name="fields", verbose_name=_("分组")
    )
    code = models.SlugField(_("编码"), max_length=40)
    label = models.CharField(_("标签"), max_length=60)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(_("必填"), default=False)
    max_length = models.PositiveIntegerField(_("最大长度"), null=True, blank=True)
    choices = models.JSONField(_("选项"), default=list, blank=True, help_text=_("单选/多选的选项列表。"))
    help_text = models.CharField(_("提示"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("档案字段")
        verbose_name_plural = _("档案字段")
        ordering = ["group", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="profile_field_unique_code")]

    def __str__(self) -> str:
        return self.label


class RegistrationDraft(models.Model):
    """What a person has typed into the profile step so far; restored on any browser they sign in from."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("注册草稿")
        verbose_name_plural = _("注册草稿")
