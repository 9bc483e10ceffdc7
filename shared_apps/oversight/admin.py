from django.contrib import admin

from shared_apps.oversight.models import AuditEntry, TenantFigures


@admin.register(TenantFigures)
class TenantFiguresAdmin(admin.ModelAdmin):
    list_display = ["tenant", "organisations", "enterprises", "providers", "members", "computed_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The platform admin may read the trail like the console does; nobody edits or deletes it."""

    list_display = ["created_at", "schema_name", "actor", "action", "target_type", "target_label"]
    list_filter = ["schema_name", "action"]
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
