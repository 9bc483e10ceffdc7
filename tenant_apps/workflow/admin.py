"""Review chains are configuration: the tenant admin edits flows and their stages, and every edit is audited.

Applications, tasks and the work-order log belong to the engine (state, stage snapshot, who decided, the log) and
are deliberately not registered here: they change only through the workflow services, which keep the log."""

from django.contrib import admin

from tenant_apps.organisations.admin_site import AuditedAdminMixin, tenant_admin_site
from tenant_apps.workflow.models import Flow, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Flow, site=tenant_admin_site)
class FlowAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "is_active"]
    inlines = [StageInline]
