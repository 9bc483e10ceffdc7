"""Pilot admission (issue #14, seed 002 §六): who may apply, the draft, the five defect rules at their boundaries
with Harbin's configuration (pilot period 2024-07-01 – 2026-06-30), submission through the engine, approval making a
pilot enterprise, and the generated form to stamp carrying the admission (hostile text included)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from tenant_apps.configuration.models import Industry
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.pilots import admissions, defects
from tenant_apps.pilots.models import DefectRule, PilotEnterprise
from tenant_apps.workflow import documents
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Task
from tenants.errors import DomainError

pytestmark = pytest.mark.django_db
User = get_user_model()
HARBIN = "harbin"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF"
)


def enterprise(name="哈尔滨试点申报企业", *, industry="electrical-equipment", certified=True, n=1) -> Membership:
    organisation = Organisation.objects.create(
        kind="enterprise",
        name=name,
        uscc=f"91230100MA0PILOT{n:02d}",
        certification=Organisation.Certification.CERTIFIED if certified else Organisation.Certification.NONE,
        industry=Industry.objects.filter(code=industry).first(),
        region="黑龙江省哈尔滨市",
        address="香坊区示例路1号",
        contact_name="李经理",
        contact_mobile=f"1390451{n:04d}",
    )
    user = User.objects.create_user(f"pilot_e{n}", mobile=f"1370451{n:04d}", password="Pilot#2026x")
    return Membership.objects.create(user=user, organisation=organisation, roles=["enterprise"])


def bureau() -> Membership:
    return Membership.objects.select_related("organisation").get(user__username="hrb_bureau")


BASIC = {
    "region": "黑龙江省哈尔滨市",
    "address": "香坊区示例路1号",
    "legal_rep": "王总",
    "contact_name": "李经理",
    "contact_mobile": "13904510001",
    "employees": "120",
    "revenue_last_year": "8600.50",
    "main_products": "高低压开关柜",
}


def project(**over) -> dict:
    row = {
        "name": "装配车间设备联网与数据采集改造",
        "starts_on": "2024-09-01",
        "ends_on": "2026-06-30",
        "content": "对装配车间 36 台关键设备加装采集终端，接入 MES，实现工单、报工、质量数据在线追溯与看板展示。",
        "investment": "380.00",
        "level_before": 1,
        "level_after": 3,
        "indicators": [{"name": "设备联网率", "unit": "%", "before": "10", "after": "90"}],
    }
    row.update(over)
    return row


def fill(member, admission, *, projects=None, benchmark=True, files=True):
    from django.core.files.uploadedfile import SimpleUploadedFile

    uploads = (
        {
            "audit_report": SimpleUploadedFile("审计报告.pdf", PDF, content_type="application/pdf"),
            "credit_report": SimpleUploadedFile("信用报告.pdf", PDF, content_type="application/pdf"),
        }
        if files
        else None
    )
    return admissions.admission_save(
        membership=member,
        admission_id=admission.pk,
        basic=BASIC,
        needs=[{"kind": "生产制造", "description": "设备数据靠人工抄录", "analysis": "需要设备联网与采集"}],
        projects=projects if projects is not None else [project()],
        benchmark=benchmark,
        files=uploads,
    )


@pytest.fixture
def member(tenant_schema, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema(HARBIN):
        yield enterprise()


def submit_code(member, admission) -> tuple[str, str]:
    with pytest.raises(DomainError) as refused:
        admissions.admission_submit(membership=member, admission_id=admission.pk)
    return refused.value.code, refused.value.field


# --- Who may apply ----------------------------------------------------------------------------------------------------
def test_only_certified_enterprises_of_a_pilot_industry_may_apply(member, tenant_schema):
    Industry.objects.get_or_create(code="textiles", defaults={"name": "纺织业", "is_pilot": False})
    outsider = enterprise("非试点行业企业", industry="textiles", n=2)
    uncertified = enterprise("未认证企业", certified=False, n=3)
    for who, code in ((outsider, "admission.not_pilot_industry"), (uncertified, "admission.not_certified")):
        with pytest.raises(DomainError) as refused:
            admissions.admission_start(membership=who)
        assert refused.value.code == code and refused.value.status == 403
    admission = admissions.admission_start(membership=member)
    assert admission.basic["company_name"] == "哈尔滨试点申报企业" and admission.basic["industry"] == "电气装备制造业"
    assert admissions.admission_start(membership=member).pk == admission.pk  # the one in progress, not a second


def test_the_registered_identity_cannot_be_edited(member):
    admission = admissions.admission_start(membership=member)
    admissions.admission_save(
        membership=member, admission_id=admission.pk, basic={**BASIC, "company_name": "改名", "uscc": "X"}
    )
    admission.refresh_from_db()
    assert admission.basic["company_name"] == "哈尔滨试点申报企业" and admission.basic["uscc"] == "91230100MA0PILOT01"


# --- The draft and what submission needs ------------------------------------------------------------------------------
def test_a_draft_keeps_what_was_typed_and_submission_names_what_is_missing(member):
    admission = admissions.admission_start(membership=member)
    admissions.admission_save(
        membership=member, admission_id=admission.pk, projects=[{"name": "装配车间设备联网与数据采集改造"}]
    )
    admission.refresh_from_db()
    assert admission.projects.get().starts_on is None  # incomplete, kept as typed
    fields = [field for field, _message in admissions.missing(admission)]
    assert "basic.legal_rep" in fields and "needs" in fields and "projects.0.ends_on" in fields
    assert "benchmark" in fields and "files.audit_report" in fields and "files.credit_report" in fields
    assert submit_code(member, admission) == ("admission.incomplete", "basic.legal_rep")


def test_a_stale_form_is_refused(member):
    admission = admissions.admission_start(membership=member)
    opened = admission.application.version
    fill(member, admission)
    with pytest.raises(DomainError) as refused:
        admissions.admission_save(membership=member, admission_id=admission.pk, basic=BASIC, expected_version=opened)
    assert refused.value.status == 409


# --- The five defect rules at their boundaries -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"ends_on": "2026-07-01"}, "admission.defect.project_period", "projects.0.ends_on"),  # the day after
        ({"starts_on": "2024-06-30"}, "admission.defect.project_period", "projects.0.starts_on"),  # the day before
        ({"level_before": 3, "level_after": 2}, "admission.defect.levels", "projects.0.level_after"),
        (
            {"indicators": [{"name": "", "unit": "%", "before": "10", "after": "90"}]},
            "admission.defect.indicator_name",
            "projects.0.indicators.0.name",
        ),
        ({"name": "改造项目"}, "admission.defect.project_name", "projects.0.name"),  # 4 < 6 characters
    ],
)
def test_each_blocking_defect_refuses_at_its_field(member, over, code, field):
    admission = admissions.admission_start(membership=member)
    fill(member, admission, projects=[project(**over)])
    assert submit_code(member, admission) == (code, field)


def test_the_boundaries_pass_and_a_warning_does_not_block(member):
    """The first and last day of the pilot period are inside; equal levels are fine; a six-character name passes;
    Harbin makes the thin-content rule a warning, shown to reviewers but not blocking."""
    admission = admissions.admission_start(membership=member)
    fill(
        member,
        admission,
        projects=[
            project(
                starts_on="2024-07-01",
                ends_on="2026-06-30",
                level_before=2,
                level_after=2,
                name="六字项目名称",
                content="上线MES",
            )
        ],
    )
    results = {r.code: r for r in admissions.defect_results(admission)}
    assert results["project_period"].passed and results["levels"].passed and results["project_name"].passed
    assert not results["project_content"].passed and not results["project_content"].blocking
    admission = admissions.admission_submit(membership=member, admission_id=admission.pk)
    assert admission.application.state == "in_review"


def test_a_rule_switched_off_or_made_a_warning_no_longer_blocks(member):
    DefectRule.objects.update_or_create(code="levels", defaults={"enabled": False})
    DefectRule.objects.update_or_create(code="project_period", defaults={"blocking": False})
    admission = admissions.admission_start(membership=member)
    fill(member, admission, projects=[project(level_before=4, level_after=1, ends_on="2026-12-31")])
    codes = {r.code for r in admissions.defect_results(admission)}
    assert "levels" not in codes
    assert admissions.admission_submit(membership=member, admission_id=admission.pk).application.state == "in_review"


def test_without_a_pilot_period_the_period_rule_has_nothing_to_check(tenant_schema):
    with tenant_schema(HARBIN):
        far = project(starts_on=datetime.date(2001, 1, 1), ends_on=datetime.date(2001, 2, 1))
        results = {r.code: r for r in defects.evaluate([far], (None, None))}
        assert results["project_period"].passed
        assert not defects.evaluate([far], (datetime.date(2024, 7, 1), datetime.date(2026, 6, 30)))[0].passed


# --- Review, the stamped form, approval -------------------------------------------------------------------------------
def _decide(admission, action="approve", opinion=""):
    task = Task.objects.get(application_id=admission.application_id, state=Task.State.OPEN)
    return engine.task_decide(task_id=task.pk, membership=bureau(), action=action, opinion=opinion)


def test_return_fix_resubmit_then_stamped_scan_and_approval_make_a_pilot_enterprise(member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admission = admissions.admission_start(membership=member)
    fill(member, admission)
    admissions.admission_submit(membership=member, admission_id=admission.pk)
    _decide(admission, "return", "项目投资请与合同一致。")
    admissions.admission_save(membership=member, admission_id=admission.pk, projects=[project(investment="420.00")])
    admissions.admission_submit(membership=member, admission_id=admission.pk)
    _decide(admission)  # 市工信局审核
    upload = Task.objects.get(application_id=admission.application_id, state=Task.State.OPEN)
    engine.stage_upload(
        task_id=upload.pk,
        membership=member,
        upload=SimpleUploadedFile("盖章申报表.pdf", PDF, content_type="application/pdf"),
    )
    assert not PilotEnterprise.objects.filter(organisation=member.organisation).exists()
    _decide(admission)  # 盖章件审核
    pilot = PilotEnterprise.objects.get(organisation=member.organisation)
    assert pilot.admission_id == admission.pk
    assert admissions.pilot_of(member.organisation) == pilot
    with pytest.raises(DomainError) as refused:
        admissions.admission_start(membership=member)
    assert refused.value.code == "admission.already_pilot"
    assert admission.projects.get().investment == Decimal("420.00")


def test_reviewers_see_the_rules_as_ticks_and_crosses(member):
    from tenant_apps.workflow.registry import content_for

    admission = admissions.admission_start(membership=member)
    fill(member, admission, projects=[project(content="上线MES")])
    sections = content_for(admission.application)
    checks = dict(sections[0].rows)
    assert any(label.startswith("✔ 项目周期超出试点期") for label in checks)
    assert any(label.startswith("✘ 项目内容表述过于简单") for label in checks)


def test_the_generated_form_carries_the_admission_with_hostile_text(member):
    from docx import Document
    from pypdf import PdfReader

    admission = admissions.admission_start(membership=member)
    hostile = '<b>改造</b> & 项目 \x07 "引号"'
    fill(
        member,
        admission,
        projects=[project(content=hostile + "，对装配车间 36 台关键设备加装采集终端并接入 MES 系统。")],
    )
    docx_text = "\n".join(
        cell.text
        for table in Document(io.BytesIO(documents.application_form_docx(admission.application))).tables
        for row in table.rows
        for cell in row.cells
    )
    assert (
        "装配车间设备联网与数据采集改造" in docx_text
        and "<b>改造</b> & 项目" in docx_text
        and "一级 → 三级" in docx_text
    )
    pdf_text = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(documents.application_form_pdf(admission.application))).pages
    )
    assert "装配车间设备联网与数据采集改造" in pdf_text and "☑" in pdf_text and "☐" in pdf_text


def test_evidence_files_are_served_to_the_organisation_and_to_the_bureau_once_submitted(member, login_client):
    admission = admissions.admission_start(membership=member)
    fill(member, admission)
    item = admission.files.get(kind="audit_report")
    url = f"/workbench/pilots/{admission.pk}/files/{item.pk}/"
    own = login_client(HARBIN, member.user.username).get(url)
    assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"%PDF")
    assert login_client(HARBIN, "hrb_bureau").get(url).status_code == 404  # a draft stays the enterprise's
    admissions.admission_submit(membership=member, admission_id=admission.pk)
    assert login_client(HARBIN, "hrb_bureau").get(url).status_code == 200
    page = login_client(HARBIN, "hrb_bureau").get(f"/workbench/applications/{admission.application_id}/")
    assert f'href="{url}"' in page.content.decode()  # the reviewer opens it from the application page
    other = enterprise("哈尔滨另一家申报企业", n=2)
    assert login_client(HARBIN, other.user.username).get(url).status_code == 404
    assert (
        login_client(HARBIN, member.user.username).get(f"/workbench/pilots/{admission.pk}/files/0/").status_code == 404
    )
