"""认定与补贴测算 over the API: /api/v1/pilots/recognition/<acceptance>/ (GET, PUT) and …/projects/<id>/adjust/."""

from django.urls import path

from tenant_apps.pilots import api_recognition as api

urlpatterns = [
    path("<int:pk>/", api.RecognitionView.as_view(), name="api-pilots-recognition"),
    path(
        "<int:pk>/projects/<int:project_pk>/adjust/",
        api.RecognitionAdjustView.as_view(),
        name="api-pilots-recognition-adjust",
    ),
]
