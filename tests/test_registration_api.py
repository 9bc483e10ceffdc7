"""Registration over the API asks for what the page asks for, checked by the one service: consent to the
agreement everywhere, and the company where the tenant collects it at sign-up (Jiangmen), with the page's field
rules and messages."""

import pytest
from captcha.models import CaptchaStore
from django.contrib.auth import get_user_model
from stdnum.cn import uscc

from shared_apps.accounts.models import SmsMessage
from tenant_apps.onboarding.services import registration_account_create
from tenant_apps.organisations.models import Membership, Organisation
from tenants.errors import DomainError
from tests.registration import code_sent_to, mobile_code_for

pytestmark = pytest.mark.django_db
User = get_user_model()


def valid_uscc(base: str) -> str:
    return base + uscc.calc_check_digit(base)


def api_register(client, body: dict):
    """Both API steps: the code for the mobile (bought with the image captcha), then the account with that code.
    A refused registration does not spend the code, so later attempts in a test read the one already sent."""
    if not SmsMessage.objects.filter(mobile=body["mobile"]).exists():
        key = CaptchaStore.generate_key()
        answer = {"captcha_hashkey": key, "captcha_code": CaptchaStore.objects.get(hashkey=key).response}
        sent = client.post(
            "/api/v1/registration/mobile-code/", {"mobile": body["mobile"], **answer}, content_type="application/json"
        )
        assert sent.status_code == 202, sent.json()
    code = code_sent_to(body["mobile"])
    return client.post("/api/v1/registration/", {**body, "mobile_code": code}, content_type="application/json")


JIANGMEN = {"role": "provider", "mobile": "13955550101", "password": "Jiangmen#2026x", "agree": True}
JIANGMEN_COMPANY = {
    "company_name": "江门接口注册服务商",
    "company_uscc": valid_uscc("91440700MA0000A21"),
    "company_region": "江门市蓬江区",
    "company_contact_name": "黄经理",
}
HARBIN = {"role": "enterprise", "username": "api_consent", "mobile": "13955550201", "password": "Api#Harbin1"}


def test_jiangmen_api_registration_requires_the_company(tenant_client, tenant_schema):
    client = tenant_client("jiangmen")
    missing = api_register(client, JIANGMEN)
    assert missing.status_code == 400 and missing.json()["code"] == "registration.company_invalid"
    assert "company_name" in missing.json()["errors"]
    assert not User.objects.filter(mobile=JIANGMEN["mobile"]).exists()

    bad_uscc = api_register(client, {**JIANGMEN, **JIANGMEN_COMPANY, "company_uscc": "91440700MA0000A210"})
    assert bad_uscc.status_code == 400 and "company_uscc" in bad_uscc.json()["errors"]

    created = api_register(client, {**JIANGMEN, **JIANGMEN_COMPANY})
    assert created.status_code == 201, created.json()
    user = User.objects.get(mobile=JIANGMEN["mobile"])
    with tenant_schema("jiangmen"):
        organisation = Membership.objects.select_related("organisation").get(user=user).organisation
        assert organisation.name == "江门接口注册服务商" and organisation.uscc == JIANGMEN_COMPANY["company_uscc"]
        assert organisation.kind == Organisation.Kind.PROVIDER and organisation.contact_name == "黄经理"
        assert organisation.certification == Organisation.Certification.PENDING


@pytest.mark.parametrize("schema, body", [("harbin", HARBIN), ("jiangmen", {**JIANGMEN, **JIANGMEN_COMPANY})])
def test_api_registration_requires_consent_to_the_agreement(tenant_client, schema, body):
    client = tenant_client(schema)
    absent = api_register(client, {key: value for key, value in body.items() if key != "agree"})
    assert absent.status_code == 400 and "agree" in absent.json()["errors"]
    declined = api_register(client, {**body, "agree": False})
    assert declined.status_code == 400 and declined.json()["code"] == "registration.agreement_required"
    assert declined.json()["errors"]["agree"] == ["请阅读并同意服务协议和隐私政策。"]
    assert not User.objects.filter(mobile=body["mobile"]).exists()
    created = api_register(client, {**body, "agree": True})
    assert created.status_code == 201, created.json()


def test_harbin_api_registration_needs_no_company(tenant_client, tenant_schema):
    created = api_register(tenant_client("harbin"), {**HARBIN, "agree": True, "mobile": "13955550202"})
    assert created.status_code == 201
    with tenant_schema("harbin"):
        assert Membership.objects.get(user__mobile="13955550202").organisation is None


def test_page_and_api_give_the_same_company_message(tenant_client, captcha):
    """The same bad company data, typed on the page and sent to the API, is refused with the same message."""
    bad = {**JIANGMEN_COMPANY, "company_uscc": "91440700MA0000A210"}
    api = api_register(tenant_client("jiangmen"), {**JIANGMEN, **bad}).json()["errors"]["company_uscc"]

    client = tenant_client("jiangmen")
    html = client.get("/register/").content.decode()
    form = {"role": "provider", "mobile": "13955550103", "new_password1": "Jiangmen#2026x"}
    form |= {"new_password2": "Jiangmen#2026x", "agree": "on", **bad}
    client.post("/register/", {**form, **captcha(html, None), "action": "sms_send"})
    page = client.post("/register/", {**form, "mobile_code": code_sent_to("13955550103"), "action": "register"})
    assert page.status_code == 400
    assert api[0] in page.content.decode()


def test_the_service_refuses_without_consent_whoever_calls_it(tenant_schema):
    with tenant_schema("harbin"), pytest.raises(DomainError) as refused:
        registration_account_create(
            role="enterprise",
            username="svc_no_consent",
            mobile="13955550301",
            mobile_code=mobile_code_for("13955550301"),
            password="Api#Harbin1",
            agreed=False,
        )
    assert refused.value.code == "registration.agreement_required"
    with tenant_schema("jiangmen"), pytest.raises(DomainError) as no_company:
        registration_account_create(
            role="provider",
            username=None,
            mobile="13955550302",
            mobile_code=mobile_code_for("13955550302"),
            password="Jiangmen#2026x",
            agreed=True,
        )
    assert no_company.value.code == "registration.company_invalid"
