from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "tenant_apps.pilots"
    label = "pilots"
    verbose_name = _("试点企业")

    def ready(self):
        from tenant_apps.pilots import kinds
        from tenant_apps.pilots.demo import admissions_demo_provision
        from tenant_apps.pilots.provisioning import defect_rules_provision, defect_rules_provision_if_missing
        from tenants.provisioning_steps import register_step

        kinds.register()
        register_step("defect_rules", defect_rules_provision, order=37, on_existing=defect_rules_provision_if_missing)
        # After the demo certifications (70), before the generic demo applications (75), which then skip it.
        register_step("admissions_demo", admissions_demo_provision, order=73, on_existing=admissions_demo_provision)
