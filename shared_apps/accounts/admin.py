from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.models import SecurityEvent, User
from tenants.append_only import AppendOnlyAdminMixin


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "mobile", "email", "is_national_staff", "is_active", "date_joined"]
    search_fields = ["username", "mobile", "email"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("平台"), {"fields": ("mobile", "is_national_staff")}),)


@admin.register(SecurityEvent)
class SecurityEventAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail, read-only for everyone, superusers included (a database trigger refuses edits as well)."""

    list_display = ["created_at", "kind", "identifier", "user", "ip", "schema_name", "detail"]
    list_filter = ["kind", "schema_name"]
    search_fields = ["identifier", "ip"]
    readonly_fields = [field.name for field in SecurityEvent._meta.fields]
