from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "tenant_apps.onboarding"
    label = "onboarding"
    verbose_name = _("注册与档案")
