"""Signing in: password + captcha, SMS codes, lockout with audit, password and mobile changes."""

from datetime import timedelta

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


def _fail(client, captcha, identifier, times=1):
    for _attempt in range(times):
        response = password_login(client, captcha, identifier, "Wrong#Pass1")
        assert "用户名/手机号或密码不正确" in response.content.decode()


def test_failures_slow_the_address_down_then_pause_it_for_fifteen_minutes_from_the_pause(
    tenant_client, captcha, lockout_clock
):
    client = tenant_client("jiangmen")
    _fail(client, captcha, "jm_provider", 3)
    response = password_login(client, captcha, "jm_provider", DEMO_PASSWORD)  # right, but too soon
    assert response.status_code == 400 and "请 30 秒后再试" in response.content.decode()
    lockout_clock.advance(seconds=31)
    _fail(client, captcha, "jm_provider")
    assert "请 60 秒后再试" in password_login(client, captcha, "jm_provider", "x").content.decode()
    lockout_clock.advance(seconds=61)
    _fail(client, captcha, "jm_provider")  # the 5th: this address is paused for this account
    paused = password_login(client, captcha, "jm_provider", DEMO_PASSWORD).content.decode()
    assert "登录失败次数过多，请 15 分钟后" in paused and "使用短信验证码登录" in paused
    user = get_user_model().objects.get(username="jm_provider")
    assert SecurityEvent.objects.filter(kind="locked_out", user=user, detail="pair").count() == 1
    assert SecurityEvent.objects.filter(kind="lock_refused", user=user).count() == 3  # refusals are audited too
    # A stranger's guesses do not lock the owner out: from their own address the right password works at once.
    owner = tenant_client("jiangmen", REMOTE_ADDR="10.66.0.1")
    assert password_login(owner, captcha, "jm_provider", DEMO_PASSWORD).status_code == 302
    # The pause lasts 15 minutes from the pause itself (the first failure was two minutes earlier).
    lockout_clock.advance(minutes=14, seconds=50)
    assert "分钟后" in password_login(client, captcha, "jm_provider", "x").content.decode()
    lockout_clock.advance(seconds=11)
    assert password_login(client, captcha, "jm_provider", DEMO_PASSWORD).status_code == 302


def test_ten_failures_from_anywhere_lock_passwords_tell_the_owner_and_sms_unlocks(
    tenant_client, captcha, outbox_code, lockout_clock
):
    for n in range(5):  # two guesses from each of five addresses: no address is ever paused
        _fail(tenant_client("harbin", REMOTE_ADDR=f"10.67.0.{n + 1}"), captcha, "hrb_enterprise", 2)
    user = get_user_model().objects.get(username="hrb_enterprise")
    assert SecurityEvent.objects.filter(kind="locked_out", user=user, detail="account").count() == 1
    notice = SmsMessage.objects.filter(mobile=user.mobile).order_by("-id").first()
    assert "密码登录已暂停至" in notice.text and "hrb_enterprise" in notice.text
    fresh = tenant_client("harbin", REMOTE_ADDR="10.67.1.1")
    locked = password_login(fresh, captcha, "13800000201", DEMO_PASSWORD)  # by mobile: the same account
    assert locked.status_code == 400 and "密码登录已暂停至" in locked.content.decode()
    # The same words for a name that has no account: the answers cannot tell which identities exist.
    for n in range(5):
        _fail(tenant_client("harbin", REMOTE_ADDR=f"10.68.0.{n + 1}"), captcha, "nobody_here", 2)
    unknown = password_login(tenant_client("harbin", REMOTE_ADDR="10.68.1.1"), captcha, "nobody_here", "x")
    assert unknown.context["password_form"].errors == locked.context["password_form"].errors
    # The owner's way back: an SMS sign-in proves them and ends the lock.
    send_code(fresh, captcha, "13800000201")
    assert sms_login(fresh, "13800000201", outbox_code("13800000201"))["Location"] == "/workbench/"
    again = tenant_client("harbin", REMOTE_ADDR="10.67.1.2")
    assert password_login(again, captcha, "hrb_enterprise", DEMO_PASSWORD).status_code == 302


def test_the_account_lock_ends_thirty_minutes_after_it_was_taken(tenant_client, captcha, lockout_clock, settings):
    settings.PLATFORM_LOCKOUT_PER_ACCOUNT = 4
    for n in range(2):
        _fail(tenant_client("harbin", REMOTE_ADDR=f"10.69.0.{n + 1}"), captcha, "hrb_finance", 2)
    lockout_clock.advance(minutes=29, seconds=50)
    client = tenant_client("harbin", REMOTE_ADDR="10.69.1.1")
    assert "密码登录已暂停至" in password_login(client, captcha, "hrb_finance", DEMO_PASSWORD).content.decode()
    lockout_clock.advance(seconds=11)
    assert password_login(client, captcha, "hrb_finance", DEMO_PASSWORD).status_code == 302


def test_an_administrator_unlocks_an_account_from_the_console(
    tenant_client, captcha, settings, django_user_model, lockout_clock
):
    settings.PLATFORM_LOCKOUT_PER_ACCOUNT = 2
    _fail(tenant_client("harbin", REMOTE_ADDR="10.70.0.1"), captcha, "hrb_editor", 2)
    user = django_user_model.objects.get(username="hrb_editor")
    admin = django_user_model.objects.create_superuser("root_unlock", mobile="13800009998", password="x")
    console = tenant_client(None)
    console.force_login(admin)
    listing = console.get("/django-admin/accounts/user/?q=hrb_editor").content.decode()
    assert "已锁定" in listing
    response = console.post(
        "/django-admin/accounts/user/", {"action": "unlock_accounts", "_selected_action": [user.pk]}, follow=True
    )
    assert "已解除 1 个账号的登录锁定" in response.content.decode()
    assert SecurityEvent.objects.filter(kind="unlocked", user=user, detail="by root_unlock").exists()
    client = tenant_client("harbin", REMOTE_ADDR="10.70.0.2")
    assert password_login(client, captcha, "hrb_editor", DEMO_PASSWORD).status_code == 302


def test_failures_across_accounts_pause_the_address(tenant_client, captcha, settings):
    settings.PLATFORM_LOCKOUT_PER_IP = 5
    client = tenant_client("harbin", REMOTE_ADDR="10.9.9.9")
    for name in ["ghost1", "ghost2", "ghost3", "hrb_bureau", "hrb_finance"]:
        password_login(client, captcha, name, "Wrong#Pass1")
    response = password_login(client, captcha, "hrb_editor", DEMO_PASSWORD)
    assert "当前网络登录失败次数过多，请 15 分钟后" in response.content.decode()
    assert "账号" not in response.content.decode().split("当前网络")[1][:40]  # the network, not hrb_editor's account
    other_ip = tenant_client("harbin", REMOTE_ADDR="10.9.9.10")
    assert password_login(other_ip, captcha, "hrb_editor", DEMO_PASSWORD).status_code == 302


def test_a_success_starts_the_count_afresh(tenant_client, captcha):
    client = tenant_client("harbin")
    _fail(client, captcha, "hrb_bureau", 2)
    assert password_login(client, captcha, "hrb_bureau", DEMO_PASSWORD).status_code == 302
    client = tenant_client("harbin")  # same address, new session: without the reset this would be the 3rd and 4th
    _fail(client, captcha, "hrb_bureau", 2)
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


def test_wrong_sms_codes_count_towards_the_pause(tenant_client, captcha, outbox_code, lockout_clock):
    client = tenant_client("harbin")
    send_code(client, captcha, "13800000206")
    for _n in range(5):
        assert "验证码不正确" in sms_login(client, "13800000206", "000000").content.decode()
        lockout_clock.advance(seconds=61)
    response = sms_login(client, "13800000206", outbox_code("13800000206"))
    assert response.status_code == 400 and "登录失败次数过多" in response.content.decode()


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


def test_a_city_admin_unlocks_a_member(tenant_client, captcha, settings, login_client, lockout_clock, tenant_schema):
    from tenant_apps.organisations.models import Membership

    settings.PLATFORM_LOCKOUT_PER_ACCOUNT = 2
    _fail(tenant_client("harbin", REMOTE_ADDR="10.71.0.1"), captcha, "hrb_enterprise", 2)
    client = tenant_client("harbin", REMOTE_ADDR="10.71.0.2")
    assert "密码登录已暂停至" in password_login(client, captcha, "hrb_enterprise", DEMO_PASSWORD).content.decode()
    with tenant_schema("harbin"):
        membership = Membership.objects.get(user__username="hrb_enterprise")
    admin = login_client("harbin", "hrb_admin")
    response = admin.post(
        "/django-admin/organisations/membership/",
        {"action": "unlock_members", "_selected_action": [membership.pk]},
        follow=True,
    )
    assert "已解除 1 个账号的登录锁定" in response.content.decode()
    assert password_login(client, captcha, "hrb_enterprise", DEMO_PASSWORD).status_code == 302
