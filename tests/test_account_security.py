"""Issue 10: the reset form is no password oracle, history covers the first password, one identity gets the
strictest policy of its cities, and forms answer the same for taken and free identities."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from shared_apps.accounts.models import SecurityEvent, SmsCode
from tenants.services import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


def send_reset_code(client, captcha, mobile):
    html = client.get(RESET).content.decode()
    return client.post(RESET, {"action": "sms_send", "send-mobile": mobile, **captcha(html, "send")})


def reset(client, mobile, code, password):
    data = {"action": "reset", "verify-mobile": mobile, "verify-code": code}
    return client.post(RESET, {**data, "verify-new_password1": password, "verify-new_password2": password})


def errors_of(response) -> dict:
    """The verify form's errors as the page shows them, by field."""
    return {field: list(messages) for field, messages in response.context["form"].errors.items()}


# --- 1. The reset form proves the person before it says anything about passwords ----------------------------------
def test_wrong_code_with_the_current_password_answers_like_any_wrong_code(tenant_client, captcha):
    client = tenant_client("harbin")
    send_reset_code(client, captcha, "13800000205")  # hrb_editor, whose password is DEMO_PASSWORD
    guess = reset(client, "13800000205", "000000", DEMO_PASSWORD)
    other = reset(client, "13800000205", "000001", "Other#Pass2027")
    assert guess.status_code == other.status_code == 400
    assert "验证码不正确" in guess.content.decode() and "新密码不能" not in guess.content.decode()
    assert errors_of(guess) == errors_of(other)
    user = get_user_model().objects.get(username="hrb_editor")
    assert SecurityEvent.objects.filter(kind="reset_code_failed", user=user).count() == 2  # every attempt audited


def test_wrong_reset_codes_pause_the_guessing_address_not_the_owner(
    tenant_client, captcha, outbox_code, lockout_clock, settings
):
    settings.PLATFORM_LOCKOUT_PER_ACCOUNT = 5
    client = tenant_client("harbin")
    send_reset_code(client, captcha, "13800000205")
    for guess in range(5):
        reset(client, "13800000205", f"00000{guess}", "Harbin#2027")
        lockout_clock.advance(seconds=61)
    user = get_user_model().objects.get(username="hrb_editor")
    assert set(SecurityEvent.objects.filter(kind="locked_out", user=user).values_list("detail", flat=True)) == {
        "pair",
        "account",
    }
    SmsCode.objects.filter(mobile="13800000205").update(created_at=timezone.now() - timedelta(minutes=2))
    send_reset_code(client, captcha, "13800000205")
    paused = reset(client, "13800000205", outbox_code("13800000205"), "Harbin#2027")  # the right code, same address
    assert paused.status_code == 400 and "登录失败次数过多" in paused.content.decode()
    # The owner, from their own address, proves the mobile: the reset works although passwords are locked, and it
    # ends the account's lock.
    owner = tenant_client("harbin", REMOTE_ADDR="10.77.0.2")
    assert reset(owner, "13800000205", outbox_code("13800000205"), "Harbin#2027").status_code == 302
    from tests.test_login import password_login

    assert password_login(owner, captcha, "hrb_editor", "Harbin#2027").status_code == 302


def test_after_the_right_code_history_is_named_and_the_code_survives_a_refused_password(
    tenant_client, captcha, outbox_code
):
    client = tenant_client("harbin")
    send_reset_code(client, captcha, "13800000205")
    code = outbox_code("13800000205")
    response = reset(client, "13800000205", code, DEMO_PASSWORD)
    assert response.status_code == 400 and "新密码不能与当前密码" in response.content.decode()
    assert SecurityEvent.objects.filter(kind="reset_refused", identifier="13800000205", detail="history").exists()
    assert reset(client, "13800000205", code, "Harbin#2027").status_code == 302
    assert reset(client, "13800000205", code, "Harbin#2028").status_code == 400  # used once, not twice
    assert get_user_model().objects.get(username="hrb_editor").check_password("Harbin#2027")


def test_the_reset_form_does_not_say_whether_a_mobile_is_registered_before_the_code(tenant_client, captcha):
    known, unknown = tenant_client("harbin"), tenant_client("harbin")
    assert send_reset_code(known, captcha, "13800000205").status_code == 200
    assert send_reset_code(unknown, captcha, "13766660000").status_code == 200
    assert errors_of(reset(known, "13800000205", "000000", "Harbin#2027")) == errors_of(
        reset(unknown, "13766660000", "000000", "Harbin#2027")
    )
    assert "尚未注册" not in reset(unknown, "13766660000", "000001", "Harbin#2027").content.decode()


# --- 3. Password history: the first password counts, and exactly N earlier ones -------------------------------------
def history_codes(password, user, schema, tenant_schema):
    with tenant_schema(schema):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return sorted({e.code for e in error.error_list})
    return []


def test_the_password_set_at_registration_is_history(tenant_schema):
    from tenant_apps.onboarding.services import registration_account_create
    from tests.registration import mobile_code_for

    with tenant_schema("national"):
        user, _membership = registration_account_create(
            role="enterprise",
            username="hist_reg",
            mobile="13711110001",
            mobile_code=mobile_code_for("13711110001"),
            password="Alpha#2026",
            agreed=True,
        )
    user.set_password("Bravo#2026")
    user.save()
    assert history_codes("Alpha#2026", user, "national", tenant_schema) == ["history"]  # A → B → A refused


def test_history_checks_the_current_and_exactly_five_earlier_passwords(tenant_schema, django_user_model):
    user = django_user_model.objects.create_user("hist_depth", mobile="13711110002", password="Start#0001")
    for n in range(2, 8):
        user.set_password(f"Start#{n:04d}")
        user.save()
    # current Start#0007; earlier 0006, 0005, 0004, 0003, 0002 (five); 0001 is the sixth back
    assert history_codes("Start#0007", user, "national", tenant_schema) == ["history"]
    assert history_codes("Start#0002", user, "national", tenant_schema) == ["history"]
    assert history_codes("Start#0001", user, "national", tenant_schema) == []


def test_the_admin_and_sub_account_paths_record_history_too(django_user_model):
    user = django_user_model.objects.create_user("hist_admin", mobile="13711110003", password="Start#0001")
    user.password = "md5$x$0123"  # a raw hash write (admin form, seeds) still lands in history
    user.save(update_fields=["password"])
    user.save(update_fields=["last_login"])  # other writes do not
    assert user.password_history.count() == 2


# --- 4. The strictest policy of every city the person belongs to ----------------------------------------------------
def test_a_person_in_national_and_jiangmen_is_bound_by_national_max_length_on_jiangmen(
    tenant_client, tenant_schema, django_user_model
):
    from tenant_apps.organisations.services import membership_grant

    both = django_user_model.objects.create_user("two_cities", mobile="13711110004", password=DEMO_PASSWORD)
    only_jm = django_user_model.objects.create_user("jm_only", mobile="13711110005", password=DEMO_PASSWORD)
    for schema, user in [("national", both), ("jiangmen", both), ("jiangmen", only_jm)]:
        with tenant_schema(schema):
            membership_grant(user=user, roles=["enterprise"])
    twenty = "Abcdefgh1234567890xy"
    form = {"old_password": DEMO_PASSWORD, "new_password1": twenty, "new_password2": twenty}
    client = tenant_client("jiangmen")
    client.force_login(both)
    response = client.post("/accounts/password/", form)
    assert response.status_code == 400 and "8–18" in response.content.decode()
    client = tenant_client("jiangmen")
    client.force_login(only_jm)
    assert client.post("/accounts/password/", form).status_code == 302  # jiangmen's own 8–20
    only_jm.refresh_from_db()
    assert only_jm.check_password(twenty)


# --- 6. Enumeration --------------------------------------------------------------------------------------------------
def test_changing_the_mobile_does_not_reveal_a_taken_number_without_its_code(login_client):
    client = login_client("harbin", "hrb_finance")
    form = {"action": "change", "verify-mobile": "13800000201", "verify-code": "000000"}  # hrb_enterprise's number
    html = client.post("/accounts/mobile/", form).content.decode()
    assert "已被其他账号绑定" not in html and "验证码" in html


class CountingHasher(MD5PasswordHasher):
    """The suite's MD5 hasher, counting every hash computed (checking a password hashes too)."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


def test_sign_in_hashes_once_for_unknown_and_known_identities_alike(settings):
    from shared_apps.accounts.services import login_with_password
    from tenants.errors import DomainError

    settings.PASSWORD_HASHERS = ["tests.test_account_security.CountingHasher"]
    for identifier in ["hrb_bureau", "nobody_by_this_name"]:
        CountingHasher.calls = 0
        with pytest.raises(DomainError):
            login_with_password(identifier=identifier, password="Wrong#Pass1", ip=None)
        assert CountingHasher.calls == 1, identifier


def test_bureau_and_finance_memberships_cannot_create_sub_accounts(
    login_client, tenant_schema, django_user_model, captcha
):
    from tenant_apps.organisations.models import Organisation
    from tenant_apps.organisations.services import membership_grant

    official = django_user_model.objects.create_user("bureau_with_org", mobile="13711110006", password=DEMO_PASSWORD)
    with tenant_schema("national"):
        organisation = Organisation.objects.filter(certification="certified").first()
        membership_grant(user=official, roles=["city_bureau", "finance"], organisation=organisation)
    client = login_client("national", "bureau_with_org")
    form = {"username": "bureau_sub_1", "name": "某", "mobile": "13711110007", "email": "b@example.com"}
    form |= {"new_password1": "Buyer#2026", "new_password2": "Buyer#2026", "menu_permissions": []}
    form |= captcha(client.get("/workbench/accounts/").content.decode(), None)
    assert client.post("/workbench/accounts/", form).status_code == 403
    assert not django_user_model.objects.filter(username="bureau_sub_1").exists()


# --- 2. API tokens: captcha, expiry, listed and revoked by the owner, ended by a new password or a lock -------------
def token_for(client, identifier, password=DEMO_PASSWORD, **extra):
    from captcha.models import CaptchaStore

    key = client.post("/api/v1/auth/captcha/").json()["captcha_key"]
    data = {"identifier": identifier, "password": password, "captcha_key": key, **extra}
    data.setdefault("captcha_value", CaptchaStore.objects.get(hashkey=key).response)
    return client.post("/api/v1/auth/token/", data, content_type="application/json")


REFUSED = (401, 403)  # DRF answers 403 when session authentication comes first; either way the key is refused


def me(tenant_client, key):
    return tenant_client("harbin", HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me/").status_code


def test_the_token_endpoint_wants_the_captcha_and_keeps_only_a_hash(tenant_client):
    from shared_apps.accounts.models import ApiToken

    client = tenant_client("harbin")
    response = token_for(client, "hrb_bureau", captcha_value="WRONG")
    assert response.status_code == 400 and response.json()["code"] == "auth.captcha"
    response = token_for(client, "hrb_bureau", label="报表脚本")
    key = response.json()["token"]
    assert response.status_code == 200 and response.json()["expires_at"]
    assert (
        not ApiToken.objects.filter(key_hash=key).exists()
        and key not in ApiToken.objects.get(label="报表脚本").key_hash
    )
    assert me(tenant_client, key) == 200


def test_tokens_expire(tenant_client):
    from shared_apps.accounts.models import ApiToken

    key = token_for(tenant_client("harbin"), "hrb_bureau").json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert me(tenant_client, key) in REFUSED


def test_owner_lists_and_revokes_tokens_and_nobody_else_can(tenant_client):
    key = token_for(tenant_client("harbin"), "hrb_bureau").json()["token"]
    other = token_for(tenant_client("harbin"), "hrb_finance").json()["token"]
    owner = tenant_client("harbin", HTTP_AUTHORIZATION=f"Token {key}")
    listed = owner.get("/api/v1/auth/tokens/").json()
    assert len(listed) == 1 and listed[0]["prefix"] == key[:8] and "key" not in listed[0]
    stranger = tenant_client("harbin", HTTP_AUTHORIZATION=f"Token {other}")
    assert stranger.delete(f"/api/v1/auth/tokens/{listed[0]['id']}/").status_code == 404
    assert owner.delete(f"/api/v1/auth/tokens/{listed[0]['id']}/").status_code == 204
    assert me(tenant_client, key) in REFUSED and me(tenant_client, other) == 200


def test_a_new_password_or_a_lock_ends_every_token(tenant_client, login_client):
    key = token_for(tenant_client("harbin"), "hrb_bureau").json()["token"]
    client = login_client("harbin", "hrb_bureau")
    form = {"old_password": DEMO_PASSWORD, "new_password1": "Harbin#2027", "new_password2": "Harbin#2027"}
    assert client.post("/accounts/password/", form).status_code == 302
    assert me(tenant_client, key) in REFUSED
    key = token_for(tenant_client("harbin"), "hrb_bureau", password="Harbin#2027").json()["token"]
    user = get_user_model().objects.get(username="hrb_bureau")
    user.is_active = False  # an administrator locks the account
    user.save()
    user.is_active = True
    user.save()
    assert me(tenant_client, key) in REFUSED  # revoked, not merely refused while inactive


def test_the_account_area_lists_and_revokes_my_tokens(tenant_client, login_client):
    from shared_apps.accounts.models import ApiToken

    key = token_for(tenant_client("harbin"), "hrb_bureau", label="数据同步").json()["token"]
    other = token_for(tenant_client("harbin"), "hrb_finance").json()["token"]
    page = login_client("harbin", "hrb_bureau")
    html = page.get("/accounts/security/").content.decode()
    assert "数据同步" in html and key[:8] in html and other[:8] not in html
    theirs = ApiToken.objects.get(prefix=other[:8]).pk
    assert page.post("/accounts/security/", {"action": "revoke", "token": theirs}).status_code == 404
    mine = ApiToken.objects.get(prefix=key[:8]).pk
    assert page.post("/accounts/security/", {"action": "revoke", "token": mine}).status_code == 302
    assert me(tenant_client, key) in REFUSED and me(tenant_client, other) == 200


def test_a_person_creates_a_token_for_an_integration_after_reentering_the_password(login_client, tenant_client):
    page = login_client("harbin", "hrb_bureau")
    form = {"action": "create", "token-label": "统计报表系统", "token-days": "90"}
    wrong = page.post("/accounts/security/", {**form, "token-password": "Wrong#Pass1"})
    assert wrong.status_code == 400 and wrong.context["form"].errors == {"password": ["密码不正确。"]}
    assert SecurityEvent.objects.filter(kind="login_failed", identifier="hrb_bureau").exists()  # counted
    bad_days = page.post("/accounts/security/", {**form, "token-days": "3650", "token-password": DEMO_PASSWORD})
    assert bad_days.status_code == 400 and "days" in bad_days.context["form"].errors
    made = page.post("/accounts/security/", {**form, "token-password": DEMO_PASSWORD})
    assert made.status_code == 200 and made["Cache-Control"].startswith("max-age=0")
    key = made.context["new_key"]
    assert key in made.content.decode()
    assert me(tenant_client, key) == 200  # no captcha at the API: the person proved themselves on the page
    from shared_apps.accounts.models import ApiToken

    token = ApiToken.objects.get(prefix=key[:8])
    assert token.label == "统计报表系统" and 89 <= (token.expires_at - timezone.now()).days <= 90
    assert key not in page.get("/accounts/security/").content.decode()  # shown once


def test_sign_out_everywhere_ends_other_sessions_and_every_token(login_client, tenant_client):
    key = token_for(tenant_client("harbin"), "hrb_finance").json()["token"]
    other_device = login_client("harbin", "hrb_finance")
    assert other_device.get("/workbench/").status_code == 200
    here = login_client("harbin", "hrb_finance")
    response = here.post("/accounts/security/", {"action": "sign_out_everywhere"})
    assert response.status_code == 302
    assert here.get("/workbench/").status_code == 200  # the device that pressed the button stays signed in
    assert other_device.get("/workbench/")["Location"].startswith("/accounts/login/")
    assert me(tenant_client, key) in REFUSED
    assert SecurityEvent.objects.filter(kind="signed_out_all", identifier="hrb_finance", detail="tokens 1").exists()
