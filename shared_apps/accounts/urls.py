from django.contrib.auth import views as auth_views
from django.urls import path

from shared_apps.accounts import invitations, views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change_view, name="password-change"),
    path("password/reset/", views.password_reset_view, name="password-reset"),
    path("mobile/", views.mobile_change_view, name="mobile-change"),
    path("security/", views.account_security_view, name="account-security"),
    path("dev/sms-outbox/", views.sms_outbox_view, name="sms-outbox"),
    path("invitation/<str:token>/", invitations.invitation_accept_view, name="invitation-accept"),
]
