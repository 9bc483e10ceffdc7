from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "tenant_apps.portal"
    label = "portal"
    verbose_name = _("门户与工作台")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from tenant_apps.configuration.models import Industry, TenantSettings
        from tenant_apps.portal.selectors import profile_changed

        for model in (TenantSettings, Industry):
            for signal in (post_save, post_delete):
                signal.connect(
                    profile_changed, sender=model, dispatch_uid=f"portal-profile-{model.__name__}-{id(signal)}"
                )
