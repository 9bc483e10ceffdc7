from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "shared_apps.oversight"
    label = "oversight"
    verbose_name = _("国家中心监测")

    def ready(self):
        from django.db.models.signals import post_save

        from shared_apps.oversight.services import figures_touch

        # Submissions and decisions reach the console within a minute, not at beat's next roll-up. By label: this
        # layer imports no tenant app (the engine's Application, the on-site conclusions).
        for label in ("workflow.Application", "pilots.OnSiteVisit"):
            post_save.connect(figures_touch, sender=label, dispatch_uid=f"oversight-figures-touch-{label}")
