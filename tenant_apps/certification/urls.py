from django.urls import path

from tenant_apps.certification.views import my_enterprise

urlpatterns = [
    path("enterprise/", my_enterprise, name="my-enterprise"),
]
