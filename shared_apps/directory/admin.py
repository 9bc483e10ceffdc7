from django.contrib import admin

from shared_apps.directory.models import CompanyRecord


@admin.register(CompanyRecord)
class CompanyRecordAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "region", "industry_section"]
    search_fields = ["name", "uscc"]
