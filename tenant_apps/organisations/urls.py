from django.urls import path

from tenant_apps.organisations import views

urlpatterns = [
    path("", views.sub_account_list, name="sub-accounts"),
    path("<int:pk>/", views.sub_account_detail, name="sub-account"),
]
