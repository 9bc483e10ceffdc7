"""Host routing: the base domain is the console, each subdomain its tenant, anything else a clean 404."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("schema", "name", "colour", "menu_present", "menu_absent"),
    [
        (
            "national",
            "国家中小企业数字化转型公共服务平台",
            "#b91c1c",
            ["解决方案与产品", "服务券", "梯度培育"],
            ["入库申请"],
        ),
        ("harbin", "哈尔滨市中小企业数字化转型城市试点", "#1d4ed8", ["入库申请", "资金申请"], ["服务券", "生态申报"]),
        ("jiangmen", "江门市中小企业数字化转型城市试点", "#047857", ["生态申报"], ["入库申请", "梯度培育"]),
    ],
)
def test_each_tenant_host_shows_its_own_name_branding_and_menus(
    tenant_client, schema, name, colour, menu_present, menu_absent
):
    response = tenant_client(schema).get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert name in html
    assert f"--brand: {colour}" in html
    for label in menu_present:
        assert f">{label}</a>" in html
    for label in menu_absent:
        assert f">{label}</a>" not in html


def test_harbin_home_lists_the_five_pilot_industries_from_the_seed(tenant_client):
    html = tenant_client("harbin").get("/").content.decode()
    for industry in [
        "航空航天设备制造业",
        "电气装备制造业",
        "锅炉及原动装备制造业",
        "药品生产制造业",
        "食品精深加工及食品制造业",
    ]:
        assert industry in html


def test_base_domain_serves_the_console_not_a_tenant(tenant_client):
    response = tenant_client(None).get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("host", ["nowhere.localhost", "harbin.localhost.evil", "localhost.harbin"])
def test_unknown_host_gets_a_clean_404_page(client, host, settings):
    settings.ALLOWED_HOSTS = ["*"]
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 404
    html = response.content.decode()
    assert "未找到该平台" in html
    assert "Traceback" not in html


def test_template_schema_is_never_served_even_with_a_domain(tenant_client):
    from tenants.models import Domain, Tenant

    template = Tenant.objects.get(kind=Tenant.Kind.TEMPLATE)
    Domain.objects.create(domain="template.localhost", tenant=template, is_primary=False)
    assert tenant_client("template").get("/").status_code == 404


def test_suspended_tenant_stops_serving(tenant_client):
    from tenants.models import Tenant

    Tenant.objects.filter(schema_name="jiangmen").update(status=Tenant.Status.SUSPENDED)
    assert tenant_client("jiangmen").get("/").status_code == 503  # its notice (tests/test_lifecycle.py)
    assert tenant_client("harbin").get("/").status_code == 200


def test_module_switched_off_answers_404_and_on_answers_200(tenant_client):
    assert tenant_client("harbin").get("/m/admission/").status_code == 200
    assert tenant_client("jiangmen").get("/m/admission/").status_code == 404
    assert tenant_client("jiangmen").get("/m/ecosystem/")["Location"] == "/ecosystem/products/"
    assert tenant_client("jiangmen").get("/m/no-such-module/").status_code == 404
    # A module with public pages of its own is where the portal's menu leads.
    assert tenant_client("national").get("/m/vouchers/")["Location"] == "/vouchers/"
    assert tenant_client("national").get("/m/marketplace/")["Location"] == "/market/"


def test_module_switch_is_data_edited_at_run_time(tenant_client):
    from tenants.models import Tenant

    jiangmen = Tenant.objects.get(schema_name="jiangmen")
    jiangmen.modules = [*jiangmen.modules, "admission"]
    jiangmen.save()
    response = tenant_client("jiangmen").get("/")
    assert ">入库申请</a>" in response.content.decode()
    assert tenant_client("jiangmen").get("/m/admission/").status_code == 200


def test_every_page_of_a_tenant_host_carries_its_branding(tenant_client):
    html = tenant_client("jiangmen").get("/accounts/login/").content.decode()
    assert "江门市中小企业数字化转型城市试点" in html and "--brand: #047857" in html
    assert 'href="/register/"' in html
    console = tenant_client(None).get("/accounts/login/").content.decode()
    assert "国家中小企业数字化转型促进中心" in console and 'href="/register/"' not in console
