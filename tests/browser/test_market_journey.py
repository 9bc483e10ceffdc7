"""National marketplace (issue #12), the whole journey in real Chromium, each person in a browser of their own: the
provider submits a solution for review; ops approve the first review and assign an expert; the expert and the
province approve; an enterprise finds it in the catalogue, buys it and uploads a payment proof; ops approve the proof;
the provider delivers; the enterprise confirms and rates it, and the product page shows the rating.

Screenshots of the key pages are kept under var/screenshots/ (market-journey-*.png)."""

import re

import pytest

from tests.browser.test_identity_journeys import sign_in
from tests.browser.test_ui_screens import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

NAME = "浏览器旅程测试方案"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF"
)


def _draft_listing() -> int:
    """The provider's complete draft, made through the service (the listing form has its own tests)."""
    from tenant_apps.configuration.models import Industry
    from tenant_apps.marketplace import listings
    from tenant_apps.marketplace.models import Catalogue, Category, Tag
    from tests.test_market_listings import case, data, member, png, spec

    taxonomy = {
        "catalogue": Catalogue.objects.order_by("pk").first(),
        "categories": list(Category.objects.order_by("pk")[:2]),
        "tags": list(Tag.objects.order_by("pk")[:1]),
        "industries": list(Industry.objects.order_by("pk")[:1]),
    }
    version = listings.listing_create(
        membership=member("nat_provider"),
        data=data(taxonomy, name=NAME),
        cases=[case(1), case(2), case(3)],
        specs=[spec(name="旅程标准版", unit_price="19800.00")],
        thumbnail=png(),
    )
    return version.listing_id


def _person(browser, base, username):
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, username)
    return page


def _confirm(page, form_selector):
    """Press the form's button and answer 确定 in the UI kit's confirmation dialog."""
    page.click(f"{form_selector} button[type=submit]")
    page.locator("#confirm-dialog").wait_for(state="visible")
    with page.expect_navigation():
        page.click("#confirm-dialog [data-confirm-ok]")


def _open_from_inbox(page, base, text):
    page.goto(base + "/workbench/inbox/")
    page.locator("tr", has_text=text).first.locator("text=详情").click()
    page.wait_for_selector("#application-state")


def _submit(page, selector):
    """Press a button that posts its form and wait for the answer page."""
    with page.expect_navigation():
        page.click(selector)


def _approve(page):
    page.check("#decide input[value=approve]")
    _submit(page, "#decide button[type=submit]")


def test_a_solution_is_reviewed_bought_paid_delivered_and_rated(browser, live_url):
    from playwright.sync_api import expect

    from tests.threads import in_thread

    thread, outcome = in_thread(_draft_listing, schema="national")
    thread.join()
    assert "error" not in outcome, outcome
    listing_id = outcome["value"]
    national = live_url("national")

    # 1. The provider previews the draft from 我的商品 and submits it for review.
    provider = _person(browser, national, "nat_provider")
    provider.goto(national + "/workbench/market/listings/")
    row = provider.locator(f"#my-listings tr[data-listing='{listing_id}']")
    assert "草稿" in row.inner_text()
    row.locator("a", has_text="预览").click()
    provider.wait_for_selector("#listing-state")
    expect(provider.locator("#preview")).to_contain_text(NAME)
    shot(provider, "market-journey-1-provider-preview")
    _submit(provider, "#submit-listing")
    assert "审核中" in provider.locator("#listing-state").inner_text()

    # 2. Ops approve the first review, then assign the expert.
    ops = _person(browser, national, "nat_ops")
    _open_from_inbox(ops, national, NAME)
    assert "运营初审" in ops.locator("#application-facts").inner_text()
    shot(ops, "market-journey-2-ops-listing-review")
    _approve(ops)
    assert "专家评审" in ops.locator("#application-facts").inner_text()
    zhang = ops.locator("#assign label", has_text=re.compile("张|zhang_expert")).first
    assert not zhang.is_checked()
    zhang.check()
    _submit(ops, "#assign button[type=submit]")
    assert ops.locator("#assign label", has_text=re.compile("张|zhang_expert")).first.is_checked()  # assigned

    # 3. The assigned expert approves, then the province's final review puts it on sale.
    expert = _person(browser, national, "zhang_expert")
    _open_from_inbox(expert, national, NAME)
    assert "专家评审" in expert.locator("#application-facts").inner_text()
    _approve(expert)
    province = _person(browser, national, "nat_province")
    _open_from_inbox(province, national, NAME)
    assert "省工信厅终审" in province.locator("#application-facts").inner_text()
    _approve(province)
    assert province.locator("#application-state").inner_text() == "已通过"
    provider.goto(f"{national}/workbench/market/listings/{listing_id}/")
    assert "已上架" in provider.locator("#listing-state").inner_text()

    # 4. An enterprise finds it in the catalogue, buys it now and uploads the payment proof.
    buyer = _person(browser, national, "nat_enterprise")
    buyer.goto(national + "/market/")
    buyer.fill("#market-catalogue input[name=q]", NAME)
    buyer.locator("#market-catalogue input[name=q]").press("Enter")
    buyer.wait_for_url(re.compile(r"[?&]q="))
    card = buyer.locator("#market-results a", has_text=NAME)
    assert card.count() == 1
    shot(buyer, "market-journey-3-catalogue-search")
    card.click()
    buyer.wait_for_url(f"**/market/p/{listing_id}/")
    assert "暂无评价" in buyer.locator("#product-ratings").inner_text()
    buyer.click("#product-buy button[data-action=buy]")
    buyer.wait_for_selector("#confirm-order")
    assert buyer.locator(".order-total").inner_text() == "19,800.00"
    # The demo buyer holds a voucher, offered and preselected; this journey pays in full (the voucher journey
    # covers deductions), leaving the demo's voucher as the demo made it.
    buyer.check("fieldset.voucher-choice input[type=radio][value='']")
    shot(buyer, "market-journey-4-confirm-order")
    _submit(buyer, "#confirm-order button[type=submit]")  # one provider, one order: its page opens
    assert buyer.locator("#order-state").inner_text() == "待支付"
    assert buyer.locator("#order-payable").inner_text() == "19,800.00"
    order_url = buyer.url
    buyer.set_input_files(
        "#proof-upload input[type=file]", files=[{"name": "转账凭证.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    buyer.click("#proof-upload button[type=submit]")
    buyer.wait_for_selector("#proof-files")
    assert "转账凭证.pdf" in buyer.locator("#proof-files").inner_text()
    assert buyer.locator("#order-payment").inner_text() == "凭证审核中"
    shot(buyer, "market-journey-5-order-proof-uploaded")
    number = re.search(r"订单\s*(\S+)", buyer.locator("h1").inner_text()).group(1)

    # 5. Ops approve the payment proof from their inbox.
    _open_from_inbox(ops, national, number)
    assert "运营审核" in ops.locator("#application-facts").inner_text()
    proof_facts = ops.locator(".content").inner_text()
    assert NAME in proof_facts and "转账凭证.pdf" in proof_facts and "19800.00" in proof_facts
    shot(ops, "market-journey-6-ops-proof-review")
    _approve(ops)
    assert ops.locator("#application-state").inner_text() == "已通过"

    # 6. The provider finds the paid order in 订单管理, starts and finishes delivery.
    provider.goto(national + "/workbench/market/sales/")
    provider.locator("tr", has_text=number).first.locator("a").first.click()
    provider.wait_for_selector("#order-state")
    assert provider.locator("#order-payment").inner_text() == "已支付"
    assert provider.locator("#order-state").inner_text() == "待签约"
    _confirm(provider, "#start-delivery")
    assert provider.locator("#order-state").inner_text() == "交付中"
    _confirm(provider, "#mark-delivered")
    assert provider.locator("#order-state").inner_text() == "待确认完成"
    shot(provider, "market-journey-7-provider-delivered")

    # 7. The enterprise confirms completion and rates it; the product page shows the rating.
    buyer.goto(order_url)
    _confirm(buyer, "#confirm-completion")
    assert buyer.locator("#order-state").inner_text() == "已完成"
    buyer.check(".rating-form input[name=stars][value='5']")
    buyer.fill(".rating-form textarea[name=text]", "交付及时，效果很好")
    _submit(buyer, ".rating-form button[type=submit]")
    assert "交付及时，效果很好" in buyer.locator("#order-lines").inner_text()
    shot(buyer, "market-journey-8-order-rated")
    buyer.goto(f"{national}/market/p/{listing_id}/")
    assert "交付及时，效果很好" in buyer.locator("#product-ratings").inner_text()
    assert "5.0 分（1 条评价）" in buyer.locator(".product-rating").inner_text()
    shot(buyer, "market-journey-9-product-rated")

    for page in (provider, ops, expert, province, buyer):
        page.context.close()


def test_the_intro_page_block_editor_adds_moves_and_removes_blocks(browser, live_url):
    """The listing form's intro page: with JavaScript the JSON field becomes a list of blocks whose order and content
    go back into it; the editor's words come from the page (translated), not from the script."""
    import json

    national = live_url("national")
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    sign_in(page, national, "nat_provider")
    page.goto(national + "/workbench/market/listings/new/")
    editor = page.locator("[data-intro-editor]")
    assert editor.is_visible() and "商品介绍页模块" in editor.inner_text()
    buttons = editor.locator(".intro-add button")
    buttons.filter(has_text="商品说明").click()
    buttons.filter(has_text="服务支持").click()
    editor.locator("[data-block-type=description] textarea").fill("第一段说明")
    editor.locator("[data-block-type=support]").get_by_role("button", name="上移").click()
    blocks = json.loads(page.locator("[data-intro-source]").input_value())
    assert [block["type"] for block in blocks] == ["support", "description"]
    assert blocks[1]["value"]["text"] == "第一段说明"
    editor.locator("[data-block-type=support]").get_by_role("button", name="删除").click()
    blocks = json.loads(page.locator("[data-intro-source]").input_value())
    assert [block["type"] for block in blocks] == ["description"]
    assert "服务时间" not in editor.inner_text()  # the support block's labels left with it
    page.context.close()


def test_the_catalogue_and_a_product_page_fit_a_phone(phone, live_url):
    """Enterprises open product links from WeChat: the catalogue, a product page (specs, cases, buy box) and the
    order list fit 390 px without horizontal scrolling."""
    from tests.browser.test_ui_screens import assert_fits

    national = live_url("national")
    phone.goto(national + "/market/")
    assert_fits(phone, "phone-market-catalogue")
    phone.click("text=设备联网与预测性维护解决方案")
    phone.wait_for_url("**/market/p/**")
    assert phone.locator("text=客户案例").count() >= 1
    assert_fits(phone, "phone-market-product")
    sign_in(phone, national, "nat_enterprise")
    phone.goto(national + "/workbench/market/orders/")
    assert_fits(phone, "phone-market-orders")
