"""Certification through the engine, in the workbench and over the API, with inbox isolation."""

import pytest
from django.contrib.auth import get_user_model

from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.workflow.models import Application

pytestmark = pytest.mark.django_db
User = get_user_model()

FORM = {
    "cert-company_name": "哈尔滨新认证装备有限公司",
    "cert-founded_on": "2015-03-18",
    "cert-uscc": "91230100MA000C001F",
    "cert-industry": "",
    "cert-contact_name": "刘经理",
    "cert-contact_phone": "0451-88886666",
    "cert-registered_capital": "500.00",
    "cert-email": "liu@example.com",
    "cert-headcount": "120",
    "cert-region": "黑龙江省哈尔滨市松北区",
    "cert-address": "松北区示例路9号",
    "cert-website": "",
    "cert-introduction": "电气装备制造企业。",
}


@pytest.fixture
def newcomer(tenant_schema):
    """A Harbin enterprise account without an organisation yet (as registration leaves it)."""
    from tenant_apps.configuration.models import Industry

    user = User.objects.create_user("hrb_cert_user", mobile="13966660001", password="Cert#2026x")
    with tenant_schema("harbin"):
        Membership.objects.create(user=user, roles=["enterprise"])
        industry = Industry.objects.get(code="electrical-equipment").pk
    return user, {**FORM, "cert-industry": str(industry)}


def test_enterprise_submits_bureau_approves_enterprise_is_certified(login_client, newcomer, tenant_schema):
    user, form = newcomer
    enterprise = login_client("harbin", user.username)
    assert enterprise.post("/workbench/enterprise/", form).status_code == 302
    page = enterprise.get("/workbench/enterprise/").content.decode()
    assert "认证审核中" in page and 'id="certification-form"' not in page

    bureau = login_client("harbin", "hrb_bureau")
    home = bureau.get("/workbench/").content.decode()
    assert "哈尔滨新认证装备有限公司 企业认证" in home
    with tenant_schema("harbin"):
        application = Application.objects.get(title="哈尔滨新认证装备有限公司 企业认证")
    detail = bureau.get(f"/workbench/applications/{application.pk}/").content.decode()
    assert "91230100MA000C001F" in detail and 'id="decide"' in detail
    assert (
        bureau.post(f"/workbench/applications/{application.pk}/", {"do": "decide", "action": "approve"}).status_code
        == 302
    )

    page = enterprise.get("/workbench/enterprise/").content.decode()
    assert "已认证" in page and "松北区示例路9号" in page
    with tenant_schema("harbin"):
        organisation = Organisation.objects.get(uscc="91230100MA000C001F")
        assert organisation.certification == "certified" and organisation.industry.code == "electrical-equipment"


def test_returned_certification_is_fixed_and_resubmitted(login_client, newcomer, tenant_schema):
    user, form = newcomer
    enterprise = login_client("harbin", user.username)
    enterprise.post("/workbench/enterprise/", form)
    with tenant_schema("harbin"):
        application = Application.objects.get(applicant=user)
    bureau = login_client("harbin", "hrb_bureau")
    refused = bureau.post(f"/workbench/applications/{application.pk}/", {"do": "decide", "action": "return"})
    assert refused.status_code == 400 and "请填写审核意见" in refused.content.decode()
    opinion = "试点行业不明确，请补充加盖公章的说明。"
    bureau.post(f"/workbench/applications/{application.pk}/", {"do": "decide", "action": "return", "opinion": opinion})
    page = enterprise.get("/workbench/enterprise/").content.decode()
    assert opinion in page and 'id="certification-form"' in page and 'value="哈尔滨新认证装备有限公司"' in page
    assert enterprise.post("/workbench/enterprise/", {**form, "cert-headcount": "130"}).status_code == 302
    with tenant_schema("harbin"):
        application.refresh_from_db()
        assert application.state == "in_review"
        assert list(application.log.values_list("action", flat=True)) == ["submit", "return", "resubmit"]
        assert application.certification_request.headcount == 130


def test_applicant_withdraws_then_reedits(login_client, newcomer, tenant_schema):
    user, form = newcomer
    enterprise = login_client("harbin", user.username)
    enterprise.post("/workbench/enterprise/", form)
    with tenant_schema("harbin"):
        application = Application.objects.get(applicant=user)
    assert enterprise.post(f"/workbench/applications/{application.pk}/", {"do": "withdraw"}).status_code == 302
    detail = enterprise.get(f"/workbench/applications/{application.pk}/").content.decode()
    assert "已撤销" in detail and "修改后重新提交" in detail
    assert 'id="certification-form"' in enterprise.get("/workbench/enterprise/").content.decode()


def test_national_registration_profile_starts_certification_reviewed_by_ops(login_client, tenant_schema):
    user = User.objects.create_user("nat_cert_user", mobile="13966660002", password="Cert#2026x")
    with tenant_schema("national"):
        membership = Membership.objects.create(user=user, roles=["provider"])
        from tenant_apps.onboarding.services import registration_profile_submit

        core = {
            "name": "国家认证测试服务商",
            "uscc": "91110000MA0000C002",
            "industry": None,
            "region": "",
            "address": "",
            "contact_name": "钱",
            "contact_mobile": "13966660002",
            "email": "",
        }
        registration_profile_submit(membership=membership, core=core, profile={})
        application = Application.objects.get(applicant=user)
        assert application.kind == "certification" and application.tasks.get(state="open").role == "ops"
    assert (
        "国家认证测试服务商 注册认证" in login_client("national", "nat_ops").get("/workbench/inbox/").content.decode()
    )


def test_inbox_filters_pagination_and_constant_queries(login_client, tenant_schema, django_assert_max_num_queries):
    from tenant_apps.workflow import services

    bureau = login_client("harbin", "hrb_bureau")
    with tenant_schema("harbin"):
        applicant = User.objects.get(username="hrb_enterprise")

        def submit(title):
            application = services.application_create(kind="admission", applicant=applicant, title=title)
            services.application_submit(application=application, actor=applicant)

        submit("入库申请 甲")
    with django_assert_max_num_queries(40) as one:
        bureau.get("/workbench/inbox/")
    first = len(one.captured_queries)
    with tenant_schema("harbin"):
        for n in range(24):
            submit(f"入库申请 {n:02d}")
    with django_assert_max_num_queries(first):
        page = bureau.get("/workbench/inbox/").content.decode()
    assert page.count('data-application="') == 20 and "1/2" in page
    filtered = bureau.get("/workbench/inbox/", {"name": "甲"}).content.decode()
    assert filtered.count('data-application="') == 1
    assert (
        bureau.get("/workbench/inbox/", {"applicant": "不存在的企业"}).content.decode().count('data-application="') == 0
    )
    mine = login_client("harbin", "hrb_enterprise").get("/workbench/inbox/", {"tab": "mine", "name": "甲"})
    assert mine.content.decode().count('data-application="') == 1


def test_inbox_and_applications_are_isolated(login_client, newcomer, tenant_schema):
    user, form = newcomer
    login_client("harbin", user.username).post("/workbench/enterprise/", form)
    with tenant_schema("harbin"):
        application = Application.objects.get(applicant=user)
    # Another organisation in the same city, a reviewer of another role, a person of another city, anonymous.
    assert login_client("harbin", "hrb_enterprise").get(f"/workbench/applications/{application.pk}/").status_code == 404
    assert login_client("harbin", "hrb_finance").get(f"/workbench/applications/{application.pk}/").status_code == 404
    assert login_client("jiangmen", "jm_bureau").get(f"/workbench/applications/{application.pk}/").status_code == 404
    assert "哈尔滨新认证装备有限公司" not in login_client("jiangmen", "jm_bureau").get("/workbench/").content.decode()
    finance_tasks = login_client("harbin", "hrb_finance").get("/api/v1/tasks/").json()["results"]
    assert application.pk not in [task["application"]["id"] for task in finance_tasks]  # (the demo's tranche is)
    assert login_client("harbin", "hrb_bureau").get("/api/v1/tasks/").json()["count"] >= 1


def test_decisions_over_the_api(login_client, newcomer, tenant_schema):
    user, form = newcomer
    enterprise = login_client("harbin", user.username)
    enterprise.post("/workbench/enterprise/", form)
    bureau = login_client("harbin", "hrb_bureau")
    task = next(
        t
        for t in bureau.get("/api/v1/tasks/").json()["results"]
        if t["application"]["title"].startswith("哈尔滨新认证")
    )
    bad = bureau.post(f"/api/v1/tasks/{task['id']}/decide/", {"action": "reject"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "workflow.opinion_required"
    assert "请填写审核意见" in bad.json()["errors"]["opinion"][0]
    assert (
        login_client("harbin", "hrb_finance")
        .post(f"/api/v1/tasks/{task['id']}/decide/", {"action": "approve"}, content_type="application/json")
        .status_code
        == 404
    )
    done = bureau.post(f"/api/v1/tasks/{task['id']}/decide/", {"action": "approve"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "approved"
    again = bureau.post(f"/api/v1/tasks/{task['id']}/decide/", {"action": "approve"}, content_type="application/json")
    assert again.status_code == 404  # no longer in the inbox
    detail = enterprise.get(f"/api/v1/applications/{task['application']['id']}/").json()
    assert [entry["action"] for entry in detail["log"]] == ["submit", "approve"]
    assert enterprise.get("/api/v1/applications/").json()["results"][0]["state"] == "approved"


def test_review_progress_exports_as_a_pdf_with_chinese_text(login_client, newcomer, tenant_schema):
    import io

    from pypdf import PdfReader

    user, form = newcomer
    enterprise = login_client("harbin", user.username)
    enterprise.post("/workbench/enterprise/", form)
    with tenant_schema("harbin"):
        application = Application.objects.get(applicant=user)
    opinion = "请补充加盖公章的试点行业说明。"
    bureau = login_client("harbin", "hrb_bureau")
    bureau.post(f"/workbench/applications/{application.pk}/", {"do": "decide", "action": "return", "opinion": opinion})
    response = enterprise.get(f"/workbench/applications/{application.pk}/progress.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = "".join(page.extract_text() for page in pages).replace("\n", "")  # table cells wrap lines
    for expected in ["哈尔滨新认证装备有限公司 企业认证", "市工信局审核", "退回修改", opinion, "hrb_bureau"]:
        assert expected in text
    assert (
        login_client("harbin", "hrb_enterprise")
        .get(f"/workbench/applications/{application.pk}/progress.pdf")
        .status_code
        == 404
    )


def test_my_applications_rows_offer_withdraw_and_re_edit(login_client, newcomer, tenant_schema):
    user, form = newcomer
    enterprise = login_client("harbin", user.username)
    enterprise.post("/workbench/enterprise/", form)
    with tenant_schema("harbin"):
        application = Application.objects.get(applicant=user)
    mine = enterprise.get("/workbench/inbox/?tab=mine").content.decode()
    assert 'name="do" value="withdraw"' in mine and "重新编辑" not in mine
    enterprise.post(f"/workbench/applications/{application.pk}/", {"do": "withdraw"})
    mine = enterprise.get("/workbench/inbox/?tab=mine").content.decode()
    assert 'value="withdraw"' not in mine and "重新编辑" in mine
