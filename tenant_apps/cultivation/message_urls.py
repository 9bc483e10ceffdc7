"""我的消息 (/workbench/cultivation/messages/)."""

from django.urls import path

from tenant_apps.cultivation import message_views as views

urlpatterns = [
    path("", views.message_list, name="cultivation-messages"),
    path("<int:pk>/", views.message_detail, name="cultivation-message"),
]
