"""One identity per person across all tenants (public schema). Roles live per tenant (ADR 0003)."""

from django.contrib.auth.models import AbstractUser, _user_has_module_perms, _user_has_perm
from django.core.validators import RegexValidator
from django.db import connection, models
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

mobile_validator = RegexValidator(r"^1\d{10}$", _("请输入以 1 开头的 11 位手机号码。"))


class User(AbstractUser):
    mobile = models.CharField(
        _("手机号"), max_length=11, unique=True, null=True, blank=True, validators=[mobile_validator]
    )
    is_national_staff = models.BooleanField(
        _("国家中心工作人员"),
        default=False,
        help_text=_("可进入国家中心控制台；不授予任何租户内的数据权限。"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    # `is_superuser` and groups are global under django-tenants. Inside a tenant they grant nothing: there the
    # membership of the current tenant is the only source of permissions (see TenantRoleBackend).
    def _superuser_applies(self) -> bool:
        return self.is_active and self.is_superuser and connection.schema_name == get_public_schema_name()

    def has_perm(self, perm, obj=None):
        if self._superuser_applies():
            return True
        return self.is_active and _user_has_perm(self, perm, obj)

    def has_module_perms(self, app_label):
        if self._superuser_applies():
            return True
        return self.is_active and _user_has_module_perms(self, app_label)

    @property
    def can_use_console(self) -> bool:
        return self.is_active and (self.is_national_staff or self.is_superuser)
