from django.urls import path

from tenant_apps.portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/", views.workbench, name="workbench"),
    path("m/<slug:code>/", views.module_home, name="module-home"),
]
