from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcosystemConfig(AppConfig):
    name = "tenant_apps.ecosystem"
    label = "ecosystem"
    verbose_name = _("生态申报")

    def ready(self):
        from tenant_apps.ecosystem import kinds

        kinds.register()
