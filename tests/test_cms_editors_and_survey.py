"""Editors are confined to their tenant's Wagtail; the needs survey is stored per tenant, exported as XLSX, and
gates the national registration review."""

import io
import itertools

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from cms.models import ArticlePage, ColumnIndexPage, SurveyPage, SurveySubmission
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.workflow import services as workflow
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError

pytestmark = pytest.mark.django_db
User = get_user_model()

ANSWERS = {
    "企业名称": "示例调研精密机械有限公司",
    "所在市": "苏州市",
    "企业类型": "私营企业",
    "统一社会信用代码": "91320500MADY00001X",
}


def _form(**by_label) -> dict:
    """Survey answers keyed by the field names Wagtail derives from the question labels."""
    from wagtail.contrib.forms.utils import get_field_clean_name

    return {get_field_clean_name(label): value for label, value in {**ANSWERS, **by_label}.items()}


SURVEY = _form()


# --- Editors ----------------------------------------------------------------------------------------------------
def test_editor_rights_come_from_their_own_tenant_group(login_client, tenant_schema):
    editor = User.objects.get(username="hrb_editor")
    assert set(editor.groups.values_list("name", flat=True)) == {"harbin·editors"}
    assert not User.objects.get(username="hrb_enterprise").groups.exists()
    with tenant_schema("harbin"):
        index = ColumnIndexPage.objects.get(column="notices")
        article = ArticlePage.objects.child_of(index).first()
    harbin = login_client("harbin", "hrb_editor")
    assert harbin.get(f"/cms/pages/{article.pk}/edit/").status_code == 200
    assert harbin.get(f"/cms/pages/add/cms/articlepage/{index.pk}/").status_code == 200
    # Harbin's editor group has no rights in Jiangmen's schema, and the Jiangmen host refuses the person outright.
    with tenant_schema("jiangmen"):
        from wagtail.models import GroupPagePermission

        assert not GroupPagePermission.objects.filter(group__name="harbin·editors").exists()
        assert GroupPagePermission.objects.filter(group__name="jiangmen·editors").exists()
    jiangmen = login_client("jiangmen", "hrb_editor")
    assert jiangmen.get(f"/cms/pages/{article.pk}/edit/").status_code == 403
    assert jiangmen.get("/cms/documents/").status_code == 403
    assert login_client("harbin", "hrb_enterprise").get(f"/cms/pages/{article.pk}/edit/").status_code == 403


def test_editor_publishes_a_notice_through_the_cms(login_client, tenant_schema, tenant_client):
    with tenant_schema("harbin"):
        index = ColumnIndexPage.objects.get(column="notices")
    response = login_client("harbin", "hrb_editor").post(
        f"/cms/pages/add/cms/articlepage/{index.pk}/",
        {
            "title": "哈尔滨编辑发布的新通知",
            "slug": "editor-notice",
            "date": "2026-11-21",
            "issuer": "哈尔滨市工业和信息化局",
            "kind": "text",
            "summary": "",
            "body": '{"blocks":[{"key":"a","type":"unstyled","depth":0,"text":"通知正文","inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
            "attachments-MIN_NUM_FORMS": "0",
            "attachments-MAX_NUM_FORMS": "1000",
            "action-publish": "action-publish",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "哈尔滨编辑发布的新通知" in tenant_client("harbin").get("/notices/").content.decode()
    assert "哈尔滨编辑发布的新通知" not in tenant_client("jiangmen").get("/notices/").content.decode()
    # A city editor is not offered the nationwide switch.
    form = login_client("harbin", "hrb_editor").get(f"/cms/pages/add/cms/articlepage/{index.pk}/")
    assert 'name="nationwide"' not in form.content.decode()


def test_losing_the_editor_role_leaves_the_group(tenant_schema):
    user = User.objects.create_user("hrb_temp_editor", mobile="13966660077", password="x")
    with tenant_schema("harbin"):
        membership = Membership.objects.create(user=user, roles=["editor"])
        assert user.groups.filter(name="harbin·editors").exists()
        membership.roles = ["enterprise"]
        membership.save()
    assert not user.groups.exists()


# --- Survey -----------------------------------------------------------------------------------------------------
def test_survey_page_asks_the_seed_questions(tenant_client):
    html = tenant_client("national").get("/survey/").content.decode()
    assert "推荐试点企业需求调研表" in html
    for text in ("企业名称", "所在市", "企业类型", "统一社会信用代码"):
        assert text in html
    for option in ("私营企业", "外资企业", "集体所有制企业", "国有企业", "股份制企业", "港、澳、台企业", "合资企业"):
        assert f'value="{option}"' in html
    assert tenant_client("harbin").get("/survey/").status_code == 404  # Harbin's preset has no survey


def test_survey_rejects_bad_answers_with_field_messages(tenant_client, tenant_schema):
    client = tenant_client("national")
    response = client.post("/survey/", _form(统一社会信用代码="12345", 企业类型=""))
    html = response.content.decode()
    assert response.status_code == 200 and "统一社会信用代码应为 18 位数字或大写字母" in html
    assert 'class="field has-error"' in html and "示例调研精密机械有限公司" in html  # answers kept
    with tenant_schema("national"):
        assert not SurveySubmission.objects.filter(company_name="示例调研精密机械有限公司").exists()


def test_survey_submission_is_stored_per_tenant_and_exported_as_xlsx(tenant_client, login_client, tenant_schema):
    response = tenant_client("national").post("/survey/", SURVEY)
    assert response.status_code == 200 and "提交成功" in response.content.decode()
    with tenant_schema("national"):
        submission = SurveySubmission.objects.get(uscc="91320500MADY00001X")
        assert submission.company_name == "示例调研精密机械有限公司"
        page = SurveyPage.objects.get()
    with tenant_schema("harbin"):
        assert not SurveySubmission.objects.filter(uscc="91320500MADY00001X").exists()

    export = login_client("national", "nat_editor").get(f"/cms/forms/submissions/{page.pk}/", {"export": "xlsx"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert "企业类型" in rows[0]
    assert any("示例调研精密机械有限公司" in row and "私营企业" in row for row in rows[1:])
    assert login_client("national", "nat_enterprise").get(f"/cms/forms/submissions/{page.pk}/").status_code == 403
    assert login_client("national", "hrb_editor").get(f"/cms/forms/submissions/{page.pk}/").status_code == 403


# --- The registration gate --------------------------------------------------------------------------------------
_MOBILES = itertools.count(1)


def _registration_under_review(schema: str, uscc: str, username: str) -> Application:
    user = User.objects.create_user(username, mobile=f"1397777{next(_MOBILES):04d}", password="x")
    organisation = Organisation.objects.create(kind="enterprise", name=f"{username} 有限公司", uscc=uscc)
    Membership.objects.create(user=user, roles=["enterprise"], organisation=organisation)
    application = workflow.application_create(
        kind="certification", applicant=user, title=f"{organisation.name} 注册认证", organisation=organisation
    )
    return workflow.application_submit(application=application, actor=user)


def _ops(schema: str) -> Membership:
    username = {"national": "nat_ops", "harbin": "hrb_bureau"}[schema]
    return Membership.objects.get(user__username=username)


def test_national_registration_review_fails_until_the_survey_is_answered(tenant_schema, tenant_client):
    with tenant_schema("national"):
        application = _registration_under_review("national", "91320500MADY00001X", "nat_gate_user")
        task = application.tasks.get(state="open")
        with pytest.raises(DomainError, match="尚未填写需求调研表"):
            workflow.task_decide(task_id=task.pk, membership=_ops("national"), action="approve")
        # Returning or rejecting stays possible.
        assert [r.passed for r in workflow.stage_checks(Application.objects.get(pk=application.pk))] == [False]
    assert tenant_client("national").post("/survey/", SURVEY).status_code == 200
    with tenant_schema("national"):
        decided = workflow.task_decide(task_id=task.pk, membership=_ops("national"), action="approve")
    assert decided.state == Application.State.APPROVED


def test_the_survey_counts_when_sent_by_the_applicants_account(tenant_schema, login_client):
    with tenant_schema("national"):
        application = _registration_under_review("national", "91320500MADY000021", "nat_gate_account")
        task = application.tasks.get(state="open")
    client = login_client("national", "nat_gate_account")
    answers = _form(统一社会信用代码="91320500MADY000990")  # typed a different code
    detail = client.get(f"/workbench/applications/{application.pk}/").content.decode()
    assert "尚未填写需求调研表" in detail and 'href="/survey/"' in detail
    assert client.post("/survey/", answers).status_code == 200
    with tenant_schema("national"):
        decided = workflow.task_decide(task_id=task.pk, membership=_ops("national"), action="approve")
    assert decided.state == Application.State.APPROVED


def test_reviewer_sees_the_failing_check_and_a_clear_message(tenant_schema, login_client):
    with tenant_schema("national"):
        application = _registration_under_review("national", "91320500MADY000034", "nat_gate_web")
    ops = login_client("national", "nat_ops")
    page = ops.get(f"/workbench/applications/{application.pk}/").content.decode()
    assert 'id="checks"' in page and "✘ 已填写需求调研表" in page
    response = ops.post(f"/workbench/applications/{application.pk}/", {"do": "decide", "action": "approve"})
    assert response.status_code == 400 and "尚未填写需求调研表" in response.content.decode()


def test_other_tenants_review_without_a_survey_requirement(tenant_schema):
    with tenant_schema("harbin"):
        application = _registration_under_review("harbin", "91230100MA0HN00001", "hrb_gate_user")
        task = application.tasks.get(state="open")
        decided = workflow.task_decide(task_id=task.pk, membership=_ops("harbin"), action="approve")
    assert decided.state == Application.State.APPROVED


def test_registration_done_page_asks_for_the_survey_until_it_is_answered(tenant_schema, login_client, tenant_client):
    with tenant_schema("national"):
        _registration_under_review("national", "91320500MADY000047", "nat_gate_done")
    client = login_client("national", "nat_gate_done")
    page = client.get("/register/done/").content.decode()
    assert "尚未填写需求调研表" in page and 'href="/survey/"' in page
    tenant_client("national").post("/survey/", _form(统一社会信用代码="91320500MADY000047"))
    assert "尚未填写需求调研表" not in client.get("/register/done/").content.decode()
