from django.urls import include, path

from tenant_apps.portal import setup_views, views

urlpatterns = [
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/m/<slug:code>/", views.workbench_module, name="workbench-module"),
    path("workbench/setup/", setup_views.setup_checklist_view, name="setup-checklist"),
    path("workbench/accounts/", include("tenant_apps.organisations.urls")),
    path("workbench/messages/", include("tenant_apps.notifications.urls")),
    path("workbench/", include("tenant_apps.workflow.urls")),
    path("workbench/", include("tenant_apps.certification.urls")),
    path("m/<slug:code>/", views.module_home, name="module-home"),
]
