"""City configuration in the tenant admin; every add, change and delete is audited (AuditedAdminMixin)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tenant_apps.configuration.models import (
    AnchorUnit,
    DeclarationWindow,
    Industry,
    Region,
    SubsidyPolicy,
    TenantSettings,
)
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
    """The city admin creates anchor units and links each to the organisation whose members confirm declarations
    (an organisation of kind 牵引单位); a unit without one is not offered to providers."""

    list_display = ["name", "code", "organisation", "contact_name", "is_active"]
    list_select_related = ["organisation"]
    filter_horizontal = ["industries"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "organisation" and field is not None:
            field.queryset = field.queryset.filter(kind="anchor_unit")
            field.help_text = _("该单位的账号负责确认服务商申报、审核产品；未关联的牵引单位不向服务商开放选择。")
        return field


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
    list_display = ["name", "module", "kind", "region", "opens_on", "closes_on"]
    list_filter = ["module", "kind"]
    list_select_related = ["region"]


@admin.register(Region, site=tenant_admin_site)
class RegionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
