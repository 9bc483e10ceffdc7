"""URLs of the base domain: the national center console (public schema)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("shared_apps.oversight.urls")),
    path("accounts/", include("shared_apps.accounts.urls")),
    path("captcha/", include("captcha.urls")),
    path("django-admin/", admin.site.urls),
]
