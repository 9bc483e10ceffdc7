"""公示公告 on the portal (/publicity/): published and closed batches, for anyone where the module is on."""

from django.urls import path

from tenant_apps.pilots import publicity_views as views

urlpatterns = [
    path("", views.public_batches, name="publicity-public"),
    path("<int:pk>/", views.public_batch, name="publicity-public-batch"),
]
