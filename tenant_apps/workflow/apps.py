from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "tenant_apps.workflow"
    label = "workflow"
    verbose_name = _("审核流程")

    def ready(self):
        from shared_apps.oversight.services import register_figures
        from tenant_apps.workflow.figures import console_figures

        register_figures(console_figures)  # the national console's backlog and overdue columns

        from tenant_apps.workflow.services import flows_apply
        from tenants.provisioning_steps import register_step

        # Each tenant's review chains come from its preset's [flows] at provisioning.
        register_step("flows", lambda data, context: flows_apply(data.get("flows", {})), order=20)
        # Demo applications past their first stage, after the demo certifications (70); also on the demo's restart.
        from tenant_apps.workflow.demo import demo_applications_provision

        register_step(
            "demo_applications", demo_applications_provision, order=75, on_existing=demo_applications_provision
        )
