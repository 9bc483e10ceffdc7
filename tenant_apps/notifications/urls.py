from django.urls import path

from tenant_apps.notifications import views

urlpatterns = [
    path("", views.message_centre, name="message-centre"),
    path("<int:pk>/", views.message_detail, name="message-detail"),
    path("read-all/", views.messages_read_all, name="messages-read-all"),
]
