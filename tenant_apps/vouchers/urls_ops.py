"""Operations' voucher pages (/workbench/vouchers/manage/…): activities, voucher types, figures, the deduction rule
and settlement statements."""

from django.urls import path

from tenant_apps.vouchers import ops_views as views

urlpatterns = [
    path("", views.activity_list, name="voucher-ops-activities"),
    path("activities/new/", views.activity_edit, name="voucher-ops-activity-new"),
    path("activities/<int:pk>/", views.activity_detail, name="voucher-ops-activity"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="voucher-ops-activity-edit"),
    path("activities/<int:pk>/figures.xlsx", views.figures_xlsx, name="voucher-ops-figures-xlsx"),
    path("activities/<int:activity_pk>/types/new/", views.type_edit, name="voucher-ops-type-new"),
    path("activities/<int:activity_pk>/types/<int:type_pk>/edit/", views.type_edit, name="voucher-ops-type-edit"),
    path("rules/", views.rules_page, name="voucher-ops-rules"),
    path("settlements/", views.settlement_list, name="voucher-settlements"),
    path("settlements/<int:pk>/", views.settlement_detail, name="voucher-settlement"),
    path("settlements/<int:pk>/statement.xlsx", views.settlement_xlsx, name="voucher-settlement-xlsx"),
    path("settlements/<int:pk>/statement.pdf", views.settlement_pdf, name="voucher-settlement-pdf"),
]
