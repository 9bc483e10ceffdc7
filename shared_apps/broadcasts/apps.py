from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BroadcastsConfig(AppConfig):
    name = "shared_apps.broadcasts"
    label = "broadcasts"
    verbose_name = _("全国性通知")
