"""Public cultivation pages (/cultivation/): the landing page with the declaration entry, and the recognition
lookup. No sign-in needed; a tenant without the module answers 404."""

from django.urls import path

from tenant_apps.cultivation import public_views as views

urlpatterns = [
    path("", views.cultivation_public, name="cultivation-public"),
    path("lookup/", views.cultivation_lookup, name="cultivation-lookup"),
]
