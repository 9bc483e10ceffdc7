from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "mobile", "email", "is_national_staff", "is_active", "date_joined"]
    search_fields = ["username", "mobile", "email"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("平台"), {"fields": ("mobile", "is_national_staff")}),)
