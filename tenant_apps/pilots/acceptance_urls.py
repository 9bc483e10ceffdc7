"""资金申请 (验收申请) in the workbench: the hub, 添加, the form, 删除 (a draft)."""

from django.urls import path

from tenant_apps.pilots import acceptance_views as views

urlpatterns = [
    path("", views.acceptance_home, name="acceptance-home"),
    path("new/", views.acceptance_new, name="acceptance-new"),
    path("<int:pk>/", views.acceptance_edit, name="acceptance-edit"),
    path("<int:pk>/delete/", views.acceptance_delete, name="acceptance-delete"),
    path("<int:pk>/files/<int:file_pk>/", views.acceptance_file, name="acceptance-file"),
]
