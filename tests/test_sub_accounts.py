"""Sub-accounts of a certified organisation (seed 001): rules, masking, menu permissions that really gate."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from tenant_apps.organisations.models import Membership, Organisation

pytestmark = pytest.mark.django_db
User = get_user_model()

NEW = {
    "username": "nat_sub_buyer",
    "name": "李采购",
    "mobile": "13822221234",
    "email": "buyer@example.com",
    "new_password1": "Buyer#2026",
    "new_password2": "Buyer#2026",
    "menu_permissions": ["marketplace"],
}


@pytest.fixture(autouse=True)
def _fresh_attempt_budgets():
    """The attempt budget lives in the cache, which no transaction rolls back: these tests spend nat_enterprise's, so
    each starts and ends with none spent (other modules create sub-accounts as that identity too)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def create(captcha):
    """`create(client, **changes)` → the workbench form as a person submits it: open the page, read the captcha."""

    def post(client, **changes):
        html = client.get("/workbench/accounts/").content.decode()
        return client.post("/workbench/accounts/", {**NEW, **captcha(html, None), **changes})

    return post


def test_main_account_creates_a_sub_account_listed_with_a_masked_mobile(login_client, tenant_schema, create):
    client = login_client("national", "nat_enterprise")
    assert create(client).status_code == 302
    html = client.get("/workbench/accounts/").content.decode()
    assert "nat_sub_buyer" in html and "李采购" in html and "138****1234" in html and "13822221234" not in html
    with tenant_schema("national"):
        sub = Membership.objects.get(user__username="nat_sub_buyer")
        assert sub.is_sub_account and sub.roles == ["enterprise"] and sub.menu_permissions == ["marketplace"]
        assert sub.organisation.name == "示例精密制造股份有限公司"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "short"}, "6–30 位字母、数字或下划线"),
        ({"username": "has-dash-name"}, "6–30 位字母、数字或下划线"),
        ({"username": "nat_provider"}, "该用户名已被使用"),
        ({"mobile": "23822221234"}, "以 1 开头的 11 位手机号码"),
        ({"mobile": "1382222123"}, "以 1 开头的 11 位手机号码"),
        ({"mobile": "13800000101"}, "该手机号已被其他账号使用"),  # the main account's own mobile
        ({"new_password1": "buyer2026", "new_password2": "buyer2026"}, "3 类"),
        ({"new_password1": "Nat_sub_buyer#1", "new_password2": "Nat_sub_buyer#1"}, "密码不能包含用户名"),
        ({"menu_permissions": ["admission"]}, "选择一个有效的选项"),  # not a module of the national platform
    ],
)
def test_sub_account_rules(login_client, changes, message, create):
    response = create(login_client("national", "nat_enterprise"), **changes)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_menu_permissions_gate_the_menu_pages_and_apis(login_client, tenant_schema, create):
    create(login_client("national", "nat_enterprise"))
    sub = login_client("national", "nat_sub_buyer")
    html = sub.get("/workbench/").content.decode()
    assert 'data-module="marketplace"' in html and 'data-module="vouchers"' not in html
    assert 'data-module="sub-accounts"' not in html
    assert sub.get("/workbench/m/marketplace/")["Location"] == "/workbench/market/"  # the module's own pages
    assert sub.get("/workbench/market/").status_code == 200 and sub.get("/workbench/market/orders/").status_code == 200
    assert sub.get("/workbench/m/vouchers/").status_code == 403
    assert sub.get("/api/v1/modules/marketplace/").status_code == 200
    assert sub.get("/api/v1/modules/vouchers/").status_code == 403
    assert sub.get("/api/v1/me/").json()["menu"] == ["marketplace"]
    main = login_client("national", "nat_enterprise")
    assert main.get("/api/v1/modules/vouchers/").status_code == 200
    # Granting vouchers opens it at once.
    with tenant_schema("national"):
        pk = Membership.objects.get(user__username="nat_sub_buyer").pk
    form = {"action": "edit", "mobile": "13822221234", "email": "", "menu_permissions": ["marketplace", "vouchers"]}
    assert main.post(f"/workbench/accounts/{pk}/", form).status_code == 302
    assert login_client("national", "nat_sub_buyer").get("/api/v1/modules/vouchers/").status_code == 200


def test_module_api_404_when_off_and_403_for_roles_that_do_not_use_it(login_client):
    assert login_client("harbin", "hrb_enterprise").get("/api/v1/modules/marketplace/").status_code == 404
    assert login_client("harbin", "hrb_finance").get("/api/v1/modules/admission/").status_code == 403
    assert login_client("harbin", "hrb_bureau").get("/api/v1/modules/admission/").status_code == 200


def test_edit_mobile_and_email_reset_password_and_delete(login_client, tenant_schema, create):
    main = login_client("national", "nat_enterprise")
    create(main)
    with tenant_schema("national"):
        pk = Membership.objects.get(user__username="nat_sub_buyer").pk
    form = {"action": "edit", "mobile": "13822225678", "email": "new@example.com", "menu_permissions": []}
    assert main.post(f"/workbench/accounts/{pk}/", form).status_code == 302
    user = User.objects.get(username="nat_sub_buyer")
    assert (user.mobile, user.email) == ("13822225678", "new@example.com")
    weak = {"action": "password", "new_password1": "abc", "new_password2": "abc"}
    assert main.post(f"/workbench/accounts/{pk}/", weak).status_code == 400
    strong = {"action": "password", "new_password1": "Reset#2026x", "new_password2": "Reset#2026x"}
    assert main.post(f"/workbench/accounts/{pk}/", strong).status_code == 302
    user.refresh_from_db()
    assert user.check_password("Reset#2026x")
    assert main.post(f"/workbench/accounts/{pk}/", {"action": "delete"}).status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    with tenant_schema("national"):
        assert not Membership.objects.filter(pk=pk).exists()


def test_sub_accounts_only_for_main_accounts_of_certified_organisations(login_client, tenant_schema, create):
    create(login_client("national", "nat_enterprise"))
    assert login_client("national", "nat_sub_buyer").get("/workbench/accounts/").status_code == 403
    assert login_client("national", "nat_ops").get("/workbench/accounts/").status_code == 403  # no organisation
    with tenant_schema("national"):
        Organisation.objects.filter(name="示例工业互联网科技有限公司").update(certification="pending")
    response = create(login_client("national", "nat_provider"), username="prov_sub_one", mobile="13822229999")
    assert response.status_code == 403 and "通过认证后" in response.content.decode()
    assert not User.objects.filter(username="prov_sub_one").exists()


def test_another_organisations_sub_account_is_not_found(login_client, tenant_schema, create):
    create(login_client("national", "nat_enterprise"))
    with tenant_schema("national"):
        pk = Membership.objects.get(user__username="nat_sub_buyer").pk
    other = login_client("national", "nat_provider")
    assert other.get(f"/workbench/accounts/{pk}/").status_code == 404
    assert other.post(f"/workbench/accounts/{pk}/", {"action": "delete"}).status_code == 404
    assert other.get(f"/api/v1/organisation/sub-accounts/{pk}/").status_code == 404
    assert other.delete(f"/api/v1/organisation/sub-accounts/{pk}/").status_code == 404
    assert User.objects.get(username="nat_sub_buyer").is_active


def test_sub_account_api(login_client, tenant_client, django_assert_max_num_queries):
    main = login_client("national", "nat_enterprise")
    body = {
        "username": "api_sub_user",
        "name": "王五",
        "mobile": "13822223333",
        "password": "ApiSub#2026",
        "menu_permissions": ["vouchers"],
    }
    created = main.post("/api/v1/organisation/sub-accounts/", body, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["mobile"] == "138****3333" and created.json()["roles"] == ["enterprise"]
    pk = created.json()["id"]
    bad = main.post("/api/v1/organisation/sub-accounts/", {**body, "username": "x"}, content_type="application/json")
    assert bad.status_code == 400 and "username" in bad.json()["errors"]
    weak = {**body, "username": "api_sub_two", "mobile": "13822224444", "password": "weak"}
    assert main.post("/api/v1/organisation/sub-accounts/", weak, content_type="application/json").json()["errors"][
        "password"
    ]
    renamed = main.patch(
        f"/api/v1/organisation/sub-accounts/{pk}/", {"username": "renamed_user"}, content_type="application/json"
    )
    assert renamed.status_code == 400 and "不可修改" in renamed.json()["errors"]["username"][0]
    patched = main.patch(
        f"/api/v1/organisation/sub-accounts/{pk}/", {"email": "w5@example.com"}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["email"] == "w5@example.com"
    reset = main.post(
        f"/api/v1/organisation/sub-accounts/{pk}/password/",
        {"password": "NewSub#2026"},
        content_type="application/json",
    )
    assert reset.status_code == 204
    with django_assert_max_num_queries(25) as one:
        main.get("/api/v1/organisation/sub-accounts/")
    queries_for_one_row = len(one.captured_queries)
    for n in range(5):
        main.post(
            "/api/v1/organisation/sub-accounts/",
            {**body, "username": f"bulk_user_{n}", "mobile": f"1382223000{n}"},
            content_type="application/json",
        )
    with django_assert_max_num_queries(queries_for_one_row):  # six rows cost what one row cost
        listing = main.get("/api/v1/organisation/sub-accounts/")
    assert listing.json()["count"] == 6
    assert tenant_client("national").get("/api/v1/organisation/sub-accounts/").status_code == 403
    assert login_client("harbin", "nat_enterprise").get("/api/v1/organisation/sub-accounts/").status_code == 403
    assert (
        login_client("national", "nat_sub_buyer" if False else "nat_ops")
        .get("/api/v1/organisation/sub-accounts/")
        .status_code
        == 403
    )
    assert main.delete(f"/api/v1/organisation/sub-accounts/{pk}/").status_code == 204


def api_token_request(client, identifier, password):
    """The token endpoint as a client uses it: fetch a captcha, read it, send it with the credentials."""
    from captcha.models import CaptchaStore

    key = client.post("/api/v1/auth/captcha/").json()["captcha_key"]
    answer = CaptchaStore.objects.get(hashkey=key).response
    data = {"identifier": identifier, "password": password, "captcha_key": key, "captcha_value": answer}
    return client.post("/api/v1/auth/token/", data, content_type="application/json")


def test_token_auth_and_me(tenant_client):
    client = tenant_client("harbin")
    response = api_token_request(client, "hrb_bureau", "Pilot#2026")
    token = response.json()["token"]
    me = tenant_client("harbin", HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/me/").json()
    assert me["roles"] == ["city_bureau"] and me["mobile"] == "138****0202"
    assert "admission" in me["menu"] and "acceptance" in me["menu"]
    # The same token is the same person in Jiangmen, where they are nobody.
    assert tenant_client("jiangmen", HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/me/").status_code == 403
    wrong = api_token_request(client, "hrb_bureau", "nope")
    assert wrong.status_code == 400


# --- Enumeration: the form's image captcha and one hourly attempt budget for the form and the API ----------------
API = "/api/v1/organisation/sub-accounts/"
API_NEW = {"username": "api_free_name", "name": "王五", "mobile": "13822226666", "password": "ApiSub#2026"}


def api_create(client, **changes):
    return client.post(API, {**API_NEW, **changes}, content_type="application/json")


def test_the_form_refuses_a_missing_or_wrong_captcha_before_anything_else(login_client, captcha, settings):
    settings.PLATFORM_SUB_ACCOUNT_ATTEMPTS_PER_HOUR = 1
    main = login_client("national", "nat_enterprise")
    html = main.get("/workbench/accounts/").content.decode()
    assert 'name="captcha_1"' in html and "/captcha/image/" in html

    missing = main.post("/workbench/accounts/", NEW)
    assert missing.status_code == 400
    solved = captcha(main.get("/workbench/accounts/").content.decode(), None)
    # A taken username with a wrong answer: the captcha is refused, and nothing is said about the username.
    wrong = main.post("/workbench/accounts/", {**NEW, **solved, "captcha_1": "WRONG", "username": "nat_provider"})
    assert wrong.status_code == 400
    page = wrong.content.decode()
    assert "图形验证码不正确" in page and "该用户名已被使用" not in page
    assert 'value="nat_provider"' in page and 'value="李采购"' in page and 'value="13822221234"' in page  # as typed
    assert not User.objects.filter(username="nat_sub_buyer").exists()

    # Neither refusal spent the budget (here one attempt): a solved form still creates.
    solved = captcha(main.get("/workbench/accounts/").content.decode(), None)
    assert main.post("/workbench/accounts/", {**NEW, **solved}).status_code == 302
    assert User.objects.filter(username="nat_sub_buyer").exists()


def test_one_budget_of_20_attempts_an_hour_for_the_form_and_the_api_per_manager(login_client, create, monkeypatch):
    from tenant_apps.organisations.services import SubAccountAttemptBudget

    main = login_client("national", "nat_enterprise")
    assert create(main).status_code == 302  # a success counts: 1
    for n in range(9):  # 2–10 on the form, refused by the lookups
        response = create(main, username="nat_provider", mobile=f"1382224000{n}")
        assert response.status_code == 400 and "该用户名已被使用" in response.content.decode()
    for _ in range(5):  # 11–20 through the API, refused by either lookup
        assert api_create(main, username="nat_provider").json()["code"] == "sub_account.username_taken"
        assert api_create(main, mobile="13800000101").json()["code"] == "sub_account.mobile_taken"

    # The 21st, through the API with a taken username: 429, and not a word about the username.
    refused = api_create(main, username="nat_provider")
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "sub_account.rate_limited" and "分钟后再试" in body["message"]
    assert body["errors"] == {"non_field_errors": [body["message"]]}
    # The 22nd, on the form with a free username: the same refusal on the form, as typed, nothing created.
    form = create(main, username="nat_sub_later", mobile="13822227777")
    page = form.content.decode()
    assert form.status_code == 400 and body["message"] in page and 'value="nat_sub_later"' in page
    assert api_create(main).status_code == 429
    assert not User.objects.filter(username__in=["nat_sub_later", API_NEW["username"]]).exists()

    # Another manager's budget is their own.
    other = login_client("national", "nat_provider")
    assert api_create(other).status_code == 201

    # An hour after the first attempt, the window has room again.
    later = SubAccountAttemptBudget.timer() + 3601
    monkeypatch.setattr(SubAccountAttemptBudget, "timer", staticmethod(lambda: later))
    assert create(main, username="nat_sub_later", mobile="13822227777").status_code == 302


def test_the_budget_belongs_to_the_identity_not_the_city(login_client, tenant_schema, settings):
    """Usernames and mobiles are national: attempts a manager makes in one city count in every other."""
    from tenant_apps.organisations.services import _attempt_spend

    settings.PLATFORM_SUB_ACCOUNT_ATTEMPTS_PER_HOUR = 1
    with tenant_schema("harbin"):
        _attempt_spend(Membership(user=User.objects.get(username="nat_enterprise")))
    assert api_create(login_client("national", "nat_enterprise")).status_code == 429
    assert api_create(login_client("national", "nat_provider")).status_code == 201
