from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CultivationConfig(AppConfig):
    name = "tenant_apps.cultivation"
    label = "cultivation"
    verbose_name = _("梯度培育")

    def ready(self):
        from tenant_apps.cultivation import kinds
        from tenant_apps.cultivation.provisioning import cultivation_provision, cultivation_provision_existing
        from tenants.provisioning_steps import register_step

        kinds.register()

        from shared_apps.oversight.services import register_figures
        from tenant_apps.cultivation.figures import console_figures

        register_figures(console_figures)  # the national console's cultivation columns
        # After the flows (20): tiers and questionnaires are configuration, seeded like the flows.
        register_step("cultivation", cultivation_provision, order=22, on_existing=cultivation_provision_existing)
        # After the ecosystem demo (76): the demo accounts exist and the level staff get their divisions.
        from tenant_apps.cultivation.demo import cultivation_demo_provision

        register_step("cultivation_demo", cultivation_demo_provision, order=77, on_existing=cultivation_demo_provision)
