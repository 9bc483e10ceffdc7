"""Harbin, issue #14 in real Chromium: a certified enterprise of a pilot industry from 入库申请 to the last payment.

Admission: the enterprise (certified, of 电气装备制造业, not yet admitted: made in set-up) opens 入库申请, 添加, fills
the five sections (basic information, a need, a project inside the pilot period with an indicator, 标杆 是, the audit
and credit reports) and submits; the bureau passes 市工信局审核 on the application page; the enterprise downloads the
generated form and uploads the stamped scan at 上传盖章申报表; the bureau passes 盖章件审核 and the enterprise is a
pilot enterprise.

Acceptance: it adds its acceptance, prefilled from that admission (the project's 80 万元 as 800,000.00 元), fills
the providers and products of the prefilled project (a third product row through "+添加产品/服务"), is refused on
提交 before uploading the material (what it typed stays), uploads the material and the prefilled investment list it
downloaded from the page, and submits. The bureau passes 材料审核, books and concludes the on-site acceptance; the
enterprise uploads the stamped table; the bureau records the recognition (the subsidy follows Harbin's policy),
passes 盖章件审核, publishes a publicity batch the portal shows, and closes it once the period is over (the batch's
dates are moved back in the database: set-up, not waiting); finance pays both tranches; the enterprise sees each
payment on its application, which ends approved.

Screenshots go to the test's tmp dir; axe-core checks the admission and acceptance pages for serious or critical
violations."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.test_identity_journeys import sign_in
from tests.pilots_factories import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PASSWORD = "Pilot#2026x"
PROVIDER = "哈尔滨数智服务有限公司"
PROVIDER_USCC = "91230100MA1CH7QK0W"  # a valid check digit: the service verifies it
PROJECT = "装配车间设备联网与数据采集改造"
# What the enterprise types into its admission (seed 002 §六); the acceptance is prefilled from it.
BASIC = {
    "legal_rep": "王法人",
    "employees": "180",
    "revenue_last_year": "12000.00",
    "main_products": "高低压开关柜、箱式变电站",
}
NEED = {
    "kind": "生产管控",
    "description": "设备状态和工单进度靠人工抄报，数据滞后。",
    "analysis": "需要设备联网和生产数据实时采集。",
}
# Inside Harbin's pilot period (2024-07-01 … 2026-06-30); the content is over the 30 characters the rule asks for.
PROJECT_ROW = {
    "name": PROJECT,
    "content": "对装配车间 36 台关键设备加装采集终端，接入 MES，实现工单、报工、质量数据在线追溯与看板展示。",
    "investment": "80.00",  # 万元
}
PERIOD = ("2024-09-01", "2026-03-31")
INDICATOR = {"name": "设备联网率", "unit": "%", "before": "10", "after": "90"}
# Declared: 800,000.00 元 (the admission's 80 万元), software 330,000 + service 50,000 + hardware 420,000.
PRODUCTS = [
    ("MES 系统", "software", "330000.00"),
    ("采集终端", "hardware", "420000.00"),
    ("实施服务", "service", "50000.00"),
]
# Recognised: 700,000.00 of which hardware 420,000.00 at level 3. Harbin: hardware counts up to 50 % of the
# recognised amount (350,000.00), so the base is 700,000 − 420,000 + 350,000 = 630,000.00; level ≥ 3 → 50 % →
# 315,000.00 (under the 1,000,000.00 cap); tranches 30 % / 70 % → 94,500.00 + 220,500.00.
RECOGNISED, HARDWARE, LEVEL = "700000.00", "420000.00", "3"
SUBSIDY = "315,000.00"
TRANCHES = [("签约后拨付 30%", "94,500.00", "HRB-BZ-0001"), ("验收后拨付 70%", "220,500.00", "HRB-BZ-0002")]
MATERIAL = ["summary_report", "contract", "receipt", "invoice", "bank_slip", "self_assessment"]


# --- Set-up (committed on a connection of its own, so the live server sees it) -----------------------------------------
def _candidate() -> dict:
    """A certified Harbin enterprise of a pilot industry (电气装备制造业) that has not applied for admission yet, as
    `tests.test_pilots.enterprise()` makes one; its registration gives the admission's region, address and contact."""
    from django.contrib.auth import get_user_model

    from tenant_apps.configuration.models import Industry
    from tenant_apps.organisations.models import Membership, Organisation

    users = get_user_model().objects
    n = next(n for n in itertools.count(1) if not users.filter(username=f"journey_e{n}").exists())
    organisation = Organisation.objects.create(
        kind="enterprise",
        name=f"哈尔滨旅程验收机电有限公司{n}",
        uscc=f"91230100MA0JRNY{n:03d}",
        certification=Organisation.Certification.CERTIFIED,
        industry=Industry.objects.get(code="electrical-equipment", is_pilot=True),
        region="黑龙江省哈尔滨市",
        address="香坊区示例路1号",
        contact_name="李经理",
        contact_mobile=f"1390459{n:04d}",
    )
    user = users.create_user(f"journey_e{n}", mobile=f"1370459{n:04d}", password=PASSWORD)
    Membership.objects.create(user=user, organisation=organisation, roles=["enterprise"])
    return {"username": user.username, "name": organisation.name}


def _committed(target, schema: str = "harbin"):
    from tests.threads import in_thread

    thread, outcome = in_thread(target, schema=schema)
    thread.join()
    assert "error" not in outcome, outcome
    return outcome.get("value")


def _move_batch_into_the_past(batch_id: int) -> None:
    """The publicity period ran out (instead of waiting five days): the batch started and ended before today."""

    def move():
        from tenant_apps.pilots.models import PublicityBatch

        today = timezone.localdate()
        PublicityBatch.objects.filter(pk=batch_id).update(
            starts_on=today - datetime.timedelta(days=6), ends_on=today - datetime.timedelta(days=2)
        )

    _committed(move)


# The 结束公示 form posted from the batch page as it is (the page offers no button before the last day).
CLOSE_NOW = """async () => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const answer = await fetch(location.href, {method: "POST", credentials: "same-origin",
                                             body: new URLSearchParams({csrfmiddlewaretoken: token, do: "close"})});
  return [answer.status, await answer.text()];
}"""


# --- Helpers -----------------------------------------------------------------------------------------------------------
class Journey:
    """Screenshots into the test's tmp dir and axe-core findings, gathered along the way and asserted at the end."""

    def __init__(self, folder):
        self.folder = folder
        self.step = itertools.count(1)
        self.violations: list[str] = []

    def shot(self, page, name: str) -> None:
        page.screenshot(path=str(self.folder / f"{next(self.step):02d}-{name}.png"), full_page=True)

    def axe(self, page, name: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(page)
        self.violations += [
            f"{name}: {violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(node["target"][0] for node in violation["nodes"][:3])
            for violation in results.response["violations"]
            if violation["impact"] in {"serious", "critical"}
        ]


def _person(browser, base, username, password=None):
    page = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, username, password)
    return page


def _submit(page, selector):
    """Press a button that posts its form and wait for the answer page."""
    with page.expect_navigation():
        page.click(selector)


def _confirm(page, button):
    """Press a button whose form asks first, and answer 确定 in the UI kit's dialog."""
    page.click(button)
    page.locator("#confirm-dialog").wait_for(state="visible")
    with page.expect_navigation():
        page.click("#confirm-dialog [data-confirm-ok]")


def _open_from_inbox(page, base, text):
    page.goto(base + "/workbench/inbox/")
    page.locator("tr", has_text=text).first.locator("text=详情").click()
    page.wait_for_selector("#application-state")


def _decide(page, action="approve", opinion=""):
    page.check(f"#decide input[value={action}]")
    if opinion:
        page.fill("#decide textarea", opinion)
    _submit(page, "#decide button[type=submit]")


def _type_date(page, selector, value):
    """Type a date into a date picker as a person does, and Tab out (the calendar closes and keeps what was typed)."""
    page.fill(selector, value)
    page.press(selector, "Tab")
    assert page.input_value(selector) == value


def _docx_text(content: bytes) -> str:
    import io

    from docx import Document

    document = Document(io.BytesIO(content))
    cells = (cell.text for table in document.tables for row in table.rows for cell in row.cells)
    return "\n".join([*(p.text for p in document.paragraphs), *cells])


def _amount(text: str) -> Decimal:
    """A money figure as a page shows it ("315,000.00" or "315000.00")."""
    return Decimal(text.strip().replace(",", ""))


def _product_values(page) -> list[tuple[str, str, str]]:
    rows = []
    for row in page.locator("#projects-0-products [data-row]:visible").all():
        name = row.locator("input[name$='-name']").input_value()
        if name:
            rows.append(
                (
                    name,
                    row.locator("select[name$='-kind']").input_value(),
                    row.locator("input[name$='-amount']").input_value(),
                )
            )
    return rows


def test_a_pilot_enterprise_is_accepted_subsidised_and_paid(browser, live_url, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    journey = Journey(tmp_path)
    enterprise_info = _committed(_candidate)
    name = enterprise_info["name"]
    harbin = live_url("harbin")

    # 0. Admission. The enterprise opens 入库申请 and 添加: the registered identity and contact come prefilled.
    enterprise = _person(browser, harbin, enterprise_info["username"], PASSWORD)
    enterprise.goto(harbin + "/workbench/pilots/")
    assert enterprise.locator("#pilot-status").count() == 0
    _submit(enterprise, "#add-admission")
    enterprise.wait_for_url("**/workbench/pilots/*/")
    assert enterprise.input_value("#id_company_name") == name
    assert enterprise.locator("#id_company_name").is_disabled()  # fixed by registration and certification
    assert enterprise.input_value("#id_industry") == "电气装备制造业"
    assert enterprise.input_value("#id_contact_name") == "李经理"
    assert enterprise.input_value("#id_region") == "黑龙江省哈尔滨市"
    journey.axe(enterprise, "admission form")

    # 一、基本情况: what registration does not know.
    for field, value in BASIC.items():
        enterprise.fill(f"#id_{field}", value)
    # 二、数字化改造需求: the first of the empty rows.
    for field, value in NEED.items():
        enterprise.fill(f"#id_needs-0-{field}", value)
    # 三、数字化改造情况及成效: a project inside the pilot period, levels 一级 → 三级, an indicator.
    enterprise.fill("#id_projects-0-name", PROJECT_ROW["name"])
    _type_date(enterprise, "#id_projects-0-starts_on", PERIOD[0])
    _type_date(enterprise, "#id_projects-0-ends_on", PERIOD[1])
    enterprise.fill("#id_projects-0-investment", PROJECT_ROW["investment"])
    enterprise.select_option("#id_projects-0-level_before", "1")
    enterprise.select_option("#id_projects-0-level_after", "3")
    enterprise.fill("#id_projects-0-content", PROJECT_ROW["content"])
    for field, value in INDICATOR.items():
        enterprise.fill(f"#id_projects-0-indicators-0-{field}", value)
    # 四、其他情况 and 五、相关佐证材料.
    enterprise.check("#id_benchmark input[value=yes]")
    for kind, label in (("audit_report", "审计报告"), ("credit_report", "信用报告")):
        enterprise.set_input_files(
            f"input[name={kind}]", files=[{"name": f"{label}.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
    journey.shot(enterprise, "enterprise-admission-filled")
    _submit(enterprise, "#admission-submit")
    enterprise.wait_for_url("**/workbench/applications/*/")
    admission_url = enterprise.url
    assert enterprise.locator("#application-state").inner_text() == "审核中", enterprise.locator("body").inner_text()
    assert "市工信局审核" in enterprise.locator("#application-facts").inner_text()
    journey.shot(enterprise, "enterprise-admission-submitted")

    # The bureau passes 市工信局审核 on the application page (我的待办 → 详情).
    bureau = _person(browser, harbin, "hrb_bureau")
    _open_from_inbox(bureau, harbin, name)
    assert bureau.url == admission_url
    assert "市工信局审核" in bureau.locator("#application-facts").inner_text()
    assert PROJECT in bureau.locator(".content").inner_text()
    # 五、相关佐证材料 lists the reports by name only: nothing on the page opens them (reported).
    assert "审计报告.pdf" in bureau.locator(".content").inner_text()
    journey.axe(bureau, "admission application page (bureau)")
    _decide(bureau, "approve", "符合入库条件，请下载申请表加盖公章后扫描上传。")
    assert "上传盖章申报表" in bureau.locator("#application-facts").inner_text()

    # The enterprise (我的待办 → 详情) downloads the generated form (Word), prints, stamps and uploads the scan at
    # 上传盖章申报表.
    _open_from_inbox(enterprise, harbin, name)
    assert enterprise.url == admission_url
    assert "上传盖章申报表" in enterprise.locator("#application-facts").inner_text()
    with enterprise.expect_download() as download:
        enterprise.locator("#upload").locator("xpath=..").locator("a", has_text="Word").click()
    assert download.value.suggested_filename.endswith(".docx"), download.value.suggested_filename
    form_text = _docx_text(download.value.path().read_bytes())
    assert name in form_text and PROJECT in form_text and "设备联网率" in form_text, form_text
    enterprise.set_input_files(
        "#upload input[type=file]", files=[{"name": "盖章申报表.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    enterprise.click("#upload button[type=submit]")
    enterprise.locator("#attachments", has_text="盖章申报表.pdf").wait_for()
    assert "盖章件审核" in enterprise.locator("#application-facts").inner_text()
    journey.shot(enterprise, "enterprise-admission-stamped-form-uploaded")

    # The bureau (我的待办 → 详情) passes 盖章件审核: the enterprise is a pilot enterprise.
    _open_from_inbox(bureau, harbin, name)
    assert bureau.url == admission_url
    assert "盖章件审核" in bureau.locator("#application-facts").inner_text()
    _decide(bureau, "approve", "盖章申报表无误，同意入库。")
    assert bureau.locator("#application-state").inner_text() == "已通过"
    enterprise.goto(harbin + "/workbench/pilots/")
    assert "试点企业" in enterprise.locator("#pilot-status").inner_text()
    assert f"入库日期 {timezone.localdate():%Y-%m-%d}" in enterprise.locator("#pilot-status").inner_text()
    assert enterprise.locator("#add-admission").count() == 0
    journey.shot(enterprise, "enterprise-admitted")

    # 1. The enterprise adds its acceptance: the form comes prefilled from the admission it just passed.
    enterprise.goto(harbin + "/workbench/pilots/acceptance/")
    _submit(enterprise, "#add-acceptance")
    enterprise.wait_for_url("**/workbench/pilots/acceptance/*/")
    form_url = enterprise.url
    acceptance_id = int(form_url.rstrip("/").rsplit("/", 1)[1])
    assert enterprise.input_value("#id_company_name") == name
    assert enterprise.input_value("#id_legal_rep") == "王法人"
    assert enterprise.input_value("#id_employees") == BASIC["employees"]
    assert enterprise.input_value("#id_projects-0-name") == PROJECT
    assert enterprise.input_value("#id_projects-0-investment") == "800000.00"  # 80 万元 in 元
    assert (
        enterprise.input_value("#id_projects-0-starts_on"),
        enterprise.input_value("#id_projects-0-ends_on"),
    ) == PERIOD
    assert enterprise.input_value("#id_projects-0-level_before") == "1"
    assert enterprise.input_value("#id_projects-0-level_after") == "3"
    assert enterprise.input_value("#id_projects-0-content") == PROJECT_ROW["content"]
    assert enterprise.input_value("#id_projects-0-indicators-0-name") == INDICATOR["name"]
    assert enterprise.input_value("#id_needs-0-kind") == NEED["kind"]
    assert enterprise.input_value("#id_needs-0-description") == NEED["description"]
    assert enterprise.locator("#id_benchmark input[value=yes]").is_checked()
    journey.shot(enterprise, "enterprise-form-prefilled")
    journey.axe(enterprise, "acceptance form")

    # The providers and products of the project: two empty rows, a third through "+添加产品/服务".
    products = enterprise.locator("#projects-0-products")
    add_product = products.locator("[data-row-add]")
    assert add_product.is_visible(), "“+添加产品/服务” is not offered on the acceptance form"
    add_product.click()
    rows = products.locator("[data-rows-list] > [data-row]")
    assert rows.count() == 3
    first = rows.nth(0)
    first.locator("input[name$='-provider']").fill(PROVIDER)
    first.locator("input[name$='-uscc']").fill(PROVIDER_USCC)
    first.locator("input[name$='-contract_amount']").fill("800000.00")
    for row, (product, kind, amount) in zip(rows.all(), PRODUCTS, strict=True):
        row.locator("input[name$='-name']").fill(product)
        row.locator("select[name$='-kind']").select_option(kind)
        row.locator("input[name$='-amount']").fill(amount)

    # 提交 before any material: refused with the problems listed; what was typed is kept.
    _submit(enterprise, "#acceptance-submit")
    problems = enterprise.locator("#problems")
    problems.wait_for()
    assert "请上传项目总结报告" in problems.inner_text()
    assert "请上传项目投资清单" in problems.inner_text()
    assert _product_values(enterprise) == PRODUCTS
    assert enterprise.input_value("#id_projects-0-products-0-provider") == PROVIDER
    journey.shot(enterprise, "enterprise-refused-submission")

    # The investment list: the template prefilled from the saved form, downloaded from the page and uploaded back.
    with enterprise.expect_download() as download:
        enterprise.click("#investment-template")
    template = download.value.path().read_bytes()
    enterprise.set_input_files(
        "input[name=investment_list]",
        files=[
            {
                "name": "项目投资清单.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": template,
            }
        ],
    )
    for kind in MATERIAL:
        enterprise.set_input_files(
            f"input[name={kind}]", files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
    enterprise.click("#acceptance-save")
    enterprise.locator("ul.file-list[data-files=investment_list]").wait_for()
    assert "项目投资清单.xlsx" in enterprise.locator("ul.file-list[data-files=investment_list]").inner_text()
    assert enterprise.locator("#problems").count() == 0  # the list agrees with the form: no mismatch to show
    assert _product_values(enterprise) == PRODUCTS
    assert add_product.is_visible()  # the page the upload answered with is as usable as the first
    journey.shot(enterprise, "enterprise-material-uploaded")

    _submit(enterprise, "#acceptance-submit")
    enterprise.wait_for_url("**/workbench/applications/*/")
    application_url = enterprise.url
    assert enterprise.locator("#application-state").inner_text() == "审核中"
    assert "与申报表一致" in enterprise.locator(".content").inner_text()
    journey.shot(enterprise, "enterprise-submitted")

    # 2. The bureau: 我的待办 → the application → 通过 at 材料审核; then 现场验收: book a visit, conclude 通过.
    _open_from_inbox(bureau, harbin, name)
    assert "材料审核" in bureau.locator("#application-facts").inner_text()
    journey.axe(bureau, "application page (bureau)")
    _decide(bureau, "approve", "材料齐全，请预约现场验收。")
    assert "现场验收" in bureau.locator("#application-facts").inner_text()

    bureau.goto(harbin + "/workbench/pilots/acceptance/onsite/")  # 现场验收's list: this one waits for its booking
    assert "待预约" in bureau.locator(f"tr[data-acceptance='{acceptance_id}']").inner_text()
    bureau.go_back()
    with bureau.expect_navigation():  # the stage's check leads to the booking page
        bureau.locator("#checks a", has_text="去填写").click()
    bureau.wait_for_url(f"**/workbench/pilots/acceptance/onsite/{acceptance_id}/")
    assert bureau.input_value("#id_book-contact_name") == "李经理"  # prefilled from the acceptance
    visit_at = (timezone.localtime() + datetime.timedelta(days=7)).replace(hour=9, minute=30)
    bureau.fill("#id_book-scheduled_at", visit_at.strftime("%Y-%m-%dT%H:%M"))
    bureau.fill("#id_book-place", "香坊区示例路1号 装配车间")
    bureau.fill("#id_book-preparation", "请准备合同、发票原件，MES 系统现场演示。")
    journey.axe(bureau, "on-site page")
    _submit(bureau, "#book button[type=submit]")
    assert visit_at.strftime("%Y-%m-%d %H:%M") in bureau.locator("#onsite-booking").inner_text()
    bureau.check("#conclude input[name=conclude-conclusion][value=pass]")
    bureau.fill("#id_conclude-note", "设备联网与 MES 运行情况与申报一致。")
    journey.shot(bureau, "bureau-onsite-booked")
    _confirm(bureau, "#conclude button[type=submit]")
    history = bureau.locator("#onsite-history li").first.inner_text()
    assert "通过" in history and "设备联网与 MES 运行情况与申报一致。" in history, history
    journey.shot(bureau, "bureau-onsite-concluded")

    # 3. The enterprise: 我的待办 → upload the stamped acceptance table at 上传盖章验收表.
    _open_from_inbox(enterprise, harbin, name)
    assert "上传盖章验收表" in enterprise.locator("#application-facts").inner_text()
    with enterprise.expect_download() as download:  # the generated table, to print, stamp and scan
        enterprise.locator("#upload").locator("xpath=..").locator("a", has_text="PDF").click()
    assert download.value.path().read_bytes()[:5] == b"%PDF-"
    journey.shot(enterprise, "enterprise-upload-stage")
    enterprise.set_input_files(
        "#upload input[type=file]", files=[{"name": "盖章验收表.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    enterprise.click("#upload button[type=submit]")
    enterprise.locator("#attachments", has_text="盖章验收表.pdf").wait_for()
    assert "盖章件审核" in enterprise.locator("#application-facts").inner_text()
    journey.shot(enterprise, "enterprise-stamped-table-uploaded")

    # 4. The bureau records the recognition (from the check on the application page) and passes 盖章件审核.
    bureau.goto(application_url)
    assert "盖章件审核" in bureau.locator("#application-facts").inner_text()
    with bureau.expect_navigation():
        bureau.locator("#checks a", has_text="去填写").click()
    bureau.wait_for_url(f"**/workbench/pilots/acceptance/recognition/{acceptance_id}/")
    project = bureau.locator("#recognition-form fieldset[data-project]")
    assert project.count() == 1
    assert project.locator("input[name$='-recognised_amount']").input_value() == "800000.00"  # declared
    project.locator("input[name$='-recognised_amount']").fill(RECOGNISED)
    project.locator("input[name$='-recognised_hardware']").fill(HARDWARE)
    project.locator("select[name$='-level_reached']").select_option(LEVEL)
    assert project.locator("input[name$='-in_period']").is_checked()  # 2024-09-01 … 2026-03-31: inside the period
    assert project.locator("input[name$='-proven']").is_checked()  # contracts, invoices, bank slips uploaded
    journey.axe(bureau, "recognition page")
    _submit(bureau, "#recognition-save")
    result = bureau.locator("#recognition-results .recognition-result")
    breakdown = result.locator(".breakdown").inner_text()
    assert breakdown == (
        "认定投资 700,000.00 元，其中硬件 420,000.00 元按上限 50% 计入 350,000.00 元，计补基数 630,000.00 元，"
        "比例 50%（数字化水平达到三级及以上），封顶 1,000,000.00 元 → 补贴 315,000.00 元"
    ), breakdown
    assert _amount(result.locator(".subsidy").inner_text()) == _amount(SUBSIDY)
    totals = {
        item.locator("dt").inner_text(): _amount(item.locator("dd").inner_text())
        for item in bureau.locator("#recognition-total .descriptions-item").all()
    }
    assert totals == {"补贴合计（元）": _amount(SUBSIDY), **{label: _amount(amount) for label, amount, _v in TRANCHES}}
    journey.shot(bureau, "bureau-recognition")
    bureau.click("#application-link")
    bureau.wait_for_selector("#decide")
    _decide(bureau, "approve", "盖章验收表无误。")
    assert "公示" in bureau.locator("#application-facts").inner_text()

    # 5. 公示: a new batch with this acceptance, published; the portal shows it; closed once the period is over.
    # Neither the menu, the 资金申请 hub nor the application page leads the bureau to 公示管理 (reported): by address.
    bureau.goto(harbin + "/workbench/pilots/acceptance/publicity/")
    _submit(bureau, "#batch-new")
    title = f"{name}验收补贴公示"
    bureau.fill("#id_title", title)
    bureau.fill("#id_days", "5")
    bureau.locator("#batch-form label", has_text=name).click()
    assert bureau.locator("#batch-form label", has_text=name).inner_text().endswith(f"（{SUBSIDY} 元）")
    journey.axe(bureau, "new publicity batch")
    _submit(bureau, "#batch-form button[type=submit]")
    bureau.wait_for_url("**/workbench/pilots/acceptance/publicity/*/")
    batch_url = bureau.url
    batch_id = int(batch_url.rstrip("/").rsplit("/", 1)[1])
    _confirm(bureau, "#batch-publish button[type=submit]")
    today = timezone.localdate()
    period = bureau.locator("#batch-facts").inner_text()
    assert f"{today:%Y-%m-%d} 至 {today + datetime.timedelta(days=4):%Y-%m-%d}" in period
    assert bureau.locator("#batch-close").count() == 0  # not before the last day
    journey.axe(bureau, "publicity batch")
    journey.shot(bureau, "bureau-batch-published")
    status, answer = bureau.evaluate(CLOSE_NOW)  # what the missing button would do: the service refuses it too
    assert status == 409 and "期满后" in answer, status

    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.goto(harbin + "/publicity/")  # no link to 公示公告 on the portal (reported): by address
    visitor.locator(f"tr[data-batch='{batch_id}'] a", has_text=title).click()
    visitor.wait_for_url(f"**/publicity/{batch_id}/")
    row = visitor.locator("#publicity-items tr", has_text=name)
    assert PROJECT in row.inner_text() and SUBSIDY in row.inner_text() and "700,000.00" in row.inner_text()
    journey.axe(visitor, "portal publicity")
    journey.shot(visitor, "visitor-publicity")
    visitor.context.close()

    _move_batch_into_the_past(batch_id)
    bureau.goto(batch_url)
    _confirm(bureau, "#batch-close button[type=submit]")
    assert "1 项通过公示进入资金拨付" in bureau.locator("body").inner_text()
    assert "已通过公示" in bureau.locator(".publicity-item", has_text=name).inner_text()
    journey.shot(bureau, "bureau-batch-closed")

    # 6. Finance pays each tranche on the payments page (date, voucher number).
    finance = _person(browser, harbin, "hrb_finance")
    finance.goto(harbin + "/workbench/pilots/acceptance/publicity/payments/")
    journey.axe(finance, "payments page")
    rows = finance.locator("#tranches tr", has_text=name)
    assert rows.count() == 2
    paid_on = today - datetime.timedelta(days=1)
    for label, amount, voucher in TRANCHES:
        row = finance.locator("#tranches tr", has_text=name).filter(has_text=label)
        assert amount in row.inner_text()
        row.locator("input[name=paid_on]").fill(paid_on.isoformat())
        row.locator("input[name=voucher_number]").fill(voucher)
        journey.shot(finance, f"finance-pay-{voucher}")
        _confirm(finance, f"#{row.locator('form').get_attribute('id')} button[type=submit]")
        assert "拨付已登记" in finance.locator("body").inner_text()
    assert finance.locator("#tranches tr", has_text=name).count() == 0  # nothing of it left to pay
    finance.goto(harbin + "/workbench/pilots/acceptance/publicity/payments/?state=paid")
    paid = finance.locator("#tranches tr", has_text=name)
    assert paid.count() == 2
    journey.shot(finance, "finance-paid")

    # 7. The enterprise sees each payment on its application, which is approved (办结).
    enterprise.goto(application_url)
    content = enterprise.locator(".content").inner_text()
    for label, amount, voucher in TRANCHES:
        assert f"{label}（{amount} 元）" in content, content
        assert f"已拨付：{paid_on.isoformat()}，凭证号 {voucher}" in content, content
    assert enterprise.locator("#application-state").inner_text() == "已通过"
    assert "办结时间" in enterprise.locator("#application-facts").inner_text()
    journey.axe(enterprise, "application page (enterprise)")
    journey.shot(enterprise, "enterprise-paid")
    for page in (enterprise, bureau, finance):
        page.context.close()
    assert not journey.violations, "\n".join(journey.violations)
