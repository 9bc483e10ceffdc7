from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "tenant_apps.marketplace"
    label = "marketplace"
    verbose_name = _("解决方案与产品")

    def ready(self):
        from tenant_apps.marketplace import kinds

        kinds.register()

        from django.db.models.signals import post_delete, post_save

        from tenant_apps.configuration.models import Industry
        from tenant_apps.marketplace.catalogue import facets_changed
        from tenant_apps.marketplace.models import Catalogue, Category

        for model in (Catalogue, Category, Industry):
            for signal in (post_save, post_delete):
                signal.connect(
                    facets_changed, sender=model, dispatch_uid=f"market-facets-{model.__name__}-{id(signal)}"
                )

        from shared_apps.oversight.services import register_figures
        from tenant_apps.marketplace.catalogue import console_figures

        register_figures(console_figures)

        from tenant_apps.marketplace.demo import marketplace_demo_provision
        from tenant_apps.marketplace.taxonomy import taxonomy_provision, taxonomy_provision_if_empty
        from tenants.provisioning_steps import register_step

        register_step("market_taxonomy", taxonomy_provision, order=35, on_existing=taxonomy_provision_if_empty)
        # After the demo applications (75): the demo provider is certified by then (70).
        register_step("marketplace_demo", marketplace_demo_provision, order=80, on_existing=marketplace_demo_provision)
