"""A person opens Harbin's portal, signs in and reaches the workbench; Jiangmen does not know them."""

import pytest

from tenants.services import DEMO_PASSWORD
from tests.browser.conftest import captcha_answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_sign_in_on_harbin_and_reach_the_workbench(page, live_url, tmp_path):
    page.goto(live_url("harbin") + "/")
    assert page.locator(".hero h1").inner_text() == "哈尔滨市中小企业数字化转型城市试点"
    assert page.locator(".menu a", has_text="入库申请").count() == 1

    page.click(".quick >> text=登录")
    page.fill("#id_pw-identifier", "hrb_enterprise")
    page.fill("#id_pw-password", DEMO_PASSWORD)
    page.fill("#id_pw-captcha_1", captcha_answer(page, "pw"))
    page.click("#password-login button[type=submit]")
    page.wait_for_url("**/workbench/")
    assert "企业用户" in page.locator(".roles").inner_text()
    assert page.get_by_text("哈尔滨示例电气装备有限公司").count() == 1
    page.screenshot(path=str(tmp_path / "harbin-workbench.png"), full_page=True)

    # Sessions are per host: on Jiangmen the same person is not signed in yet.
    page.goto(live_url("jiangmen") + "/workbench/")
    assert "/accounts/login/" in page.url


def test_wrong_password_shows_a_message_on_the_form(page, live_url):
    page.goto(live_url("jiangmen") + "/accounts/login/")
    page.fill("#id_pw-identifier", "browser_nobody")  # committed failures must not touch other tests' accounts
    page.fill("#id_pw-password", "not-the-password")
    page.fill("#id_pw-captcha_1", captcha_answer(page, "pw"))
    page.click("#password-login button[type=submit]")
    assert "用户名/手机号或密码不正确" in page.locator(".errors").inner_text()
