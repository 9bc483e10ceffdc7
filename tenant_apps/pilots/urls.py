"""Pilot enterprises in the workbench (/workbench/pilots/): 入库申请 (admission), then 资金申请 (acceptance and
subsidy): the enterprise's form, the on-site acceptance, recognition and subsidy, publicity and disbursement."""

from django.urls import include, path

from tenant_apps.pilots import admission_views as views
from tenant_apps.pilots import file_views

urlpatterns = [
    path("", views.admission_home, name="admission-home"),
    path("new/", views.admission_new, name="admission-new"),
    path("<int:pk>/", views.admission_edit, name="admission-edit"),
    path("<int:pk>/files/<int:file_pk>/", file_views.admission_evidence, name="admission-evidence"),
    # Every acceptance page under acceptance/, so the side menu marks 资金申请 wherever its steps are worked.
    path("acceptance/investment/", include("tenant_apps.pilots.investment_urls")),
    path("acceptance/onsite/", include("tenant_apps.pilots.onsite_urls")),
    path("acceptance/recognition/", include("tenant_apps.pilots.recognition_urls")),
    path("acceptance/publicity/", include("tenant_apps.pilots.publicity_urls")),
    path("acceptance/", include("tenant_apps.pilots.acceptance_urls")),
]
