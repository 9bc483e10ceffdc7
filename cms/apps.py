from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("门户内容")

    def ready(self):
        from cms import checks, signals  # noqa: F401  (registers receivers and the survey review check)
