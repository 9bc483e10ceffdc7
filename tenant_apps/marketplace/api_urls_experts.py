"""API routes of the marketplace's experts (专家管理)."""

from django.urls import path

from tenant_apps.marketplace.api_experts import ExpertDetailView, ExpertListView

urlpatterns = [
    path("experts/", ExpertListView.as_view(), name="api-market-experts"),
    path("experts/<int:pk>/", ExpertDetailView.as_view(), name="api-market-expert"),
]
