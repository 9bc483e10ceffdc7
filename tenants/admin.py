from django.contrib import admin
from django_tenants.utils import schema_context

from tenants.models import Domain, Tenant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "schema_name", "kind", "status", "preset", "publishes_nationwide", "created_at"]
    list_filter = ["kind", "status", "publishes_nationwide"]
    inlines = [DomainInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "publishes_nationwide" in form.changed_data and obj.kind == Tenant.Kind.TENANT:
            from cms.services import nationwide_rebuild

            with schema_context(obj.schema_name):
                nationwide_rebuild()  # start or stop showing its notices in every city (ADR 0011)
