"""An editor reaches Wagtail's admin through the platform's own door, in real Chromium: signed out, /cms/ (and
Wagtail's own /cms/login/) lead to the platform's sign-in page with its image captcha; after signing in there the
editor is back in /cms/, in Simplified Chinese — and the browser never asks another host for anything (no gravatar,
no update check, no web fonts)."""

import re
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import captcha_answer
from tests.browser.test_ui_screens import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

EDITOR = "jm_editor"  # the Jiangmen preset's editor (roles = ["editor"])


def test_an_editor_signs_in_to_the_cms_through_the_platform_in_chinese_without_leaving_the_host(page, live_url):
    from tenants.services import DEMO_PASSWORD

    jiangmen = live_url("jiangmen")
    host = urlparse(jiangmen).netloc
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    # Wagtail's own sign-in page is not where editors sign in.
    page.goto(jiangmen + "/cms/login/")
    assert page.url == jiangmen + "/accounts/login/?next=/cms/"

    page.goto(jiangmen + "/cms/")
    assert page.url == jiangmen + "/accounts/login/?next=/cms/"
    assert page.locator('#password-login input[name="next"]').input_value() == "/cms/"
    assert page.locator("#password-login img.captcha").is_visible()  # the image captcha of every sign-in
    page.fill("#id_pw-identifier", EDITOR)
    page.fill("#id_pw-password", DEMO_PASSWORD)
    page.fill("#id_pw-captcha_1", captcha_answer(page, "pw"))
    page.click("#password-login button[type=submit]")
    page.wait_for_url(jiangmen + "/cms/")

    # Wagtail's dashboard in Simplified Chinese, with the strings its own catalogue lacks (config/wagtail_locale).
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "控制面板" in page.title(), page.title()
    body = page.locator("body").inner_text()
    assert re.search(r"\d+ 个页面", body) and "Dashboard" not in body and " Pages" not in body
    assert page.locator("#id_q").get_attribute("placeholder") == "搜索全部页面…"
    page.wait_for_load_state("networkidle")  # the admin's scripts have asked for what they want
    shot(page, "desktop-cms-dashboard-after-platform-sign-in")

    # Signed in, Wagtail's sign-in page goes straight to the admin.
    page.goto(jiangmen + "/cms/login/")
    assert page.url == jiangmen + "/cms/"

    elsewhere = sorted(
        {url for url in requested if urlparse(url).scheme not in ("data", "blob") and urlparse(url).netloc != host}
    )
    assert not elsewhere, elsewhere
    assert any(urlparse(url).path.startswith("/static/wagtailadmin/") for url in requested)  # the admin's own assets
