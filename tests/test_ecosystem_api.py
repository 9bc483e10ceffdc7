"""The ecosystem API (/api/v1/ecosystem/, issue #15 "API, demo, tests"): a first declaration from start to submission
(steps with files, a product with cases and contracts, what is still missing); the product rules with their codes
and fields (duplicate name 409, min > max, ratio over 100 %, a unit the provider is not bound to); isolation
(another provider, another anchor unit, anonymous, another tenant without the module); pools per unit; the public
上架产品; bounded query counts for 15 rows; the OpenAPI schema of these views validates and real answers match it."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenant_apps.configuration.models import AnchorUnit, Industry
from tenant_apps.ecosystem import alliances, declarations, products
from tenant_apps.ecosystem.models import AllianceMember, Declaration, Product, Status
from tenant_apps.workflow.models import Application
from tests import ecosystem_factories as f

pytestmark = pytest.mark.django_db
JIANGMEN = "jiangmen"
API = "/api/v1/ecosystem"
JSON = "application/json"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def jm(tenant_schema):
    with tenant_schema(JIANGMEN):
        yield


@pytest.fixture
def as_user(login_client):
    def make(member_or_username, tenant=JIANGMEN):
        username = getattr(getattr(member_or_username, "user", None), "username", member_or_username)
        return login_client(tenant, username)

    return make


def post(client, path: str, body: dict | None = None):
    return client.post(path, json.dumps(body or {}), content_type=JSON)


def patch(client, path: str, body: dict):
    return client.patch(path, json.dumps(body), content_type=JSON)


def patch_multipart(client, path: str, fields: dict):
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return client.patch(path, encode_multipart(BOUNDARY, fields), content_type=MULTIPART_CONTENT)


def refusal(response) -> tuple[int, str, list[str]]:
    body = response.json()
    return response.status_code, body["code"], sorted(body["errors"])


def _product_fields() -> dict:
    """The product form as a multipart body: every field, three cases with their contracts."""
    fields = {key: value for key, value in f.PRODUCT_DATA.items() if value != ""}
    for i in range(3):
        fields[f"cases.{i}.customer"] = f"江门接口客户{i}有限公司"
        fields[f"cases.{i}.summary"] = "报工及时率提升"
        fields[f"cases.{i}.contract"] = f.pdf(f"api-contract{i}.pdf")
    return fields


# --- The first declaration, start to submission ------------------------------------------------------------------------
def test_a_first_declaration_through_the_api(jm, as_user):
    member = f.provider(1)
    f.anchor("jm-hardware")
    client = as_user(member)

    started = post(client, f"{API}/declarations/")
    assert started.status_code == 201, started.content
    body = started.json()
    pk = body["id"]
    assert (body["is_first"], body["status"], body["step"], body["editable"]) == (True, "draft", 1, True)
    assert body["organisation"] == member.organisation.name and body["uscc"] == member.organisation.uscc
    again = post(client, f"{API}/declarations/")  # 新增 while one is unfinished: the same one, 200
    assert (again.status_code, again.json()["id"]) == (200, pk)

    step1 = patch_multipart(
        client,
        f"{API}/declarations/{pk}/",
        {
            "step": "1",
            "nature": "private",
            "anchor_unit": "jm-hardware",
            "files.licence": f.pdf("api-licence.pdf"),
            "files.cooperation": f.pdf("api-coop.pdf"),
        },
    )
    assert step1.status_code == 200, step1.content
    body = step1.json()
    assert body["anchor_unit"]["code"] == "jm-hardware" and body["step"] == 2
    assert {(file["kind"], file["name"]) for file in body["files"]} == {
        ("licence", "api-licence.pdf"),
        ("cooperation", "api-coop.pdf"),
    }
    wrong = patch_multipart(client, f"{API}/declarations/{pk}/", {"step": "2", "files.licence": f.pdf()})
    assert refusal(wrong) == (400, "declaration.file_kind", ["files.licence"])
    step2 = patch(
        client,
        f"{API}/declarations/{pk}/",
        {"step": 2, "product_count": "3", "profile": "专注五金卫浴行业数字化。", "guarantee": "本地团队 12 人。"},
    )
    assert step2.status_code == 200 and step2.json()["step"] == 3
    too_long = patch(client, f"{API}/declarations/{pk}/", {"step": 2, "profile": "简" * 501})
    assert refusal(too_long) == (400, "declaration.too_long", ["profile"])

    missing = client.get(f"{API}/declarations/{pk}/problems/").json()
    assert [row["field"] for row in missing] == ["products"]
    early = post(client, f"{API}/declarations/{pk}/submit/")
    assert refusal(early) == (400, "declaration.incomplete", ["products"])

    added = post(client, f"{API}/products/", {"name": "接口轻量化MES", "declaration": pk})
    assert added.status_code == 201, added.content
    product = added.json()["id"]
    assert added.json()["declaration"] == pk
    missing = {row["field"] for row in client.get(f"{API}/declarations/{pk}/problems/").json()}
    assert {"products.0.nature", "products.0.cases"} <= missing
    saved = patch_multipart(client, f"{API}/products/{product}/", _product_fields())
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert [case["contract_name"] for case in body["cases"]] == [f"api-contract{i}.pdf" for i in range(3)]
    assert body["categories"] == ["production", "other"] and body["industries"][0]["code"] == "hardware-sanitary"
    assert client.get(f"{API}/products/{product}/problems/").json() == []
    assert client.get(f"{API}/declarations/{pk}/problems/").json() == []
    alone = post(client, f"{API}/products/{product}/submit/")  # it goes with the declaration
    assert refusal(alone)[:2] == (409, "product.with_declaration")

    version = client.get(f"{API}/declarations/{pk}/").json()["version"]
    stale = post(client, f"{API}/declarations/{pk}/submit/", {"version": version - 1})
    assert refusal(stale)[:2] == (409, "workflow.stale")
    submitted = post(client, f"{API}/declarations/{pk}/submit/", {"version": version})
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert (body["status"], body["editable"]) == ("in_review", False) and body["stage"]
    assert body["products"] == [
        {"id": product, "name": "接口轻量化MES", "status": "pending", "status_label": "待服务商申报通过"}
    ]
    assert Application.objects.get(pk=body["application"]).state == Application.State.IN_REVIEW
    assert refusal(patch(client, f"{API}/declarations/{pk}/", {"step": 2, "profile": "改"}))[:2] == (
        409,
        "declaration.not_editable",
    )


def test_a_draft_declaration_is_deleted_with_its_products(jm, as_user):
    member = f.provider(1)
    declaration = f.first_declaration(member)
    product = declaration.products.get()
    client = as_user(member)
    assert client.delete(f"{API}/declarations/{declaration.pk}/").status_code == 204
    assert not Declaration.objects.filter(pk=declaration.pk).exists()
    assert not Product.objects.filter(pk=product.pk).exists()


# --- Product rules -----------------------------------------------------------------------------------------------------
def test_product_rules_answer_with_their_codes_and_fields(jm, as_user):
    member = f.provider(1)
    f.joined(member, product_names=("轻量化MES",))  # its product is now in review at the unit
    client = as_user(member)
    started = post(client, f"{API}/products/", {"name": "轻量化 ＭＥＳ"})
    assert started.status_code == 201, started.content
    pk = started.json()["id"]
    assert started.json()["declaration"] is None

    prices = patch(client, f"{API}/products/{pk}/", {"price_min": "100", "price_max": "50"})
    assert refusal(prices) == (400, "product.price_range", ["price_max"])
    discount = patch(client, f"{API}/products/{pk}/", {"discount_percent": 150})
    assert refusal(discount) == (400, "product.discount", ["discount_percent"])
    unbound = patch(client, f"{API}/products/{pk}/", {"anchor_unit": "jm-food"})
    assert refusal(unbound) == (400, "product.anchor_unit", ["anchor_unit"])
    few = patch(client, f"{API}/products/{pk}/", {"cases": [{"customer": "只有一个客户"}]})
    assert few.status_code == 200 and len(few.json()["cases"]) == 1
    assert "cases" in {row["field"] for row in client.get(f"{API}/products/{pk}/problems/").json()}

    saved = patch_multipart(client, f"{API}/products/{pk}/", {**_product_fields(), "anchor_unit": "jm-hardware"})
    assert saved.status_code == 200, saved.content
    kept = [{"customer": case["customer"], "keep": case["id"]} for case in saved.json()["cases"]]
    renamed = patch(client, f"{API}/products/{pk}/", {"cases": kept})  # JSON rows keep their contracts
    assert [case["contract_name"] for case in renamed.json()["cases"]] == [f"api-contract{i}.pdf" for i in range(3)]
    assert client.get(f"{API}/products/{pk}/problems/").json() == []

    duplicate = post(client, f"{API}/products/{pk}/submit/")
    assert refusal(duplicate) == (409, "product.duplicate_name", ["name"])
    assert Product.objects.get(pk=pk).status == Status.DRAFT

    patch(client, f"{API}/products/{pk}/", {"name": "质量追溯云"})
    submitted = post(client, f"{API}/products/{pk}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert (submitted.json()["status"], submitted.json()["anchor_unit"]["code"]) == ("in_review", "jm-hardware")


def test_products_on_their_own_open_after_the_first_approval(jm, as_user):
    member = f.provider(1)
    refused = post(as_user(member), f"{API}/products/", {"name": "新产品"})
    assert refusal(refused)[:2] == (403, "product.not_joined")


# --- Isolation -----------------------------------------------------------------------------------------------------------
def test_another_provider_gets_404_on_every_row_of_the_first(jm, as_user):
    owner, other = f.provider(1), f.provider(2)
    declaration = f.first_declaration(owner)
    product = declaration.products.get()
    client = as_user(other)
    for path in (f"/declarations/{declaration.pk}/", f"/products/{product.pk}/"):
        assert client.get(f"{API}{path}").status_code == 404
        assert patch(client, f"{API}{path}", {"step": 2, "profile": "他人修改"}).status_code == 404
        assert post(client, f"{API}{path}submit/").status_code == 404
        assert client.get(f"{API}{path}problems/").status_code == 404
        assert client.delete(f"{API}{path}").status_code == 404
    taken = post(client, f"{API}/products/", {"name": "借用他人申报", "declaration": declaration.pk})
    assert taken.status_code == 404
    assert all(row["id"] != declaration.pk for row in client.get(f"{API}/declarations/").json()["results"])
    assert all(row["id"] != product.pk for row in client.get(f"{API}/products/").json()["results"])
    declaration.refresh_from_db()
    assert declaration.profile == "专注五金卫浴行业数字化。" and declaration.status == Status.DRAFT


def test_the_anchor_unit_named_sees_a_declaration_another_unit_does_not(jm, as_user):
    member = f.provider(1)
    declaration = f.first_declaration(member, unit="jm-hardware")
    declarations.declaration_submit(membership=member, declaration=declaration)
    named, other = as_user(f.anchor("jm-hardware")), as_user(f.anchor("jm-food"))
    assert declaration.pk in {row["id"] for row in named.get(f"{API}/declarations/").json()["results"]}
    assert named.get(f"{API}/declarations/{declaration.pk}/").json()["anchor_unit"]["code"] == "jm-hardware"
    assert declaration.pk not in {row["id"] for row in other.get(f"{API}/declarations/").json()["results"]}
    assert other.get(f"{API}/declarations/{declaration.pk}/").status_code == 404
    assert other.get(f"{API}/declarations/{declaration.pk}/problems/").status_code == 404
    # Reading is not writing: the unit cannot edit what it reviews.
    assert refusal(patch(named, f"{API}/declarations/{declaration.pk}/", {"step": 1}))[:2] == (
        403,
        "ecosystem.wrong_kind",
    )
    bureau = as_user("jm_bureau")
    assert declaration.pk in {row["id"] for row in bureau.get(f"{API}/declarations/").json()["results"]}


PRIVATE = (
    "/declarations/",
    "/declarations/1/",
    "/declarations/1/problems/",
    "/products/",
    "/products/1/",
    "/pools/",
    "/members/",
    "/changes/",
    "/changes/1/",
)
PUBLIC = ("/anchor-units/", "/public/products/")


def test_anonymous_callers_read_only_the_public_endpoints(tenant_client):
    client = tenant_client(JIANGMEN)
    for path in PRIVATE:
        assert client.get(f"{API}{path}").status_code in (401, 403), path
    for path in ("/declarations/", "/products/", "/changes/", "/declarations/1/submit/", "/members/1/leave/"):
        assert post(client, f"{API}{path}").status_code in (401, 403), path
    for path in PUBLIC:
        assert client.get(f"{API}{path}").status_code == 200, path


def test_a_tenant_without_the_module_has_no_ecosystem_api(tenant_client, login_client):
    for path in PUBLIC:
        assert tenant_client("harbin").get(f"{API}{path}").status_code == 404, path
    member = login_client("harbin", "hrb_enterprise")
    for path in PRIVATE:
        assert member.get(f"{API}{path}").status_code == 404, path
    # A member of another tenant on Jiangmen's private endpoints: no membership here.
    outsider = login_client(JIANGMEN, "hrb_enterprise")
    for path in PRIVATE:
        assert outsider.get(f"{API}{path}").status_code in (403, 404), path


def test_a_member_of_jiangmen_without_an_ecosystem_role_is_refused(as_user):
    client = as_user("jm_enterprise")
    assert refusal(client.get(f"{API}/declarations/"))[0] == 403
    assert refusal(post(client, f"{API}/declarations/"))[0] == 403


# --- Pools and alliances ---------------------------------------------------------------------------------------------
def _pooled_provider(n: int, unit: str, name: str):
    member = f.provider(n)
    declaration = f.joined(member, unit=unit, product_names=(name,))
    f.approve_product(declaration.products.get())
    return member, declaration.products.get()


def test_each_anchor_unit_lists_its_own_pool_and_alliance(jm, as_user):
    _hw_member, hw_product = _pooled_provider(1, "jm-hardware", "五金池产品")
    _food_member, food_product = _pooled_provider(2, "jm-food", "食品池产品")
    hardware, food = as_user(f.anchor("jm-hardware")), as_user(f.anchor("jm-food"))

    rows = hardware.get(f"{API}/pools/", {"unit": "jm-food"}).json()["results"]  # `unit` is the city's choice
    assert {row["anchor_unit"]["code"] for row in rows} == {"jm-hardware"}
    assert hw_product.pk in {row["product"]["id"] for row in rows}
    assert food_product.pk not in {row["product"]["id"] for row in rows}
    rows = food.get(f"{API}/pools/").json()["results"]
    assert {row["anchor_unit"]["code"] for row in rows} == {"jm-food"} and food_product.pk in {
        row["product"]["id"] for row in rows
    }
    members = hardware.get(f"{API}/members/").json()["results"]
    assert {row["anchor_unit"]["code"] for row in members} == {"jm-hardware"}
    mine = next(row for row in members if row["organisation"]["id"] == hw_product.organisation_id)
    assert mine["products"] == 1

    bureau = as_user("jm_bureau")
    rows = bureau.get(f"{API}/pools/", {"unit": "jm-food"}).json()["results"]
    assert {row["anchor_unit"]["code"] for row in rows} == {"jm-food"}
    assert {"jm-hardware", "jm-food"} <= {
        row["anchor_unit"]["code"] for row in bureau.get(f"{API}/pools/").json()["results"]
    }
    assert refusal(as_user(_hw_member).get(f"{API}/pools/"))[:2] == (403, "alliance.not_reader")

    # 移出联合体: another unit cannot; the unit itself can, with a reason, and its pool empties of that provider.
    assert post(food, f"{API}/members/{mine['id']}/leave/", {"reason": "他人移出"}).status_code == 404
    assert refusal(post(hardware, f"{API}/members/{mine['id']}/leave/"))[:2] == (400, "alliance.reason_required")
    left = post(hardware, f"{API}/members/{mine['id']}/leave/", {"reason": "合作终止"})
    assert left.status_code == 200 and left.json()["left_reason"] == "合作终止"
    rows = hardware.get(f"{API}/pools/").json()["results"]
    assert hw_product.pk not in {row["product"]["id"] for row in rows}


# --- Public --------------------------------------------------------------------------------------------------------------
def test_the_public_listing_shows_pooled_approved_products_without_contracts(jm, tenant_client):
    _member, pooled = _pooled_provider(1, "jm-hardware", "公开上架产品")
    draft_owner = f.provider(2)
    draft = f.first_declaration(draft_owner, product_names=("未上架草稿产品",)).products.get()
    client = tenant_client(JIANGMEN)

    listed = client.get(f"{API}/public/products/", {"q": "公开上架"}).json()
    assert [row["id"] for row in listed["results"]] == [pooled.pk]
    assert listed["results"][0]["units"] == [
        {"id": pooled.anchor_unit_id, "code": "jm-hardware", "name": pooled.anchor_unit.name}
    ]
    everything = client.get(f"{API}/public/products/").json()
    assert draft.pk not in {row["id"] for row in everything["results"]}
    assert pooled.pk in {
        row["id"] for row in client.get(f"{API}/public/products/", {"unit": "jm-hardware"}).json()["results"]
    }
    assert pooled.pk not in {
        row["id"] for row in client.get(f"{API}/public/products/", {"unit": "jm-food"}).json()["results"]
    }
    assert pooled.pk in {
        row["id"] for row in client.get(f"{API}/public/products/", {"industry": "hardware-sanitary"}).json()["results"]
    }
    assert pooled.pk not in {
        row["id"] for row in client.get(f"{API}/public/products/", {"category": "marketing"}).json()["results"]
    }

    detail = client.get(f"{API}/public/products/{pooled.pk}/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "contract" not in text and ".pdf" not in text and "files" not in detail.json()
    assert len(detail.json()["cases"]) == 3
    assert client.get(f"{API}/public/products/{draft.pk}/").status_code == 404

    units = {row["code"]: row for row in client.get(f"{API}/anchor-units/").json()["results"]}
    hardware = alliances.unit_counts().get(code="jm-hardware")
    assert (units["jm-hardware"]["member_count"], units["jm-hardware"]["product_count"]) == (
        hardware.member_count,
        hardware.product_count,
    )
    assert units["jm-hardware"]["industries"] == [{"code": "hardware-sanitary", "name": "五金卫浴"}]


# --- Query counts --------------------------------------------------------------------------------------------------------
def _queries(client, path: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {})
    assert response.status_code == 200, response.content[:300]
    return len(captured.captured_queries)


def test_lists_cost_the_same_queries_for_one_row_and_fifteen(jm, as_user, tenant_client):
    member = f.provider(1)
    f.joined(member)
    provider = as_user(member)
    bureau = as_user("jm_bureau")
    anchor = as_user(f.anchor("jm-hardware"))
    public = tenant_client(JIANGMEN)
    paths = [
        (provider, f"{API}/products/", None),
        (provider, f"{API}/declarations/", None),
        (bureau, f"{API}/declarations/", None),
        (bureau, f"{API}/products/", None),
        (anchor, f"{API}/pools/", None),
        (anchor, f"{API}/members/", None),
        (public, f"{API}/public/products/", {"unit": "jm-hardware"}),
        (public, f"{API}/anchor-units/", None),
    ]
    before = [_queries(client, path, params) for client, path, params in paths]

    unit = AnchorUnit.objects.get(code="jm-hardware")
    industries = list(Industry.objects.all())
    for n in range(15):
        product = products.product_start(membership=member, name=f"批量产品{n}")
        product.industries.set(industries)
        Product.objects.filter(pk=product.pk).update(status=Status.APPROVED, approved_at=timezone.now())
        alliances.pool_add(unit, product)
        other = f.provider(10 + n)
        declaration = declarations.declaration_start(membership=other)
        AllianceMember.objects.create(
            anchor_unit=unit, organisation=other.organisation, declaration=declaration, joined_at=timezone.now()
        )
    after = [_queries(client, path, params) for client, path, params in paths]
    assert after == before, list(zip([p for _c, p, _x in paths], before, after, strict=True))
    assert provider.get(f"{API}/products/").json()["count"] >= 16
    assert public.get(f"{API}/public/products/").json()["count"] >= 15


# --- OpenAPI -------------------------------------------------------------------------------------------------------------
def test_the_schema_of_these_views_validates():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="config.urls_tenant", patterns=None).get_schema(request=None, public=True)
    validate_schema(schema)
    ours = {path: item for path, item in schema["paths"].items() if path.startswith(f"{API}/")}
    assert len(ours) == 17
    assert set(ours[f"{API}/products/{{id}}/"]["patch"]["requestBody"]["content"]) == {
        "application/json",
        "multipart/form-data",
    }
    assert "409" in ours[f"{API}/products/{{id}}/submit/"]["post"]["responses"]
    problems = [
        line
        for line in (GENERATOR_STATS._warn_cache | GENERATOR_STATS._error_cache)
        if "ecosystem" in line.lower() or "Declaration" in line or "Pool" in line
    ]
    assert not problems, problems


def test_real_answers_match_the_served_schema(jm, as_user):
    """Success bodies and refusals of these operations against the schema Jiangmen serves (the fuzzer's ids rarely
    reach a real row)."""
    from tests.test_api_fuzz import CHECKS, _keeping_the_test_transaction, _schema, _target

    member = f.provider(1)
    pooled_member, pooled = _pooled_provider(2, "jm-hardware", "模式校验上架产品")
    declaration = f.first_declaration(member)
    product = declaration.products.get()
    hardware = f.anchor("jm-hardware")
    connection.set_schema_to_public()
    schema = _schema(JIANGMEN)
    owner, unit, bureau = (
        _target(JIANGMEN, member.user.username),
        _target(JIANGMEN, hardware.user.username),
        _target(JIANGMEN, "jm_bureau"),
    )
    anonymous = _target(JIANGMEN, None)
    d, p = {"id": declaration.pk}, {"id": product.pk}
    requests = [
        (anonymous, "GET", f"{API}/anchor-units/", {}, None, 200),
        (anonymous, "GET", f"{API}/public/products/", {}, None, 200),
        (anonymous, "GET", f"{API}/public/products/{{id}}/", {"id": pooled.pk}, None, 200),
        (anonymous, "GET", f"{API}/declarations/", {}, None, 403),
        (owner, "GET", f"{API}/declarations/", {}, None, 200),
        (owner, "POST", f"{API}/declarations/", {}, None, 200),
        (owner, "GET", f"{API}/declarations/{{id}}/", d, None, 200),
        (owner, "PATCH", f"{API}/declarations/{{id}}/", d, {"step": 2, "profile": "简介"}, 200),
        (owner, "PATCH", f"{API}/declarations/{{id}}/", d, {"step": 2, "product_count": "三"}, 400),
        (owner, "GET", f"{API}/declarations/{{id}}/problems/", d, None, 200),
        (owner, "GET", f"{API}/products/", {}, None, 200),
        (owner, "GET", f"{API}/products/{{id}}/", p, None, 200),
        (owner, "PATCH", f"{API}/products/{{id}}/", p, {"discount_percent": "150"}, 400),
        (owner, "GET", f"{API}/products/{{id}}/problems/", p, None, 200),
        (owner, "POST", f"{API}/changes/", {}, {"contact_name": "新联系人", "reason": "人员调整"}, 201),
        (owner, "GET", f"{API}/changes/", {}, None, 200),
        (owner, "POST", f"{API}/declarations/{{id}}/submit/", d, {}, 200),
        (unit, "GET", f"{API}/pools/", {}, None, 200),
        (unit, "GET", f"{API}/members/", {}, None, 200),
        (unit, "GET", f"{API}/declarations/", {}, None, 200),  # each request is rolled back: not the submitted one
        (bureau, "GET", f"{API}/products/", {}, None, 200),
        (_target(JIANGMEN, pooled_member.user.username), "GET", f"{API}/declarations/{{id}}/", d, None, 404),
    ]
    with _keeping_the_test_transaction():
        for target, method, path, parameters, body, expected in requests:
            operation = schema[path][method]
            if body is None:
                case = operation.Case(path_parameters=parameters)
            else:
                case = operation.Case(path_parameters=parameters, body=body, media_type="application/json")
            response = target.call(case)
            assert response.status_code == expected, (method, path, response.status_code, response.content[:300])
            case.validate_response(response, checks=CHECKS)
