"""The voucher module's workbench pages for enterprises and providers (/workbench/vouchers/…): the hub, 服务券活动
(an activity's page posts 立即抢券 and 立即申请 to the type's address), 服务券查询 and 服务券使用情况."""

from django.urls import path

from tenant_apps.vouchers import enterprise_views, hub_views, provider_views

urlpatterns = [
    path("", hub_views.voucher_home, name="voucher-home"),
    path("activities/", enterprise_views.activities, name="voucher-activities"),
    path("activities/<int:activity_id>/", enterprise_views.activity, name="voucher-activity"),
    path("types/<int:type_id>/grab/", enterprise_views.grab, name="voucher-grab"),
    path("types/<int:type_id>/apply/", enterprise_views.apply, name="voucher-apply"),
    path("wallet/", enterprise_views.wallet, name="voucher-wallet"),
    path("wallet/<int:voucher_id>/", enterprise_views.voucher_detail, name="voucher-detail"),
    path("usage/", provider_views.usage, name="voucher-usage"),
]
