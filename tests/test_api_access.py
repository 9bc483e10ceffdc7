"""Walk every API endpoint of a tenant host: anonymous callers get nothing but the declared public ones."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Public on purpose: the tenant's portal profile, the company directory (registration), registration and
# token endpoints (POST only, captcha / credentials checked), the schema and its docs.
PUBLIC = {
    "api-tenant-profile",
    "api-company-lookup",
    "api-registration",
    "api-registration-code",
    "api-token",
    "api-captcha",  # a new image captcha for the token endpoint
    "api-schema",
    "api-docs",
    # The portal's published content is public, like the portal.
    "api-portal-columns",
    "api-portal-articles",
    "api-portal-article",
    "api-portal-national-notice",
    # The marketplace's catalogue is public where the module is on (tests/test_market_catalogue.py).
    "api-market-catalogue",
    "api-market-catalogue-detail",
    "api-market-taxonomy",
    # Published subsidy publicity batches are public, like the portal's 公示 page (tests/test_pilots_publicity.py).
    "api-publicity-public",
}
SAMPLE_KWARGS = {"pk": 1, "code": "admission"}


def _api_patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_patterns(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/"):
            yield route, entry.name


def _concrete(route: str) -> str:
    for key, value in SAMPLE_KWARGS.items():
        route = route.replace(f"<int:{key}>", str(value)).replace(f"<slug:{key}>", str(value))
    return "/" + route


def test_every_non_public_api_endpoint_refuses_anonymous_callers(tenant_client):
    endpoints = list(_api_patterns(get_resolver("config.urls_tenant")))
    assert len(endpoints) >= 10
    client = tenant_client("harbin")
    for route, name in endpoints:
        if name in PUBLIC:
            continue
        for method in ("get", "post", "patch", "delete"):
            status = getattr(client, method)(_concrete(route), content_type="application/json").status_code
            assert status in {401, 403, 404, 405}, f"{method.upper()} {route} answered {status} to an anonymous caller"


def test_member_endpoints_refuse_members_of_other_tenants(login_client):
    client = login_client("jiangmen", "hrb_bureau")  # known identity, no membership in Jiangmen
    for path in ["/api/v1/me/", "/api/v1/registration/draft/", "/api/v1/organisation/sub-accounts/"]:
        assert client.get(path).status_code == 403, path
    assert client.get("/api/v1/modules/ecosystem/").status_code == 403


def test_session_is_an_inactivity_timeout_of_thirty_minutes(login_client, settings):
    client = login_client("harbin", "hrb_bureau")
    client.get("/workbench/")
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert client.session.get_expiry_age() == 30 * 60
