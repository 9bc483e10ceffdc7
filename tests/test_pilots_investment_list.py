"""项目投资清单 (issue #14): the city's XLSX template (blank and prefilled), reading an uploaded sheet (by content,
tolerant of titles, blank lines, merged cells and text amounts; refusing what is not a sheet or too long), the
cross-check against the acceptance form with its exact messages, the check of the latest uploaded list (cached per
file, always compared with the form as it is now), the summary-report DOCX, and the pages and API with their
isolation (anonymous, another enterprise, a tenant without the module) and bounded query counts."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook
from PIL import Image

from tenant_apps.pilots import investment_list, summary_report
from tenant_apps.pilots.investment_list import Mismatch, cross_check, parse
from tenant_apps.pilots.models import AcceptanceFile, AcceptanceProject, ProjectProduct, ProjectProvider
from tenants.errors import DomainError
from tests.pilots_factories import PDF, acceptance_draft, acceptance_submitted, admitted_enterprise

pytestmark = pytest.mark.django_db
HARBIN = "harbin"
API = "/api/v1/pilots/investment"
PAGES = "/workbench/pilots/acceptance/investment"
HEADER = ["序号", "项目名称", "服务商名称", "服务商统一社会信用代码", "产品/服务名称", "类型（软件/硬件/服务）", "金额（元）",
          "合同编号", "发票号码"]  # fmt: skip
PROJECT = "装配车间设备联网与数据采集改造"
PROVIDER = "哈尔滨数智服务有限公司"
USCC = "91230100MA0SERV001"
WHO = f"项目「{PROJECT}」"
PWHO = f"{WHO}服务商「{PROVIDER}」"


# --- Sheets as people fill them in ---------------------------------------------------------------------------------------
def row(product="MES 系统", amount="300,000.00", kind="软件", project=PROJECT, provider=PROVIDER, uscc=USCC):
    return [None, project, provider, uscc, product, kind, amount, "HT-2025-001", "04521234"]


CONSISTENT = [row(), row("采集终端", 120000, "硬件")]


def sheet(rows, *, title=True, blanks=0, total=None, header=HEADER) -> bytes:
    """An XLSX as a person makes it from the template: a title, `blanks` empty lines, the header, the rows, 合计."""
    book = Workbook()
    ws = book.active
    if title:
        ws.append(["哈尔滨试点企业数字化改造项目投资清单"])
    for _n in range(blanks):
        ws.append([])
    ws.append(header)
    for n, values in enumerate(rows, start=1):
        ws.append([n if values[0] is None else values[0], *values[1:]])
    if total is not None:
        ws.append(["合计", None, None, None, None, None, total])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def refused(data) -> tuple[str, str, str]:
    with pytest.raises(DomainError) as caught:
        parse(data)
    return caught.value.code, caught.value.field, caught.value.message


def messages(mismatches: list[Mismatch]) -> list[tuple[str, str, str]]:
    return [(m.level, m.message, m.path) for m in mismatches]


@pytest.fixture
def world(tenant_schema, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema(HARBIN):
        yield admitted_enterprise(1)


@pytest.fixture
def acceptance(world):
    return acceptance_draft(world)


def upload(acceptance, data: bytes, name="项目投资清单.xlsx") -> AcceptanceFile:
    return AcceptanceFile.objects.create(
        acceptance=acceptance,
        kind=AcceptanceFile.Kind.INVESTMENT_LIST,
        file=ContentFile(data, name=name),
        original_name=name,
        content_type=investment_list.XLSX,
        size=len(data),
    )


# --- Parsing -------------------------------------------------------------------------------------------------------------
def test_a_sheet_is_read_with_its_header_found_after_a_title_and_blank_lines(world):
    rows = parse(sheet(CONSISTENT, blanks=3, total=420000))
    assert [(r.row, r.project, r.provider, r.uscc, r.product, r.kind, r.amount) for r in rows] == [
        (6, PROJECT, PROVIDER, USCC, "MES 系统", "software", Decimal("300000.00")),
        (7, PROJECT, PROVIDER, USCC, "采集终端", "hardware", Decimal("120000.00")),
    ]
    assert (rows.declared_total, rows.total_row) == (Decimal("420000.00"), 8)
    assert (rows[0].contract_no, rows[0].invoice_no) == ("HT-2025-001", "04521234")


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1,200.00", "1200.00"),
        ("1200", "1200.00"),
        (" 1200.5 ", "1200.50"),
        ("１，２００．００", "1200.00"),
        (1200.1, "1200.10"),
        (0.1 + 0.2, "0.30"),
    ],  # fmt: skip
)
def test_amounts_are_decimals_to_the_fen(world, text, amount):
    (only,) = parse(sheet([row(amount=text)], title=False))
    assert only.amount == Decimal(amount)


@pytest.mark.parametrize("text", ["abc", "1,20.00", "12.345", "-5", "1.2e3", "¥100"])
def test_a_bad_amount_names_its_row(world, text):
    data = sheet([row(), row(), row("采集终端", text)], blanks=1)
    assert refused(data) == ("investment_list.amount", "investment_list", "第 6 行「金额（元）」不是有效金额")


def test_blank_amounts_kinds_and_projects_are_refused_by_row(world):
    assert refused(sheet([row(amount=None)], title=False))[2] == "第 2 行「金额（元）」未填写"
    assert refused(sheet([row(kind="设备")], title=False))[2] == "第 2 行「类型（软件/硬件/服务）」须为软件、硬件或服务"
    assert refused(sheet([row(project=None)], title=False))[2] == "第 2 行「项目名称」未填写"


def test_formulas_are_read_as_their_cached_values(world):
    """A 金额 computed in Excel (=A*B): openpyxl's data_only gives the value Excel saved with it."""
    data = sheet([row(amount="=100000*3"), row("采集终端", 120000, "硬件")], title=False)
    archive = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as patched:
        for item in archive.infolist():
            content = archive.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>100000*3</f><v></v>" in content
                content = content.replace(b"<f>100000*3</f><v></v>", b"<f>100000*3</f><v>300000</v>")
            patched.writestr(item, content)
    rows = parse(out.getvalue())
    assert [r.amount for r in rows] == [Decimal("300000.00"), Decimal("120000.00")]
    assert refused(data)[2] == "第 2 行「金额（元）」未填写"  # never calculated: no value to read


def test_what_is_not_an_xlsx_is_refused_by_content(world):
    png = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(png, format="PNG")
    docx = summary_report.summary_report_template()
    broken = sheet(CONSISTENT)[:2000]
    for data in (png.getvalue(), b"\xef\xbb\xbf\xe5\xba\x8f\xe5\x8f\xb7,a,b\n1,2,3", PDF, docx, broken):
        code, field, _message = refused(ContentFile(data, name="项目投资清单.xlsx"))
        assert (code, field) == ("investment_list.not_xlsx", "investment_list")


def test_too_large_and_too_long_lists_are_refused(world, monkeypatch):
    two_thousand = [row(f"产品{n}", "1.00") for n in range(2000)]
    assert len(parse(sheet(two_thousand))) == 2000
    code, _field, message = refused(sheet([*two_thousand, row("产品2000", "1.00")]))
    assert (code, message) == ("investment_list.too_many_rows", "投资清单最多 2,000 行，请合并同类产品后重新上传。")
    monkeypatch.setattr(investment_list, "LIST_MAX_BYTES", 1024)
    assert refused(sheet(CONSISTENT))[0] == "investment_list.too_large"


def test_a_sheet_without_the_templates_header_is_refused(world):
    assert refused(sheet(CONSISTENT, header=["项目", "金额"]))[0] == "investment_list.no_header"


def test_hostile_text_is_just_text(world, acceptance):
    """Text typed as text (Excel's leading apostrophe) that looks like a formula or markup is read as that text."""
    hostile = '=HYPERLINK("http://evil.example","点击")'
    book = load_workbook(io.BytesIO(sheet([row(), row(product="<script>alert(1)</script>", amount=1)])))
    book.active["E3"].value = hostile
    book.active["E3"].data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    rows = parse(buffer.getvalue())
    assert [r.product for r in rows] == [hostile, "<script>alert(1)</script>"]


# --- The cross-check -----------------------------------------------------------------------------------------------------
def test_a_consistent_sheet_has_no_mismatch_whatever_the_widths_and_spaces(acceptance):
    assert cross_check(acceptance, parse(sheet(CONSISTENT, total=420000))) == []
    variants = [row("ＭＥＳ系统", "300000", project=f"  {PROJECT} ", provider="哈尔滨数智服务有限公司 "),
                row(" 采集终端", "120,000.00", "硬件", project=PROJECT.replace("与", " 与 "))]  # fmt: skip
    assert cross_check(acceptance, parse(sheet(variants))) == []


def test_merged_project_and_provider_cells_carry_down(acceptance):
    merged = [row(), [None, None, None, None, "采集终端", "硬件", 120000, "", ""]]
    rows = parse(sheet(merged))
    assert [(r.project, r.provider, r.uscc) for r in rows] == [(PROJECT, PROVIDER, USCC)] * 2
    assert cross_check(acceptance, rows) == []


def test_a_renamed_provider(acceptance):
    renamed = "哈尔滨智数服务有限公司"
    rows = parse(sheet([row(provider=renamed), row("采集终端", 120000, "硬件", provider=renamed)]))
    assert messages(cross_check(acceptance, rows)) == [
        ("provider", f"{PWHO}：申报表中有，投资清单中没有", "projects.0.providers.0"),
        ("provider", f"{WHO}服务商「{renamed}」：投资清单中有，申报表中没有", "projects.0.providers"),
    ]


def test_a_missing_product(acceptance):
    assert messages(cross_check(acceptance, parse(sheet([row()])))) == [
        ("total", f"{WHO}：清单合计 300,000.00 元，申报表 420,000.00 元", "projects.0.investment"),
        ("provider", f"{PWHO}：清单合计 300,000.00 元，申报表合同金额 420,000.00 元", "projects.0.providers.0.contract_amount"),
        ("product", f"{PWHO}产品/服务「采集终端」：申报表中有，投资清单中没有", "projects.0.providers.0.products.1"),
    ]  # fmt: skip


def test_a_changed_amount_and_a_product_only_the_list_has(acceptance):
    rows = parse(sheet([row(amount="320,000.00"), row("采集终端", 120000, "硬件"), row("看板大屏", 5000, "硬件")]))
    assert messages(cross_check(acceptance, rows)) == [
        ("total", f"{WHO}：清单合计 445,000.00 元，申报表 420,000.00 元", "projects.0.investment"),
        ("provider", f"{PWHO}：清单合计 445,000.00 元，申报表合同金额 420,000.00 元", "projects.0.providers.0.contract_amount"),
        ("product", f"{PWHO}产品/服务「MES 系统」：清单金额 320,000.00 元，申报表 300,000.00 元", "projects.0.providers.0.products.0.amount"),
        ("product", f"{PWHO}产品/服务「看板大屏」：投资清单中有，申报表中没有", "projects.0.providers.0.products"),
    ]  # fmt: skip


def test_totals_off_by_one_fen(acceptance):
    AcceptanceProject.objects.filter(acceptance=acceptance).update(investment=Decimal("420000.01"))
    rows = parse(sheet(CONSISTENT, total="420,000.01"))
    assert messages(cross_check(acceptance, rows)) == [
        ("total", f"{WHO}：清单合计 420,000.00 元，申报表 420,000.01 元", "projects.0.investment"),
        ("total", "投资清单：合计行 420,000.01 元，各行金额之和 420,000.00 元", "investment_list"),
    ]


def test_projects_kinds_and_codes_on_either_side(acceptance):
    project = AcceptanceProject.objects.create(acceptance=acceptance, position=1, name="仓储管理系统建设项目")
    rows = parse(sheet([row(kind="服务", uscc="91230100MA0SERV009"), row("采集终端", 120000, "硬件"),
                        row("AGV", 1, project="智能物流改造项目", provider="某服务商")]))  # fmt: skip
    assert messages(cross_check(acceptance, rows)) == [
        ("provider", f"{PWHO}：清单统一社会信用代码 91230100MA0SERV009，申报表 {USCC}", "projects.0.providers.0.uscc"),
        ("product", f"{PWHO}产品/服务「MES 系统」：清单类型 服务，申报表 软件", "projects.0.providers.0.products.0.kind"),
        ("project", f"项目「{project.name}」：申报表中有，投资清单中没有", "projects.1"),
        ("project", "项目「智能物流改造项目」：投资清单中有，申报表中没有", "projects"),
    ]  # fmt: skip


# --- The template --------------------------------------------------------------------------------------------------------
def test_the_prefilled_template_round_trips_without_mismatch(acceptance):
    data = investment_list.template_workbook(acceptance)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "哈尔滨试点企业数字化改造项目投资清单"
    assert acceptance.organisation.name in ws["A2"].value
    assert [c.value for c in ws[3]] == HEADER
    assert [c.value for c in ws[4]][1:7] == [PROJECT, PROVIDER, USCC, "MES 系统", "软件", 300000]
    assert (ws["A6"].value, ws["G6"].value) == ("合计", "=SUM(G4:G5)")
    (validation,) = ws.data_validations.dataValidation
    assert (validation.type, validation.formula1) == ("list", '"软件,硬件,服务"')
    assert "F4" in validation.sqref
    rows = parse(data)
    assert [r.amount for r in rows] == [Decimal("300000.00"), Decimal("120000.00")]
    assert cross_check(acceptance, rows) == []


def test_the_blank_template_has_the_header_and_nothing_to_read(world):
    data = investment_list.template_workbook()
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[3]] == HEADER
    assert ws.max_row == 3 + investment_list.TEMPLATE_BLANK_ROWS + 1
    assert list(parse(data)) == []


def test_hostile_names_stay_text_in_the_template(acceptance):
    hostile = '=HYPERLINK("http://evil.example","x")'
    ProjectProduct.objects.filter(name="MES 系统").update(name=hostile)
    data = investment_list.template_workbook(acceptance)
    cell = load_workbook(io.BytesIO(data)).active["E4"]
    assert (cell.value, cell.data_type) == (hostile, "s")
    assert cross_check(acceptance, parse(data)) == []


# --- The uploaded list ---------------------------------------------------------------------------------------------------
def test_the_latest_list_is_checked_and_its_parse_cached_per_file(acceptance):
    assert investment_list.latest_mismatches(acceptance) is None
    assert investment_list.section(acceptance) is None
    stored = upload(acceptance, sheet([row()]))
    first = investment_list.latest_mismatches(acceptance)
    assert [m.level for m in first] == ["total", "provider", "product"]
    stored.file.delete(save=False)  # the parse is cached: the file is not read again
    assert investment_list.latest_mismatches(acceptance) == first
    # The form changed after the upload: the comparison is always with the form as it is now.
    ProjectProduct.objects.filter(name="采集终端").delete()
    ProjectProvider.objects.update(contract_amount=Decimal("300000.00"))
    AcceptanceProject.objects.update(investment=Decimal("300000.00"))
    assert investment_list.latest_mismatches(acceptance) == []
    section = investment_list.section(acceptance)
    assert (section.title, section.rows) == ("投资清单核对", [("✔ 与申报表一致", "已核对 项目投资清单.xlsx")])


def test_a_pdf_or_an_invalid_list_says_why(acceptance):
    upload(acceptance, PDF, name="投资清单（盖章）.pdf")
    assert investment_list.latest_mismatches(acceptance) is None
    section = investment_list.section(acceptance)
    assert section.rows == [("未核对", "清单为 PDF，未自动核对。（投资清单（盖章）.pdf）")]
    upload(acceptance, sheet([row(amount="三十万")]))
    assert messages(investment_list.latest_mismatches(acceptance)) == [
        ("list", "投资清单无法核对：第 3 行「金额（元）」不是有效金额", "investment_list")
    ]
    upload(acceptance, sheet([row()]))
    rows = investment_list.section(acceptance).rows
    assert rows[0] == ("✘ 金额合计", f"{WHO}：清单合计 300,000.00 元，申报表 420,000.00 元")
    assert [label for label, _message in rows] == ["✘ 金额合计", "✘ 服务商", "✘ 产品/服务"]


# --- The summary report --------------------------------------------------------------------------------------------------
def _docx_text(data: bytes) -> list[str]:
    from docx import Document

    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [" | ".join(c.text for c in r.cells) for r in table.rows]
    return lines


def test_the_summary_report_template_blank_and_prefilled(acceptance):
    blank = _docx_text(summary_report.summary_report_template())
    assert blank[0] == "哈尔滨试点企业数字化改造项目总结报告"
    headings = [line for line in blank if line[:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert headings == ["一、项目概况", "二、建设内容", "三、投资情况", "四、实施成效", "五、经验与下一步"]
    filled = _docx_text(summary_report.summary_report_template(acceptance))
    assert f"项目1：{PROJECT}；项目周期：2024-09-01 至 2026-03-31；项目总投资：420,000.00 元。" in filled
    assert f"1 | {PROJECT} | 2024-09-01 至 2026-03-31 | 420,000.00" in filled
    assert "数字化服务商：哈尔滨数智服务有限公司；产品/服务：MES 系统（软件）、采集终端（硬件）" in filled
    assert f"{PROJECT}：数字化水平改造前 一级，改造后 三级。" in filled


def test_hostile_text_does_not_break_the_docx(acceptance):
    AcceptanceProject.objects.update(name="<w:t>项目</w:t>&\x01\x0b名", content="]]><x/>\x1f内容")
    lines = _docx_text(summary_report.summary_report_template(acceptance))
    assert "（1）<w:t>项目</w:t>&名" in lines
    assert "]]><x/>内容" in lines


# --- Pages and API -------------------------------------------------------------------------------------------------------
@pytest.fixture
def as_user(login_client):
    def make(member_or_username, tenant=HARBIN):
        username = getattr(getattr(member_or_username, "user", None), "username", member_or_username)
        return login_client(tenant, username)

    return make


def test_templates_download_for_members_and_prefilled_only_for_who_may_read(world, as_user, tenant_client):
    acceptance = acceptance_submitted(world)
    upload(acceptance, sheet([row()]))
    owner, bureau, other = as_user(world), as_user("hrb_bureau"), as_user(admitted_enterprise(2))
    for base in (PAGES, API):
        blank = other.get(f"{base}/template.xlsx")
        assert (blank.status_code, blank["Content-Type"]) == (200, investment_list.XLSX)
        assert blank["X-Content-Type-Options"] == "nosniff"
        assert "attachment" in blank["Content-Disposition"]
        assert other.get(f"{base}/summary-report.docx")["Content-Type"] == summary_report.DOCX
        for client in (owner, bureau):
            mine = client.get(f"{base}/{acceptance.pk}/template.xlsx")
            assert mine.status_code == 200
            assert cross_check(acceptance, parse(mine.content)) == []
            report = client.get(f"{base}/{acceptance.pk}/summary-report.docx")
            assert PROJECT in "\n".join(_docx_text(report.content))
        for path in ("template.xlsx", "summary-report.docx", "check/"):
            assert other.get(f"{base}/{acceptance.pk}/{path}").status_code == 404, (base, path)
            assert other.get(f"{base}/999999/{path}").status_code == 404
    refusal = other.get(f"{API}/{acceptance.pk}/check/").json()
    assert refusal["code"] == "acceptance.not_found"
    anonymous = tenant_client(HARBIN)
    for path in ("template.xlsx", f"{acceptance.pk}/template.xlsx", f"{acceptance.pk}/check/"):
        assert anonymous.get(f"{PAGES}/{path}").status_code == 302
        assert anonymous.get(f"{API}/{path}").status_code in (401, 403)
        assert as_user("jm_enterprise").get(f"{API}/{path}").status_code in (401, 403)  # not a harbin member


def test_a_tenant_without_the_module_answers_404(as_user):
    client = as_user("jm_enterprise", "jiangmen")
    for base in (PAGES, API):
        for path in ("template.xlsx", "summary-report.docx", "1/template.xlsx", "1/summary-report.docx", "1/check/"):
            assert client.get(f"{base}/{path}").status_code == 404, (base, path)


def test_the_check_page_and_api_list_the_mismatches(acceptance, as_user, world):
    owner = as_user(world)
    page = owner.get(f"{PAGES}/{acceptance.pk}/check/")
    assert page.status_code == 200
    assert "尚未上传项目投资清单" in page.content.decode()
    assert owner.get(f"{API}/{acceptance.pk}/check/").json() == {
        "checked": False, "state": "none", "note": "", "file": None, "mismatches": []
    }  # fmt: skip
    stored = upload(acceptance, sheet([row()]))
    fragment = owner.get(f"{PAGES}/{acceptance.pk}/check/?fragment=1").content.decode()
    assert "<html" not in fragment and 'data-path="projects.0.providers.0.products.1"' in fragment
    assert f"{PWHO}产品/服务「采集终端」：申报表中有，投资清单中没有" in fragment
    body = owner.get(f"{API}/{acceptance.pk}/check/").json()
    assert (body["checked"], body["state"], body["file"]["id"], body["file"]["name"]) == (
        True, "checked", stored.pk, "项目投资清单.xlsx"
    )  # fmt: skip
    assert body["mismatches"][0] == {
        "level": "total",
        "message": f"{WHO}：清单合计 300,000.00 元，申报表 420,000.00 元",
        "path": "projects.0.investment",
    }


def _queries(client, path: str) -> int:
    client.get(path)  # warm: session, the tenant's settings, the parse cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_projects(acceptance, as_user, world):
    upload(acceptance, sheet(CONSISTENT))
    owner = as_user(world)
    paths = [f"{API}/{acceptance.pk}/check/", f"{PAGES}/{acceptance.pk}/check/", f"{API}/{acceptance.pk}/template.xlsx"]
    before = [_queries(owner, path) for path in paths]
    for p in range(1, 6):
        project = AcceptanceProject.objects.create(acceptance=acceptance, position=p, name=f"第{p}个改造项目")
        for v in range(2):
            provider = ProjectProvider.objects.create(project=project, position=v, name=f"服务商{p}-{v}")
            for d in range(3):
                ProjectProduct.objects.create(provider=provider, position=d, name=f"产品{d}", amount=Decimal(1))
    after = [_queries(owner, path) for path in paths]
    assert after == before
    assert len(owner.get(f"{API}/{acceptance.pk}/check/").json()["mismatches"]) == 5


def test_the_schema_of_these_views_validates():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="config.urls_tenant", patterns=None).get_schema(request=None, public=True)
    validate_schema(schema)
    ours = {path: item for path, item in schema["paths"].items() if path.startswith(f"{API}/")}
    assert set(ours) == {
        f"{API}/template.xlsx",
        f"{API}/{{id}}/template.xlsx",
        f"{API}/summary-report.docx",
        f"{API}/{{id}}/summary-report.docx",
        f"{API}/{{id}}/check/",
    }
    assert investment_list.XLSX in ours[f"{API}/template.xlsx"]["get"]["responses"]["200"]["content"]
    problems = [
        line
        for line in (GENERATOR_STATS._warn_cache | GENERATOR_STATS._error_cache)
        if "investment" in line.lower() or "SummaryReport" in line or "Mismatch" in line
    ]
    assert not problems, problems
