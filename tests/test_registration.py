"""Registration per tenant, shaped by configuration: Harbin (account + captcha), national (two steps with a
server-side draft), Jiangmen (mobile as account, company lookup); joining another city with the same identity."""

import json
import re

import pytest
from captcha.models import CaptchaStore
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from shared_apps.accounts.models import SmsCode, SmsMessage
from tenant_apps.onboarding.models import RegistrationDraft
from tenant_apps.organisations.models import Membership, Organisation
from tests.registration import code_sent_to

pytestmark = pytest.mark.django_db
User = get_user_model()


def register(client, captcha, data, *, code=None):
    """Fill the form, press 获取验证码 (mobile + image captcha), read the SMS, press 注册."""
    html = client.get("/register/").content.decode()
    sent = client.post("/register/", {**data, **captcha(html, None), "action": "sms_send"})
    if "mobile" in data and not SmsMessage.objects.filter(mobile=data["mobile"]).exists():
        return sent  # the send step refused (its message is on the page)
    code = code or code_sent_to(data["mobile"])
    return client.post("/register/", {**data, "mobile_code": code, "code_sent": "1", "action": "register"})


HARBIN_FORM = {
    "role": "enterprise",
    "username": "hrb_newcomer",
    "mobile": "13911110001",
    "new_password1": "Harbin#2026",
    "new_password2": "Harbin#2026",
    "agree": "on",
}


def test_harbin_enterprise_registers_with_captcha_and_is_signed_in(tenant_client, captcha, tenant_schema):
    client = tenant_client("harbin")
    page = client.get("/register/").content.decode()
    assert 'name="captcha_1"' in page and 'name="role"' in page and 'type="hidden"' in page
    response = register(client, captcha, HARBIN_FORM)
    assert response.status_code == 302 and response["Location"] == "/register/done/"
    user = User.objects.get(username="hrb_newcomer")
    assert user.mobile == "13911110001" and user.check_password("Harbin#2026")
    with tenant_schema("harbin"):
        assert Membership.objects.get(user=user).roles == ["enterprise"]
    with tenant_schema("jiangmen"):
        assert not Membership.objects.filter(user=user).exists()
    assert client.get("/workbench/").status_code == 200


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"new_password1": "harbin2026", "new_password2": "harbin2026"},
            "至少包含数字、大写字母、小写字母、特殊字符中的 3 类",
        ),
        ({"new_password2": "Harbin#2027"}, "两次输入的密码不一致"),
        ({"agree": ""}, "请阅读并同意服务协议和隐私政策"),
        ({"mobile": "1391111000"}, "11 位手机号码"),
        ({"mobile": "13800000201"}, "该手机号已注册"),  # hrb_enterprise's mobile
        ({"username": "hrb_enterprise"}, "该用户名已被使用"),
        ({"username": "abc"}, "6–30 位字母、数字或下划线"),
        ({"new_password1": "Hrb_newcomer#1", "new_password2": "Hrb_newcomer#1"}, "密码不能包含用户名"),
    ],
)
def test_bad_registration_input_gets_a_field_message(tenant_client, captcha, changes, message):
    response = register(tenant_client("harbin"), captcha, {**HARBIN_FORM, **changes})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(mobile="13911110001").exists()


def test_national_two_steps_with_a_draft_restored_on_another_browser(tenant_client, captcha, tenant_schema):
    first = tenant_client("national")
    form = {**HARBIN_FORM, "role": "provider", "username": "nat_newprovider", "mobile": "13911110002"}
    assert register(first, captcha, form)["Location"] == "/register/profile/"
    page = first.get("/register/profile/").content.decode()
    assert "服务商背景信息" in page and "核心解决方案" in page and "企业背景信息" not in page

    draft = {"name": "示例数字科技有限公司", "background__core_solutions": "设备联网与质量追溯", "uscc": ""}
    saved = first.put("/api/v1/registration/draft/", json.dumps({"data": draft}), content_type="application/json")
    assert saved.status_code == 200

    second = tenant_client("national")  # another browser: sign in again
    second.force_login(User.objects.get(username="nat_newprovider"))
    page = second.get("/register/profile/").content.decode()
    assert 'value="示例数字科技有限公司"' in page and "设备联网与质量追溯" in page and "已恢复上次填写的内容" in page

    incomplete = second.post("/register/profile/", {"name": "示例数字科技有限公司"})
    assert incomplete.status_code == 400
    assert "该字段是必填项" in incomplete.content.decode()
    with tenant_schema("national"):
        assert RegistrationDraft.objects.filter(user__username="nat_newprovider").exists()

    complete = {
        "name": "示例数字科技有限公司",
        "uscc": "91110000MA0000999R",
        "contact_name": "王工",
        "contact_mobile": "13911110002",
        "background__service_scope": "工业设备联网",
        "background__core_solutions": "设备联网与质量追溯",
        "background__headcount": "85",
        "background__service_industries": ["装备制造", "电子信息"],
        "background__revenue_y1": "1234.50",
    }
    assert second.post("/register/profile/", complete)["Location"] == "/register/done/"
    with tenant_schema("national"):
        organisation = Organisation.objects.get(uscc="91110000MA0000999R")
        assert organisation.kind == "provider" and organisation.certification == "pending"
        assert organisation.profile["background"]["headcount"] == 85
        assert organisation.profile["background"]["service_industries"] == ["装备制造", "电子信息"]
        assert organisation.profile["background"]["revenue_y1"] == "1234.50"
        assert not RegistrationDraft.objects.filter(user__username="nat_newprovider").exists()
    assert "认证审核中" in second.get("/register/done/").content.decode()


def test_jiangmen_provider_registers_with_mobile_as_account_and_company_lookup(tenant_client, captcha, tenant_schema):
    client = tenant_client("jiangmen")
    found = client.get("/api/v1/directory/companies/", {"q": "江门智能"}).json()
    assert found[0]["name"] == "江门示例智能装备有限公司" and found[0]["uscc"] == "91440700MA00003108"
    page = client.get("/register/").content.decode()
    assert 'name="username"' not in page and "data-company-lookup" in page
    form = {
        "role": "provider",
        "mobile": "13911110003",
        "new_password1": "Jiangmen#20261",
        "new_password2": "Jiangmen#20261",
        "agree": "on",
        "company_name": found[0]["name"],
        "company_uscc": found[0]["uscc"],
        "company_region": found[0]["region"],
        "company_address": "新会区今古洲示例路18号之二",  # edited after the lookup filled it
        "company_industry_section": found[0]["industry_section"],
        "company_contact_name": "梁经理",
    }
    assert register(client, captcha, form)["Location"] == "/register/done/"
    assert User.objects.get(mobile="13911110003").username == "13911110003"
    with tenant_schema("jiangmen"):
        organisation = Organisation.objects.get(uscc="91440700MA00003108")
        assert (organisation.kind, organisation.certification) == ("provider", "pending")
        assert organisation.address == "新会区今古洲示例路18号之二" and organisation.contact_name == "梁经理"
    again = register(tenant_client("jiangmen"), captcha, {**form, "mobile": "13911110004"})
    assert again.status_code == 400 and "该统一社会信用代码已注册" in again.content.decode()


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("江门数字", "江门示例数字科技有限公司"),
        ("鹤山 食品", "鹤山示例食品有限公司"),
        ("示例电机", "台山示例电机有限公司"),
    ],
)
def test_company_lookup_is_fuzzy(tenant_client, query, first):
    results = tenant_client("jiangmen").get("/api/v1/directory/companies/", {"q": query}).json()
    assert results[0]["name"] == first


def test_company_lookup_needs_two_characters(tenant_client):
    assert tenant_client("jiangmen").get("/api/v1/directory/companies/", {"q": "江"}).json() == []


def test_a_harbin_identity_joins_jiangmen_with_the_same_credentials(login_client, tenant_schema):
    client = login_client("jiangmen", "hrb_enterprise")
    assert client.get("/workbench/").status_code == 403
    page = client.get("/register/").content.decode()
    assert "加入本城市平台" in page and 'name="new_password1"' not in page
    form = {
        "role": "provider",
        "agree": "on",
        "company_name": "哈尔滨示例电气装备有限公司江门分公司",
        "company_uscc": "91440700MA0000777T",
        "company_contact_name": "赵经理",
    }
    assert client.post("/register/", form)["Location"] == "/register/done/"
    assert client.get("/workbench/").status_code == 200
    user = User.objects.get(username="hrb_enterprise")
    with tenant_schema("jiangmen"):
        assert Membership.objects.get(user=user).roles == ["provider"]
    with tenant_schema("harbin"):
        assert Membership.objects.get(user=user).roles == ["enterprise"]


def api_code(client, mobile: str):
    key = CaptchaStore.generate_key()
    answer = {"captcha_hashkey": key, "captcha_code": CaptchaStore.objects.get(hashkey=key).response}
    return client.post(
        "/api/v1/registration/mobile-code/", {"mobile": mobile, **answer}, content_type="application/json"
    )


def test_registration_api_proves_the_mobile_and_answers_with_structured_errors(tenant_client):
    client = tenant_client("harbin")
    body = {
        "role": "enterprise",
        "username": "api_newcomer",
        "mobile": "13911110005",
        "password": "Api#Harbin1",
        "agree": True,
    }
    no_captcha = client.post(
        "/api/v1/registration/mobile-code/", {"mobile": "13911110005"}, content_type="application/json"
    )
    assert no_captcha.status_code == 400 and "captcha_code" in no_captcha.json()["errors"]
    assert api_code(client, "13911110005").status_code == 202
    code = code_sent_to("13911110005")
    no_code = client.post("/api/v1/registration/", body, content_type="application/json")
    assert no_code.status_code == 400 and "mobile_code" in no_code.json()["errors"]
    weak = client.post(
        "/api/v1/registration/", {**body, "password": "weak", "mobile_code": code}, content_type="application/json"
    )
    assert weak.status_code == 400 and "密码长度须为 8–18 位。" in weak.json()["errors"]["password"]
    created = client.post("/api/v1/registration/", {**body, "mobile_code": code}, content_type="application/json")
    assert created.status_code == 201 and created.json() == {"username": "api_newcomer", "roles": ["enterprise"]}
    again = client.post(
        "/api/v1/registration/",
        {**body, "username": "api_second", "mobile_code": code},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["code"] == "auth.expired"  # spent: one code, one account
    wrong_role = tenant_client("jiangmen").post(
        "/api/v1/registration/", {**body, "mobile": "13911110007", "mobile_code": code}, content_type="application/json"
    )
    assert wrong_role.status_code == 400


def test_no_account_without_the_code_from_the_sms(tenant_client, captcha):
    client = tenant_client("harbin")
    html = client.get("/register/").content.decode()
    # Pressing 注册 at once: the code is asked for, the captcha is not (it guards the SMS).
    response = client.post("/register/", {**HARBIN_FORM, "action": "register"})
    assert response.status_code == 400 and "请先点击“获取验证码”" in response.content.decode()
    sent = client.post("/register/", {**HARBIN_FORM, **captcha(html, None), "action": "sms_send"})
    page = sent.content.decode()
    assert sent.status_code == 200 and "验证码已发送至 139****0001" in page and "重新获取验证码" in page
    assert 'value="hrb_newcomer"' in page  # what was typed stays
    wrong = client.post("/register/", {**HARBIN_FORM, "mobile_code": "000000", "action": "register"})
    if code_sent_to("13911110001") == "000000":  # one in a million: make the guess wrong
        wrong = client.post("/register/", {**HARBIN_FORM, "mobile_code": "000001", "action": "register"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert not User.objects.filter(mobile="13911110001").exists()
    assert SmsCode.objects.get(mobile="13911110001").failed_attempts == 1


def test_the_send_step_needs_the_image_captcha_and_a_valid_mobile(tenant_client, captcha):
    client = tenant_client("harbin")
    html = client.get("/register/").content.decode()
    solved = captcha(html, None)
    wrong = client.post("/register/", {**HARBIN_FORM, **solved, "captcha_1": "wrong", "action": "sms_send"})
    assert wrong.status_code == 400 and "图形验证码不正确" in wrong.content.decode()
    assert not SmsMessage.objects.filter(mobile="13911110001").exists()
    html = client.get("/register/").content.decode()
    bad = client.post("/register/", {**HARBIN_FORM, **captcha(html, None), "mobile": "1391111", "action": "sms_send"})
    assert bad.status_code == 400 and "11 位手机号码" in bad.content.decode()
    assert not SmsMessage.objects.exists() or not SmsMessage.objects.filter(mobile="1391111").exists()


def test_a_registered_mobile_is_named_only_to_whoever_holds_the_phone(tenant_client, captcha):
    """Sending answers the same for a registered mobile; a wrong code says only that the code is wrong."""
    client = tenant_client("harbin")
    taken = {**HARBIN_FORM, "mobile": "13800000201"}  # hrb_enterprise's mobile
    html = client.get("/register/").content.decode()
    sent = client.post("/register/", {**taken, **captcha(html, None), "action": "sms_send"})
    assert sent.status_code == 200 and "验证码已发送至 138****0201" in sent.content.decode()
    code = code_sent_to("13800000201")
    guess = "000000" if code != "000000" else "111111"
    wrong = client.post("/register/", {**taken, "mobile_code": guess, "action": "register"}).content.decode()
    assert "验证码不正确" in wrong and "该手机号已注册" not in wrong
    right = client.post("/register/", {**taken, "mobile_code": code, "action": "register"}).content.decode()
    assert "该手机号已注册" in right


def test_a_sign_in_code_does_not_register(tenant_client, captcha):
    client = tenant_client("harbin")
    html = client.get("/accounts/login/?mode=sms").content.decode()
    client.post(
        "/accounts/login/",
        {"mode": "sms", "action": "sms_send", "send-mobile": "13911110001", **captcha(html, "send")},
    )
    code = code_sent_to("13911110001")
    response = client.post("/register/", {**HARBIN_FORM, "mobile_code": code, "action": "register"})
    assert response.status_code == 400 and "验证码已失效" in response.content.decode()
    assert not User.objects.filter(mobile="13911110001").exists()


def test_enter_in_any_field_registers_rather_than_resending(tenant_client):
    html = tenant_client("harbin").get("/register/").content.decode()
    form = html[html.index('id="register-form"') :]
    first_submit = re.search(r'<button type="submit"[^>]*>', form).group(0)
    assert 'value="register"' in first_submit


def test_draft_api_isolation(tenant_client, login_client):
    assert tenant_client("national").get("/api/v1/registration/draft/").status_code == 403
    assert login_client("jiangmen", "nat_enterprise").get("/api/v1/registration/draft/").status_code == 403
    mine = login_client("national", "nat_enterprise")
    mine.put("/api/v1/registration/draft/", json.dumps({"data": {"name": "甲"}}), content_type="application/json")
    other = login_client("national", "nat_provider")
    assert other.get("/api/v1/registration/draft/").json()["data"] == {}
    assert mine.get("/api/v1/registration/draft/").json()["data"] == {"name": "甲"}
    too_big = {"data": {f"k{n}": "x" * 2000 for n in range(40)}}
    response = mine.put("/api/v1/registration/draft/", json.dumps(too_big), content_type="application/json")
    assert response.status_code == 400


def test_registration_is_closed_where_no_role_may_register(tenant_client, tenant_schema):
    from tenant_apps.configuration.models import TenantSettings

    with tenant_schema("harbin"):
        TenantSettings.objects.update(registration_roles=[])
    assert tenant_client("harbin").get("/register/").status_code == 404


def test_directory_import_command(tmp_path):
    from shared_apps.directory.models import CompanyRecord

    good = tmp_path / "companies.csv"
    good.write_text(
        "name,uscc,region,registered_address,industry_section\n测试导入有限公司,91440700MA000T0015,江门,地址,制造业\n",
        encoding="utf-8",
    )
    call_command("import_company_directory", str(good))
    assert CompanyRecord.objects.get(uscc="91440700MA000T0015").name == "测试导入有限公司"
    call_command("import_company_directory", str(good), "--replace")
    assert CompanyRecord.objects.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("name,uscc\nx,y\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing columns"):
        call_command("import_company_directory", str(bad))
