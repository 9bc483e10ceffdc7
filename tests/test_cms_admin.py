"""Wagtail's admin is a door of the platform: editors sign in and out through the platform's own sign-in (captcha,
lockout, SMS), the admin speaks Chinese with the tenant's branding, and it makes no requests to the internet."""

import re
from pathlib import Path

import polib
import pytest
from django.contrib.auth import get_user_model

from tenants.services import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_cms_login_sends_people_to_the_platform_sign_in(tenant_client):
    client = tenant_client("harbin")
    response = client.get("/cms/login/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/cms/"
    # Wagtail's own “please sign in” redirects go the same way and keep the page asked for.
    response = client.get("/cms/pages/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/cms/pages/"
    response = client.get("/cms/login/", {"next": "/cms/documents/"})
    assert response["Location"] == "/accounts/login/?next=/cms/documents/"
    # Never to another host.
    response = client.get("/cms/login/", {"next": "https://evil.example/cms/"})
    assert response["Location"] == "/accounts/login/?next=/cms/"
    # Wagtail's e-mail password reset is the platform's SMS reset.
    assert client.get("/cms/password_reset/")["Location"] == "/accounts/password/reset/"
    assert client.get("/cms/password_reset/done/")["Location"] == "/accounts/password/reset/"


def test_an_editor_signed_in_through_the_platform_reaches_the_admin(tenant_client, captcha):
    client = tenant_client("harbin")
    login_page = client.get(client.get("/cms/")["Location"])
    html = login_page.content.decode()
    assert login_page.status_code == 200 and 'name="next" value="/cms/"' in html and "captcha" in html
    data = {"mode": "password", "action": "password", "pw-identifier": "hrb_editor", "pw-password": DEMO_PASSWORD}
    response = client.post("/accounts/login/", {**data, "next": "/cms/", **captcha(html, "pw")})
    assert response.status_code == 302 and response["Location"] == "/cms/"
    assert client.get("/cms/").status_code == 200
    # Already signed in: /cms/login/ goes straight to the admin.
    assert client.get("/cms/login/")["Location"] == "/cms/"

    # Wagtail's “log out” (a POST) is the platform's sign-out.
    response = client.post("/cms/logout/")
    assert response.status_code == 307 and response["Location"] == "/accounts/logout/"
    client.post("/cms/logout/", follow=True)
    assert client.get("/cms/")["Location"] == "/accounts/login/?next=/cms/"


def test_a_person_without_an_editing_role_gets_no_admin(login_client):
    enterprise = login_client("harbin", "hrb_enterprise")
    assert enterprise.get("/cms/").status_code == 403
    assert enterprise.get("/cms/pages/").status_code == 403


def test_the_admin_speaks_chinese_with_our_branding_and_no_avatar_requests(login_client, tenant_client):
    client = login_client("harbin", "hrb_editor")
    response = client.get("/cms/", HTTP_ACCEPT_LANGUAGE="en")  # the browser asks for English
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in html and "控制面板" in html and "Dashboard" not in html
    # Strings Wagtail's own Chinese catalogue lacks come from config/wagtail_locale.
    assert re.search(r"\d+ 个页面", html) and " Pages " not in html
    assert re.search(r"<title>.*哈尔滨.*内容管理\s*</title>", html, re.S)
    assert "cms-brand-mark" in html and "cms/admin-mark.svg" in html
    assert "gravatar" not in html.lower()
    assert "releases.wagtail.io" not in html  # no update check either
    # The platform's own pages still follow the browser (ADR 0006).
    assert 'lang="en"' in tenant_client("harbin").get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_editor_may_choose_english_for_the_admin(login_client, tenant_schema):
    from wagtail.users.models import UserProfile

    with tenant_schema("harbin"):
        profile = UserProfile.get_for_user(get_user_model().objects.get(username="hrb_editor"))
        profile.preferred_language = "en"
        profile.save()
    html = login_client("harbin", "hrb_editor").get("/cms/").content.decode()
    assert "Dashboard" in html and "控制面板" not in html
    # Only the platform's languages are offered.
    from wagtail.admin.localization import get_available_admin_languages

    assert [code for code, _name in get_available_admin_languages()] == ["zh-hans", "en"]


def test_every_wagtail_string_has_a_chinese_translation():
    """Wagtail's zh_Hans catalogues leave some strings of the installed Wagtail apps in English (“13 Pages” on the
    dashboard, “submitted for moderation” messages); config/wagtail_locale translates them. A Wagtail upgrade that
    adds strings fails here until they are translated too."""
    from django.apps import apps
    from django.conf import settings

    supplement = Path(settings.LOCALE_PATHS[1]) / "zh_Hans" / "LC_MESSAGES"
    ours = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(supplement / "django.po")) if entry.translated()}
    missing = []
    for app in apps.get_app_configs():
        english = Path(app.path) / "locale" / "en" / "LC_MESSAGES" / "django.po"
        if not app.name.startswith("wagtail") or not english.exists():
            continue
        chinese = Path(app.path) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        theirs = (
            {(e.msgctxt, e.msgid) for e in polib.pofile(str(chinese)) if e.translated()} if chinese.exists() else set()
        )
        missing += [
            f"{app.name}: {entry.msgid}"
            for entry in polib.pofile(str(english))
            if not entry.obsolete and (entry.msgctxt, entry.msgid) not in theirs | ours
        ]
    assert missing == []
    compiled = {entry.msgid for entry in polib.mofile(str(supplement / "django.mo"))}
    assert {msgid for _context, msgid in ours} <= compiled
