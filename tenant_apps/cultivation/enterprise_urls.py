"""企业信息, 信息更新, 企业重大变更, 认证到期管理 (under /workbench/cultivation/)."""

from django.urls import path

from tenant_apps.cultivation import enterprise_views as views

urlpatterns = [
    path("info/", views.info_page, name="cultivation-info"),
    path("info/edit/", views.info_edit, name="cultivation-info-edit"),
    path("info/update/", views.info_update, name="cultivation-info-update"),
    path("changes/", views.change_list, name="cultivation-changes"),
    path("changes/new/", views.change_new, name="cultivation-change-new"),
    path("changes/<int:pk>/", views.change_edit, name="cultivation-change-edit"),
    path("changes/<int:pk>/delete/", views.change_delete, name="cultivation-change-delete"),
    path("rereviews/", views.rereview_list, name="cultivation-rereviews"),
    path("rereviews/new/<int:recognition_pk>/", views.rereview_new, name="cultivation-rereview-new"),
    path("rereviews/<int:pk>/", views.rereview_edit, name="cultivation-rereview-edit"),
]
