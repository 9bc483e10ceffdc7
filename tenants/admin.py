from django.contrib import admin

from tenants.append_only import AppendOnlyAdminMixin
from tenants.models import AdminInvitation, Domain, Tenant
from tenants.signals import nationwide_publishing_changed


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "schema_name", "kind", "status", "preset", "publishes_nationwide", "created_at"]
    list_filter = ["kind", "status", "publishes_nationwide"]
    inlines = [DomainInline]
    # The lifecycle changes only through the console's 状态管理 page, which requires a reason and audits it.
    readonly_fields = ["status", "status_reason", "status_changed_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "publishes_nationwide" in form.changed_data and obj.kind == Tenant.Kind.TENANT:
            nationwide_publishing_changed.send(sender=Tenant, tenant=obj)


@admin.register(AdminInvitation)
class AdminInvitationAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    """Whether a city's first administrator has used their link (the token itself is never stored)."""

    list_display = ["tenant", "user", "created_by", "created_at", "expires_at", "used_at"]
    list_filter = ["tenant"]
    exclude = ["token_hash"]
    list_select_related = ["tenant", "user", "created_by"]
