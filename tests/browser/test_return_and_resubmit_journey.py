"""Jiangmen: operations return a provider's registration with an opinion; the provider finds it, reads the opinion,
re-edits the prefilled profile and resubmits; operations see it back in their inbox — in real Chromium.

Set SCREENSHOT_DIR to keep a picture of each step."""

import os
from pathlib import Path

import pytest

from tests.browser.test_identity_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _shot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_returned_registration_is_fixed_from_its_prefilled_profile(browser, live_url):
    from tests.threads import in_thread

    def register():  # committed on its own connection, so the live server sees it
        from tenant_apps.onboarding.services import registration_account_create
        from tests.registration import mobile_code_for

        registration_account_create(
            role="provider",
            username=None,
            mobile="13955551004",
            mobile_code=mobile_code_for("13955551004"),
            password="Browser#2026x",
            agreed=True,
            company={
                "name": "浏览器退回测试服务商",
                "uscc": "91440700MA0000H043",
                "region": "江门市江海区",
                "contact_name": "刘经理",
            },
        )

    thread, outcome = in_thread(register, schema="jiangmen")
    thread.join()
    assert "error" not in outcome, outcome
    jiangmen = live_url("jiangmen")

    ops = browser.new_context(locale="zh-CN").new_page()
    sign_in(ops, jiangmen, "jm_ops")
    ops.goto(jiangmen + "/workbench/inbox/")
    ops.locator("tr", has_text="浏览器退回测试服务商").locator("text=详情").click()
    ops.check("#decide input[value=return]")
    ops.fill("#decide textarea", "请补充详细地址和联系人")
    ops.click("#decide button[type=submit]")
    assert ops.locator("#application-state").inner_text() == "已退回"
    _shot(ops, "1-ops-returned")

    provider = browser.new_context(locale="zh-CN").new_page()
    sign_in(provider, jiangmen, "13955551004", "Browser#2026x")
    _shot(provider, "2-provider-workbench")
    provider.locator("tr", has_text="浏览器退回测试服务商").locator("text=详情").click()
    assert "请补充详细地址和联系人" in provider.locator("#returned-opinion").inner_text()
    _shot(provider, "3-provider-application")
    provider.locator("#returned-opinion a", has_text="修改后重新提交").click()
    provider.wait_for_url("**/register/profile/")
    assert provider.locator("#id_name").input_value() == "浏览器退回测试服务商"
    assert "请补充详细地址和联系人" in provider.locator("#returned-opinion").inner_text()
    provider.fill("#id_address", "江海区示例路8号")
    provider.fill("#id_contact_name", "黄经理")
    provider.fill("#id_contact_mobile", "13955551004")
    _shot(provider, "4-provider-profile")
    provider.click("#profile-form button[type=submit]")
    provider.wait_for_url("**/register/done/")
    _shot(provider, "5-provider-done")

    ops.goto(jiangmen + "/workbench/inbox/")
    ops.locator("tr", has_text="浏览器退回测试服务商").locator("text=详情").click()
    assert "江海区示例路8号" in ops.locator(".content").inner_text()
    assert "重新提交" in ops.locator("#work-order-log").inner_text()
    _shot(ops, "6-ops-resubmitted")
    provider.context.close()
    ops.context.close()
