"""Identity journeys as a person does them, in headless Chromium."""

import re

import pytest

from tests.browser.conftest import captcha_answer
from tests.registration import code_sent_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_register_in_harbin_then_sign_in_by_sms_code_from_the_outbox(page, live_url, settings):
    settings.PLATFORM_SMS_OUTBOX_VISIBLE = True
    harbin = live_url("harbin")

    register_enterprise(page, harbin, "browser_hrb_user", "13955550001")
    page.wait_for_url("**/register/done/")
    age_sms_codes("13955550001")  # a minute passes: the resend cooldown counts across purposes
    page.click("header form button[type=submit]")  # sign out

    page.goto(harbin + "/accounts/login/?mode=sms")
    page.fill("#id_send-mobile", "13955550001")
    page.fill("#id_send-captcha_1", captcha_answer(page, "send"))
    page.click("#sms-send button[type=submit]")
    page.wait_for_selector("#sms-login")

    outbox = page.context.new_page()
    outbox.goto(harbin + "/accounts/dev/sms-outbox/")
    text = outbox.locator("tr.sms", has_text="13955550001").first.locator(".text").inner_text()
    code = re.search(r"\d{6}", text).group(0)
    outbox.close()

    page.fill("#id_sms-code", code)
    page.click("#sms-login button[type=submit]")
    page.wait_for_url("**/workbench/")
    assert "企业用户" in page.locator(".roles").inner_text()
    assert "browser_hrb_user" in page.locator(".account").inner_text()


def test_jiangmen_company_lookup_fills_the_registration_form(page, live_url):
    page.goto(live_url("jiangmen") + "/register/")
    page.fill("#id_company_name", "江门智能")
    page.click(".lookup-results li >> text=江门示例智能装备有限公司")
    assert page.input_value("#id_company_uscc") == "91440700MA00003108"
    assert page.input_value("#id_company_region") == "广东省江门市新会区"
    assert page.input_value("#id_company_industry_section") == "制造业"
    page.fill("#id_company_address", "改过的地址")  # still editable
    assert page.input_value("#id_company_address") == "改过的地址"


def test_profile_draft_autosaves_and_returns_in_another_browser(browser, live_url):
    national = live_url("national")
    first = browser.new_context(locale="zh-CN").new_page()
    register_enterprise(first, national, "browser_nat_user", "13955550002", role="enterprise")
    first.wait_for_url("**/register/profile/")
    first.fill("#id_name", "浏览器测试制造有限公司")
    first.fill("#id_background__legal_rep", "周法人")
    first.wait_for_selector("#draft-status[data-saved]")  # the autosave answered …
    first.wait_for_function(  # … and the server holds the last field typed
        """() => fetch("/api/v1/registration/draft/", {credentials: "same-origin"})
                 .then(r => r.json()).then(d => d.data["background__legal_rep"] === "周法人")""",
        polling=200,
    )
    first.context.close()

    second = browser.new_context(locale="zh-CN").new_page()  # another browser, nothing stored locally
    sign_in(second, national, "browser_nat_user", password="Browser#2026")
    second.goto(national + "/register/profile/")
    assert second.input_value("#id_name") == "浏览器测试制造有限公司"
    assert second.input_value("#id_background__legal_rep") == "周法人"
    second.context.close()


def register_enterprise(page, base, username, mobile, password="Browser#2026", role=None):
    """Fill the registration form as a person does: mobile and image captcha, 获取验证码, the code from the phone,
    then username, passwords and consent, 注册."""
    page.goto(base + "/register/")
    if role:  # where the city opens several roles
        page.check(f"input[name=role][value={role}]")
    page.fill("#id_username", username)
    page.fill("#id_mobile", mobile)
    page.fill("#id_captcha_1", captcha_answer(page, None))
    page.click("button[value=sms_send]")
    page.wait_for_selector("text=验证码已发送至")
    assert page.input_value("#id_username") == username  # what was typed survives the round trip
    page.fill("#id_mobile_code", code_sent_to(mobile))
    page.fill("#id_new_password1", password)
    page.fill("#id_new_password2", password)
    page.check("#id_agree")
    page.locator("#id_new_password2").press("Enter")  # Enter registers; it does not send another code


def age_sms_codes(mobile: str, seconds: int = 61) -> None:
    """Move the codes sent to `mobile` back in time (committed, so the live server sees it) instead of waiting."""
    from datetime import timedelta

    from django.db.models import F

    from shared_apps.accounts.models import SmsCode
    from tests.threads import in_thread

    def age():
        SmsCode.objects.filter(mobile=mobile).update(created_at=F("created_at") - timedelta(seconds=seconds))

    thread, outcome = in_thread(age)
    thread.join()
    assert "error" not in outcome, outcome


def sign_in(page, base, username, password=None):
    from tenants.services import DEMO_PASSWORD

    page.goto(base + "/accounts/login/")
    page.fill("#id_pw-identifier", username)
    page.fill("#id_pw-password", password or DEMO_PASSWORD)
    page.fill("#id_pw-captcha_1", captcha_answer(page, "pw"))
    page.click("#password-login button[type=submit]")
    page.wait_for_url("**/workbench/")
