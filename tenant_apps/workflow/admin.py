from django.contrib import admin

from tenant_apps.organisations.admin_site import tenant_admin_site
from tenant_apps.workflow.models import Flow, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Flow, site=tenant_admin_site)
class FlowAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active"]
    inlines = [StageInline]
