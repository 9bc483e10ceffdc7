from django.urls import path
from wagtail import views as wagtail_views

from cms import views

urlpatterns = [
    # The portal home is the tenant's Wagtail home page; the name keeps `{% url 'home' %}` and redirects working.
    path("", wagtail_views.serve, {"path": ""}, name="home"),
    path("national-notices/<int:pk>/", views.nationwide_notice_detail, name="nationwide-notice"),
    path("search/", views.search, name="portal-search"),
    # Wagtail's own sign-in, sign-out and password reset give way to the platform's (captcha, lockout, SMS). This
    # file is included before Wagtail's admin URLs (config/urls_tenant.py), so these patterns win.
    path("cms/login/", views.cms_login, name="cms-login"),
    path("cms/logout/", views.cms_logout, name="cms-logout"),
    path("cms/password_reset/", views.cms_password_reset, name="cms-password-reset"),
    path("cms/password_reset/<path:rest>", views.cms_password_reset),
]
