from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcosystemConfig(AppConfig):
    name = "tenant_apps.ecosystem"
    label = "ecosystem"
    verbose_name = _("生态申报")

    def ready(self):
        from tenant_apps.ecosystem import kinds

        kinds.register()

        from shared_apps.oversight.services import register_figures
        from tenant_apps.ecosystem.demo import ecosystem_demo_provision
        from tenant_apps.ecosystem.figures import console_figures
        from tenants.provisioning_steps import register_step

        register_figures(console_figures)  # the national console's ecosystem columns
        # After the demo accounts (60), certifications (70) and applications (75): the demo providers are certified.
        register_step("ecosystem_demo", ecosystem_demo_provision, order=76, on_existing=ecosystem_demo_provision)
