"""Every tenant API endpoint under /api/v1/ (the host picks the tenant)."""

from django.urls import include, path

from cms.api import ArticleDetailView, ArticleListView, ColumnListView, NationwideNoticeDetailView
from shared_apps.accounts.api import CaptchaView, MyTokensView, MyTokenView, TokenView
from shared_apps.directory.api import CompanyLookupView
from tenant_apps.notifications.api import MessageListView, MessageReadView, MessagesReadAllView
from tenant_apps.onboarding.api import RegistrationAccountView, RegistrationCodeView, RegistrationDraftView
from tenant_apps.organisations.api import SubAccountDetailView, SubAccountListView, SubAccountPasswordView
from tenant_apps.portal.api import MeView, ModuleView, TenantProfileView
from tenant_apps.workflow.api import (
    ApplicationDetailView,
    AwaitingTasksView,
    DecideView,
    MyApplicationsView,
    WithdrawView,
)

urlpatterns = [
    path("tenant/", TenantProfileView.as_view(), name="api-tenant-profile"),
    path("portal/columns/", ColumnListView.as_view(), name="api-portal-columns"),
    path("portal/articles/", ArticleListView.as_view(), name="api-portal-articles"),
    path("portal/articles/<int:pk>/", ArticleDetailView.as_view(), name="api-portal-article"),
    path(
        "portal/national-notices/<int:pk>/",
        NationwideNoticeDetailView.as_view(),
        name="api-portal-national-notice",
    ),
    path("auth/captcha/", CaptchaView.as_view(), name="api-captcha"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/tokens/", MyTokensView.as_view(), name="api-tokens"),
    path("auth/tokens/<int:pk>/", MyTokenView.as_view(), name="api-token-revoke"),
    path("me/", MeView.as_view(), name="api-me"),
    path("modules/<slug:code>/", ModuleView.as_view(), name="api-module"),
    path("directory/companies/", CompanyLookupView.as_view(), name="api-company-lookup"),
    path("registration/", RegistrationAccountView.as_view(), name="api-registration"),
    path("registration/mobile-code/", RegistrationCodeView.as_view(), name="api-registration-code"),
    path("registration/draft/", RegistrationDraftView.as_view(), name="api-registration-draft"),
    path("organisation/sub-accounts/", SubAccountListView.as_view(), name="api-sub-accounts"),
    path("organisation/sub-accounts/<int:pk>/", SubAccountDetailView.as_view(), name="api-sub-account"),
    path("applications/", MyApplicationsView.as_view(), name="api-applications"),
    path("applications/<int:pk>/", ApplicationDetailView.as_view(), name="api-application"),
    path("applications/<int:pk>/withdraw/", WithdrawView.as_view(), name="api-application-withdraw"),
    path("messages/", MessageListView.as_view(), name="api-messages"),
    path("messages/<int:pk>/read/", MessageReadView.as_view(), name="api-message-read"),
    path("messages/read-all/", MessagesReadAllView.as_view(), name="api-messages-read-all"),
    path("tasks/", AwaitingTasksView.as_view(), name="api-tasks"),
    path("tasks/<int:pk>/decide/", DecideView.as_view(), name="api-task-decide"),
    path(
        "organisation/sub-accounts/<int:pk>/password/",
        SubAccountPasswordView.as_view(),
        name="api-sub-account-password",
    ),
    path("market/", include("tenant_apps.marketplace.api_urls")),
    path("vouchers/", include("tenant_apps.vouchers.api_urls")),
    path("pilots/", include("tenant_apps.pilots.api_urls")),
    path("ecosystem/", include("tenant_apps.ecosystem.api_urls")),
    path("cultivation/", include("tenant_apps.cultivation.api_urls")),
]
