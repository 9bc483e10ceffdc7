"""Harbin: an enterprise submits certification, the city bureau approves it from its inbox, the enterprise sees
'certified' — three people's steps in real Chromium."""

import pytest

from tests.browser.test_identity_journeys import register_enterprise, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_certification_submitted_approved_and_seen(browser, live_url):
    harbin = live_url("harbin")
    enterprise = browser.new_context(locale="zh-CN").new_page()
    register_enterprise(enterprise, harbin, "browser_cert_user", "13955550003")
    enterprise.wait_for_url("**/register/done/")

    enterprise.goto(harbin + "/workbench/enterprise/")
    values = {
        "company_name": "浏览器认证食品有限公司",
        "founded_on": "2018-06-01",
        "uscc": "91230100MA000B003E",
        "contact_name": "孙经理",
        "contact_phone": "0451-66660003",
        "registered_capital": "300",
        "email": "sun@example.com",
        "headcount": "45",
        "region": "黑龙江省哈尔滨市香坊区",
        "address": "香坊区示例路3号",
        "introduction": "食品精深加工企业。",
    }
    for name, value in values.items():
        enterprise.fill(f"#id_cert-{name}", value)
    enterprise.select_option("#id_cert-industry", label="食品精深加工及食品制造业")
    enterprise.click("#certification-form button[type=submit]")
    assert "认证审核中" in enterprise.locator("#certification").inner_text()

    bureau = browser.new_context(locale="zh-CN").new_page()
    sign_in(bureau, harbin, "hrb_bureau")
    bureau.goto(harbin + "/workbench/inbox/")
    bureau.locator("tr", has_text="浏览器认证食品有限公司 企业认证").locator("text=详情").click()
    assert "91230100MA000B003E" in bureau.locator(".content").inner_text()
    bureau.check("#decide input[value=approve]")
    bureau.click("#decide button[type=submit]")
    assert bureau.locator("#application-state").inner_text() == "已通过"
    assert "市工信局审核" in bureau.locator("#work-order-log").inner_text()

    enterprise.reload()
    assert enterprise.locator("#certification").inner_text() == "已认证"
    assert "香坊区示例路3号" in enterprise.content()
    enterprise.context.close()
    bureau.context.close()
