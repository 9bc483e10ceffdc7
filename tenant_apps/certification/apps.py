from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "tenant_apps.certification"
    label = "certification"
    verbose_name = _("企业认证")

    def ready(self):
        from tenant_apps.certification import kind, services  # noqa: F401 - services registers the outcome handler

        kind.register()
