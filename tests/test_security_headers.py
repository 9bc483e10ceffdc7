"""Security headers on every page type: a Content-Security-Policy without inline script (relaxed only under /cms/),
Permissions-Policy, nosniff, Referrer-Policy, and HSTS when served over HTTPS (issue 10, item 12)."""

import re
from pathlib import Path

import pytest

from tenants.services import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "platform" / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)

# (name, schema, signed-in username or None, path, expected status)
PAGES = [
    ("portal", "harbin", None, "/", 200),
    ("login", "harbin", None, "/accounts/login/", 200),
    ("workbench", "harbin", "hrb_enterprise", "/workbench/", 200),
    ("api", "harbin", None, "/api/v1/tenant/", 200),
    ("api docs", "harbin", None, "/api/docs/", 200),
    ("city admin", "harbin", "hrb_admin", "/django-admin/", 200),
    ("cms", "harbin", "hrb_editor", "/cms/", 200),
    ("console", None, "center_staff", "/", 200),
    ("console login", None, None, "/accounts/login/", 200),
    ("not found", "harbin", None, "/no-such-page/", 404),
    ("search with a NUL", "harbin", None, "/search/?q=%00", 200),
]


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def page(tenant_client, login_client, national_staff):
    def get(schema, username, path, **extra):
        client = login_client(schema, username) if username else tenant_client(schema)
        return client.get(path, **extra)

    return get


@pytest.mark.parametrize(("name", "schema", "username", "path", "status"), PAGES, ids=[p[0] for p in PAGES])
def test_every_page_type_carries_the_security_headers(page, name, schema, username, path, status):
    response = page(schema, username, path)
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"] and csp["base-uri"] == ["'self'"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS


@pytest.mark.parametrize(("name", "schema", "username", "path", "status"), PAGES, ids=[p[0] for p in PAGES])
def test_no_page_of_ours_runs_inline_script(page, name, schema, username, path, status):
    response = page(schema, username, path)
    scripts = policy(response)["script-src"]
    if path.startswith("/cms/"):
        assert scripts == ["'self'", "'unsafe-inline'"]  # Wagtail's admin only, on its own prefix
        return
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    if "html" in response.headers.get("Content-Type", ""):
        html = response.content.decode()
        nonces = [s.removeprefix("'nonce-").removesuffix("'") for s in scripts if s.startswith("'nonce-")]
        inline = [tag for tag in INLINE_SCRIPT.findall(html) if not any(f'nonce="{n}"' in tag for n in nonces)]
        assert inline == []
        assert INLINE_HANDLER.findall(html) == []


def test_swagger_ui_loads_its_initialiser_as_a_script_file(tenant_client):
    client = tenant_client("harbin")
    html = client.get("/api/docs/").content.decode()
    script = re.search(r'<script src="([^"]*script[^"]*)"', html).group(1)
    response = client.get(script.replace("&amp;", "&"))
    assert response.status_code == 200 and "SwaggerUIBundle" in response.content.decode()


def test_no_template_has_inline_script_or_handlers():
    """Pages the header test does not visit: the templates themselves carry no inline script or on* handler."""
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text):
            offenders.append(str(template.relative_to(TEMPLATES)))
    assert offenders == []


def test_hsts_and_secure_cookies_over_https(settings, tenant_client, captcha):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = tenant_client("harbin")
    response = client.get("/accounts/login/", secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.cookies["csrftoken"]["secure"] is True
    data = {"mode": "password", "action": "password", "pw-identifier": "hrb_bureau", "pw-password": DEMO_PASSWORD}
    signed_in = client.post("/accounts/login/", data | captcha(response.content.decode(), "pw"), secure=True)
    assert signed_in.status_code == 302
    assert signed_in.cookies["sessionid"]["secure"] is True


def test_https_settings_follow_the_scheme(monkeypatch):
    """Served over HTTPS (PLATFORM_SCHEME=https) without DEBUG: HSTS for a year and secure cookies by default."""
    import importlib

    import config.settings as module

    monkeypatch.setenv("PLATFORM_SCHEME", "https")
    monkeypatch.delenv("DJANGO_HSTS_SECONDS", raising=False)
    monkeypatch.delenv("DJANGO_SECURE_COOKIES", raising=False)
    monkeypatch.setenv("DJANGO_DEBUG", "0")
    try:
        reloaded = importlib.reload(module)
        assert reloaded.SECURE_HSTS_SECONDS == 31536000 and reloaded.SECURE_HSTS_INCLUDE_SUBDOMAINS
        assert reloaded.SESSION_COOKIE_SECURE and reloaded.CSRF_COOKIE_SECURE
    finally:
        monkeypatch.undo()
        importlib.reload(module)
