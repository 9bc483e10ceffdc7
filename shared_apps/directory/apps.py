from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "shared_apps.directory"
    label = "directory"
    verbose_name = _("企业名录")
