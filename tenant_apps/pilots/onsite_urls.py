"""现场验收 in the workbench (/workbench/pilots/acceptance/onsite/): the bureau's list and one acceptance's booking page."""

from django.urls import path

from tenant_apps.pilots import onsite_views as views

urlpatterns = [
    path("", views.onsite_list, name="onsite-list"),
    path("<int:pk>/", views.onsite_detail, name="onsite-detail"),
]
