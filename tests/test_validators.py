"""USCC check digits and mainland mobiles, checked by one module everywhere: forms, the API and the directory import."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation
from stdnum.cn import uscc as stdnum_uscc

from tenant_apps.organisations.models import Membership, Organisation
from tenants.errors import DomainError
from tenants.validators import mobile_validator, uscc_normalise, uscc_validator

User = get_user_model()

VALID = "91110108551385082Q"  # a real-format code with its GB 32100 check digit
WRONG_CHECK_DIGIT = "91110108551385082A"  # the same code with the last character mistyped: passed the old regex
FORMAT_MESSAGE = "统一社会信用代码应为 18 位数字或大写字母。"
CHECK_MESSAGE = "统一社会信用代码校验位不正确，请核对。"
MOBILE_MESSAGE = "请输入以 1 开头的 11 位手机号码（第二位为 3–9）。"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (VALID, None),
        ("91110000600037341L", None),
        (VALID.lower(), None),  # normalised before it is checked
        ("9111 0108 5513 8508 2Q", None),
        ("N2330106MF00000010", None),  # letters are allowed in the first two places (rural collectives)
        (WRONG_CHECK_DIGIT, CHECK_MESSAGE),
        ("91110108551385082", FORMAT_MESSAGE),  # 17 characters
        ("9111010855138508IQ", FORMAT_MESSAGE),  # I is not in the alphabet
        ("9111A108551385082Q", FORMAT_MESSAGE),  # the region code is digits
    ],
)
@translation.override("zh-hans")
def test_uscc_validator(value, message):
    if message is None:
        uscc_validator(value)
        assert uscc_normalise(value) == value.replace(" ", "").upper()
    else:
        with pytest.raises(ValidationError) as raised:
            uscc_validator(value)
        assert raised.value.messages == [message]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("13812345678", True),
        ("19912345678", True),
        ("138123456789", False),  # 12 digits
        ("1381234567", False),  # 10 digits
        ("12812345678", False),  # no 12x mobile range
        ("10012345678", False),
        ("23812345678", False),
        ("1381234567a", False),
    ],
)
@translation.override("zh-hans")
def test_mobile_validator(value, valid):
    if valid:
        mobile_validator(value)
    else:
        with pytest.raises(ValidationError, match="第二位为 3–9"):
            mobile_validator(value)


# --- Through the forms ------------------------------------------------------------------------------------------
JOIN = {"role": "provider", "agree": "on", "company_name": "校验测试数字科技有限公司", "company_contact_name": "赵经理"}


@pytest.mark.django_db
def test_registration_company_step_refuses_a_wrong_check_digit_and_stores_lowercase_normalised(
    login_client, tenant_schema
):
    client = login_client("jiangmen", "hrb_enterprise")
    refused = client.post("/register/", {**JOIN, "company_uscc": WRONG_CHECK_DIGIT})
    assert refused.status_code == 400 and CHECK_MESSAGE in refused.content.decode()
    short = client.post("/register/", {**JOIN, "company_uscc": VALID[:17]})
    assert short.status_code == 400 and FORMAT_MESSAGE in short.content.decode()
    with tenant_schema("jiangmen"):
        assert not Organisation.objects.filter(name=JOIN["company_name"]).exists()

    accepted = client.post("/register/", {**JOIN, "company_uscc": " " + VALID.lower()[:9] + " " + VALID.lower()[9:]})
    assert accepted.status_code == 302
    with tenant_schema("jiangmen"):
        assert Organisation.objects.get(name=JOIN["company_name"]).uscc == VALID


CERTIFICATION = {
    "cert-company_name": "哈尔滨校验位测试有限公司",
    "cert-founded_on": "2016-05-01",
    "cert-contact_name": "刘经理",
    "cert-contact_phone": "0451-88886666",
    "cert-registered_capital": "300.00",
    "cert-email": "liu@example.com",
    "cert-headcount": "40",
    "cert-region": "黑龙江省哈尔滨市松北区",
    "cert-address": "松北区示例路10号",
    "cert-website": "",
    "cert-introduction": "电气装备制造企业。",
}


@pytest.mark.django_db
def test_certification_form_checks_the_digit_and_normalises(login_client, tenant_schema):
    user = User.objects.create_user("hrb_check_digit", mobile="13966661234", password="Cert#2026x")
    with tenant_schema("harbin"):
        from tenant_apps.configuration.models import Industry

        Membership.objects.create(user=user, roles=["enterprise"])
        form = {**CERTIFICATION, "cert-industry": str(Industry.objects.get(code="electrical-equipment").pk)}
    client = login_client("harbin", user.username)
    refused = client.post("/workbench/enterprise/", {**form, "cert-uscc": WRONG_CHECK_DIGIT})
    assert refused.status_code == 400 and CHECK_MESSAGE in refused.content.decode()
    assert client.post("/workbench/enterprise/", {**form, "cert-uscc": VALID.lower()}).status_code == 302
    with tenant_schema("harbin"):
        assert Organisation.objects.get(name=CERTIFICATION["cert-company_name"]).uscc == VALID


@pytest.mark.django_db
@pytest.mark.parametrize("mobile", ["138222212345", "12822221234"])
def test_sub_account_form_refuses_implausible_mobiles(login_client, mobile):
    form = {
        "username": "nat_mobile_check",
        "name": "李采购",
        "mobile": mobile,
        "new_password1": "Buyer#2026",
        "new_password2": "Buyer#2026",
        "menu_permissions": ["marketplace"],
    }
    response = login_client("national", "nat_enterprise").post("/workbench/accounts/", form)
    assert response.status_code == 400 and MOBILE_MESSAGE in response.content.decode()
    assert not User.objects.filter(username="nat_mobile_check").exists()


# --- Through the API --------------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("mobile", ["138222212345", "12822221234"])
def test_sub_account_api_answers_a_field_level_400_for_implausible_mobiles(login_client, mobile):
    body = {"username": "api_mobile_check", "name": "王五", "mobile": mobile, "password": "ApiSub#2026"}
    response = login_client("national", "nat_enterprise").post(
        "/api/v1/organisation/sub-accounts/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert MOBILE_MESSAGE in response.json()["errors"]["mobile"]
    assert not User.objects.filter(username="api_mobile_check").exists()


@pytest.mark.django_db
def test_registration_api_refuses_a_12x_mobile(tenant_client):
    from captcha.models import CaptchaStore

    key = CaptchaStore.generate_key()
    body = {
        "role": "enterprise",
        "username": "api_mobile_12x",
        "mobile": "12911110005",
        "password": "Api#Harbin1",
        "captcha_hashkey": key,
        "captcha_code": CaptchaStore.objects.get(hashkey=key).response,
    }
    response = tenant_client("harbin").post("/api/v1/registration/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"]["mobile"] == [MOBILE_MESSAGE]
    assert not User.objects.filter(username="api_mobile_12x").exists()


# --- Through the directory import -------------------------------------------------------------------------------
HEADER = "name,uscc,region,registered_address,industry_section\n"


@pytest.mark.django_db
@translation.override("zh-hans")
def test_directory_import_refuses_a_bad_row_naming_its_line(tmp_path):
    from shared_apps.directory.models import CompanyRecord
    from shared_apps.directory.services import directory_import

    before = CompanyRecord.objects.count()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"甲公司,{VALID},北京,地址,制造业\n乙公司,{WRONG_CHECK_DIGIT},北京,地址,制造业\n", "utf-8")
    with pytest.raises(DomainError) as raised:
        directory_import(bad)
    assert raised.value.code == "directory.invalid_row"
    assert raised.value.message == f"第 3 行：{WRONG_CHECK_DIGIT}：{CHECK_MESSAGE}"
    assert CompanyRecord.objects.count() == before  # nothing of the file was loaded

    twice = tmp_path / "twice.csv"
    twice.write_text(HEADER + f"甲公司,{VALID},北京,地址,制造业\n甲公司二,{VALID.lower()},北京,地址,制造业\n", "utf-8")
    with pytest.raises(DomainError, match="第 3 行.*与第 2 行重复"):
        directory_import(twice)

    good = tmp_path / "good.csv"
    good.write_text(HEADER + f"甲公司,{VALID.lower()},北京,地址,制造业\n", "utf-8")
    assert directory_import(good) == 1
    assert CompanyRecord.objects.get(uscc=VALID).name == "甲公司"


def test_shipped_demo_identifiers_pass_the_check_digit():
    from shared_apps.directory.services import DEMO_CSV

    rows = DEMO_CSV.read_text("utf-8").splitlines()[1:]
    codes = [row.split(",")[1] for row in rows]
    assert codes and all(stdnum_uscc.is_valid(code) for code in codes)
    presets = Path(__file__).resolve().parent.parent / "tenants" / "presets"
    for path in presets.glob("*.toml"):
        for code in re.findall(r'uscc = "([^"]*)"', path.read_text("utf-8")):
            assert stdnum_uscc.is_valid(code), (path.name, code)
