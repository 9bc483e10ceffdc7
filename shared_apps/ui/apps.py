from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UiConfig(AppConfig):
    name = "shared_apps.ui"
    label = "ui"
    verbose_name = _("界面组件")
