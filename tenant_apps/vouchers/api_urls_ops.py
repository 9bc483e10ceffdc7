"""Operations' voucher API under /api/v1/vouchers/manage/."""

from django.urls import path

from tenant_apps.vouchers import api_ops as api

urlpatterns = [
    path("activities/", api.ActivityListView.as_view(), name="api-voucher-ops-activities"),
    path("activities/<int:pk>/", api.ActivityDetailView.as_view(), name="api-voucher-ops-activity"),
    path("activities/<int:pk>/publish/", api.ActivityPublishView.as_view(), name="api-voucher-ops-activity-publish"),
    path("activities/<int:pk>/types/", api.TypeListView.as_view(), name="api-voucher-ops-types"),
    path("activities/<int:pk>/types/<int:type_pk>/", api.TypeDetailView.as_view(), name="api-voucher-ops-type"),
    path("activities/<int:pk>/figures/", api.FiguresView.as_view(), name="api-voucher-ops-figures"),
    path("activities/<int:pk>/figures/export/", api.FiguresExportView.as_view(), name="api-voucher-ops-figures-export"),
    path("rules/", api.RulesView.as_view(), name="api-voucher-ops-rules"),
    path("settlements/", api.SettlementListView.as_view(), name="api-voucher-ops-settlements"),
    path("settlements/<int:pk>/", api.SettlementDetailView.as_view(), name="api-voucher-ops-settlement"),
    path(
        "settlements/<int:pk>/confirm/", api.SettlementConfirmView.as_view(), name="api-voucher-ops-settlement-confirm"
    ),
    path(
        "settlements/<int:pk>/export/<str:kind>/",
        api.SettlementExportView.as_view(),
        name="api-voucher-ops-settlement-export",
    ),
]
