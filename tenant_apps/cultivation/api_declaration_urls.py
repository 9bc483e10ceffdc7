"""/api/v1/cultivation/: tiers, declarations (with problems, submit, evidence) and recognitions (with revoke)."""

from django.urls import path

from tenant_apps.cultivation import api_declaration as api

urlpatterns = [
    path("tiers/", api.TierListView.as_view(), name="api-cultivation-tiers"),
    path("declarations/", api.DeclarationListView.as_view(), name="api-cultivation-declarations"),
    path("declarations/<int:pk>/", api.DeclarationDetailView.as_view(), name="api-cultivation-declaration"),
    path(
        "declarations/<int:pk>/problems/",
        api.DeclarationProblemsView.as_view(),
        name="api-cultivation-declaration-problems",
    ),
    path(
        "declarations/<int:pk>/submit/", api.DeclarationSubmitView.as_view(), name="api-cultivation-declaration-submit"
    ),
    path("declarations/<int:pk>/evidence/", api.EvidenceUploadView.as_view(), name="api-cultivation-evidence"),
    path(
        "declarations/<int:pk>/evidence/<int:evidence_pk>/",
        api.EvidenceDeleteView.as_view(),
        name="api-cultivation-evidence-delete",
    ),
    path("recognitions/", api.RecognitionListView.as_view(), name="api-cultivation-recognitions"),
    path(
        "recognitions/<int:pk>/revoke/", api.RecognitionRevokeView.as_view(), name="api-cultivation-recognition-revoke"
    ),
]
