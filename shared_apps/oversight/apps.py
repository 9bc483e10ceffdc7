from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "shared_apps.oversight"
    label = "oversight"
    verbose_name = _("国家中心监测")
