"""生态申报 provider pages laid out in real Chromium at 1280×800 and 1440×900: every row action of 服务商申报, 我的产品
and 信息变更 lies inside its table (none clipped beside the menu at 1280px); the typed/limit counter under a text
area starts at its input, not under its label; step 3 without a product shows the empty state with
+新增产品/服务 and the step's buttons in one card; the step bar is drawn once.

The pages are drawn by the Django test client inside the test's transaction (a provider with a returned product, a
draft product, a draft repeat declaration and a 信息变更 with a long e-mail address) and shown to Chromium with the
project's static files, so nothing is committed and no live server runs."""

from urllib.parse import urlsplit

import pytest

from tenant_apps.ecosystem import changes, declarations, products
from tests import ecosystem_factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
JIANGMEN = "jiangmen"
BASE = "/workbench/ecosystem"
SCREENS = ({"width": 1280, "height": 800}, {"width": 1440, "height": 900})
OPINION = "请补充本地化实施服务内容，并在产品描述中说明与现有ERP系统的对接方式以及数据迁移方案。"

# Every action of every row, and whether it lies inside the box of its table's scroller (what shows without scrolling).
ACTIONS = """() => [...document.querySelectorAll('td.cell-actions, td[data-label="操作"]')].flatMap(cell => {
  const box = cell.closest('.table-wrap, .eco-scroll').getBoundingClientRect();
  return [...cell.querySelectorAll('a, button')].map(action => {
    const r = action.getBoundingClientRect();
    return {text: action.textContent.trim(), inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5};
  });
})"""


@pytest.fixture
def show(browser, settings):
    """`show(html, viewport)`: a page with `html` at http://jiangmen.test/, static files from the finders."""
    from django.contrib.staticfiles import finders

    contexts = []

    def serve(route, html):
        path = urlsplit(route.request.url).path
        if path.startswith(settings.STATIC_URL):
            found = finders.find(path.removeprefix(settings.STATIC_URL))
            return route.fulfill(path=found) if found else route.fulfill(status=404, body="")
        if path == "/":
            return route.fulfill(body=html, content_type="text/html; charset=utf-8")
        return route.fulfill(status=404, body="")

    def make(html: str, viewport: dict):
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.route("**/*", lambda route: serve(route, html))
        page.goto("http://jiangmen.test/")
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def pages(tenant_schema, tenant_client):
    """The HTML of the provider's pages, drawn with its rows in place."""
    with tenant_schema(JIANGMEN):
        joined = f.provider(1, name="江门版式测试服务商数字科技有限公司")
        first = f.joined(joined, product_names=("五金卫浴轻量化MES系统（云端版）",))
        f.decide(f.anchor("jm-hardware"), first.products.get().application, "return", OPINION)
        products.product_start(membership=joined, name="设备联网与数据采集平台")  # a draft: 查看详情 修改 删除 提交
        f.anchor("jm-food")
        declarations.declaration_start(membership=joined)  # a draft repeat declaration: 继续填写 删除 查看详情
        data = changes.current(joined.organisation)
        data.update(
            contact_name="周经理",
            email="service-department@jiangmen-digital-transformation.example.com",
            address="蓬江区示例大道88号数字经济产业园3栋5楼",
            reason="公司迁入数字经济产业园，联系人调整为周经理，对外服务邮箱同步更换。",
        )
        changes.change_save(membership=joined, data=data)
        newcomer = f.provider(2)
        fresh = declarations.declaration_start(membership=newcomer)

        def html(member, path):
            client = tenant_client(JIANGMEN)
            client.force_login(member.user)
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response.content.decode()

        return {
            "lists": {name: html(joined, f"{BASE}/{name}/") for name in ("declarations", "products", "changes")},
            "step2": html(newcomer, f"{BASE}/declarations/{fresh.pk}/?step=2"),
            "step3": html(newcomer, f"{BASE}/declarations/{fresh.pk}/?step=3"),
        }


@pytest.mark.parametrize("viewport", SCREENS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_every_row_action_is_visible_beside_the_menu(show, pages, viewport):
    for name, html in pages["lists"].items():
        page = show(html, viewport)
        actions = page.evaluate(ACTIONS)
        expected = {"declarations": 4, "products": 8, "changes": 3}[name]  # the rows' actions, all drawn
        assert len(actions) >= expected, (name, actions)
        assert [a["text"] for a in actions if not a["inside"]] == [], (name, viewport)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"], name


@pytest.mark.parametrize("viewport", SCREENS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_the_counter_under_a_text_area_starts_at_its_input(show, pages, viewport):
    page = show(pages["step2"], viewport)
    for field in ("id_profile", "id_guarantee"):
        counter = page.locator(f"[data-counter-for={field}]").bounding_box()
        area = page.locator(f"#{field}").bounding_box()
        assert abs(counter["x"] - area["x"]) <= 1, (field, counter, area)
        assert 0 <= counter["y"] - (area["y"] + area["height"]) <= 8, (field, counter, area)
    assert page.locator("[aria-label='填写步骤']").count() == 1  # one step bar
    assert (
        page.locator("nav.step-links a[aria-current=step]").inner_text()
        == "2. 申请加入产业生态联合体/数字化转型服务能力"
    )


def test_step_3_without_a_product_shows_the_empty_state_with_its_action(show, pages):
    page = show(pages["step3"], SCREENS[0])
    assert page.locator("[aria-label='填写步骤']").count() == 1
    empty = page.locator("#declaration-products #declaration-products-empty")
    assert empty.is_visible() and "尚未添加产品" in empty.inner_text()
    add = page.locator("#declaration-products #add-product")
    assert add.is_visible() and add.inner_text() == "+新增产品/服务"
    assert page.locator("#declaration-products input[name=name]").is_visible()
    # 上一页 / 保存 / 提交 close the same card: no second, empty card under it.
    assert page.locator("#declaration-products #declaration-form #declaration-submit").is_visible()
    assert (
        page.locator(".card, form.form:not(.bare)").evaluate_all(
            "nodes => nodes.filter(n => !n.closest('#declaration-products') && n.offsetParent).length"
        )
        == 0
    )
