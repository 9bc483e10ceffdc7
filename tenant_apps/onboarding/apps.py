from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "tenant_apps.onboarding"
    label = "onboarding"
    verbose_name = _("注册与档案")

    def ready(self):
        from tenant_apps.onboarding.selectors import profile_sections
        from tenant_apps.onboarding.services import profile_config_apply
        from tenant_apps.workflow.registry import register_content
        from tenants.provisioning_steps import register_step

        register_step(
            "profile_fields", lambda data, context: profile_config_apply(data.get("profile_groups", [])), order=30
        )
        # Reviewers of a registration's certification read the profile groups this tenant configured.
        register_content("certification", profile_sections)
        # Demo newcomers submit their certification after the demo accounts exist (60); also on the demo's
        # restart, for accounts added since. Registration sits above certification, so both paths live here.
        from tenant_apps.onboarding.demo import demo_certifications_provision

        register_step(
            "demo_certifications", demo_certifications_provision, order=70, on_existing=demo_certifications_provision
        )
