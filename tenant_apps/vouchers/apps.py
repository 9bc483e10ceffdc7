from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "tenant_apps.vouchers"
    label = "vouchers"
    verbose_name = _("服务券")

    def ready(self):
        from tenant_apps.vouchers import deductions, requests

        requests.register_kind()
        deductions.register()

        from shared_apps.oversight.services import register_figures
        from tenant_apps.vouchers.figures import console_figures

        register_figures(console_figures)  # the national console's voucher columns

        from tenant_apps.vouchers.demo import vouchers_demo_provision
        from tenant_apps.vouchers.provisioning import rules_provision, rules_provision_if_missing
        from tenants.provisioning_steps import register_step

        register_step("voucher_rules", rules_provision, order=36, on_existing=rules_provision_if_missing)
        # After the marketplace demo (80): the demo enterprise buys a listed solution with its voucher.
        register_step("vouchers_demo", vouchers_demo_provision, order=85, on_existing=vouchers_demo_provision)
