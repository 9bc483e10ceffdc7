"""/api/v1/cultivation/: 我的消息 and the public recognition lookup."""

from django.urls import path

from tenant_apps.cultivation import api_message as api

urlpatterns = [
    path("messages/", api.CultivationMessageListView.as_view(), name="api-cultivation-messages"),
    path("messages/<int:pk>/read/", api.CultivationMessageReadView.as_view(), name="api-cultivation-message-read"),
    path("lookup/", api.CultivationLookupView.as_view(), name="api-cultivation-lookup"),
]
