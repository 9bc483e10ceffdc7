"""入库申请 in the workbench (/workbench/pilots/): the hub, 添加, and an admission's five-section form."""

from django.urls import path

from tenant_apps.pilots import admission_views as views

urlpatterns = [
    path("", views.admission_home, name="admission-home"),
    path("new/", views.admission_new, name="admission-new"),
    path("<int:pk>/", views.admission_edit, name="admission-edit"),
]
