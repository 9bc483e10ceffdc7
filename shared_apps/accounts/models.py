"""One identity per person across all tenants (public schema). Roles live per tenant (ADR 0003)."""

from django.contrib.auth.models import AbstractUser, _user_has_module_perms, _user_has_perm
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

from tenants.validators import mobile_validator


class User(AbstractUser):
    mobile = models.CharField(
        _("手机号"), max_length=11, unique=True, null=True, blank=True, validators=[mobile_validator]
    )
    is_national_staff = models.BooleanField(
        _("国家中心工作人员"),
        default=False,
        help_text=_("可进入国家中心控制台；不授予任何租户内的数据权限。"),
    )
    # Raised by "退出所有其他设备": part of the session hash, so every session signed before it ends (ADR 0015).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

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

    def _get_session_auth_hash(self, secret=None):
        """Django ties a session to the password hash; the epoch ties it to the last 'sign out everywhere' as well
        (left out while 0, so sessions from before the field existed stay valid)."""
        from django.utils.crypto import salted_hmac

        value = self.password if not self.session_epoch else f"{self.password}#{self.session_epoch}"
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def can_use_console(self) -> bool:
        return self.is_active and (self.is_national_staff or self.is_superuser)

    def save(self, *args, **kwargs):
        """Every write of a password hash lands in PasswordHistory — here, because Django's `create_user` (used by
        registration and sub-accounts), the admin and the demo seed set `password` without `password_changed`."""
        created = self._state.adding
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        changed = False
        if update_fields is None or "password" in update_fields:
            from shared_apps.accounts.passwords import password_history_record

            changed = password_history_record(self) and not created
        if changed or (not self.is_active and (update_fields is None or "is_active" in update_fields)):
            # A new password (change, SMS reset, admin, manager) or a locked account ends every API token; sessions
            # end on their own (Django checks the password hash each request; inactive users are not loaded).
            from shared_apps.accounts.tokens import api_tokens_revoke_all

            api_tokens_revoke_all(self)


class PasswordHistory(models.Model):
    """Hashes of a person's earlier passwords, so a tenant's policy can refuse reusing the last N."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]


class SmsCode(models.Model):
    """A 6-digit one-time code sent to a mobile for one purpose on one host; only its hash is kept."""

    class Purpose(models.TextChoices):
        LOGIN = "login", _("登录")
        REGISTER = "register", _("注册")
        RESET_PASSWORD = "reset_password", _("找回密码")
        CHANGE_MOBILE = "change_mobile", _("更换手机号")

    mobile = models.CharField(max_length=11, validators=[mobile_validator])
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    schema_name = models.CharField(max_length=63)
    code_hash = models.CharField(max_length=128)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["mobile", "purpose", "-created_at"]),
            models.Index(fields=["ip", "-created_at"]),
        ]


class SmsMessage(models.Model):
    """What the outbox SMS backend 'sent': the demo's stand-in for a provider, shown on a dev-only page."""

    mobile = models.CharField(max_length=11)
    text = models.CharField(max_length=300)
    schema_name = models.CharField(max_length=63)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class SecurityEvent(models.Model):
    """Audit trail of sign-ins, lockouts and credential changes; also the source of lockout counting."""

    class Kind(models.TextChoices):
        LOGIN_SUCCEEDED = "login_succeeded", _("登录成功")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("登录被锁定")
        LOCK_REFUSED = "lock_refused", _("锁定期间的尝试")
        UNLOCKED = "unlocked", _("管理员解除锁定")
        PASSWORD_CHANGED = "password_changed", _("修改密码")
        PASSWORD_RESET = "password_reset", _("找回密码")
        RESET_CODE_FAILED = "reset_code_failed", _("找回密码验证码错误")
        RESET_REFUSED = "reset_refused", _("找回密码新密码不合规")
        SIGNED_OUT_EVERYWHERE = "signed_out_all", _("退出所有其他设备")
        TOKEN_CREATED = "token_created", _("创建 API 令牌")
        MOBILE_CHANGED = "mobile_changed", _("更换手机号")
        REGISTERED = "registered", _("注册")
        JOINED_TENANT = "joined_tenant", _("加入城市平台")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    identifier = models.CharField(max_length=150, blank=True)  # what was typed: username or mobile
    ip = models.GenericIPAddressField(null=True, blank=True)
    schema_name = models.CharField(max_length=63)
    detail = models.CharField(max_length=200, blank=True)
    # Stamped by `event_record` with the lockout's own clock (a lock lasts from this moment).
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("安全事件")
        verbose_name_plural = _("安全事件")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "identifier", "-created_at"]),
            models.Index(fields=["kind", "ip", "-created_at"]),
        ]


class ApiToken(models.Model):
    """A bearer token for API clients (ADR 0015): only its SHA-256 is kept, it expires, its owner lists and revokes it,
    and it dies with a password change or reset and when the account is deactivated."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="platform_api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("令牌前缀"), max_length=8)  # shown in lists so the owner can tell tokens apart
    label = models.CharField(_("名称"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"])]
