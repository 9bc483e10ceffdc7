from django.contrib import admin

from tenant_apps.organisations.admin_site import tenant_admin_site
from tenant_apps.organisations.models import Membership, Organisation


@admin.register(Organisation, site=tenant_admin_site)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "uscc", "certification", "created_at"]
    list_filter = ["kind", "certification"]
    search_fields = ["name", "uscc"]


@admin.register(Membership, site=tenant_admin_site)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "roles", "is_active", "created_at"]
    list_select_related = ["user", "organisation"]
    raw_id_fields = ["user", "organisation"]
