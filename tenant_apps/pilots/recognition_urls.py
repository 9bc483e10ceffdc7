"""认定与补贴测算 (the city bureau): /workbench/pilots/acceptance/recognition/<acceptance>/."""

from django.urls import path

from tenant_apps.pilots import recognition_views as views

urlpatterns = [
    path("<int:pk>/", views.recognition_page, name="recognition"),
]
