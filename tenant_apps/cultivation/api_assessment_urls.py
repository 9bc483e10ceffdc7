"""/api/v1/cultivation/: 数字化水平评测 — the questionnaire to answer, the enterprise's assessments, one result."""

from django.urls import path

from tenant_apps.cultivation import api_assessment

urlpatterns = [
    path("questionnaire/", api_assessment.QuestionnaireView.as_view(), name="api-cultivation-questionnaire"),
    path("assessments/", api_assessment.AssessmentListView.as_view(), name="api-cultivation-assessments"),
    path("assessments/<int:pk>/", api_assessment.AssessmentDetailView.as_view(), name="api-cultivation-assessment"),
]
