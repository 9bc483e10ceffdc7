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
    # Its organisation on the identity card (the demo's admission, waiting for its upload, names it in lists too).
    assert page.locator("main .who").get_by_text("哈尔滨示例电气装备有限公司").count() == 1
    assert "哈尔滨示例电气装备有限公司" in page.locator(".role-switcher summary").inner_text()  # and in the top bar
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


TENANT_HOMES = {
    "national": ("国家中小企业数字化转型公共服务平台", "关于填报推荐试点企业需求调研表的通知"),
    "harbin": ("哈尔滨市中小企业数字化转型城市试点", "关于组织开展试点项目验收和资金申请工作的通知"),
    "jiangmen": ("江门市中小企业数字化转型城市试点", "关于开展第三期中小企业数字化转型人才培训工作的通知"),
}


@pytest.mark.parametrize("schema", sorted(TENANT_HOMES))
def test_each_tenant_home_shows_its_own_name_and_notices(page, live_url, schema, tmp_path):
    name, own_notice = TENANT_HOMES[schema]
    page.goto(live_url(schema) + "/")
    assert page.locator(".topbar .brand").inner_text() == name
    assert name in page.locator("footer").inner_text()
    notices = page.locator('[data-column="notices"]')
    assert notices.get_by_text(own_notice).count() == 1
    for other, (_name, other_notice) in TENANT_HOMES.items():
        if other not in (schema, "national"):
            assert page.get_by_text(other_notice).count() == 0
    if schema != "national":
        # The ministry's nationwide notice is on every city's home, labelled as national.
        row = notices.locator("li", has_text="关于开展中小企业数字化转型城市试点工作的通知")
        assert row.locator(".badge.national").inner_text() == "全国"
    page.screenshot(path=str(tmp_path / f"{schema}-home.png"), full_page=True)


def test_visitor_searches_a_column_and_reads_a_notice(page, live_url):
    page.goto(live_url("jiangmen") + "/")
    page.click(".portal-nav >> text=通知公告")
    page.fill("#q", "人才培训")
    page.click("main form[role=search] button[type=submit]")  # not the header's site search
    page.click("text=关于开展第三期中小企业数字化转型人才培训工作的通知")
    assert page.locator("article h1").inner_text() == "关于开展第三期中小企业数字化转型人才培训工作的通知"
    assert "2025-10-24" in page.locator(".meta").inner_text()
