"""Signing in: password + captcha, SMS codes, lockout with audit, password and mobile changes."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from shared_apps.accounts.models import SecurityEvent, SmsCode, SmsMessage
from tenants.services import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def password_login(client, captcha, identifier, password, *, follow=False):
    html = client.get("/accounts/login/").content.decode()
    data = {"mode": "password", "action": "password", "pw-identifier": identifier, "pw-password": password}
    return client.post("/accounts/login/", {**data, **captcha(html, "pw")}, follow=follow)


def send_code(client, captcha, mobile, path="/accounts/login/?mode=sms", prefix_extra=None):
    html = client.get(path).content.decode()
    data = {"mode": "sms", "action": "sms_send", "send-mobile": mobile, **(prefix_extra or {})}
    return client.post(path, {**data, **captcha(html, "send")})


def sms_login(client, mobile, code):
    data = {"mode": "sms", "action": "sms_login", "sms-mobile": mobile, "sms-code": code}
    return client.post("/accounts/login/?mode=sms", data)


def test_password_login_by_username_or_mobile_reaches_the_workbench(tenant_client, captcha):
    client = tenant_client("harbin")
    response = password_login(client, captcha, "hrb_enterprise", DEMO_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/workbench/"
    client = tenant_client("harbin")
    assert password_login(client, captcha, "13800000201", DEMO_PASSWORD)["Location"] == "/workbench/"
    assert SecurityEvent.objects.filter(kind="login_succeeded", identifier="13800000201").exists()


def test_wrong_captcha_is_a_field_error(tenant_client):
    client = tenant_client("harbin")
    client.get("/accounts/login/")
    data = {"mode": "password", "action": "password", "pw-identifier": "hrb_enterprise", "pw-password": DEMO_PASSWORD}
    response = client.post("/accounts/login/", {**data, "pw-captcha_0": "0" * 40, "pw-captcha_1": "WRONG"})
    assert response.status_code == 400
    assert "图形验证码不正确" in response.content.decode()


def test_five_failures_lock_the_account_for_fifteen_minutes(tenant_client, captcha, monkeypatch):
    client = tenant_client("jiangmen")
    for _attempt in range(5):
        response = password_login(client, captcha, "jm_provider", "Wrong#Pass1")
        assert "用户名/手机号或密码不正确" in response.content.decode()
    response = password_login(client, captcha, "jm_provider", DEMO_PASSWORD)  # right password, still refused
    assert response.status_code == 400
    assert "账号已锁定 15 分钟" in response.content.decode()
    user = get_user_model().objects.get(username="jm_provider")
    assert SecurityEvent.objects.filter(kind="locked_out", user=user).count() == 1
    # The audit trail is append-only, so the lockout's clock moves instead of the events.
    later = timezone.now() + timedelta(minutes=16)
    monkeypatch.setattr("shared_apps.accounts.security.timezone", SimpleNamespace(now=lambda: later))
    assert password_login(client, captcha, "jm_provider", DEMO_PASSWORD).status_code == 302


def test_lockout_also_counts_per_ip_across_accounts(tenant_client, captcha):
    client = tenant_client("harbin", REMOTE_ADDR="10.9.9.9")
    for name in ["ghost1", "ghost2", "ghost3", "hrb_bureau", "hrb_finance"]:
        password_login(client, captcha, name, "Wrong#Pass1")
    response = password_login(client, captcha, "hrb_editor", DEMO_PASSWORD)
    assert "当前网络登录失败次数过多" in response.content.decode()
    assert "账号已锁定" not in response.content.decode()  # the network is paused, not hrb_editor's account
    other_ip = tenant_client("harbin", REMOTE_ADDR="10.9.9.10")
    assert password_login(other_ip, captcha, "hrb_editor", DEMO_PASSWORD).status_code == 302


def test_a_success_starts_the_count_afresh(tenant_client, captcha):
    client = tenant_client("harbin")
    for _attempt in range(4):
        password_login(client, captcha, "hrb_bureau", "Wrong#Pass1")
    assert password_login(client, captcha, "hrb_bureau", DEMO_PASSWORD).status_code == 302
    client = tenant_client("harbin", REMOTE_ADDR="10.2.2.2")  # the first IP keeps its own count
    for _attempt in range(4):
        password_login(client, captcha, "hrb_bureau", "Wrong#Pass1")
    assert password_login(client, captcha, "hrb_bureau", DEMO_PASSWORD).status_code == 302


def test_sms_login_with_the_code_from_the_outbox(tenant_client, captcha, outbox_code):
    client = tenant_client("harbin")
    response = send_code(client, captcha, "13800000201")
    assert response.status_code == 200 and "验证码已发送" in response.content.decode()
    code = outbox_code("13800000201")
    record = SmsCode.objects.get(mobile="13800000201")
    assert code not in record.code_hash and record.schema_name == "harbin"
    assert sms_login(client, "13800000201", code)["Location"] == "/workbench/"
    # Single use: the same code cannot sign in twice.
    response = sms_login(tenant_client("harbin"), "13800000201", code)
    assert "验证码已失效" in response.content.decode()


def test_sms_code_expires_after_five_minutes(tenant_client, captcha, outbox_code):
    client = tenant_client("harbin")
    send_code(client, captcha, "13800000202")
    SmsCode.objects.filter(mobile="13800000202").update(expires_at=timezone.now() - timedelta(seconds=1))
    response = sms_login(client, "13800000202", outbox_code("13800000202"))
    assert response.status_code == 400 and "验证码已失效" in response.content.decode()


def test_sms_code_from_another_city_does_not_sign_in_here(tenant_client, captcha, outbox_code):
    send_code(tenant_client("national"), captcha, "13800000104")
    response = sms_login(tenant_client("harbin"), "13800000104", outbox_code("13800000104"))
    assert "验证码已失效" in response.content.decode()


def test_resend_cooldown_of_sixty_seconds(tenant_client, captcha):
    client = tenant_client("harbin")
    send_code(client, captcha, "13800000203")
    response = send_code(client, captcha, "13800000203")
    assert response.status_code == 400 and "秒后再试" in response.content.decode()
    SmsCode.objects.filter(mobile="13800000203").update(created_at=timezone.now() - timedelta(seconds=61))
    assert send_code(client, captcha, "13800000203").status_code == 200
    assert SmsMessage.objects.filter(mobile="13800000203").count() == 2


def test_daily_caps_per_mobile_and_per_ip(tenant_client, captcha, settings):
    settings.PLATFORM_SMS_DAILY_PER_MOBILE = 3
    settings.PLATFORM_SMS_DAILY_PER_IP = 4
    client = tenant_client("harbin", REMOTE_ADDR="10.1.1.1")
    for _n in range(3):
        assert send_code(client, captcha, "13800000205").status_code == 200
        SmsCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert "今日获取验证码次数已达上限" in send_code(client, captcha, "13800000205").content.decode()
    assert send_code(client, captcha, "13800000206").status_code == 200  # 4th from this IP
    SmsCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert "当前网络今日" in send_code(client, captcha, "13800000201").content.decode()


def test_wrong_sms_codes_count_towards_the_login_lockout(tenant_client, captcha, outbox_code):
    client = tenant_client("harbin")
    send_code(client, captcha, "13800000206")
    for _n in range(5):
        assert "验证码不正确" in sms_login(client, "13800000206", "000000").content.decode()
    response = sms_login(client, "13800000206", outbox_code("13800000206"))
    assert "账号已锁定" in response.content.decode()


def test_a_code_dies_after_five_wrong_guesses(login_client, captcha, outbox_code):
    # On the mobile-change form (signed in, no lockout in the way; the reset form locks the account first).
    client = login_client("harbin", "hrb_finance")
    send_code(client, captcha, "13900000206", path="/accounts/mobile/")
    form = {"action": "change", "verify-mobile": "13900000206"}
    for _n in range(5):
        assert "验证码不正确" in client.post("/accounts/mobile/", {**form, "verify-code": "000000"}).content.decode()
    response = client.post("/accounts/mobile/", {**form, "verify-code": outbox_code("13900000206")})
    assert "错误次数过多" in response.content.decode()


def test_password_change_enforces_the_tenant_policy(login_client):
    client = login_client("jiangmen", "jm_ops")
    form = {"old_password": DEMO_PASSWORD, "new_password1": "short", "new_password2": "short"}
    response = client.post("/accounts/password/", form)
    assert response.status_code == 400
    assert "密码长度须为 8–20 位" in response.content.decode()
    form = {"old_password": "Wrong#123", "new_password1": "Jiangmen#2027", "new_password2": "Jiangmen#2027"}
    assert "原密码不正确" in client.post("/accounts/password/", form).content.decode()
    form = {"old_password": DEMO_PASSWORD, "new_password1": "Jiangmen#2027", "new_password2": "Jiangmen#2027"}
    assert client.post("/accounts/password/", form).status_code == 302
    user = get_user_model().objects.get(username="jm_ops")
    assert user.check_password("Jiangmen#2027")
    assert SecurityEvent.objects.filter(kind="password_changed", user=user).exists()
    assert client.get("/workbench/").status_code == 200  # still signed in after the change


def test_forgot_password_by_sms(tenant_client, captcha, outbox_code):
    client = tenant_client("harbin")
    send_code(client, captcha, "13800000205", path="/accounts/password/reset/")
    code = outbox_code("13800000205")
    form = {"action": "reset", "verify-mobile": "13800000205", "verify-code": code}
    response = client.post(
        "/accounts/password/reset/", {**form, "verify-new_password1": "abc", "verify-new_password2": "abc"}
    )
    assert response.status_code == 400 and "密码长度须为" in response.content.decode()
    response = client.post(
        "/accounts/password/reset/",
        {**form, "verify-new_password1": "Harbin#2027", "verify-new_password2": "Harbin#2027"},
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(username="hrb_editor").check_password("Harbin#2027")


def test_change_bound_mobile_with_a_code_sent_to_the_new_number(login_client, captcha, outbox_code):
    client = login_client("harbin", "hrb_finance")
    send_code(client, captcha, "13900000203", path="/accounts/mobile/")
    form = {"action": "change", "verify-mobile": "13900000203", "verify-code": outbox_code("13900000203")}
    assert client.post("/accounts/mobile/", form).status_code == 302
    assert get_user_model().objects.get(username="hrb_finance").mobile == "13900000203"
    send_code(client, captcha, "13800000201", path="/accounts/mobile/")  # hrb_enterprise's number
    form = {"action": "change", "verify-mobile": "13800000201", "verify-code": outbox_code("13800000201")}
    assert "已被其他账号绑定" in client.post("/accounts/mobile/", form).content.decode()


def test_sms_outbox_page_is_dev_only_and_shows_this_host_only(tenant_client, captcha, settings):
    assert tenant_client("harbin").get("/accounts/dev/sms-outbox/").status_code == 404
    settings.PLATFORM_SMS_OUTBOX_VISIBLE = True
    send_code(tenant_client("harbin"), captcha, "13800000201")
    send_code(tenant_client("jiangmen"), captcha, "13800000303")
    html = tenant_client("harbin").get("/accounts/dev/sms-outbox/").content.decode()
    assert "13800000201" in html and "13800000303" not in html
