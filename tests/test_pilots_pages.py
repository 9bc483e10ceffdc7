"""入库申请 pages in Harbin (/workbench/pilots/): the enterprise adds an admission, fills the five sections and saves
(the draft survives a new session), submits; the defect rules refuse at the field they are about (a project ending
the day after Harbin's pilot period, levels going down, an indicator with values but no name), a warning (Harbin's
short content rule is not blocking) lets the submission through; refusals of who may apply are notices, another
enterprise's admission is 404, the bureau's pilot list shows the enterprise after the engine approved it (with the
stamped scan uploaded), 我的企业 shows the status, and the admissions list costs the same queries for 1 and 15 rows.

Organisations are made certified, in one of Harbin's pilot industries, through the ORM; the review runs through the
engine's services."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenant_apps.configuration.models import Industry
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.pilots import admissions
from tenant_apps.pilots.models import Admission, AdmissionProject, PilotEnterprise
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Application, Task
from tests.test_market_orders import pdf_bytes

pytestmark = pytest.mark.django_db
User = get_user_model()
HARBIN = "harbin"
HOME = "/workbench/pilots/"
GOOD_CONTENT = (
    "对冲压车间 32 台设备加装数据采集终端并部署 MES 系统，实现设备联网、生产报工和质量追溯，设备综合效率提升 15%。"
)


# --- The world: enterprises of a pilot industry (certified), one of another industry, one not certified ---------------
def _enterprise(tag: str, industry, *, certified: bool = True) -> Membership:
    digits = str(abs(hash(tag)) % 10**6).zfill(6)
    organisation = Organisation.objects.create(
        kind=Organisation.Kind.ENTERPRISE,
        name=f"哈尔滨{tag}装备制造有限公司",
        uscc=f"91230100MA{digits}{tag.upper()[:2].ljust(2, 'X')}",
        certification=Organisation.Certification.CERTIFIED if certified else Organisation.Certification.NONE,
        industry=industry,
        region="黑龙江省哈尔滨市南岗区",
        address="学府路 1 号",
        contact_name="王联系",
        contact_mobile=f"1391{digits}1",
        profile={"legal_rep": "张法人", "headcount": 120, "revenue_last_year": "5200.50", "core_products": "电机"},
    )
    user = User.objects.create_user(f"adm_{tag}", mobile=f"1392{digits}1", password="Pilots#2026x")
    return Membership.objects.create(user=user, organisation=organisation, roles=["enterprise"])


@pytest.fixture
def world(tenant_schema):
    with tenant_schema(HARBIN):
        pilot_industry = Industry.objects.filter(is_pilot=True).order_by("position", "id").first()
        other_industry = Industry.objects.create(code="pilot-pages-retail", name="批发零售业", is_pilot=False)
        yield SimpleNamespace(
            pilot_industry=pilot_industry,
            a=_enterprise("ea", pilot_industry),
            b=_enterprise("eb", pilot_industry),
            retail=_enterprise("ec", other_industry),
            uncertified=_enterprise("ed", pilot_industry, certified=False),
            bureau=Membership.objects.select_related("organisation").get(user__username="hrb_bureau"),
        )


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def near(html: str, name: str) -> str:
    """What the page draws for the field `name` (its block and the notes under it), up to the next field."""
    start = html.index(f'data-field="{name}"')
    following = html.find('data-field="', start + 1)
    return html[start : following if following != -1 else len(html)]


def project(**extra) -> dict:
    return {
        "name": "冲压车间设备联网与数据采集改造",
        "starts_on": "2025-01-01",
        "ends_on": "2026-06-30",
        "content": GOOD_CONTENT,
        "investment": "120.50",
        "level_before": "1",
        "level_after": "3",
        "indicators": [{"name": "设备联网率", "unit": "%", "before": "20", "after": "85"}],
        **extra,
    }


def form_data(version: int, *, do: str = "save", needs=None, projects=None, files=None, **extra) -> dict:
    """The form as the page posts it: sections 一/四/五, the needs and projects formsets (each project with its
    indicators formset) and an empty extra row where the page draws one."""
    data = {
        "version": str(version),
        "do": do,
        "region": "黑龙江省哈尔滨市南岗区",
        "address": "学府路 1 号",
        "legal_rep": "张法人",
        "contact_name": "王联系",
        "contact_mobile": "13912345678",
        "employees": "120",
        "revenue_last_year": "5200.50",
        "main_products": "中小型电机、电气控制柜",
        "benchmark": "yes",
        **extra,
    }
    needs = (
        [{"kind": "生产制造", "description": "设备数据无法采集，生产过程不透明", "analysis": "缺少设备联网"}]
        if needs is None
        else needs
    )
    projects = [project()] if projects is None else projects
    rows = [*needs, {}]  # an untouched extra row, as the page draws it
    data.update({"needs-TOTAL_FORMS": str(len(rows)), "needs-INITIAL_FORMS": "0"})
    for i, row in enumerate(rows):
        for key in ("kind", "description", "analysis"):
            data[f"needs-{i}-{key}"] = row.get(key, "")
    rows = [*projects, {}]
    data.update({"projects-TOTAL_FORMS": str(len(rows)), "projects-INITIAL_FORMS": "0"})
    for i, row in enumerate(rows):
        for key in ("name", "starts_on", "ends_on", "content", "investment", "level_before", "level_after"):
            data[f"projects-{i}-{key}"] = row.get(key, "")
        indicators = [*row.get("indicators", []), {}]
        data.update(
            {
                f"projects-{i}-indicators-TOTAL_FORMS": str(len(indicators)),
                f"projects-{i}-indicators-INITIAL_FORMS": "0",
            }
        )
        for j, indicator in enumerate(indicators):
            for key in ("name", "unit", "before", "after"):
                data[f"projects-{i}-indicators-{j}-{key}"] = indicator.get(key, "")
    data.update(files or {})
    return data


def evidence() -> dict:
    return {
        "audit_report": SimpleUploadedFile("2024年度审计报告.pdf", pdf_bytes(), content_type="application/pdf"),
        "credit_report": SimpleUploadedFile("信用报告.pdf", pdf_bytes(), content_type="application/pdf"),
    }


def start(client) -> Admission:
    response = client.post(f"{HOME}new/")
    assert response.status_code == 302, response.content.decode()[:500]
    admission = Admission.objects.select_related("application").get(
        pk=int(response["Location"].rstrip("/").split("/")[-1])
    )
    assert response["Location"] == f"{HOME}{admission.pk}/"
    return admission


def version(admission: Admission) -> int:
    return Application.objects.get(pk=admission.application_id).version


def submit(client, admission: Admission, **kwargs):
    return client.post(f"{HOME}{admission.pk}/", form_data(version(admission), do="submit", **kwargs), follow=True)


# --- Filling and saving ------------------------------------------------------------------------------------------------
def test_enterprise_adds_fills_and_saves_and_the_draft_survives_a_new_session(world, login_client):
    client = login_client(HARBIN, world.a.user.username)
    home = client.get(HOME).content.decode()
    assert 'id="add-admission"' in home and f'action="{HOME}new/"' in home
    admission = start(client)
    assert start(client).pk == admission.pk  # 添加 again leads to the same draft
    page = client.get(f"{HOME}{admission.pk}/").content.decode()
    # The registered identity is read-only with its note; the rest is prefilled from registration.
    company = near(page, "company_name")
    assert "disabled" in company and world.a.organisation.name in company and "此信息来自企业注册和认证信息" in company
    assert "disabled" not in near(page, "legal_rep") and 'value="张法人"' in near(page, "legal_rep")
    assert "一、基本情况" in page and "二、数字化改造需求" in page and "三、数字化改造情况及成效" in page
    assert "四、其他情况" in page and "五、相关佐证材料" in page
    assert 'name="needs-0-kind"' in page and 'name="needs-1-kind"' in page  # empty rows without a script
    assert 'name="projects-0-indicators-1-name"' in page and "data-row-template" in page
    assert "data-upload" in near(page, "audit_report") and "PDF、JPG、PNG" in near(page, "audit_report")
    assert f'name="version" value="{version(admission)}"' in page

    data = form_data(version(admission), files={"audit_report": evidence()["audit_report"]}, legal_rep="李法人")
    saved = client.post(f"{HOME}{admission.pk}/", data)
    assert saved.status_code == 302 and saved["Location"] == f"{HOME}{admission.pk}/"

    # Signed out and in again: everything is there, the fixed fields unchanged, the file named.
    again = login_client(HARBIN, world.a.user.username).get(f"{HOME}{admission.pk}/").content.decode()
    assert 'value="李法人"' in near(again, "legal_rep")
    assert world.a.organisation.name in near(again, "company_name")
    assert "设备数据无法采集，生产过程不透明" in again and 'value="冲压车间设备联网与数据采集改造"' in again
    assert 'value="设备联网率"' in again and 'value="2026-06-30"' in near(again, "projects-0-ends_on")
    assert "已上传：2024年度审计报告.pdf" in near(again, "audit_report")
    assert "尚未上传" in near(again, "credit_report")
    assert re.search(r'value="yes"[^>]*checked', near(again, "benchmark"))
    stored = Admission.objects.get(pk=admission.pk)
    assert stored.basic["legal_rep"] == "李法人" and stored.basic["company_name"] == world.a.organisation.name
    assert stored.needs.count() == 1 and stored.projects.get().indicators.count() == 1 and stored.benchmark is True
    assert Application.objects.get(pk=admission.application_id).state == Application.State.DRAFT

    # Saving the same rows again keeps them (no row is mistaken for an untouched extra row); 删除 drops a row.
    data = form_data(
        version(admission),
        needs=[
            {"kind": "经营管理", "description": "财务与业务数据割裂"},
            {"kind": "生产制造", "description": "设备数据无法采集，生产过程不透明"},
        ],
    )
    data["needs-0-DELETE"] = "on"
    assert client.post(f"{HOME}{admission.pk}/", data).status_code == 302
    assert list(stored.needs.values_list("kind", flat=True)) == ["生产制造"]
    assert stored.projects.count() == 1


def test_a_stale_form_is_refused_with_a_message_and_keeps_what_was_typed(world, login_client):
    client = login_client(HARBIN, world.a.user.username)
    admission = start(client)
    old = version(admission)
    assert client.post(f"{HOME}{admission.pk}/", form_data(old)).status_code == 302
    stale = client.post(f"{HOME}{admission.pk}/", form_data(old, legal_rep="赵法人"))
    html = stale.content.decode()
    assert stale.status_code == 409 and "该申请已有新的进展" in html and 'value="赵法人"' in html
    assert Admission.objects.get(pk=admission.pk).basic["legal_rep"] == "张法人"


def test_a_refused_save_shows_the_message_at_its_field_and_keeps_the_rest(world, login_client):
    client = login_client(HARBIN, world.a.user.username)
    admission = start(client)
    bad = form_data(version(admission), projects=[project(investment="12.345")])
    response = client.post(f"{HOME}{admission.pk}/", bad)
    html = response.content.decode()
    assert response.status_code == 400
    assert "项目投资须为不小于 0 的金额" in near(html, "projects-0-investment")
    assert 'value="冲压车间设备联网与数据采集改造"' in html and "设备数据无法采集" in html
    assert not AdmissionProject.objects.filter(admission=admission).exists()


# --- Submitting: missing items and the defect rules -----------------------------------------------------------------
def test_submit_lists_what_is_missing_next_to_each_field(world, login_client):
    client = login_client(HARBIN, world.a.user.username)
    admission = start(client)
    response = submit(client, admission, needs=[], projects=[], legal_rep="", benchmark="")
    html = response.content.decode()
    assert response.status_code == 200 and response.redirect_chain[-1][0].endswith("?check=1#problems")
    assert 'id="problems"' in html and "草稿已保存，但还不能提交" in html
    assert "请填写法定代表人" in near(html, "legal_rep")
    assert "请至少填写一项数字化改造需求" in html and "请至少填写一个数字化改造项目" in html
    assert "请选择是否愿意参与标杆样板打造" in near(html, "benchmark")
    assert "请上传上年度审计报告" in near(html, "audit_report") and "请上传信用中国企业信用信息报告" in near(
        html, "credit_report"
    )
    assert Application.objects.get(pk=admission.application_id).state == Application.State.DRAFT


def test_a_project_ending_after_the_pilot_period_is_refused_at_its_end_date_then_accepted(world, login_client):
    client = login_client(HARBIN, world.a.user.username)
    admission = start(client)
    late = submit(client, admission, projects=[project(ends_on="2026-07-01")], files=evidence())
    html = late.content.decode()
    assert late.status_code == 200 and late.redirect_chain[-1][0].startswith(f"{HOME}{admission.pk}/?check=1")
    message = "项目1的周期超出试点期（2024-07-01 至 2026-06-30）"
    assert message in near(html, "projects-0-ends_on") and "is-error" in near(html, "projects-0-ends_on")
    assert message not in near(html, "projects-0-starts_on")
    # Nothing typed is lost: the draft holds the late date, the files are uploaded.
    assert 'value="2026-07-01"' in near(html, "projects-0-ends_on")
    assert AdmissionProject.objects.get(admission=admission).ends_on == datetime.date(2026, 7, 1)
    assert "已上传：信用报告.pdf" in near(html, "credit_report")
    assert Application.objects.get(pk=admission.application_id).state == Application.State.DRAFT

    accepted = submit(client, admission, projects=[project(ends_on="2026-06-30")])  # the files are kept
    application = Application.objects.get(pk=admission.application_id)
    assert application.state == Application.State.IN_REVIEW
    assert accepted.redirect_chain[-1][0] == f"/workbench/applications/{application.pk}/"
    assert "入库申请已提交" in accepted.content.decode()
    inbox = login_client(HARBIN, "hrb_bureau").get("/workbench/inbox/").content.decode()
    assert application.title in inbox and f"/workbench/applications/{application.pk}/" in inbox
    # Once in review the form is read-only and leads to the engine's page.
    view = client.get(f"{HOME}{admission.pk}/").content.decode()
    assert 'id="admission-form"' not in view and 'id="read-only-note"' in view
    assert f'href="/workbench/applications/{application.pk}/"' in view and "冲压车间设备联网与数据采集改造" in view
    refused = client.post(f"{HOME}{admission.pk}/", form_data(application.version, legal_rep="改不了"))
    assert refused.status_code == 302 and Admission.objects.get(pk=admission.pk).basic["legal_rep"] == "张法人"


def test_levels_going_down_are_refused_at_the_level_after(world, login_client):
    client = login_client(HARBIN, world.a.user.username)
    admission = start(client)
    html = submit(
        client, admission, projects=[project(level_before="3", level_after="2")], files=evidence()
    ).content.decode()
    assert "项目1改造前的数字化水平高于改造后" in near(html, "projects-0-level_after")
    assert Application.objects.get(pk=admission.application_id).state == Application.State.DRAFT


def test_an_indicator_with_values_but_no_name_is_refused_at_its_name(world, login_client):
    client = login_client(HARBIN, world.a.user.username)
    admission = start(client)
    nameless = project(
        indicators=[
            {"name": "设备联网率", "unit": "%", "before": "20", "after": "85"},
            {"unit": "%", "before": "10", "after": "40"},
        ]
    )
    html = submit(client, admission, projects=[nameless], files=evidence()).content.decode()
    assert "项目1的第 2 个成效指标填写了数值，请填写指标名称" in near(html, "projects-0-indicators-1-name")
    assert 'value="40"' in near(html, "projects-0-indicators-1-after")
    assert Application.objects.get(pk=admission.application_id).state == Application.State.DRAFT


def test_a_short_content_is_only_a_warning_in_harbin(world, login_client):
    client = login_client(HARBIN, world.a.user.username)
    admission = start(client)
    check = client.get(f"{HOME}{admission.pk}/?check=1")  # before submitting: what submission would say
    assert check.status_code == 200
    response = submit(client, admission, projects=[project(content="上线 MES 系统")], files=evidence())
    application = Application.objects.get(pk=admission.application_id)
    assert application.state == Application.State.IN_REVIEW
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/workbench/applications/{application.pk}/"
    assert "形式审查提示" in html and "项目1的改造内容过于简单（至少 30 个字）" in html


def test_the_check_page_shows_warnings_in_amber_next_to_the_field(world, login_client):
    client = login_client(HARBIN, world.a.user.username)
    admission = start(client)
    client.post(
        f"{HOME}{admission.pk}/",
        form_data(version(admission), projects=[project(content="上线 MES 系统", ends_on="2026-07-01")]),
    )
    html = client.get(f"{HOME}{admission.pk}/?check=1").content.decode()
    content = near(html, "projects-0-content")
    assert "is-warning" in content and "改造内容过于简单" in content and "is-error" not in content
    assert "is-error" in near(html, "projects-0-ends_on")


# --- Who may apply, and whose admission ---------------------------------------------------------------------------
def test_refusals_of_who_may_apply_are_notices_never_errors(world, login_client):
    retail = login_client(HARBIN, world.retail.user.username)
    home = retail.get(HOME)
    html = home.content.decode()
    assert home.status_code == 200 and 'id="admission-refusal"' in html and "不在试点行业范围内" in html
    assert 'id="add-admission"' not in html
    refused = retail.post(f"{HOME}new/")
    assert refused.status_code == 403 and "不在试点行业范围内" in refused.content.decode()
    uncertified = login_client(HARBIN, world.uncertified.user.username).post(f"{HOME}new/")
    assert uncertified.status_code == 403 and "尚未通过企业认证" in uncertified.content.decode()
    assert not Admission.objects.filter(
        organisation__in=[world.retail.organisation, world.uncertified.organisation]
    ).exists()
    assert retail.get(f"{HOME}new/").status_code == 302  # a GET only leads back to the hub


def test_another_enterprises_admission_is_404(world, login_client, tenant_client):
    admission = start(login_client(HARBIN, world.a.user.username))
    other = login_client(HARBIN, world.b.user.username)
    assert other.get(f"{HOME}{admission.pk}/").status_code == 404
    assert other.get(f"{HOME}{admission.pk}/?check=1").status_code == 404
    assert other.post(f"{HOME}{admission.pk}/", form_data(version(admission), legal_rep="外人")).status_code == 404
    assert other.get(f"{HOME}999999/").status_code == 404
    assert Admission.objects.get(pk=admission.pk).basic["legal_rep"] == "张法人"
    assert world.a.organisation.name not in other.get(HOME).content.decode()
    anonymous = tenant_client(HARBIN).get(f"{HOME}{admission.pk}/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert login_client("jiangmen", "jm_provider").get(HOME).status_code == 404  # the module is off in Jiangmen


# --- Approval through the engine: the bureau's pilot list and 我的企业 --------------------------------------------------
def _decide(application: Application, membership: Membership, action: str = "approve") -> None:
    task = Task.objects.get(application=application, state=Task.State.OPEN)
    engine.task_decide(task_id=task.pk, membership=membership, action=action, opinion="同意。")


def test_the_bureau_sees_the_pilot_after_approval_and_the_enterprise_its_status(world, login_client):
    client = login_client(HARBIN, world.a.user.username)
    admission = start(client)
    submit(client, admission, files=evidence())
    application = Application.objects.get(pk=admission.application_id)
    assert application.state == Application.State.IN_REVIEW
    bureau_client = login_client(HARBIN, "hrb_bureau")
    before = bureau_client.get(HOME).content.decode()
    assert world.a.organisation.name not in before and 'id="admission-awaiting"' in before

    _decide(application, world.bureau)  # 市工信局审核
    task = Task.objects.get(application=application, state=Task.State.OPEN)
    scan = SimpleUploadedFile("盖章申报表.pdf", pdf_bytes(), content_type="application/pdf")
    engine.stage_upload(task_id=task.pk, membership=world.a, upload=scan)  # 上传盖章申报表
    _decide(application, world.bureau)  # 盖章件审核
    application.refresh_from_db()
    assert application.state == Application.State.APPROVED
    pilot = PilotEnterprise.objects.get(organisation=world.a.organisation)

    today = timezone.localdate().isoformat()
    listing = bureau_client.get(HOME).content.decode()
    assert 'id="pilots"' in listing
    row = listing[listing.index(f'data-pilot="{pilot.pk}"') :]
    row = row[: row.index("</tr>")]
    assert world.a.organisation.name in row and world.pilot_industry.name in row and today in row
    assert f'href="/workbench/applications/{application.pk}/"' in row

    home = text(client.get(HOME).content.decode())
    assert "您的单位已是本市试点企业" in home and f"入库日期 {today}" in home
    assert 'id="add-admission"' not in client.get(HOME).content.decode()
    mine = text(client.get("/workbench/enterprise/").content.decode())
    assert f"试点企业 · 入库日期 {today}" in mine
    assert "试点状态" not in text(
        login_client(HARBIN, world.b.user.username).get("/workbench/enterprise/").content.decode()
    )
    # The enterprise does not see the bureau's list.
    assert 'id="pilots"' not in client.get(HOME).content.decode()
    assert admissions.pilot_of(world.b.organisation) is None


# --- Bounded lists ---------------------------------------------------------------------------------------------------
def _rejected_admissions(member: Membership, n: int) -> None:
    for i in range(n):
        application = Application.objects.create(
            kind=admissions.KIND,
            title=f"{member.organisation.name} 试点企业入库申请（{i}）",
            applicant=member.user,
            organisation=member.organisation,
            state=Application.State.REJECTED,
        )
        Admission.objects.create(organisation=member.organisation, application=application, created_by=member.user)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_admissions_list_costs_the_same_for_one_and_fifteen_rows(world, login_client):
    _rejected_admissions(world.a, 1)
    _rejected_admissions(world.b, 15)
    one_client = login_client(HARBIN, world.a.user.username)
    one_client.get(HOME)  # the first page of the test fills the per-tenant caches (profile, menu row)
    one = _queries(one_client, HOME)
    many_client = login_client(HARBIN, world.b.user.username)
    many_client.get(HOME)  # as above: each client's first page also starts its session
    fifteen = _queries(many_client, HOME)
    assert one == fifteen, (one, fifteen)
    assert many_client.get(HOME).content.decode().count("data-admission=") == 15
