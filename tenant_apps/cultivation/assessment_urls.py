"""数字化水平评测 (/workbench/cultivation/assessment/): landing with the history, the form, a result and its PDF."""

from django.urls import path

from tenant_apps.cultivation import assessment_views

urlpatterns = [
    path("", assessment_views.assessment_home, name="cultivation-assessment"),
    path("take/", assessment_views.assessment_take, name="cultivation-assessment-take"),
    path("<int:pk>/", assessment_views.assessment_result, name="cultivation-assessment-result"),
    path("<int:pk>/pdf/", assessment_views.assessment_pdf_view, name="cultivation-assessment-pdf"),
]
