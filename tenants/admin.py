from django.contrib import admin

from tenants.models import Domain, Tenant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "schema_name", "kind", "status", "preset", "created_at"]
    list_filter = ["kind", "status"]
    inlines = [DomainInline]
