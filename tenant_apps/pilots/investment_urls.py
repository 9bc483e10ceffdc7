"""项目投资清单 and 项目总结报告 (/workbench/pilots/acceptance/investment/): the city's templates, blank or prefilled from an
acceptance, and the check of its uploaded list."""

from django.urls import path

from tenant_apps.pilots import investment_views as views

urlpatterns = [
    path("template.xlsx", views.investment_template, name="investment-template"),
    path("<int:pk>/template.xlsx", views.investment_template_prefilled, name="investment-template-prefilled"),
    path("summary-report.docx", views.summary_report_template, name="summary-report-template"),
    path(
        "<int:pk>/summary-report.docx",
        views.summary_report_template_prefilled,
        name="summary-report-template-prefilled",
    ),
    path("<int:pk>/check/", views.investment_check, name="investment-check"),
]
