from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("门户内容")

    def ready(self):
        from cms import checks, selectors, services, signals  # noqa: F401  (receivers and the survey review check)
        from tenant_apps.portal.content import content_register
        from tenants.provisioning_steps import register_step

        # Existing tenants get a portal tree only if they have none; nationwide notices are rebuilt on provisioning.
        register_step("portal", services.portal_provision, order=40, on_existing=services.portal_upgrade)
        register_step("cms_rights", services.cms_rights_provision, order=45, on_existing=services.cms_rights_upgrade)
        register_step("nationwide_notices", services.nationwide_provision, order=50)
        content_register(
            latest_notices=selectors.latest_notices, notices_url=selectors.notices_url, nav=selectors.portal_nav
        )
