"""The national center console: every city with its figures, and new cities from presets."""

import pytest
from django.utils import timezone

from shared_apps.oversight.models import TenantFigures
from tenants.models import Tenant
from tenants.services import tenant_provision

pytestmark = pytest.mark.django_db


def test_console_lists_serving_cities_with_figures_and_links(login_client, national_staff):
    harbin = Tenant.objects.get(schema_name="harbin")
    TenantFigures.objects.filter(tenant__schema_name="jiangmen").delete()
    TenantFigures.objects.update_or_create(
        tenant=harbin,
        defaults={
            "organisations": 7,
            "enterprises": 5,
            "certified_enterprises": 4,
            "providers": 1,
            "members": 9,
            "computed_at": timezone.now(),
        },
    )
    html = login_client(None, national_staff.username).get("/").content.decode()
    assert 'href="http://harbin.localhost:8000/"' in html
    assert "5（4）" in html
    assert "tenant_template" not in html
    assert "尚未汇总" in html  # jiangmen has no roll-up in this test


def test_console_list_query_count_does_not_grow_with_cities(
    login_client, national_staff, django_assert_max_num_queries
):
    client = login_client(None, national_staff.username)
    with django_assert_max_num_queries(20) as before:
        client.get("/")
    queries_for_three = len(before.captured_queries)
    tenant_provision("harbin", schema_name="qiqihar", name="齐齐哈尔市中小企业数字化转型城市试点")
    tenant_provision("harbin", schema_name="mudanjiang", name="牡丹江市中小企业数字化转型城市试点")
    with django_assert_max_num_queries(queries_for_three):
        html = client.get("/").content.decode()
    assert "牡丹江市" in html


def test_create_city_from_preset_in_the_console(login_client, national_staff, tenant_client):
    client = login_client(None, national_staff.username)
    response = client.post(
        "/tenants/new/", {"preset": "jiangmen", "schema_name": "zhuhai", "name": "珠海市中小企业数字化转型城市试点"}
    )
    assert response.status_code == 302
    tenant = Tenant.objects.get(schema_name="zhuhai")
    assert tenant.preset == "jiangmen" and "ecosystem" in tenant.modules
    assert "珠海市中小企业数字化转型城市试点" in tenant_client("zhuhai").get("/").content.decode()
    assert "已创建" in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"preset": "harbin", "schema_name": "Bad Name", "name": "x"}, "小写字母开头"),
        ({"preset": "harbin", "schema_name": "harbin", "name": "x"}, "该标识已被使用"),
        ({"preset": "harbin", "schema_name": "public", "name": "x"}, "保留标识"),
        ({"preset": "cultivation", "schema_name": "abc", "name": "x"}, "选择一个有效的选项"),
        ({"preset": "harbin", "schema_name": "abc", "name": ""}, "该字段是必填项"),
    ],
)
def test_bad_console_input_gets_a_field_message_not_a_500(login_client, national_staff, data, field_message):
    response = login_client(None, national_staff.username).post("/tenants/new/", data)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not Tenant.objects.filter(schema_name="abc").exists()


def test_only_national_staff_may_create_cities(login_client):
    response = login_client(None, "hrb_admin").post(
        "/tenants/new/", {"preset": "harbin", "schema_name": "sneaky", "name": "x"}
    )
    assert response.status_code == 403
    assert not Tenant.objects.filter(schema_name="sneaky").exists()
