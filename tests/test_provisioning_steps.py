"""Provisioning runs the steps the apps register at ready() (tenants imports none of them), in the order it always
had; the platform admin's nationwide switch reaches the portal through a signal."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from tenants.provisioning_steps import register_step, registered_steps
from tenants.services import tenant_provision

pytestmark = pytest.mark.django_db


def test_the_apps_register_the_steps_in_the_order_provisioning_always_had():
    steps = registered_steps()
    assert [step.name for step in steps] == [
        "configuration",
        "flows",
        "cultivation",
        "profile_fields",
        "market_taxonomy",
        "voucher_rules",
        "defect_rules",
        "portal",
        "cms_rights",
        "nationwide_notices",
        "demo_accounts",
        "administrators",
        "demo_certifications",
        "admissions_demo",
        "acceptance_demo",
        "demo_applications",
        "ecosystem_demo",
        "cultivation_demo",
        "marketplace_demo",
        "vouchers_demo",
    ]
    assert [step.name for step in steps if step.on_existing] == [
        "cultivation",
        "market_taxonomy",
        "voucher_rules",
        "defect_rules",
        "portal",
        "cms_rights",
        "demo_accounts",
        "administrators",
        "demo_certifications",
        "admissions_demo",
        "acceptance_demo",
        "demo_applications",
        "ecosystem_demo",
        "cultivation_demo",
        "marketplace_demo",
        "vouchers_demo",
    ]


def test_two_steps_cannot_share_an_order():
    with pytest.raises(ImproperlyConfigured, match="both have order 10"):
        register_step("another", lambda data, context: None, order=10)
    assert "another" not in [step.name for step in registered_steps()]


def test_a_kept_tenant_gets_missing_demo_accounts_only_and_an_updated_one_its_preset_again(tenant_schema):
    from cms.models import ColumnIndexPage
    from tenant_apps.configuration.models import TenantSettings
    from tenant_apps.organisations.models import Membership

    with tenant_schema("harbin"):
        TenantSettings.objects.filter(pk=1).update(tagline="城市管理员改过的标语", authority_name="改过的主办单位")
        ColumnIndexPage.objects.get(slug="news").delete()
        Membership.objects.filter(user__username="hrb_finance").delete()

    assert tenant_provision("harbin", with_demo_data=True, update_existing=False).created is False
    with tenant_schema("harbin"):
        assert TenantSettings.objects.get(pk=1).tagline == "城市管理员改过的标语"
        assert TenantSettings.objects.get(pk=1).authority_name == "改过的主办单位"
        assert not ColumnIndexPage.objects.filter(slug="news").exists()
        assert Membership.objects.filter(user__username="hrb_finance", is_active=True).exists()

    tenant_provision("harbin")
    with tenant_schema("harbin"):
        assert TenantSettings.objects.get(pk=1).authority_name == "哈尔滨市工业和信息化局"
        assert ColumnIndexPage.objects.filter(slug="news").exists()


def test_switching_off_nationwide_publishing_in_the_platform_admin_withdraws_the_notices():
    from django.contrib import admin

    from shared_apps.broadcasts.models import NationwideNotice
    from tenants.models import Tenant

    national = Tenant.objects.get(schema_name="national")
    tenant_admin = admin.site._registry[Tenant]
    assert NationwideNotice.objects.filter(source=national).exists()

    national.publishes_nationwide = False
    tenant_admin.save_model(None, national, SimpleNamespace(changed_data=["publishes_nationwide"]), change=True)
    assert not NationwideNotice.objects.filter(source=national).exists()

    national.publishes_nationwide = True
    tenant_admin.save_model(None, national, SimpleNamespace(changed_data=["publishes_nationwide"]), change=True)
    assert NationwideNotice.objects.filter(source=national).count() == 2
