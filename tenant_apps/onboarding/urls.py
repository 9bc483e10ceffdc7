from django.urls import path

from tenant_apps.onboarding import views

urlpatterns = [
    path("", views.register_view, name="register"),
    path("profile/", views.profile_view, name="register-profile"),
    path("done/", views.done_view, name="register-done"),
    path("agreement/", views.agreement_view, {"which": "service_agreement"}, name="service-agreement"),
    path("privacy/", views.agreement_view, {"which": "privacy_notice"}, name="privacy-notice"),
]
