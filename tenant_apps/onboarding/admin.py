from django.contrib import admin

from tenant_apps.onboarding.models import ProfileField, ProfileFieldGroup
from tenant_apps.organisations.admin_site import AuditedAdminMixin, tenant_admin_site


class ProfileFieldInline(admin.TabularInline):
    model = ProfileField
    extra = 0


@admin.register(ProfileFieldGroup, site=tenant_admin_site)
class ProfileFieldGroupAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "role", "code", "position"]
    list_filter = ["role"]
    inlines = [ProfileFieldInline]
