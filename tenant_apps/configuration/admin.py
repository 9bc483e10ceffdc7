"""City configuration in the tenant admin; every add, change and delete is audited (AuditedAdminMixin)."""

from django.contrib import admin

from tenant_apps.configuration.models import AnchorUnit, DeclarationWindow, Industry, SubsidyPolicy, TenantSettings
from tenant_apps.organisations.admin_site import AuditedAdminMixin, tenant_admin_site


@admin.register(TenantSettings, site=tenant_admin_site)
class TenantSettingsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["display_name", "pilot_start", "pilot_end", "password_min_length", "password_max_length"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Industry, site=tenant_admin_site)
class IndustryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "is_pilot", "position"]
    list_editable = ["is_pilot", "position"]


@admin.register(AnchorUnit, site=tenant_admin_site)
class AnchorUnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "contact_name", "is_active"]
    filter_horizontal = ["industries"]


@admin.register(SubsidyPolicy, site=tenant_admin_site)
class SubsidyPolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Versions of one policy share a code; `SubsidyPolicy.clean` puts JSON mistakes on the tiers/tranches field."""

    list_display = [
        "name",
        "code",
        "version",
        "effective_from",
        "ratio",
        "cap_per_project",
        "cap_per_enterprise",
        "is_active",
    ]
    list_filter = ["is_active", "code"]


@admin.register(DeclarationWindow, site=tenant_admin_site)
class DeclarationWindowAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "module", "opens_on", "closes_on"]
