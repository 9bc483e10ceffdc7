"""生态申报 provider pages in Jiangmen (/workbench/ecosystem/): the three steps save and 返回列表 keeps what was typed;
a refused submission names every missing item; a complete first declaration submits and the list shows 审核中 with
its unit; a returned one shows 已退回 with the opinion and is resubmitted; a draft is deleted; the product form puts
min > max, a discount of 120 % and two cases next to their fields (400, typed values kept); 新增产品 is refused
before joining; a duplicate name is warned about at saving and refused at submission; another provider's rows and
files are 404, anonymous callers sign in, a Harbin member (module off) gets 404; both lists cost the same queries
for 1 and 15 rows; 信息变更 keeps before → after."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.configuration.models import AnchorUnit
from tenant_apps.ecosystem import declarations, names, products
from tenant_apps.ecosystem.models import Declaration, Product, ProviderChange, Status
from tenant_apps.workflow import services as engine
from tests import ecosystem_factories as f

pytestmark = pytest.mark.django_db
JIANGMEN = "jiangmen"
BASE = "/workbench/ecosystem"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def jm(tenant_schema):
    with tenant_schema(JIANGMEN):
        yield


@pytest.fixture
def client_of(tenant_client):
    def make(member):
        client = tenant_client(JIANGMEN)
        client.force_login(member.user)
        return client

    return make


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def near(html: str, name: str) -> str:
    """What the page draws for the field `name` (its block, notes and uploaded files), up to the next field."""
    start = html.index(f'id="field-{name}"')
    following = html.find('class="eco-field"', start + 1)
    return html[start : following if following != -1 else len(html)]


def version_of(html: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', html).group(1)


def unit(code: str = "jm-hardware") -> AnchorUnit:
    return AnchorUnit.objects.get(code=code)


def product_post(version, *, name="设备点检小程序", cases=3, do="save", **extra) -> dict:
    """The product form as the page posts it: every field, `cases` case rows with contracts and one empty row."""
    data = {"version": str(version), "do": do, "name": name, **f.PRODUCT_DATA, **extra}
    rows = [{"customer": f"江门页面客户{i}有限公司", "summary": "效率提升"} for i in range(1, cases + 1)]
    rows.append({})
    data.update({"cases-TOTAL_FORMS": str(len(rows)), "cases-INITIAL_FORMS": "0"})
    for i, row in enumerate(rows):
        data[f"cases-{i}-customer"] = row.get("customer", "")
        data[f"cases-{i}-summary"] = row.get("summary", "")
        data[f"cases-{i}-keep"] = ""
        if row:
            data[f"cases-{i}-contract"] = f.pdf(f"合同{i}.pdf")
    return data


# --- 服务商申报: the three steps ------------------------------------------------------------------------------------
def test_steps_save_and_return_to_the_list_keep_what_was_typed(jm, client_of):
    member = f.provider(1)
    f.anchor("jm-hardware")
    client = client_of(member)
    started = client.post(f"{BASE}/declarations/new/")
    declaration = Declaration.objects.get(organisation=member.organisation)
    assert started.status_code == 302 and started.url.endswith(f"/declarations/{declaration.pk}/?step=1")

    page = client.get(started.url).content.decode()
    assert "此信息来自企业注册信息，不可修改" in page and member.organisation.name in page
    assert "基本信息填写及相关资料上传" in page and "产品信息" in page  # the stepper of a first declaration
    back = client.post(
        started.url,
        {
            "version": version_of(page),
            "nature": "private",
            "anchor_unit": str(unit().pk),
            "licence": f.pdf("营业执照.pdf"),
            "do": "list",  # 返回列表 saves first
        },
    )
    assert back.status_code == 302 and back.url == f"{BASE}/declarations/"
    listing = client.get(back.url).content.decode()
    assert "继续填写" in listing and "未提交" in listing

    again = client.get(f"{BASE}/declarations/{declaration.pk}/?step=1").content.decode()
    assert re.search(r'value="private"[^>]*checked', near(again, "nature"))
    assert re.search(rf'<option value="{unit().pk}" selected', near(again, "anchor_unit"))
    assert "营业执照.pdf" in near(again, "licence") and "重新选择文件将替换" in near(again, "licence")

    step2 = client.post(
        f"{BASE}/declarations/{declaration.pk}/?step=2",
        {
            "version": version_of(again),
            "product_count": "4",
            "profile": "专注五金卫浴行业的数字化服务。",
            "guarantee": "",
            "do": "next",
        },
    )
    assert step2.status_code == 302 and step2.url.endswith("?step=3")
    reopened = client.get(f"{BASE}/declarations/{declaration.pk}/?step=2").content.decode()
    assert 'value="4"' in near(reopened, "product_count")
    assert "专注五金卫浴行业的数字化服务。" in near(reopened, "profile") and "15/500" in near(reopened, "profile")
    declaration.refresh_from_db()
    assert (declaration.nature, declaration.anchor_unit.code, declaration.product_count) == (
        "private",
        "jm-hardware",
        4,
    )


def test_a_refused_submission_lists_every_missing_item(jm, client_of):
    member = f.provider(1)
    client = client_of(member)
    client.post(f"{BASE}/declarations/new/")
    declaration = Declaration.objects.get(organisation=member.organisation)
    page = client.get(f"{BASE}/declarations/{declaration.pk}/?step=3").content.decode()
    refused = client.post(
        f"{BASE}/declarations/{declaration.pk}/?step=3", {"version": version_of(page), "do": "submit"}
    )
    html = refused.content.decode()
    assert refused.status_code == 400 and 'id="problems"' in html
    missing = declarations.problems(declaration)
    assert len(missing) >= 7
    problems = html[html.index('id="problems"') : html.index("</ul>", html.index('id="problems"'))]
    for field, message in missing:
        assert f'data-problem="{field}"' in problems and message in problems, (field, message)
    assert f"/declarations/{declaration.pk}/?step=1#id_nature" in problems
    assert f"/declarations/{declaration.pk}/?step=2#id_profile" in problems
    declaration.refresh_from_db()
    assert declaration.status == Status.DRAFT


def test_a_complete_first_declaration_submits_and_the_list_shows_it_in_review_with_its_unit(jm, client_of):
    member = f.provider(1)
    declaration = f.first_declaration(member)
    client = client_of(member)
    page = client.get(f"{BASE}/declarations/{declaration.pk}/?step=3").content.decode()
    assert "轻量化MES" in page and "+新增产品/服务" in page
    done = client.post(f"{BASE}/declarations/{declaration.pk}/?step=3", {"version": version_of(page), "do": "submit"})
    assert done.status_code == 302 and done.url == f"{BASE}/declarations/"
    listing = client.get(done.url).content.decode()
    row = listing[listing.index(f'data-declaration="{declaration.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "审核中" in row and unit().name in row and "查看详情" in row and "继续填写" not in row
    assert re.search(rf'href="[^"]*/{declaration.application_id}/" data-action="detail"', row)
    declaration.refresh_from_db()
    assert declaration.status == Status.IN_REVIEW and declaration.products.get().status == Status.PENDING


def test_a_returned_declaration_shows_the_opinion_and_is_submitted_again(jm, client_of):
    member = f.provider(1)
    declaration = f.first_declaration(member)
    declarations.declaration_submit(membership=member, declaration=declaration)
    f.decide(f.anchor("jm-hardware"), declaration.application, "return", "请补充加盖双方公章的合作协议。")
    client = client_of(member)
    listing = client.get(f"{BASE}/declarations/").content.decode()
    row = listing[listing.index(f'data-declaration="{declaration.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "已退回" in row and "请补充加盖双方公章的合作协议。" in row and "重新提交" in row and "删除" in row

    page = client.get(f"{BASE}/declarations/{declaration.pk}/?step=1").content.decode()
    assert 'id="returned-note"' in page
    resent = client.post(
        f"{BASE}/declarations/{declaration.pk}/?step=1",
        {"version": version_of(page), "nature": "private", "anchor_unit": str(unit().pk), "do": "next"},
    )
    assert resent.status_code == 302
    page = client.get(f"{BASE}/declarations/{declaration.pk}/?step=3").content.decode()
    done = client.post(f"{BASE}/declarations/{declaration.pk}/?step=3", {"version": version_of(page), "do": "submit"})
    assert done.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == Status.IN_REVIEW
    assert "审核中" in client.get(f"{BASE}/declarations/?status=in_review").content.decode()


def test_a_draft_is_deleted_and_a_stale_form_keeps_what_was_typed(jm, client_of):
    member = f.provider(1)
    f.anchor("jm-hardware")
    client = client_of(member)
    client.post(f"{BASE}/declarations/new/")
    declaration = Declaration.objects.get(organisation=member.organisation)
    page = client.get(f"{BASE}/declarations/{declaration.pk}/?step=2").content.decode()
    old = version_of(page)
    client.post(f"{BASE}/declarations/{declaration.pk}/?step=2", {"version": old, "product_count": "2", "do": "save"})
    stale = client.post(
        f"{BASE}/declarations/{declaration.pk}/?step=2",
        {"version": old, "product_count": "9", "profile": "过期页面上填写的简介", "do": "save"},
    )
    html = stale.content.decode()
    assert stale.status_code == 409 and "该申请已有新的进展" in html and "过期页面上填写的简介" in html

    deleted = client.post(f"{BASE}/declarations/{declaration.pk}/delete/")
    assert deleted.status_code == 302
    assert not Declaration.objects.filter(pk=declaration.pk).exists()
    empty = client.get(f"{BASE}/declarations/").content.decode()
    assert 'id="declarations-empty"' in empty and "新增" in empty


# --- 我的产品 and the product form ------------------------------------------------------------------------------------
def _standalone(member, name="设备点检小程序"):
    return products.product_start(membership=member, name=name)


def test_product_form_puts_each_refusal_next_to_its_field_and_keeps_what_was_typed(jm, client_of):
    member = f.provider(1)
    f.joined(member)
    product = _standalone(member)
    client = client_of(member)
    url = f"{BASE}/products/{product.pk}/"
    page = client.get(url).content.decode()
    assert "产品基础信息" in page and "服务案例" in page and "不少于 3 个成功应用案例" in page and "0/1000" in page
    version = version_of(page)

    prices = client.post(url, product_post(version, price_min="90000", price_max="1000", description="价格倒挂的描述"))
    html = prices.content.decode()
    assert prices.status_code == 400 and "最低报价不能高于最高报价" in near(html, "price_max")
    assert 'value="90000"' in near(html, "price_min") and "价格倒挂的描述" in html

    discount = client.post(url, product_post(version, discount_percent="120"))
    html = discount.content.decode()
    assert discount.status_code == 400 and "拟让利比例须在 0% 到 100% 之间" in near(html, "discount_percent")
    assert 'value="120"' in near(html, "discount_percent")
    product.refresh_from_db()
    assert product.price_min is None and product.discount_percent is None  # nothing of a refused save was kept

    two = client.post(url, product_post(version, cases=2, do="submit", anchor_unit=str(unit().pk)))
    html = two.content.decode()
    assert two.status_code == 400
    notes = html[html.index('data-notes-for="cases"') :]
    assert "请提供不少于 3 个成功应用案例" in notes[: notes.index("</div>")]
    assert "江门页面客户2有限公司" in html and 'value="20000.00"' in near(html, "price_min")
    product.refresh_from_db()
    assert product.status == Status.DRAFT and product.cases.count() == 2

    page = client.get(url).content.decode()
    full = client.post(url, product_post(version_of(page), do="submit", anchor_unit=str(unit().pk)))
    assert full.status_code == 302 and full.url == f"{BASE}/products/"
    product.refresh_from_db()
    assert product.status == Status.IN_REVIEW and product.cases.count() == 3
    assert all(case.contract for case in product.cases.all())


def test_saving_again_keeps_the_contracts_of_existing_cases(jm, client_of):
    member = f.provider(1)
    f.joined(member)
    product = _standalone(member)
    f.fill_product(member, product, unit="jm-hardware")
    client = client_of(member)
    url = f"{BASE}/products/{product.pk}/"
    page = client.get(url).content.decode()
    cases = list(product.cases.all())
    data = {"version": version_of(page), "do": "save", "name": product.name, **f.PRODUCT_DATA}
    data["anchor_unit"] = str(unit().pk)
    data.update({"cases-TOTAL_FORMS": "3", "cases-INITIAL_FORMS": "3"})
    for i, case in enumerate(cases):
        data.update({f"cases-{i}-customer": case.customer, f"cases-{i}-summary": "改", f"cases-{i}-keep": str(case.pk)})
    assert client.post(url, data).status_code == 302
    assert [bool(c.contract) for c in product.cases.all()] == [True, True, True]
    assert {c.summary for c in product.cases.all()} == {"改"}


def test_a_new_product_is_refused_before_joining(jm, client_of):
    member = f.provider(1)
    client = client_of(member)
    listing = client.get(f"{BASE}/products/").content.decode()
    assert 'id="product-not-joined"' in listing and f"{BASE}/declarations/" in listing
    refused = client.post(f"{BASE}/products/new/", {"name": "抢先申报的产品"})
    assert refused.status_code == 403 and "首次申报审核通过后方可单独申报产品" in refused.content.decode()
    assert not Product.objects.filter(organisation=member.organisation).exists()


def test_a_duplicate_name_is_warned_at_saving_and_refused_at_submission(jm, client_of):
    member = f.provider(1)
    f.joined(member)  # 轻量化MES now waits at the unit and holds its name
    client = client_of(member)
    created = client.post(f"{BASE}/products/new/", {"name": "轻量化 mes"})
    product = Product.objects.get(organisation=member.organisation, name="轻量化 mes")
    assert created.status_code == 302 and created.url == f"{BASE}/products/{product.pk}/"
    f.fill_product(member, product, unit="jm-hardware")
    page = client.get(created.url).content.decode()
    assert "该产品已在审核中或已申报，请勿重复申报" in near(page, "name")
    post = product_post(version_of(page), name="轻量化 mes", anchor_unit=str(unit().pk))
    saved = client.post(created.url, post, follow=True)
    assert "该产品已在审核中或已申报，请勿重复申报" in near(saved.content.decode(), "name")

    product.refresh_from_db()
    refused = client.post(f"{BASE}/products/{product.pk}/submit/", {"version": str(product.application.version)})
    html = refused.content.decode()
    assert refused.status_code == 409 and "该产品已在审核中或已申报，请勿重复申报" in near(html, "name")
    product.refresh_from_db()
    assert product.status == Status.DRAFT


# --- Who may ----------------------------------------------------------------------------------------------------------
def test_another_providers_rows_and_files_are_404(jm, client_of):
    owner = f.provider(1)
    declaration = f.first_declaration(owner)
    product = declaration.products.get()
    file = declaration.files.first()
    case = product.cases.first()
    own = client_of(owner)
    download = own.get(f"{BASE}/declarations/{declaration.pk}/files/{file.pk}/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert own.get(f"{BASE}/products/{product.pk}/cases/{case.pk}/contract/").status_code == 200

    other = client_of(f.provider(2))
    for url in (
        f"{BASE}/declarations/{declaration.pk}/",
        f"{BASE}/products/{product.pk}/",
        f"{BASE}/declarations/{declaration.pk}/files/{file.pk}/",
        f"{BASE}/products/{product.pk}/cases/{case.pk}/contract/",
        f"{BASE}/declarations/{declaration.pk + 100000}/",
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(f"{BASE}/declarations/{declaration.pk}/delete/").status_code == 404
    assert other.post(f"{BASE}/products/{product.pk}/delete/").status_code == 404
    assert Declaration.objects.filter(pk=declaration.pk).exists() and Product.objects.filter(pk=product.pk).exists()


def test_anonymous_callers_sign_in_and_harbin_has_no_ecosystem(tenant_client, login_client):
    for path in ("declarations/", "products/", "changes/", "products/new/"):
        response = tenant_client(JIANGMEN).get(f"{BASE}/{path}")
        assert response.status_code == 302 and "login" in response.url, path
    harbin = login_client("harbin", "hrb_bureau")
    assert harbin.get(f"{BASE}/declarations/").status_code == 404
    assert harbin.get(f"{BASE}/products/").status_code == 404


# --- Lists cost the same for 1 and 15 rows ----------------------------------------------------------------------------
def _rows(member, n: int) -> None:
    for i in range(n):
        application = engine.application_create(
            kind=declarations.KIND, applicant=member.user, title=f"申报{i}", organisation=member.organisation
        )
        Declaration.objects.create(
            organisation=member.organisation,
            application=application,
            anchor_unit=unit(),
            status=Status.DRAFT,
            created_by=member.user,
        )
        application = engine.application_create(
            kind=products.KIND, applicant=member.user, title=f"产品{i}", organisation=member.organisation
        )
        Product.objects.create(
            organisation=member.organisation,
            application=application,
            anchor_unit=unit(),
            name=f"批量产品{i}",
            name_key=names.name_key(f"批量产品{i}"),
            categories=["production", "other"],
            category_other="运维",
            created_by=member.user,
        )


@pytest.mark.parametrize("path", ["declarations/", "products/"])
def test_both_lists_cost_the_same_queries_for_1_and_15_rows(jm, client_of, path):
    one, many = f.provider(1), f.provider(2)
    _rows(one, 1)
    _rows(many, 15)
    counts = []
    for member, expected in ((one, 1), (many, 15)):
        client = client_of(member)
        client.get(f"{BASE}/{path}")  # sessions and caches warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{BASE}/{path}")
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count("data-declaration=" if path == "declarations/" else "data-product=") == expected
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- 信息变更 ---------------------------------------------------------------------------------------------------------
def test_an_information_change_keeps_before_and_after(jm, client_of):
    member = f.provider(1)
    client = client_of(member)
    listing = client.get(f"{BASE}/changes/").content.decode()
    assert "当前基本信息" in listing and "陈经理" in listing
    form = client.get(f"{BASE}/changes/new/").content.decode()
    assert 'value="陈经理"' in near(form, "contact_name")
    data = {
        "contact_name": "李经理",
        "contact_mobile": member.organisation.contact_mobile,
        "email": "",
        "region": member.organisation.region,
        "address": member.organisation.address,
        "nature": "private",
        "profile": "",
        "guarantee": "",
        "reason": "",
    }
    refused = client.post(f"{BASE}/changes/new/", {**data, "contact_mobile": "12", "do": "save"})
    assert refused.status_code == 400 and "请输入 11 位手机号码" in near(refused.content.decode(), "contact_mobile")
    assert 'value="李经理"' in near(refused.content.decode(), "contact_name")

    saved = client.post(f"{BASE}/changes/new/", {**data, "do": "save"})
    change = ProviderChange.objects.get(organisation=member.organisation)
    assert saved.status_code == 302 and saved.url == f"{BASE}/changes/{change.pk}/"
    page = client.get(saved.url).content.decode()
    no_reason = client.post(saved.url, {**data, "version": version_of(page), "do": "submit"})
    assert no_reason.status_code == 400 and near(no_reason.content.decode(), "reason").count("field-error") == 1
    page = client.get(saved.url).content.decode()
    done = client.post(saved.url, {**data, "reason": "联系人调整", "version": version_of(page), "do": "submit"})
    assert done.status_code == 302
    history = client.get(f"{BASE}/changes/").content.decode()
    row = history[history.index(f'data-change="{change.pk}"') :]
    row = text(row[: row.index("</tr>")])
    assert "联系人" in row and "陈经理 → 李经理" in row and "审核中" in row and "联系人调整" in row
