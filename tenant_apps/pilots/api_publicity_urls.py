"""公示与拨付 API under /api/v1/pilots/publicity/ (module `acceptance`: 404 where a tenant has it off)."""

from django.urls import path

from tenant_apps.pilots import api_publicity as api

urlpatterns = [
    path("batches/", api.BatchListView.as_view(), name="api-publicity-batches"),
    path("batches/<int:pk>/", api.BatchDetailView.as_view(), name="api-publicity-batch"),
    path("batches/<int:pk>/publish/", api.BatchPublishView.as_view(), name="api-publicity-batch-publish"),
    path("batches/<int:pk>/close/", api.BatchCloseView.as_view(), name="api-publicity-batch-close"),
    path("objections/", api.ObjectionCreateView.as_view(), name="api-publicity-objections"),
    path("objections/<int:pk>/resolve/", api.ObjectionResolveView.as_view(), name="api-publicity-objection-resolve"),
    path("tranches/", api.TrancheListView.as_view(), name="api-publicity-tranches"),
    path("tranches/<int:pk>/pay/", api.TranchePayView.as_view(), name="api-publicity-tranche-pay"),
    path("public/", api.PublicBatchListView.as_view(), name="api-publicity-public"),
]
