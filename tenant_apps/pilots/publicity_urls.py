"""公示与拨付 in the workbench (/workbench/pilots/acceptance/publicity/): the bureau's batches and workbooks, finance's payments."""

from django.urls import path

from tenant_apps.pilots import publicity_views as views

urlpatterns = [
    path("", views.batches, name="publicity-batches"),
    path("new/", views.batch_new, name="publicity-batch-new"),
    path("<int:pk>/", views.batch_detail, name="publicity-batch"),
    path("<int:pk>/export.xlsx", views.export_batch, name="publicity-export-batch"),
    path("payments/", views.payments, name="publicity-payments"),
    path("exports/admissions.xlsx", views.export_admissions, name="publicity-export-admissions"),
    path("exports/acceptances.xlsx", views.export_acceptances, name="publicity-export-acceptances"),
]
