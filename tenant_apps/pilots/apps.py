from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "tenant_apps.pilots"
    label = "pilots"
    verbose_name = _("试点企业")

    def ready(self):
        from tenant_apps.pilots import kinds, onsite, publicity, recognition
        from tenant_apps.pilots.demo import admissions_demo_provision
        from tenant_apps.pilots.provisioning import defect_rules_provision, defect_rules_provision_if_missing
        from tenants.provisioning_steps import register_step

        kinds.register()
        publicity.register()  # the `publicity_done` review check (Harbin's 公示 stage names it)
        onsite.register()  # the `onsite_concluded` review check and the overdue notice in the bureau's inbox
        recognition.register()  # the `recognition_recorded` review check (Harbin's 盖章件审核 names it)
        from shared_apps.oversight.services import register_figures
        from tenant_apps.pilots.figures import console_figures

        register_figures(console_figures)  # the national console's pilots columns
        register_step("defect_rules", defect_rules_provision, order=37, on_existing=defect_rules_provision_if_missing)
        # After the demo certifications (70), before the generic demo applications (75), which then skip it.
        register_step("admissions_demo", admissions_demo_provision, order=73, on_existing=admissions_demo_provision)
        from tenant_apps.pilots.acceptance_demo import acceptance_demo_provision

        # After the admissions demo (73): the bureau's admission inbox is the preset's first.
        register_step("acceptance_demo", acceptance_demo_provision, order=74, on_existing=acceptance_demo_provision)
