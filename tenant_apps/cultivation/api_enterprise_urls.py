"""/api/v1/cultivation/: 企业信息, 信息更新, 重大变更, my recognitions and 到期复核."""

from django.urls import path

from tenant_apps.cultivation import api_enterprise as api

urlpatterns = [
    path("info/", api.InfoView.as_view(), name="api-cultivation-info"),
    path("info/updates/", api.UpdateListView.as_view(), name="api-cultivation-updates"),
    path("changes/", api.ChangeListView.as_view(), name="api-cultivation-changes"),
    path("changes/<int:pk>/", api.ChangeDetailView.as_view(), name="api-cultivation-change"),
    path("changes/<int:pk>/submit/", api.ChangeSubmitView.as_view(), name="api-cultivation-change-submit"),
    path("rereviews/", api.ReReviewListView.as_view(), name="api-cultivation-rereviews"),
    path("rereviews/recognitions/", api.RecognitionMineView.as_view(), name="api-cultivation-rereview-recognitions"),
    path("rereviews/<int:pk>/", api.ReReviewDetailView.as_view(), name="api-cultivation-rereview"),
]
