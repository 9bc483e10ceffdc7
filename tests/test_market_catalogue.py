"""The public catalogue and product page, the ops' taxonomy pages and the catalogue API (issue #12).

Listings are made directly through the ORM (the listings area builds the services that make them in practice)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


def provider(name="目录测试服务商"):
    from tenant_apps.organisations.models import Organisation

    return Organisation.objects.create(
        kind="provider", name=name, uscc=f"91110000CAT{next(_n):07d}", certification="certified"
    )


def make_listing(
    organisation=None,
    *,
    name="工业设备上云方案",
    state="listed",
    price=(Decimal("1000.00"), Decimal("5000.00")),
    catalogue=None,
    categories=(),
    industries=(),
    tags=(),
    listed_at=None,
    ratings=(0, 0),
    intro=None,
    specs=(("标准版", "year", "simple", Decimal("12000.00")),),
    cases=3,
):
    """A listing with one version; `state="listed"` makes that version live."""
    from django.contrib.auth import get_user_model

    from tenant_apps.marketplace.models import Listing, ListingCase, ListingSpec, ListingVersion

    organisation = organisation or provider()
    user = get_user_model().objects.filter(username="nat_provider").first()
    listing = Listing.objects.create(
        organisation=organisation,
        rating_count=ratings[0],
        rating_sum=ratings[1],
        listed_at=listed_at or (timezone.now() if state in ("listed", "delisted") else None),
    )
    version = ListingVersion.objects.create(
        listing=listing,
        name=name,
        catalogue=catalogue,
        price_min=price[0] if price else None,
        price_max=price[1] if price else None,
        delivery_cycle_days=30,
        delivery_person_days=12,
        contact_name="王经理",
        contact_phone="13800001111",
        intro=intro or [],
        created_by=user,
    )
    version.categories.set(categories)
    version.industries.set(industries)
    version.tags.set(tags)
    for position, (spec_name, mode, pricing, price_value) in enumerate(specs):
        ListingSpec.objects.create(
            version=version,
            position=position,
            name=spec_name,
            purchase_mode=mode,
            pricing=pricing,
            unit_price=price_value,
        )
    for position in range(1, cases + 1):
        ListingCase.objects.create(
            version=version,
            position=position,
            customer=f"客户{position}",
            customer_output=Decimal("1200.50"),
            contract_amount=Decimal("88.00"),
            delivery_months=3,
        )
    if state == "listed":
        listing.live_version = version
    listing.state = state
    listing.save()
    return listing


def test_product_body_partial_renders_a_version(tenant_schema):
    from django.template.loader import render_to_string

    from tenant_apps.marketplace.catalogue import version_prefetched
    from tenant_apps.marketplace.models import Catalogue, Tag

    with tenant_schema("national"):
        cat = Catalogue.objects.create(name="测试目录甲")
        tag = Tag.objects.create(name="测试标签甲")
        intro = [
            {"type": "banner", "value": {"title": "横幅标题", "text": "横幅文字", "media": None}},
            {"type": "highlights", "value": {"items": [{"title": "亮点一", "text": "说明一"}, "亮点二"]}},
            {"type": "description", "value": {"text": "详细描述"}},
            {
                "type": "support",
                "value": {"hours": "9:00-18:00", "scope": "全国", "hotline": "400-1", "email": "a@b.cn"},
            },
            {"type": "unknown", "value": {}},
        ]
        listing = make_listing(
            catalogue=cat,
            tags=[tag],
            intro=intro,
            specs=(("免费版", "month", "free", Decimal("0")), ("年费版", "year", "simple", Decimal("12000"))),
        )
        version = version_prefetched(listing.live_version)
        with CaptureQueriesContext(connection) as ctx:
            html = render_to_string(
                "marketplace/catalogue/_product_body.html", {"version": version, "listing": listing}
            )
        # Only the provider's name (select_related in the page) is read beyond the prefetches.
        assert len(ctx.captured_queries) <= 2
    for text in (
        "工业设备上云方案",
        "测试目录甲",
        "测试标签甲",
        "横幅标题",
        "亮点一",
        "亮点二",
        "详细描述",
        "400-1",
        "免费",
        "¥12,000.00/年",
        "客户1",
        "客户3",
        "王经理",
        "¥1,000.00 – ¥5,000.00",
        "30 天",
        "12 人天",
    ):
        assert text in html, text
    assert html.index("横幅标题") < html.index("亮点一") < html.index("详细描述") < html.index("400-1")


# --- Public catalogue -------------------------------------------------------------------------------------------------
def _real(ctx) -> list[dict]:
    """The queries a request made, without django-tenants' `SET search_path` before each."""
    return [q for q in ctx.captured_queries if not q["sql"].startswith("SET search_path")]


def _ids(html: str) -> list[int]:
    import re

    return [int(pk) for pk in re.findall(r'data-listing="(\d+)"', html)]


def test_anonymous_browses_only_listed_products_with_a_live_version(tenant_client, tenant_schema):
    with tenant_schema("national"):
        seller = provider()
        shown = make_listing(seller, name="可见的上架商品")
        hidden = [
            make_listing(seller, name=f"不可见{state}", state=state) for state in ("draft", "in_review", "delisted")
        ]
    client = tenant_client("national")
    response = client.get("/market/")
    assert response.status_code == 200
    html = response.content.decode()
    assert shown.pk in _ids(html) and "可见的上架商品" in html
    assert not set(_ids(html)) & {h.pk for h in hidden}
    assert client.get(f"/market/p/{shown.pk}/").status_code == 200
    for listing in hidden:
        assert client.get(f"/market/p/{listing.pk}/").status_code == 404
        assert client.get(f"/api/v1/market/catalogue/{listing.pk}/").status_code == 404


def test_search_matches_name_or_tag_substrings(tenant_client, tenant_schema):
    from tenant_apps.marketplace.models import Tag

    with tenant_schema("national"):
        seller = provider()
        tag = Tag.objects.create(name="设备上云测试标签")
        by_name = make_listing(seller, name="智能排产管理系统")
        by_tag = make_listing(seller, name="某平台", tags=[tag])
        other = make_listing(seller, name="财务共享中心")
    client = tenant_client("national")
    ids = _ids(client.get("/market/", {"q": "排产"}).content.decode())
    assert by_name.pk in ids and other.pk not in ids and by_tag.pk not in ids
    ids = _ids(client.get("/market/", {"q": "上云测试"}).content.decode())  # the demo's 设备上云 does not match
    assert ids == [by_tag.pk]
    data = client.get("/api/v1/market/catalogue/", {"q": "上云测试"}).json()
    assert [row["id"] for row in data["results"]] == [by_tag.pk] and data["count"] == 1


def test_filters_by_catalogue_category_industry_and_price_overlap(tenant_client, tenant_schema):
    from tenant_apps.configuration.models import Industry
    from tenant_apps.marketplace.models import Catalogue, Category

    with tenant_schema("national"):
        seller = provider()
        design, making = Catalogue.objects.create(name="筛选目录甲"), Catalogue.objects.create(name="筛选目录乙")
        software = Category.objects.create(name="筛选分类甲")
        industry = Industry.objects.create(code="filter-test", name="筛选行业")
        a = make_listing(seller, catalogue=design, categories=[software], price=(Decimal("100"), Decimal("500")))
        b = make_listing(seller, catalogue=making, industries=[industry], price=(Decimal("800"), Decimal("2000")))
        c = make_listing(seller, catalogue=design, price=None)
        ids_of = {"a": a.pk, "b": b.pk, "c": c.pk}
        pks = (design.pk, making.pk, software.pk, industry.pk)
    client = tenant_client("national")

    def found(**params):
        data = client.get("/api/v1/market/catalogue/", params).json()
        page = {pk for pk in _ids(client.get("/market/", params).content.decode())} & set(ids_of.values())
        api = {row["id"] for row in data["results"]} & set(ids_of.values())
        assert page == api
        return {name for name, pk in ids_of.items() if pk in api}

    assert found(catalogue=pks[0]) == {"a", "c"}
    assert found(catalogue=pks[1]) == {"b"}
    assert found(category=pks[2]) == {"a"}
    assert found(industry=pks[3]) == {"b"}
    # Overlap of [min, max] with the asked range; a product without a price drops out once a bound is given.
    assert found(price_min="400", price_max="900") == {"a", "b"}
    assert found(price_min="501") == {"b"}
    assert found(price_max="99.99") == set()
    assert found(price_min="500", price_max="500") == {"a"}
    # min > max is refused with a field message (page shows it, API answers the structured 400).
    response = client.get("/api/v1/market/catalogue/", {"price_min": "10", "price_max": "5"})
    assert response.status_code == 400 and "price_max" in response.json()["errors"]
    assert "最高价不能低于最低价" in client.get("/market/", {"price_min": "10", "price_max": "5"}).content.decode()


def test_sorts_newest_rating_and_price(tenant_client, tenant_schema):
    from tenant_apps.marketplace.models import Catalogue

    now = timezone.now()
    with tenant_schema("national"):
        seller = provider()
        shelf = Catalogue.objects.create(name="排序目录")
        old = make_listing(
            seller,
            catalogue=shelf,
            listed_at=now - timedelta(days=3),
            ratings=(2, 10),
            price=(Decimal("300"), Decimal("900")),
        )
        mid = make_listing(
            seller,
            catalogue=shelf,
            listed_at=now - timedelta(days=2),
            ratings=(0, 0),
            price=(Decimal("100"), Decimal("200")),
        )
        new = make_listing(seller, catalogue=shelf, listed_at=now - timedelta(days=1), ratings=(4, 12), price=None)
        shelf_pk = shelf.pk
    client = tenant_client("national")

    def order(sort):
        return [
            row["id"]
            for row in client.get("/api/v1/market/catalogue/", {"catalogue": shelf_pk, "sort": sort}).json()["results"]
        ]

    assert order("newest") == [new.pk, mid.pk, old.pk]
    assert order("rating") == [old.pk, new.pk, mid.pk]  # 5.0, 3.0, none last
    assert order("price") == [mid.pk, old.pk, new.pk]  # 100, 300, no price last
    assert _ids(client.get("/market/", {"catalogue": shelf_pk, "sort": "price"}).content.decode()) == [
        mid.pk,
        old.pk,
        new.pk,
    ]


def test_catalogue_query_count_does_not_grow_with_page_size(tenant_client, tenant_schema):
    from tenant_apps.marketplace.models import Catalogue, Tag

    with tenant_schema("national"):
        seller = provider()
        shelf = Catalogue.objects.create(name="计数目录")
        tag = Tag.objects.create(name="计数标签")
        for n in range(50):
            make_listing(seller, name=f"计数商品{n}", catalogue=shelf, tags=[tag], cases=0)
        shelf_pk = shelf.pk
    client = tenant_client("national")
    client.get("/market/")  # the first visitor fills the per-tenant caches (filter choices, the portal's menu row)
    counts = {}
    for size in (12, 48):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/market/", {"catalogue": shelf_pk, "q": "计数", "size": size})
        assert response.status_code == 200 and len(_ids(response.content.decode())) == size
        counts[size] = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as api_ctx:
            data = client.get("/api/v1/market/catalogue/", {"catalogue": shelf_pk, "size": size}).json()
        assert len(data["results"]) == size and data["count"] == 50
        counts[f"api{size}"] = len(api_ctx.captured_queries)
    assert counts[12] == counts[48], counts
    assert counts["api12"] == counts["api48"], counts
    # The whole page (layout included): the tenant row, COUNT and one page of rows; the portal's profile and menu
    # row and the filter choices come from the cache.
    with CaptureQueriesContext(connection) as ctx:
        client.get("/market/", {"size": 48})
    assert len(_real(ctx)) <= 3, [q["sql"][:120] for q in _real(ctx)]


def test_product_page_shows_the_live_version_buttons_and_ratings_latest_first(tenant_client, tenant_schema):
    from django.contrib.auth import get_user_model

    from tenant_apps.marketplace.models import ListingVersion, Order, OrderLine, Rating
    from tenant_apps.organisations.models import Organisation

    with tenant_schema("national"):
        listing = make_listing(name="在售版本名称", ratings=(2, 9))
        # A newer version in review is not what the public sees.
        ListingVersion.objects.create(
            listing=listing, number=2, name="审核中的新版本", created_by=listing.live_version.created_by
        )
        buyer = Organisation.objects.get(memberships__user__username="nat_enterprise")
        user = get_user_model().objects.get(username="nat_enterprise")
        spec = listing.live_version.specs.first()
        texts = []
        for n, stars in enumerate((4, 5)):
            order = Order.objects.create(
                number=f"CATTEST{listing.pk}{n}",
                buyer=buyer,
                buyer_user=user,
                provider=listing.organisation,
                total=Decimal("1"),
                payable=Decimal("1"),
            )
            line = OrderLine.objects.create(
                order=order,
                listing=listing,
                version=listing.live_version,
                spec=spec,
                product_name="x",
                spec_name="x",
                purchase_mode="year",
                unit_price=Decimal("1"),
                quantity=1,
                amount=Decimal("1"),
            )
            rating = Rating.objects.create(
                line=line, listing=listing, buyer=buyer, author=user, stars=stars, text=f"评价内容{n}"
            )
            Rating.objects.filter(pk=rating.pk).update(created_at=timezone.now() - timedelta(days=5 - n))
            texts.append(f"评价内容{n}")
    html = tenant_client("national").get(f"/market/p/{listing.pk}/").content.decode()
    assert "在售版本名称" in html and "审核中的新版本" not in html
    assert "加入购物车" in html and "立即购买" in html
    assert 'name="spec"' in html and "/workbench/market/cart/add/" in html
    assert html.index(texts[1]) < html.index(texts[0])  # latest first
    assert "4.5 分（2 条评价）" in html


def test_product_media_is_served_only_for_the_live_version_of_a_listed_product(
    tenant_client, tenant_schema, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from tenant_apps.marketplace.models import Listing, ListingMedia

    settings.MEDIA_ROOT = tmp_path
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 32
    with tenant_schema("national"):
        listing = make_listing()
        version = listing.live_version
        version.thumbnail.save("t.png", ContentFile(png))
        media = ListingMedia(version=version, original_name="图.png")
        media.file.save("m.png", ContentFile(png))
        version.intro = [{"type": "gallery", "value": {"media": [media.pk]}}]
        version.save()
        draft = make_listing(state="draft")
        other_media = ListingMedia(version=draft.versions.get(), original_name="草稿.png")
        other_media.file.save("d.png", ContentFile(png))
    client = tenant_client("national")
    html = client.get(f"/market/p/{listing.pk}/").content.decode()
    assert f"/market/p/{listing.pk}/media/{media.pk}/" in html and f"/market/p/{listing.pk}/thumbnail/" in html
    response = client.get(f"/market/p/{listing.pk}/media/{media.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png
    assert client.get(f"/market/p/{listing.pk}/thumbnail/").status_code == 200
    # Another version's media through this listing, a draft's media: 404.
    assert client.get(f"/market/p/{listing.pk}/media/{other_media.pk}/").status_code == 404
    assert client.get(f"/market/p/{draft.pk}/media/{other_media.pk}/").status_code == 404
    with tenant_schema("national"):
        Listing.objects.filter(pk=listing.pk).update(state="delisted")
    assert client.get(f"/market/p/{listing.pk}/media/{media.pk}/").status_code == 404
    assert client.get(f"/market/p/{listing.pk}/").status_code == 404


# --- Isolation --------------------------------------------------------------------------------------------------------
def test_the_catalogue_does_not_exist_where_the_marketplace_is_off(tenant_client, login_client, tenant_schema):
    with tenant_schema("national"):
        listing = make_listing()
    for client in (tenant_client("harbin"), login_client("harbin", "hrb_bureau")):
        for path in (
            "/market/",
            f"/market/p/{listing.pk}/",
            f"/market/p/{listing.pk}/thumbnail/",
            "/api/v1/market/catalogue/",
            f"/api/v1/market/catalogue/{listing.pk}/",
            "/api/v1/market/taxonomy/",
        ):
            assert client.get(path).status_code == 404, path
    assert login_client("harbin", "hrb_bureau").get("/workbench/market/taxonomy/").status_code == 404


def test_a_product_of_one_tenant_is_not_found_on_another_tenant_with_the_module_on(tenant_client, tenant_schema):
    from tenants.models import Tenant

    with tenant_schema("national"):
        listing = make_listing(name="国家平台独有商品")
    on_elsewhere = [
        t.schema_name
        for t in Tenant.objects.exclude(schema_name__in=["public", "national"])
        if t.has_module("marketplace")
    ]
    for schema in on_elsewhere:
        assert tenant_client(schema).get(f"/market/p/{listing.pk}/").status_code == 404
        assert "国家平台独有商品" not in tenant_client(schema).get("/market/").content.decode()


# --- Taxonomy ---------------------------------------------------------------------------------------------------------
def test_ops_manage_taxonomy_in_the_workbench(login_client, tenant_schema):
    from tenant_apps.marketplace.models import Catalogue, Tag

    ops = login_client("national", "nat_ops")
    assert ops.get("/workbench/market/taxonomy/").status_code == 200
    response = ops.post(
        "/workbench/market/taxonomy/catalogue/new/", {"name": "页面新增目录", "position": 7, "is_active": "on"}
    )
    assert response.status_code == 302
    with tenant_schema("national"):
        row = Catalogue.objects.get(name="页面新增目录")
        assert row.position == 7 and row.is_active
    # A duplicate (case and spaces ignored) is refused on the field, the form as typed.
    response = ops.post("/workbench/market/taxonomy/catalogue/new/", {"name": " 页面新增目录 ", "position": 1})
    assert response.status_code == 400 and "已存在同名的商品目录" in response.content.decode()
    response = ops.post(
        f"/workbench/market/taxonomy/catalogue/{row.pk}/edit/",
        {"name": "页面改名目录", "position": 2, "is_active": "on"},
    )
    assert response.status_code == 302
    assert ops.post(f"/workbench/market/taxonomy/catalogue/{row.pk}/deactivate/").status_code == 302
    with tenant_schema("national"):
        row.refresh_from_db()
        assert (row.name, row.position, row.is_active) == ("页面改名目录", 2, False)
    assert ops.post(f"/workbench/market/taxonomy/catalogue/{row.pk}/activate/").status_code == 302
    assert "页面改名目录" in ops.get("/workbench/market/taxonomy/?kind=catalogue").content.decode()
    assert ops.post("/workbench/market/taxonomy/tag/new/", {"name": "页面标签", "is_active": "on"}).status_code == 302
    with tenant_schema("national"):
        assert Tag.objects.filter(name="页面标签", is_active=True).exists()
    assert ops.get("/workbench/market/taxonomy/nonsense/new/").status_code == 404


def test_taxonomy_pages_and_writes_are_for_ops_only(login_client, tenant_client, tenant_schema):
    from tenant_apps.marketplace.models import Category

    with tenant_schema("national"):
        row = Category.objects.create(name="权限测试分类")
    for username in ("nat_enterprise", "nat_provider", "zhang_expert"):
        client = login_client("national", username)
        assert client.get("/workbench/market/taxonomy/").status_code == 403, username
        assert client.post("/workbench/market/taxonomy/category/new/", {"name": "越权"}).status_code == 403
        assert client.post(f"/workbench/market/taxonomy/category/{row.pk}/deactivate/").status_code == 403
        api = client.post("/api/v1/market/taxonomy/category/", {"name": "越权"}, content_type="application/json")
        assert api.status_code == 403, username
        assert (
            client.patch(
                f"/api/v1/market/taxonomy/category/{row.pk}/", {"is_active": False}, content_type="application/json"
            ).status_code
            == 403
        )
    anonymous = tenant_client("national")
    assert anonymous.get("/workbench/market/taxonomy/").status_code == 302
    assert anonymous.post(
        "/api/v1/market/taxonomy/category/", {"name": "匿名"}, content_type="application/json"
    ).status_code in (401, 403)
    with tenant_schema("national"):
        assert not Category.objects.filter(name__in=["越权", "匿名"]).exists()
        assert Category.objects.get(pk=row.pk).is_active


def test_taxonomy_api_reads_publicly_and_ops_write(login_client, tenant_client, tenant_schema):
    ops = login_client("national", "nat_ops")
    response = ops.post("/api/v1/market/taxonomy/tag/", {"name": "接口标签"}, content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    duplicate = ops.post("/api/v1/market/taxonomy/tag/", {"name": "接口标签"}, content_type="application/json")
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "market.duplicate_name"
    assert "name" in duplicate.json()["errors"]
    assert "接口标签" in [t["name"] for t in tenant_client("national").get("/api/v1/market/taxonomy/").json()["tags"]]
    assert (
        ops.patch(
            f"/api/v1/market/taxonomy/tag/{pk}/", {"is_active": False}, content_type="application/json"
        ).status_code
        == 200
    )
    assert "接口标签" not in [
        t["name"] for t in tenant_client("national").get("/api/v1/market/taxonomy/").json()["tags"]
    ]
    assert (
        ops.patch(
            "/api/v1/market/taxonomy/tag/999999/", {"is_active": False}, content_type="application/json"
        ).status_code
        == 404
    )


def test_the_national_preset_s_taxonomy_is_seeded_once(tenant_schema):
    from tenant_apps.marketplace.models import Catalogue, Tag
    from tenant_apps.marketplace.taxonomy import seed_taxonomy
    from tenants.presets import load_preset

    data = load_preset("national").data_for("national")["marketplace"]
    assert data["catalogues"][0] == "研发设计" and "设备上云" in data["tags"]
    with tenant_schema("national"):
        assert set(data["catalogues"]) <= set(Catalogue.objects.values_list("name", flat=True))  # at provisioning
        assert seed_taxonomy(data) == {"catalogues": 0, "categories": 0, "tags": 0}
        assert seed_taxonomy({"tags": ["新标签"]}) == {"catalogues": 0, "categories": 0, "tags": 1}
        assert Tag.objects.filter(name="新标签").exists()
    with tenant_schema("harbin"):  # no marketplace there: no taxonomy
        assert not Catalogue.objects.exists()


def test_catalogue_api_is_in_the_openapi_schema(tenant_client):
    schema = tenant_client("national").get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/market/catalogue/",
        "/api/v1/market/catalogue/{id}/",
        "/api/v1/market/taxonomy/",
        "/api/v1/market/taxonomy/{kind}/",
        "/api/v1/market/taxonomy/{kind}/{id}/",
    ):
        assert path in schema["paths"], path


def test_product_page_query_count_does_not_grow_with_what_the_version_holds(tenant_client, tenant_schema):
    from tenant_apps.marketplace.models import Tag

    with tenant_schema("national"):
        small = make_listing(cases=0, specs=(("一", "year", "simple", Decimal("1")),))
        tags = [Tag.objects.create(name=f"多标签{n}") for n in range(6)]
        big = make_listing(tags=tags, specs=tuple((f"规格{n}", "month", "simple", Decimal(n + 1)) for n in range(8)))
    client = tenant_client("national")
    counts = []
    for listing in (small, big):
        client.get(f"/market/p/{listing.pk}/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/market/p/{listing.pk}/").status_code == 200
        counts.append(len(_real(ctx)))
    assert counts[0] == counts[1], counts


def test_a_product_without_a_price_range_is_price_on_request_not_a_broken_answer(tenant_client, tenant_schema):
    """The range is optional on a version (drafts, older data): the API says null as its schema documents."""
    with tenant_schema("national"):
        listing = make_listing(provider(), name="面议测试方案", price=(None, None))
    client = tenant_client("national")
    rows = client.get("/api/v1/market/catalogue/", {"q": "面议测试"}).json()["results"]
    assert [(row["id"], row["price_min"], row["price_max"]) for row in rows] == [(listing.pk, None, None)]
    schema = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert schema["Card"]["properties"]["price_min"].get("nullable") is True
    assert "面议" in client.get(f"/market/p/{listing.pk}/").content.decode()


def test_the_cached_filter_choices_follow_operations_edits(tenant_client, tenant_schema):
    from tenant_apps.marketplace.models import Catalogue

    client = tenant_client("national")
    assert "新上架目录" not in client.get("/market/").content.decode()  # the choices are cached now
    with tenant_schema("national"):
        shelf = Catalogue.objects.create(name="新上架目录")
    assert f'<option value="{shelf.pk}">新上架目录</option>' in client.get("/market/").content.decode()
    with tenant_schema("national"):
        shelf.is_active = False
        shelf.save()
    assert "新上架目录" not in client.get("/market/").content.decode()
