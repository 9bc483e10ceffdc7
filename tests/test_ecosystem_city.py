"""生态申报 — the anchor unit's and the city's pages, their workbooks, and the public 上架产品 (issue #15, seed 004):
the unit sees its own alliance and pool only, 移出联合体 needs a reason and empties that unit's pool only (history
kept), the city's overview counts per unit and lists every declaration and product with filters, the portal lists
approved pooled products only with search and filters, a product page shows no private document, Harbin (module off)
answers 404, and the lists cost the same statements with 15 products as with two."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tenant_apps.configuration.models import AnchorUnit, Industry
from tenant_apps.ecosystem import declarations, products
from tenant_apps.ecosystem.models import AllianceMember, PoolEntry, Product, Status
from tenant_apps.organisations.models import Membership, Organisation
from tests import ecosystem_factories as f

pytestmark = pytest.mark.django_db
JIANGMEN = "jiangmen"
PAGES = "/workbench/ecosystem"
PUBLIC = "/ecosystem"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def jm(tenant_schema):
    with tenant_schema(JIANGMEN):
        yield


@pytest.fixture
def as_user(login_client):
    def make(who):
        return login_client(JIANGMEN, who.user.username if isinstance(who, Membership) else who)

    return make


def pooled(n: int, *, unit: str = "jm-hardware", names=("五金云MES",), name: str | None = None):
    """A provider whose first declaration to `unit` was confirmed and whose products went through the whole chain."""
    member = f.provider(n, name=name)
    declaration = f.joined(member, unit=unit, product_names=names)
    for product in declaration.products.all():
        f.approve_product(product)
    return member


def join_also(member: Membership, unit: str) -> None:
    """A repeat declaration to `unit`, confirmed by it: every approved product enters its pool."""
    repeat = declarations.declaration_start(membership=member)
    declarations.declaration_save(
        membership=member, declaration=repeat, step=1, data={"anchor_unit": unit}, files={"cooperation": f.pdf()}
    )
    declarations.declaration_submit(membership=member, declaration=repeat)
    f.decide(f.anchor(unit), repeat.application)


def row_of(html: str, attr: str, pk: int) -> str:
    found = re.search(rf'<tr {attr}="{pk}".*?</tr>', html, re.S)
    assert found, f"no row {attr}={pk}"
    return found.group(0)


def numbers(row: str) -> list[int]:
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [int(cell) for cell in cells[1:]]


def sheet(response, title: str) -> list[tuple]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return list(book[title].iter_rows(values_only=True))


def queries(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


# --- The anchor unit's alliance -------------------------------------------------------------------------------------------
def test_the_anchor_unit_sees_its_members_and_pool_and_not_another_units(jm, as_user):
    hardware = pooled(1, names=("五金云MES",))
    food = pooled(2, unit="jm-food", names=("食品溯源平台",))
    waiting = f.provider(3, name="江门待确认测试服务商")
    declaration = f.first_declaration(waiting)
    declarations.declaration_submit(membership=waiting, declaration=declaration)
    unit_member = f.anchor("jm-hardware")
    client = as_user(unit_member)

    page = client.get(f"{PAGES}/alliance/")
    assert page.status_code == 200
    html = page.content.decode()
    assert hardware.organisation.name in html
    assert food.organisation.name not in html and waiting.organisation.name not in html
    member = AllianceMember.objects.get(organisation=hardware.organisation, left_at__isnull=True)
    row = row_of(html, "data-member", member.pk)
    assert ">1<" in row  # one pooled product in this unit
    assert member.joined_at.astimezone().strftime("%Y-%m-%d") in row
    # Its pending confirmations: the waiting declaration is one of them, with the way to the inbox.
    pending = re.search(r'id="pending-count">(\d+)<', html)
    assert pending and int(pending.group(1)) >= 1
    assert 'href="/workbench/inbox/' in html

    pool = client.get(f"{PAGES}/alliance/?tab=pool").content.decode()
    assert "五金云MES" in pool and "食品溯源平台" not in pool
    product = Product.objects.get(name="五金云MES")
    assert f'href="{PUBLIC}/products/{product.pk}/"' in pool

    other = as_user(f.anchor("jm-food")).get(f"{PAGES}/alliance/?tab=pool").content.decode()
    assert "食品溯源平台" in other and "五金云MES" not in other
    assert hardware.organisation.name not in as_user(f.anchor("jm-food")).get(f"{PAGES}/alliance/").content.decode()


def test_who_may_open_the_alliance_page(jm, as_user, tenant_client):
    provider = pooled(1)
    member = AllianceMember.objects.get(organisation=provider.organisation)
    assert as_user(provider).get(f"{PAGES}/alliance/").status_code == 403
    assert as_user(provider).get(f"{PAGES}/alliance/export/").status_code == 403
    assert as_user(provider).post(f"{PAGES}/alliance/members/{member.pk}/leave/", {"reason": "x"}).status_code == 403
    # An anchor-unit account whose organisation no unit is linked to yet learns what to do.
    organisation = Organisation.objects.create(kind="anchor_unit", name="江门未关联测试牵引单位")
    user = f.User.objects.create_user("eco_unlinked", mobile="13607509999", password=f.PASSWORD)
    unlinked = Membership.objects.create(user=user, organisation=organisation, roles=["anchor_unit"])
    refused = as_user(unlinked).get(f"{PAGES}/alliance/")
    assert refused.status_code == 403
    assert "您的单位尚未关联牵引单位，请联系城市管理员" in refused.content.decode()
    # Another unit cannot remove this unit's member: as if it did not exist.
    food = as_user(f.anchor("jm-food"))
    assert food.post(f"{PAGES}/alliance/members/{member.pk}/leave/", {"reason": "x"}).status_code == 404
    assert food.get(f"{PAGES}/overview/").status_code == 403
    assert food.get(f"{PAGES}/overview/units/{member.anchor_unit_id}/").status_code == 403
    assert as_user(provider).get(f"{PAGES}/overview/").status_code == 403
    # The city is sent from the unit's page to its overview; the tenant admin reads the overview too.
    assert as_user("jm_ops").get(f"{PAGES}/alliance/").url == f"{PAGES}/overview/"
    assert as_user("jm_admin").get(f"{PAGES}/overview/").status_code == 200
    # Anonymous: every workbench page asks to sign in first.
    anonymous = tenant_client(JIANGMEN)
    for path in (
        "/alliance/",
        "/alliance/export/",
        f"/alliance/members/{member.pk}/leave/",
        "/overview/",
        "/overview/export/",
        f"/overview/units/{member.anchor_unit_id}/",
        f"/overview/units/{member.anchor_unit_id}/export/",
    ):
        response = anonymous.get(f"{PAGES}{path}")
        assert response.status_code == 302 and "/login" in response.url, path


def test_the_alliance_workbook_holds_members_and_pool(jm, as_user):
    hostile = '=HYPERLINK("http://evil.example","点我")服务商'
    pooled(1, names=("五金云MES", "设备联网网关"))
    pooled(2, names=("质检视觉",), name=hostile)
    pooled(3, unit="jm-food", names=("食品溯源平台",))
    response = as_user(f.anchor("jm-hardware")).get(f"{PAGES}/alliance/export/")
    members = sheet(response, "联合体成员")
    assert members[0][:4] == ("服务商", "统一社会信用代码", "加入时间", "入池产品数")
    by_name = {row[0]: row for row in members[1:]}
    assert by_name["江门生态测试服务商1"][3] == 2
    assert by_name[hostile][3] == 1  # the formula stays a name
    assert "江门生态测试服务商3" not in by_name
    pool = sheet(response, "产品池")
    names = {row[0] for row in pool[1:]}
    assert {"五金云MES", "设备联网网关", "质检视觉"} <= names and "食品溯源平台" not in names
    book = load_workbook(io.BytesIO(response.content))
    cells = [row[0] for row in book["联合体成员"].iter_rows(min_row=2) if row[0].value == hostile]
    assert cells and cells[0].data_type == "s"


# --- 移出联合体 ---------------------------------------------------------------------------------------------------------
def test_leaving_needs_a_reason_and_empties_this_pool_only(jm, as_user, tenant_client):
    provider = pooled(1, names=("五金云MES",))
    join_also(provider, "jm-food")
    product = Product.objects.get(organisation=provider.organisation)
    member = AllianceMember.objects.get(organisation=provider.organisation, anchor_unit__code="jm-hardware")
    client = as_user(f.anchor("jm-hardware"))
    path = f"{PAGES}/alliance/members/{member.pk}/leave/"
    assert client.get(path).status_code == 200

    refused = client.post(path, {"reason": "   "})
    assert refused.status_code == 400
    assert "请填写移出原因" in refused.content.decode()
    member.refresh_from_db()
    assert member.left_at is None

    done = client.post(path, {"reason": "合作协议到期"})
    assert done.status_code == 302 and done.url == f"{PAGES}/alliance/"
    member.refresh_from_db()
    assert member.left_at is not None and member.left_reason == "合作协议到期"  # the row stays as history
    entries = PoolEntry.objects.filter(product=product)
    assert entries.get(anchor_unit__code="jm-hardware").removed_reason == "合作协议到期"
    assert list(entries.filter(removed_at__isnull=True).values_list("anchor_unit__code", flat=True)) == ["jm-food"]
    html = client.get(f"{PAGES}/alliance/").content.decode()
    assert "已移出本单位产品池" in html and f'data-member="{member.pk}"' not in html
    former = client.get(f"{PAGES}/alliance/?tab=former").content.decode()
    assert provider.organisation.name in former and "合作协议到期" in former
    assert "五金云MES" not in client.get(f"{PAGES}/alliance/?tab=pool").content.decode()
    # Still listed publicly through the other unit's pool, no longer under the unit it left.
    anonymous = tenant_client(JIANGMEN)
    assert "五金云MES" in anonymous.get(f"{PUBLIC}/products/").content.decode()
    assert "五金云MES" not in anonymous.get(f"{PUBLIC}/products/?unit=jm-hardware").content.decode()
    assert "五金云MES" in anonymous.get(f"{PUBLIC}/products/?unit=jm-food").content.decode()
    assert client.post(path, {"reason": "again"}).status_code == 404  # already left

    # The city removes from the other unit, from that unit's page; then the product is listed nowhere.
    food = AllianceMember.objects.get(organisation=provider.organisation, anchor_unit__code="jm-food")
    city = as_user("jm_bureau")
    assert city.get(f"{PAGES}/overview/units/{food.anchor_unit_id}/").status_code == 200
    done = city.post(f"{PAGES}/alliance/members/{food.pk}/leave/", {"reason": "违反联合体章程"})
    assert done.status_code == 302 and done.url == f"{PAGES}/overview/units/{food.anchor_unit_id}/"
    assert anonymous.get(f"{PUBLIC}/products/{product.pk}/").status_code == 404


# --- The city's overview ----------------------------------------------------------------------------------------------------
def _unit_numbers(client, unit: AnchorUnit) -> list[int]:
    html = client.get(f"{PAGES}/overview/").content.decode()
    return numbers(row_of(html, "data-unit", unit.pk))


def test_the_overview_counts_per_unit_and_lists_across_units(jm, as_user):
    hardware, food = AnchorUnit.objects.get(code="jm-hardware"), AnchorUnit.objects.get(code="jm-food")
    city = as_user("jm_bureau")
    before = {unit.code: _unit_numbers(city, unit) for unit in (hardware, food)}

    pooled(1, names=("五金云MES", "设备联网网关"))  # hardware: a member, two pooled, declaration and products approved
    food_provider = f.provider(2, name="江门食品测试服务商")
    f.joined(food_provider, unit="jm-food", product_names=("食品溯源平台",))  # its product now waits at the unit
    waiting = f.provider(3, name="江门待确认测试服务商")
    declaration = f.first_declaration(waiting)
    declarations.declaration_submit(membership=waiting, declaration=declaration)
    draft = f.provider(4, name="江门草稿测试服务商")
    declarations.declaration_start(membership=draft)  # never submitted: not the city's business

    # members, pooled, declarations in review / approved, products in review / approved
    delta = {"jm-hardware": [1, 2, 1, 1, 0, 2], "jm-food": [1, 0, 0, 1, 1, 0]}
    for unit in (hardware, food):
        after = _unit_numbers(city, unit)
        assert [a - b for a, b in zip(after, before[unit.code], strict=True)] == delta[unit.code], unit.code

    html = city.get(f"{PAGES}/overview/").content.decode()
    assert f'href="{PAGES}/overview/units/{hardware.pk}/"' in html
    assert waiting.organisation.name in html and food_provider.organisation.name in html
    assert draft.organisation.name not in html
    # The city oversees every submitted declaration: the engine's page is linked from its row.
    assert f'/applications/{declaration.application_id}/"' in html
    only_food = city.get(f"{PAGES}/overview/?unit={food.pk}").content.decode()
    assert food_provider.organisation.name in only_food and waiting.organisation.name not in only_food
    in_review = city.get(f"{PAGES}/overview/?status=in_review&q=待确认").content.decode()
    assert waiting.organisation.name in in_review and food_provider.organisation.name not in in_review

    products_tab = city.get(f"{PAGES}/overview/?tab=products&q=溯源").content.decode()
    assert "食品溯源平台" in products_tab and "五金云MES" not in products_tab
    approved = city.get(f"{PAGES}/overview/?tab=products&status=approved&unit={hardware.pk}").content.decode()
    assert "五金云MES" in approved and "设备联网网关" in approved and "食品溯源平台" not in approved
    reviewed = Product.objects.get(name="五金云MES")  # the bureau re-reviewed it
    assert f'href="/workbench/applications/{reviewed.application_id}/"' in approved
    item = Product.objects.get(name="食品溯源平台")  # still at the unit's stage, and readable by the city
    assert f'/applications/{item.application_id}/"' in products_tab

    response = city.get(f"{PAGES}/overview/export/?unit={hardware.pk}")
    units = sheet(response, "各牵引单位统计")
    assert {row[0] for row in units[1:]} >= {hardware.name, food.name}
    declared = {row[0] for row in sheet(response, "服务商申报")[1:]}
    assert waiting.organisation.name in declared and food_provider.organisation.name not in declared
    listed = {row[0]: row for row in sheet(response, "产品申报")[1:]}
    assert "五金云MES" in listed and "食品溯源平台" not in listed
    assert listed["五金云MES"][5] == hardware.name and listed["五金云MES"][6] == "审核通过"


# --- The portal: 上架产品 ------------------------------------------------------------------------------------------------------
def test_the_public_list_shows_approved_pooled_products_and_filters_narrow(jm, tenant_client):
    pooled(1, names=("五金云MES", "设备联网网关"))
    pooled(2, unit="jm-food", names=("食品溯源平台",), name="江门食品测试服务商")
    food_product = Product.objects.get(name="食品溯源平台")
    Product.objects.filter(pk=food_product.pk).update(categories=["marketing"])
    food_product.industries.set([Industry.objects.get(code="food-processing")])
    waiting = f.provider(3)
    f.joined(waiting, product_names=("待审产品甲",))  # in review at the unit
    drafted = pooled(4, names=("已上架产品乙",))
    products.product_start(membership=drafted, name="草稿产品丙")
    client = tenant_client(JIANGMEN)

    html = client.get(f"{PUBLIC}/products/").content.decode()
    for name in ("五金云MES", "设备联网网关", "食品溯源平台", "已上架产品乙"):
        assert name in html, name
    assert "待审产品甲" not in html and "草稿产品丙" not in html
    assert "江门示例五金卫浴数字化牵引单位" in html  # each card names the units whose pools hold it

    def names(query: str) -> set[str]:
        page = client.get(f"{PUBLIC}/products/?{query}")
        assert page.status_code == 200
        return set(re.findall(r'<h2 class="market-card-name">(.*?)</h2>', page.content.decode()))

    assert names("category=marketing") == {"食品溯源平台"}
    assert "五金云MES" in names("category=production") and "食品溯源平台" not in names("category=production")
    assert names("industry=food-processing") == {"食品溯源平台"}
    assert names("unit=jm-food") == {"食品溯源平台"}
    assert names("q=江门食品测试") == {"食品溯源平台"}
    assert {re.sub(r"</?mark>", "", n) for n in names("q=联网")} == {"设备联网网关"}
    assert names("category=marketing&unit=jm-hardware") == set()
    assert len(names("category=nonsense")) >= 4  # an unknown choice is ignored, not a failure

    # The menu entry of the module leads visitors here; the anchor units page leads to the filtered catalogue.
    assert client.get("/m/ecosystem/").url == f"{PUBLIC}/products/"
    units = client.get(f"{PUBLIC}/anchor-units/").content.decode()
    assert f'href="{PUBLIC}/products/?unit=jm-food"' in units
    assert "江门示例食品产业数字化牵引单位" in units and "0750-0000002" in units


def test_a_product_page_shows_cases_and_never_contracts_or_proofs(jm, tenant_client):
    provider = pooled(1, names=("五金云MES",))
    Organisation.objects.filter(pk=provider.organisation_id).update(contact_name="赵私密联系人")
    product = Product.objects.get(name="五金云MES")
    client = tenant_client(JIANGMEN)
    page = client.get(f"{PUBLIC}/products/{product.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert provider.organisation.name in html
    assert "江门示例客户1有限公司" in html and "报工及时率提升" in html
    assert "面向五金卫浴企业的轻量化生产执行系统" in html and "20,000.00" in html
    assert "contract1.pdf" not in html and "/contracts/" not in html and "/files/" not in html
    assert "赵私密联系人" not in html and provider.organisation.uscc not in html
    assert "江门示例五金卫浴数字化牵引单位" in html

    waiting = f.provider(2)
    in_review = f.joined(waiting, product_names=("待审产品甲",)).products.get()
    draft = products.product_start(membership=waiting, name="草稿产品丙")
    for pk in (in_review.pk, draft.pk, 999999):
        assert client.get(f"{PUBLIC}/products/{pk}/").status_code == 404
    assert in_review.status == Status.IN_REVIEW


def test_the_public_anchor_units_page_lists_active_units_with_sizes(jm, tenant_client):
    pooled(1, names=("五金云MES", "设备联网网关"))
    AnchorUnit.objects.filter(code="jm-electromech").update(is_active=False)
    html = tenant_client(JIANGMEN).get(f"{PUBLIC}/anchor-units/").content.decode()
    assert "江门示例五金卫浴数字化牵引单位" in html and "江门示例机电装备数字化牵引单位" not in html
    block = re.search(r'data-unit="jm-hardware".*?</section>', html, re.S).group(0)
    members = AllianceMember.objects.filter(anchor_unit__code="jm-hardware", left_at__isnull=True).count()
    pool = PoolEntry.objects.filter(anchor_unit__code="jm-hardware", removed_at__isnull=True).count()
    assert f"{members} 家服务商" in block and f"{pool} 个产品" in block
    assert "五金卫浴" in block and "陈经理" in block


def test_harbin_has_no_ecosystem_pages(tenant_client):
    client = tenant_client("harbin")
    for path in ("/products/", "/products/1/", "/anchor-units/"):
        assert client.get(f"{PUBLIC}{path}").status_code == 404, path


# --- Bounded lists -------------------------------------------------------------------------------------------------------------
def test_the_public_list_and_the_overview_do_not_grow_with_rows(jm, as_user, tenant_client):
    pooled(1, names=("批量产品01", "批量产品02"))
    anonymous, city, unit = tenant_client(JIANGMEN), as_user("jm_bureau"), as_user(f.anchor("jm-hardware"))
    paths = {
        "public": (anonymous, f"{PUBLIC}/products/"),
        "public-filtered": (anonymous, f"{PUBLIC}/products/?category=production&unit=jm-hardware&q=批量"),
        "units": (anonymous, f"{PUBLIC}/anchor-units/"),
        "overview": (city, f"{PAGES}/overview/"),
        "overview-products": (city, f"{PAGES}/overview/?tab=products"),
        "alliance": (unit, f"{PAGES}/alliance/"),
        "pool": (unit, f"{PAGES}/alliance/?tab=pool"),
    }
    counts = {key: queries(client, path) for key, (client, path) in paths.items()}
    pooled(2, names=tuple(f"批量产品{n:02d}" for n in range(3, 16)))  # 15 products in all
    assert Product.objects.filter(name__startswith="批量产品", status=Status.APPROVED).count() == 15
    assert {key: queries(client, path) for key, (client, path) in paths.items()} == counts
    page = anonymous.get(f"{PUBLIC}/products/?q=批量").content.decode()
    assert page.count('class="market-card eco-card"') == 12  # 12 a page
