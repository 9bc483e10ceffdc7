from django.contrib import admin

from shared_apps.oversight.models import AuditEntry, TenantFigures
from tenants.append_only import AppendOnlyAdminMixin


@admin.register(TenantFigures)
class TenantFiguresAdmin(admin.ModelAdmin):
    list_display = ["tenant", "organisations", "enterprises", "providers", "members", "computed_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    """The platform admin may read the trail like the console does; nobody edits or deletes it."""

    list_display = ["created_at", "schema_name", "actor", "action", "target_type", "target_label"]
    list_filter = ["schema_name", "action"]
    list_select_related = ["actor"]
