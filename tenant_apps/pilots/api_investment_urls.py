"""项目投资清单 over the API (/api/v1/pilots/investment/, module `acceptance`)."""

from django.urls import path

from tenant_apps.pilots import api_investment as api

urlpatterns = [
    path("template.xlsx", api.InvestmentTemplateView.as_view(), name="api-pilots-investment-template"),
    path(
        "<int:pk>/template.xlsx",
        api.InvestmentTemplatePrefilledView.as_view(),
        name="api-pilots-investment-template-prefilled",
    ),
    path("summary-report.docx", api.SummaryReportTemplateView.as_view(), name="api-pilots-summary-report-template"),
    path(
        "<int:pk>/summary-report.docx",
        api.SummaryReportTemplatePrefilledView.as_view(),
        name="api-pilots-summary-report-template-prefilled",
    ),
    path("<int:pk>/check/", api.InvestmentCheckView.as_view(), name="api-pilots-investment-check"),
]
