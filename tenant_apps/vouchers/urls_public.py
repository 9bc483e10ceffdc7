"""Public voucher pages (/vouchers/): the activities on show and an activity's page, for anyone where the module is
on (signed-in members see the same pages, with their status and the 抢券 / 申请 buttons)."""

from django.urls import path

from tenant_apps.vouchers import public_views

urlpatterns = [
    path("", public_views.public_activities, name="voucher-public-activities"),
    path("<int:activity_id>/", public_views.public_activity, name="voucher-public-activity"),
]
