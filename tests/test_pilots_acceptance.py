"""验收申请 — the form (issue #14, seed 002 §七): only a pilot enterprise applies; a new acceptance is prefilled from its
admission (万元 → 元); projects hold providers holding products; material several files per kind; what submission
needs; submission through the engine; the page's flat product rows grouped into providers; the API and isolation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import CaptureQueriesContext

from tenant_apps.pilots import acceptances
from tenant_apps.pilots.models import (
    Acceptance,
    AdmissionNeed,
    AdmissionProject,
    ProjectIndicator,
)
from tenant_apps.workflow.models import Application, Task
from tenants.errors import DomainError
from tests.pilots_factories import PDF, admitted_enterprise, bureau

pytestmark = pytest.mark.django_db
HARBIN = "harbin"

PROJECT = {
    "name": "装配车间设备联网与数据采集改造",
    "starts_on": "2024-09-01",
    "ends_on": "2026-03-31",
    "content": "对装配车间 36 台关键设备加装采集终端，接入 MES，实现工单、报工、质量数据在线追溯与看板展示。",
    "investment": "420000.00",
    "level_before": 1,
    "level_after": 3,
    "indicators": [{"name": "设备联网率", "unit": "%", "before": "10", "after": "90"}],
    "providers": [
        {
            "name": "哈尔滨数智服务有限公司",
            "uscc": "",
            "contract_amount": "420000.00",
            "products": [
                {"name": "MES 系统", "kind": "software", "amount": "300000.00"},
                {"name": "采集终端", "kind": "hardware", "amount": "120000.00"},
            ],
        }
    ],
}
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
REQUIRED = ("summary_report", "investment_list", "contract", "invoice", "bank_slip", "self_assessment")


def _pdf(name="材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _complete(member, acceptance, **over):
    return acceptances.acceptance_save(
        membership=member,
        acceptance_id=acceptance.pk,
        basic=over.get("basic", BASIC),
        needs=[{"kind": "生产制造", "description": "设备数据靠人工抄录", "analysis": "需要设备联网"}],
        projects=over.get("projects", [PROJECT]),
        benchmark=True,
        files={kind: [_pdf(f"{kind}.pdf")] for kind in REQUIRED},
    )


@pytest.fixture
def member(tenant_schema, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema(HARBIN):
        yield admitted_enterprise()


def test_only_a_pilot_enterprise_applies(tenant_schema, member):
    from tests.test_pilots import enterprise

    outsider = enterprise(n=7)  # certified, pilot industry, not admitted
    with pytest.raises(DomainError) as refused:
        acceptances.acceptance_start(membership=outsider)
    assert refused.value.code == "acceptance.not_pilot" and refused.value.status == 403
    with pytest.raises(DomainError) as refused:
        acceptances.acceptance_start(membership=bureau())
    assert refused.value.code == "acceptance.wrong_kind"


def test_a_new_acceptance_is_prefilled_from_the_admission_in_yuan(member):
    admission = member.organisation.pilot.admission
    admission.basic = {**BASIC, "company_name": "旧名称"}
    admission.benchmark = False
    admission.save()
    AdmissionNeed.objects.create(admission=admission, kind="经营管理", description="订单靠表格")
    project = AdmissionProject.objects.create(
        admission=admission, name="订单协同平台建设项目", investment=Decimal("38.50"), level_before=1, level_after=2
    )
    ProjectIndicator.objects.create(project=project, name="订单交付周期", unit="天", before="30", after="18")
    acceptance = acceptances.acceptance_start(membership=member)
    assert acceptance.basic["legal_rep"] == "王总"
    assert acceptance.basic["company_name"] == member.organisation.name  # the registered name, read again
    assert acceptance.benchmark is False
    assert [n.kind for n in acceptance.needs.all()] == ["经营管理"]
    copied = acceptance.projects.get()
    assert copied.investment == Decimal("385000.00")  # 38.50 万元
    assert copied.indicators.get().after == "18"
    # 添加 again returns the one being written
    assert acceptances.acceptance_start(membership=member).pk == acceptance.pk


def test_projects_hold_providers_holding_products(member):
    acceptance = _complete(member, acceptances.acceptance_start(membership=member))
    (project,) = acceptances.project_dicts(acceptance)
    assert [v["name"] for v in project["providers"]] == ["哈尔滨数智服务有限公司"]
    assert [(x["name"], x["kind"], x["amount"]) for x in project["providers"][0]["products"]] == [
        ("MES 系统", "software", Decimal("300000.00")),
        ("采集终端", "hardware", Decimal("120000.00")),
    ]
    assert acceptances.missing(acceptance) == []


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"amount": "12.345"}, "projects.0.providers.0.products.1.amount", "acceptance.money"),
        ({"amount": "-1"}, "projects.0.providers.0.products.1.amount", "acceptance.money"),
        ({"kind": "firmware"}, "projects.0.providers.0.products.1.kind", "acceptance.product_kind"),
        ({"name": ""}, "projects.0.providers.0.products.1.name", "acceptance.required"),
    ],
)
def test_a_bad_product_is_refused_at_its_path(member, change, field, code):
    acceptance = acceptances.acceptance_start(membership=member)
    products = [PROJECT["providers"][0]["products"][0], {**PROJECT["providers"][0]["products"][1], **change}]
    project = {**PROJECT, "providers": [{**PROJECT["providers"][0], "products": products}]}
    with pytest.raises(DomainError) as refused:
        acceptances.acceptance_save(membership=member, acceptance_id=acceptance.pk, projects=[project])
    assert (refused.value.code, refused.value.field) == (code, field)


def test_a_provider_uscc_is_checked(member):
    acceptance = acceptances.acceptance_start(membership=member)
    project = {**PROJECT, "providers": [{**PROJECT["providers"][0], "uscc": "91230100MA0SERV00X"}]}
    with pytest.raises(DomainError) as refused:
        acceptances.acceptance_save(membership=member, acceptance_id=acceptance.pk, projects=[project])
    assert refused.value.field == "projects.0.providers.0.uscc"


def test_submission_names_what_is_missing_then_goes_to_the_bureau(member):
    acceptance = acceptances.acceptance_start(membership=member)
    project = {**PROJECT, "providers": [{**PROJECT["providers"][0], "products": []}]}
    acceptances.acceptance_save(membership=member, acceptance_id=acceptance.pk, projects=[project])
    fields = [field for field, _message in acceptances.missing(acceptance)]
    assert "projects.0.providers.0.products" in fields and "files.invoice" in fields and "benchmark" in fields
    with pytest.raises(DomainError) as refused:
        acceptances.acceptance_submit(membership=member, acceptance_id=acceptance.pk)
    assert refused.value.code == "acceptance.incomplete"
    _complete(member, acceptance)
    acceptances.acceptance_submit(membership=member, acceptance_id=acceptance.pk)
    acceptance.application.refresh_from_db()
    assert acceptance.application.state == Application.State.IN_REVIEW
    task = Task.objects.get(application=acceptance.application, state=Task.State.OPEN)
    assert task.stage_name == "材料审核" and task.role == "city_bureau"


def test_the_defect_rules_apply_to_the_projects_to_accept(member):
    acceptance = acceptances.acceptance_start(membership=member)
    _complete(member, acceptance, projects=[{**PROJECT, "ends_on": "2026-07-01"}])  # a day after the pilot period
    with pytest.raises(DomainError) as refused:
        acceptances.acceptance_submit(membership=member, acceptance_id=acceptance.pk)
    assert refused.value.code == "acceptance.defect.project_period"
    _complete(member, acceptance, projects=[{**PROJECT, "ends_on": "2026-06-30"}])  # its last day
    acceptances.acceptance_submit(membership=member, acceptance_id=acceptance.pk)


def test_material_is_added_per_kind_removed_by_id_and_checked_by_content(member):
    acceptance = acceptances.acceptance_start(membership=member)
    acceptances.acceptance_save(
        membership=member, acceptance_id=acceptance.pk, files={"contract": [_pdf("合同1.pdf"), _pdf("合同2.pdf")]}
    )
    assert acceptance.files.filter(kind="contract").count() == 2
    first = acceptance.files.order_by("id").first()
    acceptances.acceptance_save(membership=member, acceptance_id=acceptance.pk, remove_files=[first.pk])
    assert list(acceptance.files.values_list("original_name", flat=True)) == ["合同2.pdf"]
    with pytest.raises(DomainError) as refused:
        acceptances.acceptance_save(
            membership=member,
            acceptance_id=acceptance.pk,
            files={
                "invoice": [SimpleUploadedFile("发票.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")]
            },
        )
    assert refused.value.field == "files.invoice"


def test_a_draft_may_be_deleted_a_submitted_one_not(member):
    acceptance = acceptances.acceptance_start(membership=member)
    acceptances.acceptance_delete(membership=member, acceptance_id=acceptance.pk)
    assert not Acceptance.objects.filter(pk=acceptance.pk).exists()
    acceptance = acceptances.acceptance_start(membership=member)
    _complete(member, acceptance)
    acceptances.acceptance_submit(membership=member, acceptance_id=acceptance.pk)
    with pytest.raises(DomainError) as refused:
        acceptances.acceptance_delete(membership=member, acceptance_id=acceptance.pk)
    assert refused.value.code == "acceptance.not_deletable"


# --- Pages ------------------------------------------------------------------------------------------------------------
def _post_rows(acceptance, rows, **extra):
    data = {
        "version": acceptance.application.version,
        "do": "save",
        "needs-TOTAL_FORMS": "1",
        "needs-INITIAL_FORMS": "0",
        "needs-0-kind": "生产制造",
        "needs-0-description": "设备数据靠人工抄录",
        "projects-TOTAL_FORMS": "1",
        "projects-INITIAL_FORMS": "0",
        "projects-0-name": PROJECT["name"],
        "projects-0-starts_on": "2024-09-01",
        "projects-0-ends_on": "2026-03-31",
        "projects-0-investment": "420000.00",
        "projects-0-content": PROJECT["content"],
        "projects-0-level_before": "1",
        "projects-0-level_after": "3",
        "projects-0-indicators-TOTAL_FORMS": "0",
        "projects-0-indicators-INITIAL_FORMS": "0",
        "projects-0-products-TOTAL_FORMS": str(len(rows)),
        "projects-0-products-INITIAL_FORMS": "0",
        **{code: value for code, value in BASIC.items()},
        "benchmark": "yes",
        **extra,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"projects-0-products-{i}-{key}"] = value
    return data


def test_the_page_groups_product_rows_into_providers(member, login_client):
    acceptance = acceptances.acceptance_start(membership=member)
    client = login_client(HARBIN, member.user.username)
    rows = [
        {
            "provider": "甲服务商",
            "contract_amount": "300000.00",
            "name": "MES 系统",
            "kind": "software",
            "amount": "200000.00",
        },
        {"provider": "", "name": "实施服务", "kind": "service", "amount": "100000.00"},
        {"provider": "乙服务商", "name": "采集终端", "kind": "hardware", "amount": "120000.00"},
    ]
    response = client.post(f"/workbench/pilots/acceptance/{acceptance.pk}/", _post_rows(acceptance, rows))
    assert response.status_code == 302, response.content.decode()[:2000]
    (project,) = acceptances.project_dicts(acceptance)
    assert [(v["name"], v["contract_amount"], [x["name"] for x in v["products"]]) for v in project["providers"]] == [
        ("甲服务商", Decimal("300000.00"), ["MES 系统", "实施服务"]),
        ("乙服务商", None, ["采集终端"]),
    ]
    page = client.get(f"/workbench/pilots/acceptance/{acceptance.pk}/").content.decode()
    assert "实施服务" in page and "乙服务商" in page


def test_the_page_puts_a_product_error_on_its_row_and_keeps_what_was_typed(member, login_client):
    acceptance = acceptances.acceptance_start(membership=member)
    client = login_client(HARBIN, member.user.username)
    rows = [
        {"provider": "甲服务商", "name": "MES 系统", "kind": "software", "amount": "200000.00"},
        {"provider": "", "name": "实施服务", "kind": "service", "amount": "一百元"},
    ]
    response = client.post(f"/workbench/pilots/acceptance/{acceptance.pk}/", _post_rows(acceptance, rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert "金额须为不小于 0 的金额" in page and "一百元" in page and "实施服务" in page
    assert not acceptance.projects.exists()  # nothing half-saved


def test_hubs_for_the_enterprise_and_the_bureau(member, login_client, tenant_schema):
    client = login_client(HARBIN, member.user.username)
    page = client.get("/workbench/pilots/acceptance/").content.decode()
    assert 'id="add-acceptance"' in page
    response = client.post("/workbench/pilots/acceptance/new/")
    acceptance = Acceptance.objects.get(organisation=member.organisation)
    assert response.status_code == 302 and response["Location"].endswith(f"/acceptance/{acceptance.pk}/")
    _complete(member, acceptance)
    acceptances.acceptance_submit(membership=member, acceptance_id=acceptance.pk)
    city = login_client(HARBIN, bureau().user.username)
    with CaptureQueriesContext(__import__("django.db", fromlist=["connection"]).connection) as ctx:
        page = city.get("/workbench/pilots/acceptance/").content.decode()
    assert member.organisation.name in page and "材料审核" in page
    assert len(ctx.captured_queries) < 40


def test_supporting_files_are_served_to_the_organisation_and_the_bureau_only(member, login_client, tenant_schema):
    acceptance = acceptances.acceptance_start(membership=member)
    _complete(member, acceptance)
    item = acceptance.files.first()
    url = f"/workbench/pilots/acceptance/{acceptance.pk}/files/{item.pk}/"
    assert login_client(HARBIN, member.user.username).get(url).status_code == 200
    assert login_client(HARBIN, bureau().user.username).get(url).status_code == 404  # a draft stays the enterprise's
    acceptances.acceptance_submit(membership=member, acceptance_id=acceptance.pk)
    assert login_client(HARBIN, bureau().user.username).get(url).status_code == 200
    other = admitted_enterprise(2)
    assert login_client(HARBIN, other.user.username).get(url).status_code == 404


# --- API ----------------------------------------------------------------------------------------------------------------
def test_the_api_starts_saves_uploads_and_submits(member, login_client):
    client = login_client(HARBIN, member.user.username)
    created = client.post("/api/v1/pilots/acceptances/")
    assert created.status_code == 201
    pk, version = created.json()["id"], created.json()["version"]
    body = {
        "version": version,
        "basic": BASIC,
        "projects": [PROJECT],
        "benchmark": True,
        "needs": [{"kind": "生产制造", "description": "设备数据靠人工抄录", "analysis": ""}],
    }
    saved = client.put(f"/api/v1/pilots/acceptances/{pk}/", body, content_type="application/json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["projects"][0]["providers"][0]["products"][1]["amount"] == "120000.00"
    bad = {"projects": [{**PROJECT, "providers": [{"name": "x", "products": [{"name": "y", "amount": "abc"}]}]}]}
    refused = client.put(f"/api/v1/pilots/acceptances/{pk}/", bad, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"projects.0.providers.0.products.0.amount": [refused.json()["message"]]}
    for kind in REQUIRED:
        uploaded = client.post(f"/api/v1/pilots/acceptances/{pk}/files/{kind}/", {"file": _pdf()})
        assert uploaded.status_code == 201
    file_id = next(f["id"] for f in uploaded.json()["files"] if f["kind"] == "self_assessment")
    assert client.delete(f"/api/v1/pilots/acceptances/{pk}/files/{file_id}/").status_code == 200
    refused = client.post(f"/api/v1/pilots/acceptances/{pk}/submit/", {}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "acceptance.incomplete"
    client.post(f"/api/v1/pilots/acceptances/{pk}/files/self_assessment/", {"file": _pdf()})
    submitted = client.post(f"/api/v1/pilots/acceptances/{pk}/submit/", {}, content_type="application/json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["state"] == "in_review"
    assert submitted.json()["stage"] == "材料审核"


def test_the_api_is_isolated(member, login_client, tenant_client, tenant_schema):
    acceptance = acceptances.acceptance_start(membership=member)
    _complete(member, acceptance)
    urls = [
        f"/api/v1/pilots/acceptances/{acceptance.pk}/",
        f"/api/v1/pilots/acceptances/{acceptance.pk}/submit/",
    ]
    anonymous = tenant_client(HARBIN)
    assert anonymous.get(urls[0]).status_code in (401, 403)
    other = login_client(HARBIN, admitted_enterprise(3).user.username)
    assert other.get(urls[0]).status_code == 404
    assert other.post(urls[1], {}, content_type="application/json").status_code == 404
    assert other.get("/api/v1/pilots/acceptances/").json()["count"] == 0
    # The bureau reads the city's list only once submitted; never the draft's detail through the enterprise route.
    city = login_client(HARBIN, bureau().user.username)
    listed = lambda: {row["id"] for row in city.get("/api/v1/pilots/acceptances/").json()["results"]}  # noqa: E731
    assert acceptance.pk not in listed()
    acceptances.acceptance_submit(membership=member, acceptance_id=acceptance.pk)
    assert acceptance.pk in listed()
    assert login_client("jiangmen", "jm_enterprise").get("/api/v1/pilots/acceptances/").status_code == 404


def test_dates_outside_the_form_are_refused_with_their_path(member):
    acceptance = acceptances.acceptance_start(membership=member)
    with pytest.raises(DomainError) as refused:
        acceptances.acceptance_save(
            membership=member, acceptance_id=acceptance.pk, projects=[{**PROJECT, "starts_on": "2024-13-01"}]
        )
    assert refused.value.field == "projects.0.starts_on"


def test_the_generated_acceptance_table_carries_providers_products_and_hostile_text(member):
    """The 验收及补贴申请表 the enterprise prints and stamps: its projects, each provider with products and amounts,
    the recognition once recorded, and the pledges as printable ☑/☐; markup and control characters stay text."""
    import io

    from docx import Document
    from pypdf import PdfReader

    from tenant_apps.workflow import documents

    acceptance = acceptances.acceptance_start(membership=member)
    hostile = '<b>甲</b> & 服务商 \x07 "引号"'
    provider = {**PROJECT["providers"][0], "name": hostile}
    _complete(member, acceptance, projects=[{**PROJECT, "providers": [provider]}])
    docx_text = "\n".join(
        cell.text
        for table in Document(io.BytesIO(documents.application_form_docx(acceptance.application))).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "<b>甲</b> & 服务商" in docx_text
    assert "MES 系统（软件）300,000.00 元" in docx_text and "合同 420,000.00 元" in docx_text
    assert "验收及补贴申请表" in documents.form_title(acceptance.application)
    pdf_text = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(documents.application_form_pdf(acceptance.application))).pages
    )
    assert "采集终端" in pdf_text and "☑" in pdf_text and "☐" in pdf_text
