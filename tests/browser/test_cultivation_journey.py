"""National, issue #16 (seed 003) in real Chromium: a new enterprise's way from its first sign-in to a recognition
anyone can look up, through the county, city and province of its registered place (ADR 0024), with one return.

1. The enterprise (certified, made by `tests.cultivation_factories` without cultivation info, committed) opens
   梯度培育: the home asks for 企业信息; it fills the info form (注册地 鄞州区, 制造业, …), takes the 数字化水平评测 by
   answering every question of the bundled manufacturing questionnaire on the page, and reads its level on the
   result page.
2. 企业申报信息: 创新型中小企业 in the window opened for 浙江省 (committed with the factory), every indicator with
   evidence PDFs, 保存 (the files are listed), 提交: the history shows 审核中 at 区县审核.
3. nat_county (鄞州区) approves from 待我审批; nat_city (宁波市) finds it in 申报与认定 at 市级审核 (the list fits
   1280px), then returns it from 待我审批 with an opinion while the window is open;
   the enterprise sees 已退回 and the opinion in its history and on the form, edits and resubmits; county and city
   approve again, nat_province (浙江省) approves: 已通过.
4. The enterprise finds 认定通知 in 我的消息 with its certificate number; an anonymous visitor finds the
   recognition through 企业认定查询 (name + USCC + the captcha's answer).

`test_each_role_lands_on_its_pages` keeps screenshots of each demo role's cultivation pages (not asserted beyond
their loading). Screenshots go to var/screenshots/cultivation/ (git-ignored with var/). The journey's rows are
committed with a free factory number and removed at the end (`_remove`), so a re-run starts from the demo again."""

import itertools
from pathlib import Path

import pytest

from tests.browser.conftest import captcha_answer
from tests.browser.steps import (
    decide as _decide,
)
from tests.browser.steps import (
    open_from_inbox as _open_from_inbox,
)
from tests.browser.steps import (
    person as _person,
)
from tests.browser.steps import (
    stage as _stage,
)
from tests.browser.steps import (
    submit as _submit,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "cultivation"
NATIONAL = "national"
TIER = "创新型中小企业"
OPINION = "请在成长性指标中补充近两年利润增长率及数据来源。"
GROWTH = "近两年营业收入年均增长 18.5%。"
GROWTH_AGAIN = GROWTH + "利润年均增长 12.3%（经审计的财务报表）。"
INNOVATION = "上年度研发费用 320 万元，占营业收入 4.1%，设有区级研发中心。"
# The answer picked for every question of the bundled manufacturing questionnaire: the third option of a single
# choice, a few systems and safeguards of the multiple ones.
MULTIPLE = {"f2": ["erp", "finance", "mes"], "f4": ["firewall", "backup"]}


def _pdf(folder: Path, name: str) -> Path:
    """A small valid one-page PDF written to a file, as a person picks a scan from the disk."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    path = folder / name
    with path.open("wb") as out:
        writer.write(out)
    return path


# --- Set-up and removal (committed on a connection of their own, so the live server sees them) -------------------------
def _enterprise() -> dict:
    """A certified enterprise without cultivation info and an innovative window for 浙江省, with a factory number no
    other row uses (a kept database may hold an earlier run's)."""
    from django.contrib.auth import get_user_model

    from tenant_apps.organisations.models import Organisation
    from tests import cultivation_factories as f

    users = get_user_model().objects
    n = next(
        n
        for n in itertools.count(900)
        if not users.filter(username=f"cul_e{n}").exists()
        and not users.filter(mobile=f"1370574{n:04d}").exists()
        and not Organisation.objects.filter(uscc=f"91330212MA0CU{n:04d}X").exists()
    )
    member = f.enterprise(n, name=f"宁波浏览器旅程培育企业{n}有限公司", info=False)
    window = f.window("innovative", name=f"浏览器旅程浙江省创新型中小企业申报{n}")
    return {
        "username": member.user.username,
        "user_id": member.user_id,
        "organisation_id": member.organisation_id,
        "name": member.organisation.name,
        "uscc": member.organisation.uscc,
        "window_id": window.pk,
        "window": window.name,
    }


def _remove(info: dict) -> None:
    """Undo what the journey committed: the enterprise's cultivation rows, its applications with their tasks and log
    (append-only, so under `prune_allowed`), its organisation, the window, then the person and the public rows about
    them (security events, audit entries)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models import Q
    from django_tenants.utils import schema_context

    from shared_apps.accounts.models import SecurityEvent
    from shared_apps.oversight.models import AuditEntry
    from tenant_apps.configuration.models import DeclarationWindow
    from tenant_apps.cultivation.models import Assessment, Declaration, EnterpriseInfo, Evidence, Message, Recognition
    from tenant_apps.organisations.models import Membership, Organisation
    from tenant_apps.workflow.models import Application
    from tenants.append_only import prune_allowed

    org, user_id = info["organisation_id"], info["user_id"]
    with transaction.atomic(), prune_allowed():
        applications = Application.objects.filter(Q(organisation_id=org) | Q(applicant_id=user_id))
        Recognition.objects.filter(organisation_id=org).delete()
        Evidence.objects.filter(declaration__organisation_id=org).delete()
        Declaration.objects.filter(organisation_id=org).delete()
        Assessment.objects.filter(organisation_id=org).delete()
        Message.objects.filter(organisation_id=org).delete()
        applications.delete()  # tasks, log entries, attachments cascade
        EnterpriseInfo.objects.filter(organisation_id=org).delete()
        Membership.objects.filter(user_id=user_id).delete()
        Organisation.objects.filter(pk=org).delete()
        DeclarationWindow.objects.filter(pk=info["window_id"]).delete()
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is not None:
            with schema_context("public"):
                SecurityEvent.objects.filter(user_id=user_id).delete()
                AuditEntry.objects.filter(actor_id=user_id).delete()
            user.delete()


def _committed(target):
    from tests.threads import in_thread

    thread, outcome = in_thread(target, schema=NATIONAL)
    thread.join()
    assert "error" not in outcome, outcome
    return outcome.get("value")


# --- Helpers -----------------------------------------------------------------------------------------------------------
class Shots:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
        self.step = itertools.count(1)

    def __call__(self, page, name: str) -> None:
        """The whole page as a window that tall shows it: sticky bars (the top bar, a form's actions) where they
        sit at the top and the bottom, not where the last scroll left them."""
        size = page.viewport_size
        page.evaluate("window.scrollTo(0, 0)")
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
        page.screenshot(path=str(self.folder / f"{next(self.step):02d}-{name}.png"), full_page=True)
        page.set_viewport_size(size)


def _tab(page, name):
    with page.expect_navigation():
        page.click(f"#cultivation-tabs a[data-tab={name}]")


def _questionnaire():
    from django_tenants.utils import schema_context

    from tenant_apps.cultivation.models import Questionnaire

    with schema_context(NATIONAL):
        return Questionnaire.objects.get(sector="manufacturing", is_active=True)


def _answers(definition: dict) -> dict:
    answers = {}
    for section in definition["sections"]:
        for question in section["questions"]:
            code = question["code"]
            answers[code] = MULTIPLE[code] if question.get("multiple") else question["options"][2]["code"]
    return answers


def _history_row(page):
    """The enterprise's one declaration in 申报记录."""
    return page.locator("#declarations tbody tr", has_text=TIER)


# --- The journey -------------------------------------------------------------------------------------------------------
def test_an_enterprise_assesses_declares_and_is_recognised_through_three_levels(browser, live_url, settings, tmp_path):
    from tenant_apps.cultivation.assessment_exports import level_label
    from tenant_apps.cultivation.questionnaire_services import score

    settings.MEDIA_ROOT = tmp_path / "media"
    shot = Shots(SHOTS)
    files = tmp_path / "files"
    files.mkdir()
    info = _committed(_enterprise)
    name = info["name"]
    national = live_url(NATIONAL)
    pages = []
    try:
        # 1. The enterprise: 梯度培育 asks for 企业信息 first.
        company = _person(browser, national, info["username"], "Pilot#2026x")
        pages.append(company)
        company.goto(national + "/workbench/cultivation/")
        company.wait_for_url("**/workbench/cultivation/enterprise/")
        assert company.locator("#info-missing").is_visible()
        assert company.locator("#assessment-none").is_visible()
        shot(company, "enterprise-home-new")
        with company.expect_navigation():
            company.click("#info-missing #info-link")
        assert company.locator("#info-missing").is_visible()
        shot(company, "enterprise-info-empty")
        _submit(company, "#info-edit")
        company.select_option("#id_region", "330212")
        company.select_option("#id_sector", "manufacturing")
        company.fill("#id_main_business", "汽车线束连接器研发与制造")
        company.fill("#id_legal_rep", "王建华")
        company.fill("#id_ownership", "民营企业")
        company.fill("#id_employees", "128")
        company.fill("#id_revenue", "7800")
        company.fill("#id_rd_expense", "320")
        company.fill("#id_contact_name", "王经理")
        company.fill("#id_contact_mobile", "13905740900")
        shot(company, "enterprise-info-form")
        _submit(company, "#info-submit")
        company.wait_for_url("**/workbench/cultivation/info/")
        body = company.locator("#info-current").inner_text()
        assert "鄞州区" in body and "汽车线束连接器研发与制造" in body, body
        shot(company, "enterprise-info-saved")

        # The self-assessment: every question of the bundled manufacturing questionnaire, answered on the page.
        questionnaire = _questionnaire()
        answers = _answers(questionnaire.definition)
        _sections, total, level = score(questionnaire.definition, answers)
        _tab(company, "assessment")
        assert company.locator("#assessment-none").is_visible()
        assert questionnaire.title in company.locator("#assessment-questionnaire").inner_text()
        shot(company, "assessment-home-empty")
        _submit(company, "#assessment-start")
        assert company.locator("#assessment-form").is_visible()
        for code, picked in answers.items():
            for value in picked if isinstance(picked, list) else [picked]:
                company.locator(f"#field-{code} input[value='{value}']").check()
        shot(company, "assessment-answered")
        _submit(company, "#assessment-submit")
        company.wait_for_url("**/workbench/cultivation/assessment/*/")
        assert company.locator("#result-level").inner_text() == level_label(level)
        assert f"{total}" in company.locator("#result-score").inner_text()
        assert company.locator("#section-scores tbody tr").count() == len(questionnaire.definition["sections"])
        assert company.locator("#assessment-counts").is_visible()
        shot(company, "assessment-result")

        # 2. 企业申报信息: 创新型中小企业 in the 浙江省 window.
        _tab(company, "declarations")
        assert company.locator("#declarations .empty, #declarations [class*=empty]").count() >= 1
        shot(company, "declarations-empty")
        start = company.locator("form[data-start=innovative]")
        start.locator("select[name=window]").select_option(str(info["window_id"]))
        with company.expect_navigation():
            start.locator("[data-action=apply]").click()
        company.wait_for_url("**/workbench/cultivation/declarations/*/")
        assert info["window"] in company.locator("#declaration-window").inner_text()
        assert f"{level} 级" in company.locator("#assessment-used").inner_text()
        company.fill("#id_innovation_input", INNOVATION)
        company.fill("#id_growth", GROWTH)
        company.fill("#id_specialisation", "86")
        company.fill("#id_ip", "12")
        company.set_input_files("#id_evidence_innovation_input", _pdf(files, "研发费用专项审计报告.pdf"))
        company.set_input_files("#id_evidence_ip", _pdf(files, "知识产权证书.pdf"))
        shot(company, "declaration-filled")
        company.click("#declaration-save")  # with files: the upload goes with its progress, the answer follows
        company.wait_for_selector("[data-uploaded=evidence_ip]")
        assert "已保存" in company.locator("body").inner_text()
        assert "研发费用专项审计报告.pdf" in company.locator("[data-uploaded=evidence_innovation_input]").inner_text()
        assert "知识产权证书.pdf" in company.locator("[data-uploaded=evidence_ip]").inner_text()
        assert company.input_value("#id_growth") == GROWTH
        shot(company, "declaration-saved")
        _submit(company, "#declaration-submit")
        company.wait_for_url("**/workbench/cultivation/declarations/")
        row = _history_row(company)
        assert "审核中" in row.inner_text() and "区县审核" in row.inner_text(), row.inner_text()
        shot(company, "declarations-in-review")

        # 3. 鄞州区 approves; 宁波市 returns it with an opinion.
        title = f"{TIER}申报 · {name}"
        county = _person(browser, national, "nat_county")
        city = _person(browser, national, "nat_city")
        province = _person(browser, national, "nat_province")
        pages += [county, city, province]
        _open_from_inbox(county, national, title)
        assert "区县审核" in _stage(county)
        content = county.locator(".content").inner_text()
        assert INNOVATION in content and "鄞州区" in content and f"{level} 级" in content, content
        assert county.locator(".content a", has_text="知识产权证书.pdf").count() == 1
        shot(county, "county-declaration")
        _decide(county, "approve", "材料齐全，同意上报。")
        assert county.locator("#application-state").inner_text() == "审核中"

        # 宁波市 reads it among its division's declarations first: the level holding it under its state, and the
        # seven columns fit beside the menu at 1280px (nothing scrolls out of sight).
        city.goto(national + "/workbench/cultivation/admin/")
        listed = city.locator("#admin-declarations tbody tr", has_text=name)
        assert "市级审核" in listed.locator("[data-stage]").inner_text()
        assert info["window"] in listed.locator("[data-window]").inner_text()
        assert city.eval_on_selector(
            "#admin-declarations", "t => t.parentElement.scrollWidth <= t.parentElement.clientWidth"
        )
        shot(city, "city-admin-declarations")
        _open_from_inbox(city, national, title)
        assert "市级审核" in _stage(city)
        shot(city, "city-declaration")
        _decide(city, "return", OPINION)
        assert city.locator("#application-state").inner_text() == "已退回"

        # The enterprise sees 已退回 and the opinion, edits and resubmits.
        company.goto(national + "/workbench/cultivation/declarations/")
        row = _history_row(company)
        assert "已退回" in row.inner_text() and OPINION in row.inner_text(), row.inner_text()
        shot(company, "declarations-returned")
        with company.expect_navigation():
            row.locator("[data-action=edit]").click()
        assert OPINION in company.locator("#returned-opinion").inner_text()
        assert company.input_value("#id_growth") == GROWTH
        company.fill("#id_growth", GROWTH_AGAIN)
        shot(company, "declaration-returned-edit")
        _submit(company, "#declaration-submit")
        company.wait_for_url("**/workbench/cultivation/declarations/")
        assert "审核中" in _history_row(company).inner_text()

        # The chain runs again through the three levels.
        for page, stage in ((county, "区县审核"), (city, "市级审核"), (province, "省级审核")):
            _open_from_inbox(page, national, title)
            assert stage in _stage(page), _stage(page)
            if page is province:
                assert GROWTH_AGAIN in page.locator(".content").inner_text()
                shot(province, "province-declaration")
            _decide(page, "approve", "同意。")
        assert province.locator("#application-state").inner_text() == "已通过"
        log = province.locator("#work-order-log").inner_text()
        assert OPINION in log, log
        shot(province, "province-approved")

        # 4. The enterprise: 认定通知 in 我的消息, the history shows 审核通过.
        company.goto(national + "/workbench/cultivation/declarations/")
        assert "已通过" in _history_row(company).inner_text()
        shot(company, "declarations-approved")
        _tab(company, "messages")
        with company.expect_navigation():
            company.click("#message-categories a[data-category=recognition]")
        notice = company.locator("#message-list tbody tr", has_text=f"您的企业已被认定为{TIER}")
        assert notice.count() == 1 and "认定通知" in notice.inner_text()
        shot(company, "messages-recognition")
        with company.expect_navigation():
            notice.locator("[data-action=open]").click()
        certificate = company.locator("#message .message-body").inner_text()
        assert "证书编号 CXX" in certificate, certificate
        number = certificate.split("证书编号 ")[1].split("，")[0]
        shot(company, "message-recognition")
        company.goto(national + "/workbench/cultivation/enterprise/")
        shot(company, "enterprise-home-recognised")

        # An anonymous visitor: 梯度培育 → 企业认定查询.
        visitor = browser.new_context(locale="zh-CN").new_page()
        pages.append(visitor)
        visitor.goto(national + "/cultivation/")
        shot(visitor, "visitor-landing")
        with visitor.expect_navigation():
            visitor.click("#lookup-entry")
        visitor.fill("#id_name", name)
        visitor.fill("#id_uscc", info["uscc"])
        visitor.fill("#id_captcha_1", captcha_answer(visitor, None))
        shot(visitor, "visitor-lookup-form")
        _submit(visitor, "#lookup-form button[type=submit]")
        found = visitor.locator("#lookup-results tbody tr")
        assert found.count() == 1, visitor.locator("body").inner_text()
        text = found.inner_text()
        assert name in text and TIER in text and number in text and "浙江省" in text, text
        shot(visitor, "visitor-lookup-found")
    finally:
        for page in pages:
            page.context.close()
        _committed(lambda: _remove(info))


# --- Each role's pages with the demo data ------------------------------------------------------------------------------
ROLE_PAGES = (
    ("nat_enterprise", ("/workbench/cultivation/", "/workbench/cultivation/declarations/")),
    ("nat_sme", ("/workbench/cultivation/messages/", "/workbench/cultivation/rereviews/")),
    ("nat_county", ("/workbench/inbox/", "/workbench/cultivation/admin/")),
    ("nat_city", ("/workbench/inbox/", "/workbench/cultivation/admin/")),
    (
        "nat_province",
        ("/workbench/inbox/", "/workbench/cultivation/admin/", "/workbench/cultivation/admin/recognitions/"),
    ),
)


def test_each_role_lands_on_its_pages(browser, live_url):
    shot = Shots(SHOTS / "roles")
    national = live_url(NATIONAL)
    for username, paths in ROLE_PAGES:
        page = _person(browser, national, username)
        try:
            for path in paths:
                response = page.goto(national + path)
                assert response.status == 200, (username, path, response.status)
                slug = path.strip("/").replace("workbench/", "").replace("/", "-") or "root"
                shot(page, f"{username}-{slug}")
        finally:
            page.context.close()
    visitor = browser.new_context(locale="zh-CN").new_page()
    try:
        assert visitor.goto(national + "/cultivation/").status == 200
        shot(visitor, "anonymous-cultivation")
    finally:
        visitor.context.close()
