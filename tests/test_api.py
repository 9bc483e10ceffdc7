"""The per-tenant API: profile endpoint, OpenAPI schema and docs served from local assets."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("schema", "short_name", "modules", "industries"),
    [
        ("harbin", "哈尔滨", {"certification", "admission", "acceptance", "notices"}, 5),
        ("jiangmen", "江门", {"certification", "ecosystem", "notices"}, 3),
        (
            "national",
            "国家平台",
            {"survey", "certification", "marketplace", "vouchers", "experts", "notices", "cultivation"},
            0,
        ),
    ],
)
def test_tenant_profile_describes_the_tenant_of_the_host(tenant_client, schema, short_name, modules, industries):
    response = tenant_client(schema).get("/api/v1/tenant/")
    assert response.status_code == 200
    body = response.json()
    assert body["schema_name"] == schema
    assert body["short_name"] == short_name
    assert {module["code"] for module in body["modules"]} == modules
    assert len(body["pilot_industries"]) == industries


def test_harbin_profile_carries_its_pilot_period(tenant_client):
    body = tenant_client("harbin").get("/api/v1/tenant/").json()
    assert (body["pilot_start"], body["pilot_end"]) == ("2024-07-01", "2026-06-30")


def test_profile_query_count_is_bounded(tenant_client, django_assert_max_num_queries):
    client = tenant_client("harbin")
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/tenant/").status_code == 200


def test_the_cached_profile_follows_the_city_admins_edits(tenant_client, tenant_schema):
    """The profile is read from the cache after the first request; saving the settings row or an industry drops it."""
    from tenant_apps.configuration.models import Industry, TenantSettings

    client = tenant_client("harbin")
    assert client.get("/api/v1/tenant/").json()["tagline"] != "新标语"
    with tenant_schema("harbin"):
        row = TenantSettings.objects.get(pk=1)
        row.tagline = "新标语"
        row.save()
    assert client.get("/api/v1/tenant/").json()["tagline"] == "新标语"
    with tenant_schema("harbin"):
        industry = Industry.objects.filter(is_pilot=True).first()
        industry.is_pilot = False
        industry.save()
    assert len(client.get("/api/v1/tenant/").json()["pilot_industries"]) == 4
    with tenant_schema("jiangmen"):  # another city's cached profile is its own
        assert TenantSettings.objects.get(pk=1).tagline != "新标语"
    assert tenant_client("jiangmen").get("/api/v1/tenant/").json()["tagline"] != "新标语"


def test_api_is_not_mounted_on_the_console_host(tenant_client):
    assert tenant_client(None).get("/api/v1/tenant/").status_code == 404


def test_openapi_schema_lists_the_profile_endpoint(tenant_client):
    response = tenant_client("jiangmen").get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/v1/tenant/" in response.json()["paths"]


def test_api_docs_use_local_assets_only(tenant_client):
    html = tenant_client("harbin").get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert "unpkg" not in html.lower()
