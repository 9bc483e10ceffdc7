"""Jiangmen, issue #15 (seed 004) in real Chromium: a certified provider's first declaration through the pages, the
anchor unit's confirmation, the product chain (unit → 运营预审 → 市工信局复审) with one return by the bureau, and
the product on the public 上架产品 page.

1. The provider (certified, made by `tests.ecosystem_factories`, committed) opens 生态申报, 服务商申报 → 新增, fills
   step 1 (nature, the anchor unit 江门示例五金卫浴数字化牵引单位, licence and cooperation proof), 保存, 返回列表,
   继续填写 and finds what it typed; step 2 (count, profile, team list); step 3 adds a product through
   +新增产品/服务 and fills every field of its form with three cases and their contracts, back to the declaration,
   提交: the list shows 审核中 and the unit.
2. The unit's account (jm_anchor) finds the declaration in 待我审批, opens it and approves.
3. The product waits at the unit → approved; jm_ops pre-review → approved; jm_bureau returns it once with an
   opinion; the provider sees 已退回 and the opinion in 我的产品, 修改, resubmits; the chain runs again to approval.
4. An anonymous visitor finds the product on 上架产品 by search and opens its page: the provider's name and the
   cases, no contract.

Screenshots of each step go to var/screenshots/ecosystem/ (git-ignored with var/). The rows are committed with
names of their own (a free factory number), so a later test and a re-run against a kept database are unaffected."""

import itertools
from pathlib import Path

import pytest

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

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "ecosystem"
UNIT = "江门示例五金卫浴数字化牵引单位"
OPINION = "请在产品描述中补充本地化实施服务内容。"
PROFILE = "专注五金卫浴行业的生产执行与质量追溯，服务江门本地中小企业。"
DESCRIPTION = "面向五金卫浴企业的轻量化生产执行系统，覆盖工单、报工、质检与设备联网。"


def _pdf(folder: Path, name: str) -> Path:
    """A small valid one-page PDF written to a file, as a person picks a scan from the disk."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    path = folder / name
    with path.open("wb") as out:
        writer.write(out)
    return path


# --- Set-up (committed on a connection of its own, so the live server sees it) -----------------------------------------
def _provider() -> dict:
    """A certified Jiangmen provider with a factory number no other row uses (a kept database may hold earlier runs)."""
    from django.contrib.auth import get_user_model

    from tenant_apps.organisations.models import Organisation
    from tests import ecosystem_factories as f

    users = get_user_model().objects
    n = next(
        n
        for n in itertools.count(900)
        if not users.filter(username=f"eco_p{n}").exists()
        and not Organisation.objects.filter(uscc=f"91440700MA0ECO{n:03d}X").exists()
    )
    member = f.provider(n, name=f"江门浏览器旅程服务商{n}")
    f.anchor("jm-hardware")  # the unit confirms through its organisation (the demo links it to jm_anchor's)
    return {"username": member.user.username, "name": member.organisation.name, "product": f"五金卫浴轻量化MES{n}"}


def _committed(target):
    from tests.threads import in_thread

    thread, outcome = in_thread(target, schema="jiangmen")
    thread.join()
    assert "error" not in outcome, outcome
    return outcome.get("value")


# --- Helpers -----------------------------------------------------------------------------------------------------------
class Shots:
    def __init__(self):
        SHOTS.mkdir(parents=True, exist_ok=True)
        for old in SHOTS.glob("*.png"):
            old.unlink()
        self.step = itertools.count(1)

    def __call__(self, page, name: str) -> None:
        page.screenshot(path=str(SHOTS / f"{next(self.step):02d}-{name}.png"), full_page=True)


def _fill_product(page, name: str, files: Path) -> None:
    """Every field of the product form a first declaration's product needs, three cases with contracts."""
    form = page.locator("#product-form")
    assert page.input_value("#id_name") == name
    form.get_by_label("代理产品").check()
    form.get_by_label("生产制造/执行").check()
    page.fill("#id_description", DESCRIPTION)
    form.get_by_label("B/S（浏览器/服务器）架构").check()
    form.get_by_label("云端部署（SaaS）").check()
    page.fill("#id_deployment_days", "30")
    page.select_option("#id_purchase", label="按年订阅")
    page.fill("#id_price_min", "20000")
    page.fill("#id_price_max", "80000")
    page.fill("#id_discount_percent", "15")
    form.get_by_label("五金卫浴", exact=True).check()
    page.fill("#id_sub_industries", "水龙头、卫浴五金")
    page.fill("#id_scenarios", "车间报工、质量追溯")
    rows = page.locator("#product-cases [data-rows-list] > [data-row]")
    assert rows.count() == 3, rows.count()  # three empty cases offered: the rule's minimum
    for i in range(3):
        page.fill(f"#id_cases-{i}-customer", f"江门浏览器客户{i + 1}有限公司")
        page.fill(f"#id_cases-{i}-summary", "报工及时率提升 30%")
        page.set_input_files(f"#id_cases-{i}-contract", _pdf(files, f"合同{i + 1}.pdf"))
    form.get_by_label("未获奖").check()


def test_a_provider_joins_a_unit_and_its_product_reaches_the_public_listing(browser, live_url, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    shot = Shots()
    files = tmp_path / "files"
    files.mkdir()
    info = _committed(_provider)
    name, product = info["name"], info["product"]
    jiangmen = live_url("jiangmen")

    # 1. The provider: 生态申报 → 服务商申报 (empty) → 新增.
    provider = _person(browser, jiangmen, info["username"], "Pilot#2026x")
    provider.goto(jiangmen + "/workbench/ecosystem/")
    provider.wait_for_url("**/workbench/ecosystem/declarations/")
    assert provider.locator("#declarations-empty").is_visible()
    shot(provider, "provider-declarations-empty")
    _submit(provider, "#declaration-new")
    provider.wait_for_url("**/workbench/ecosystem/declarations/*/?step=1")
    assert provider.input_value("#id_name") == name
    assert provider.locator("#id_name").is_disabled()  # from registration
    assert "此信息来自企业注册信息，不可修改" in provider.locator("#field-name").inner_text()

    # Step 1: nature, the unit, the licence and the cooperation proof; 保存.
    step1 = provider.locator("#step-1")
    step1.get_by_label("民营").check()
    provider.select_option("#id_anchor_unit", label=UNIT)
    provider.set_input_files("#id_licence", _pdf(files, "营业执照.pdf"))
    provider.set_input_files("#id_cooperation", _pdf(files, "合作关系证明.pdf"))
    shot(provider, "provider-step1-filled")
    _submit(provider, "#step-save")
    assert "已保存" in provider.locator("body").inner_text()
    assert "营业执照.pdf" in provider.locator("[data-uploaded=licence]").inner_text()

    # 返回列表 (it saves too), then 继续填写: what was typed is there.
    _submit(provider, "#back-to-list")
    provider.wait_for_url("**/workbench/ecosystem/declarations/")
    row = provider.locator("#declarations tbody tr", has_text=name)
    assert "未提交" in row.inner_text()
    shot(provider, "provider-list-draft")
    with provider.expect_navigation():
        row.locator("[data-action=continue]").click()
    with provider.expect_navigation():
        provider.click("nav.step-links a[data-step='1']")
    assert provider.locator("#step-1").get_by_label("民营").is_checked()
    assert provider.locator("#id_anchor_unit option:checked").inner_text() == UNIT
    assert "营业执照.pdf" in provider.locator("[data-uploaded=licence]").inner_text()
    assert "合作关系证明.pdf" in provider.locator("[data-uploaded=cooperation]").inner_text()
    shot(provider, "provider-step1-kept")

    # Step 2: count, profile, team list; 下一页 (the upload goes with its progress bar, the answer replaces the page).
    _submit(provider, "#step-next")
    provider.wait_for_selector("#step-2")
    assert provider.locator("#step-2 [data-uploaded]").count() == 0  # nothing uploaded at this step yet
    provider.fill("#id_product_count", "3")
    provider.fill("#id_profile", PROFILE)
    assert provider.locator("[data-counter-for=id_profile]").inner_text() == f"{len(PROFILE)}/500"
    provider.fill("#id_guarantee", "本地技术团队 12 人，48 小时内上门。")
    provider.set_input_files("#id_team_list", _pdf(files, "团队名单.pdf"))
    shot(provider, "provider-step2-filled")
    provider.click("#step-next")
    provider.wait_for_selector("#declaration-products")
    assert provider.locator("#declaration-products .empty-state, #declaration-products [class*=empty]").count() >= 1

    # Step 3: +新增产品/服务 opens the product's own form.
    shot(provider, "provider-step3-empty")
    provider.fill("#declaration-product-new input[name=name]", product)
    _submit(provider, "#add-product")
    provider.wait_for_url("**/workbench/ecosystem/products/*/")
    assert provider.locator("#product-with-declaration").is_visible()
    _fill_product(provider, product, files)
    shot(provider, "provider-product-filled")
    _submit(provider, "#product-save")  # back to step 3
    provider.wait_for_selector("#declaration-product-list")
    assert product in provider.locator("#declaration-product-list").inner_text()
    shot(provider, "provider-step3-with-product")

    # 提交: the list shows 审核中 and the unit.
    _submit(provider, "#declaration-submit")
    provider.wait_for_url("**/workbench/ecosystem/declarations/")
    row = provider.locator("#declarations tbody tr", has_text=name)
    assert "审核中" in row.inner_text() and UNIT in row.inner_text(), row.inner_text()
    shot(provider, "provider-list-in-review")

    # 2. The unit (jm_anchor): 待我审批 → the declaration → 通过.
    anchor = _person(browser, jiangmen, "jm_anchor")
    _open_from_inbox(anchor, jiangmen, f"服务商申报：{name}")
    content = anchor.locator(".content").inner_text()
    assert PROFILE in content and product in content and UNIT in content
    assert "牵引单位确认" in _stage(anchor)
    shot(anchor, "anchor-declaration")
    _decide(anchor, "approve", "同意加入产业生态联合体。")
    assert anchor.locator("#application-state").inner_text() == "已通过"

    provider.goto(jiangmen + "/workbench/ecosystem/declarations/")
    assert "审核通过" in provider.locator("#declarations tbody tr", has_text=name).inner_text()

    # 3. The product's chain: the unit, 运营预审 (jm_ops), then the bureau returns it once.
    ops = _person(browser, jiangmen, "jm_ops")
    bureau = _person(browser, jiangmen, "jm_bureau")
    title = f"产品申报：{product}"
    _open_from_inbox(anchor, jiangmen, title)
    assert "牵引单位审核" in _stage(anchor)
    shot(anchor, "anchor-product")
    _decide(anchor)
    _open_from_inbox(ops, jiangmen, title)
    assert "预审" in _stage(ops)
    _decide(ops)
    _open_from_inbox(bureau, jiangmen, title)
    assert "市工信局复审" in _stage(bureau)
    assert "江门浏览器客户1有限公司" in bureau.locator(".content").inner_text()
    assert bureau.locator(".content a", has_text="合同1.pdf").count() == 1  # the contract opens (not markup as text)
    assert "<a href" not in bureau.locator(".content").inner_text()
    shot(bureau, "bureau-product")
    _decide(bureau, "return", OPINION)
    assert bureau.locator("#application-state").inner_text() == "已退回"

    # 5. The provider sees 已退回 and the opinion in 我的产品, 修改, resubmits.
    provider.goto(jiangmen + "/workbench/ecosystem/products/")
    row = provider.locator("#products tbody tr", has_text=product)
    assert "已退回" in row.inner_text() and OPINION in row.inner_text(), row.inner_text()
    shot(provider, "provider-products-returned")
    with provider.expect_navigation():
        row.locator("[data-action=edit]").click()
    provider.wait_for_selector("#product-form")
    assert provider.locator("#returned-note").is_visible()
    assert provider.input_value("#id_description") == DESCRIPTION
    provider.fill("#id_description", DESCRIPTION + "提供本地化上门实施与培训服务。")
    shot(provider, "provider-product-edit")
    _submit(provider, "#product-submit")
    provider.wait_for_url("**/workbench/ecosystem/products/")
    assert "审核中" in provider.locator("#products tbody tr", has_text=product).inner_text()

    # The chain starts again at the unit and runs through.
    for page, stage in ((anchor, "牵引单位审核"), (ops, "预审"), (bureau, "市工信局复审")):
        _open_from_inbox(page, jiangmen, title)
        assert stage in _stage(page)
        _decide(page)
    assert bureau.locator("#application-state").inner_text() == "已通过"
    log = bureau.locator("#work-order-log").inner_text()
    assert "退回修改" in log and OPINION in log and "重新提交" in log, log
    shot(bureau, "bureau-product-approved")

    provider.goto(jiangmen + "/workbench/ecosystem/products/")
    assert "审核通过" in provider.locator("#products tbody tr", has_text=product).inner_text()
    shot(provider, "provider-products-approved")

    # 4. An anonymous visitor: 上架产品, search, the product's page (provider and cases, no contract).
    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.goto(jiangmen + "/ecosystem/products/")
    shot(visitor, "visitor-catalogue")
    search = visitor.locator("#ecosystem-catalogue input[name=q]")  # the catalogue's own search, not the site's
    search.fill(product)
    with visitor.expect_navigation():
        search.press("Enter")
    assert "/ecosystem/products/" in visitor.url
    cards = visitor.locator("#ecosystem-results [data-product]")
    assert cards.count() == 1 and name in cards.first.inner_text()
    shot(visitor, "visitor-search")
    with visitor.expect_navigation():
        cards.first.locator("a").click()
    page_text = visitor.locator("body").inner_text()
    assert product in page_text and name in page_text and UNIT in page_text
    for i in range(1, 4):
        assert f"江门浏览器客户{i}有限公司" in page_text
    assert "合同1.pdf" not in page_text
    assert visitor.locator("a[href*='/contract/'], a[href*='/files/']").count() == 0
    shot(visitor, "visitor-product")

    for page in (provider, anchor, ops, bureau, visitor):
        page.context.close()
