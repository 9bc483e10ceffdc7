from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def demo_accounts_provision(data: dict, context) -> None:
    """The preset's demo identities and their memberships, when the tenant is provisioned with demo data."""
    from django.contrib.auth.hashers import make_password

    from tenant_apps.organisations.services import demo_accounts_seed
    from tenants.services import DEMO_PASSWORD

    if context.with_demo_data:
        demo_accounts_seed(data.get("demo_accounts", []), password_hash=make_password(DEMO_PASSWORD))


def administrators_provision(data: dict, context) -> None:
    """The city administrators the console named when it created the tenant (accounts.User ids in the context)."""
    from tenant_apps.organisations.services import administrators_grant

    if context.administrators:
        administrators_grant(context.administrators)


class OrganisationsConfig(AppConfig):
    name = "tenant_apps.organisations"
    label = "organisations"
    verbose_name = _("组织与成员")

    def ready(self):
        from tenants.provisioning_steps import register_step

        # Also for tenants kept as they are (the demo's restart): demo accounts added since are created.
        register_step("demo_accounts", demo_accounts_provision, order=60, on_existing=demo_accounts_provision)
        register_step("administrators", administrators_provision, order=65, on_existing=administrators_provision)
