from django.contrib import admin

from shared_apps.oversight.models import TenantFigures


@admin.register(TenantFigures)
class TenantFiguresAdmin(admin.ModelAdmin):
    list_display = ["tenant", "organisations", "enterprises", "providers", "members", "computed_at"]
