from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConfigurationConfig(AppConfig):
    name = "tenant_apps.configuration"
    label = "configuration"
    verbose_name = _("城市配置")

    def ready(self):
        from tenant_apps.configuration.services import configuration_apply
        from tenants.provisioning_steps import register_step

        register_step("configuration", lambda data, context: configuration_apply(data), order=10)

        from shared_apps.oversight.services import register_figures
        from tenant_apps.configuration.figures import console_figures

        register_figures(console_figures)  # the national console's province and batch
