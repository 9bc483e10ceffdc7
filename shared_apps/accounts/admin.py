from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.models import SecurityEvent, User
from shared_apps.accounts.security import account_unlock, lock_state_locked, with_lock_state
from tenants.append_only import AppendOnlyAdminMixin
from tenants.client_ip import client_ip


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "mobile", "email", "is_national_staff", "is_active", "password_lock", "date_joined"]
    search_fields = ["username", "mobile", "email"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("平台"), {"fields": ("mobile", "is_national_staff")}),)
    actions = ["unlock_accounts"]

    def get_queryset(self, request):
        return with_lock_state(super().get_queryset(request))

    def has_delete_permission(self, request, obj=None):
        """Identities are deactivated, never deleted: the cities' rows name them without a database foreign key
        (ADR 0031), so nothing else would stop a deletion from leaving applications, orders and log entries
        pointing at nobody."""
        return False

    @admin.display(description=_("密码登录"))
    def password_lock(self, user):
        return _("已锁定") if lock_state_locked(user) else _("正常")

    @admin.action(description=_("解除所选账号的登录锁定"))
    def unlock_accounts(self, request, queryset):
        users = list(queryset)
        for user in users:
            account_unlock(user=user, by=request.user, ip=client_ip(request))
        self.message_user(request, _("已解除 %(n)d 个账号的登录锁定。") % {"n": len(users)}, messages.SUCCESS)


@admin.register(SecurityEvent)
class SecurityEventAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail, read-only for everyone, superusers included (a database trigger refuses edits as well)."""

    list_display = ["created_at", "kind", "identifier", "user", "ip", "schema_name", "detail"]
    list_filter = ["kind", "schema_name"]
    search_fields = ["identifier", "ip"]
    readonly_fields = [field.name for field in SecurityEvent._meta.fields]
