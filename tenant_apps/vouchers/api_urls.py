"""The voucher module's API under /api/v1/vouchers/: activities (public), grab and apply, the enterprise's vouchers
and requests, the provider's usage; operations' routes are under manage/."""

from django.urls import include, path

from tenant_apps.vouchers import api_activities, api_wallet

urlpatterns = [
    path("activities/", api_activities.ActivityListView.as_view(), name="api-voucher-activities"),
    path("activities/<int:pk>/", api_activities.ActivityDetailView.as_view(), name="api-voucher-activity"),
    path("types/<int:pk>/grab/", api_activities.GrabView.as_view(), name="api-voucher-grab"),
    path("types/<int:pk>/apply/", api_activities.ApplyView.as_view(), name="api-voucher-apply"),
    path("mine/", api_wallet.MineView.as_view(), name="api-voucher-mine"),
    path("mine/<int:pk>/", api_wallet.MineDetailView.as_view(), name="api-voucher-mine-detail"),
    path("requests/", api_wallet.RequestListView.as_view(), name="api-voucher-requests"),
    path("usage/", api_wallet.UsageView.as_view(), name="api-voucher-usage"),
    # Operations (/api/v1/vouchers/manage/…): one include line here.
    path("manage/", include("tenant_apps.vouchers.api_urls_ops")),
]
