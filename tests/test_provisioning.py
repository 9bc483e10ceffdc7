"""Provisioning from presets: clone-based, idempotent, configuration as data in the tenant schema."""

from decimal import Decimal

import pytest
from django.db import connection

from tenants.errors import DomainError
from tenants.models import Domain, Tenant
from tenants.services import tenant_provision

pytestmark = pytest.mark.django_db


def _count(schema: str, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
        return cursor.fetchone()[0]


def test_second_provisioning_changes_nothing(tenant_schema):
    tables = [
        "configuration_industry",
        "configuration_anchorunit",
        "workflow_stage",
        "workflow_flow",
        "configuration_subsidypolicy",
        "organisations_membership",
        "organisations_organisation",
    ]
    before = {table: _count("jiangmen", table) for table in tables}
    result = tenant_provision("jiangmen", with_demo_data=True)
    assert result.created is False
    assert {table: _count("jiangmen", table) for table in tables} == before
    assert Tenant.objects.filter(schema_name="jiangmen").count() == 1
    assert Domain.objects.filter(tenant__schema_name="jiangmen").count() == 1


def test_new_tenant_is_a_clone_of_the_template_schema(tenant_schema):
    # A marker row placed in the template can only reach the new schema by copying, not by migrating.
    with tenant_schema("tenant_template"):
        from tenant_apps.configuration.models import Industry

        Industry.objects.create(code="template-marker", name="模板标记")
    result = tenant_provision("harbin", schema_name="daqing", name="大庆市中小企业数字化转型城市试点")
    assert result.created is True
    with tenant_schema("daqing"):
        assert Industry.objects.filter(code="template-marker").exists()
        assert Industry.objects.filter(is_pilot=True).count() == 5
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM daqing.django_migrations),"
            " (SELECT count(*) FROM tenant_template.django_migrations)"
        )
        clone_migrations, template_migrations = cursor.fetchone()
    assert clone_migrations == template_migrations > 0


def test_cloned_tenant_gets_its_own_host_and_wagtail_site(tenant_client, tenant_schema):
    tenant_provision("jiangmen", schema_name="foshan", name="佛山市中小企业数字化转型城市试点")
    assert Domain.objects.get(tenant__schema_name="foshan").domain == "foshan.localhost"
    with tenant_schema("foshan"):
        from wagtail.models import Site

        site = Site.objects.get(is_default_site=True)
        assert (site.hostname, site.site_name) == ("foshan.localhost", "佛山市中小企业数字化转型城市试点")
    html = tenant_client("foshan").get("/").content.decode()
    assert "佛山市中小企业数字化转型城市试点" in html
    assert "江门市中小企业数字化转型城市试点" not in html


@pytest.mark.parametrize(
    ("schema_name", "message"),
    [
        ("public", "保留标识"),
        ("tenant_template", "小写字母"),
        ("Harbin", "小写字母"),
        ("1city", "小写字母"),
        ("x", "小写字母"),
    ],
)
def test_bad_schema_names_are_refused_with_a_reason(schema_name, message):
    with pytest.raises(DomainError, match=message):
        tenant_provision("harbin", schema_name=schema_name)


def test_preset_values_land_in_each_tenant_schema(tenant_schema):
    from tenant_apps.configuration.models import AnchorUnit, DeclarationWindow, SubsidyPolicy, TenantSettings
    from tenant_apps.workflow.models import Flow

    with tenant_schema("national"):
        settings_row = TenantSettings.current()
        assert (settings_row.password_min_length, settings_row.password_max_length) == (8, 18)
        assert [s.role or s.handler for s in Flow.objects.get(kind="listing").stages.all()] == [
            "ops",
            "experts",
            "province",
        ]
        windows = DeclarationWindow.objects.filter(module="cultivation")
        # The module set's two (the demo opens a third, relative to today: tests/test_cultivation_demo.py).
        assert {
            ("2026年企业信息年度更新", "info_update", None),
            ("2026年浙江省专精特新中小企业申报", "specialised", "330000"),
        } <= set(windows.values_list("name", "kind", "region__code"))
    with tenant_schema("jiangmen"):
        settings_row = TenantSettings.current()
        assert (settings_row.password_min_length, settings_row.password_max_length) == (8, 20)
        assert AnchorUnit.objects.count() == 3
        stages = Flow.objects.get(kind="product_declaration").stages.all()
        assert [(s.handler, s.role) for s in stages] == [("anchor_unit", ""), ("role", "ops"), ("role", "city_bureau")]
        assert not DeclarationWindow.objects.exists()
    with tenant_schema("harbin"):
        policy = SubsidyPolicy.objects.get(code="harbin-project-subsidy")
        assert policy.ratio == Decimal("0.3000")
        assert policy.cap_per_project == Decimal("1000000.00")
        assert Flow.objects.get(kind="acceptance").stages.last().role == "finance"
        assert not AnchorUnit.objects.exists()


def test_admin_edits_survive_a_reprovisioning_of_rows_the_preset_does_not_name(tenant_schema):
    with tenant_schema("harbin"):
        from tenant_apps.configuration.models import Industry

        Industry.objects.create(code="shipbuilding", name="船舶制造", is_pilot=False)
    tenant_provision("harbin")
    with tenant_schema("harbin"):
        assert Industry.objects.filter(code="shipbuilding").exists()


def test_a_domain_of_another_tenant_cannot_be_taken():
    with pytest.raises(DomainError, match="已被其他租户使用"):
        tenant_provision("harbin", schema_name="harbin2", subdomain="jiangmen")
