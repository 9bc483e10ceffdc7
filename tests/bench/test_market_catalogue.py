"""Benchmark of the marketplace catalogue (issue #12): the catalogue search page and a product page against a
marketplace of LISTINGS listed products and ORDERS orders, p50/p95 at CONCURRENCY clients, each as a ratio to
`/api/v1/me/` measured in the same run on the same server (the demo's waitress, tenants/serving.py, on loopback).

The suite runs a smoke size in seconds. The issue's size:
    PLATFORM_BENCH_MARKET_LISTINGS=10000 PLATFORM_BENCH_MARKET_ORDERS=50000 pytest tests/bench/test_market_catalogue.py -s
It reports numbers and asserts only that every request was answered 200 and that the bench's rows are gone after;
it is a benchmark, not a timed test (set PLATFORM_BENCH_MARKET_MAX_RATIO to fail above a p95 ratio).

The rows are committed (the server's threads use their own connections), in the national schema, under providers
and a buyer made for the run, and deleted at the end whatever happens."""

from __future__ import annotations

import http.client
import os
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from tenants.serving import web_server

LISTINGS = min(int(os.environ.get("PLATFORM_BENCH_MARKET_LISTINGS", 300)), 50_000)
ORDERS = min(int(os.environ.get("PLATFORM_BENCH_MARKET_ORDERS", 600)), 200_000)
CONCURRENCY = min(int(os.environ.get("PLATFORM_BENCH_MARKET_CONCURRENCY", 8)), 64)
REQUESTS = min(int(os.environ.get("PLATFORM_BENCH_MARKET_REQUESTS", 40)), 5_000)  # per path
MAX_RATIO = float(os.environ.get("PLATFORM_BENCH_MARKET_MAX_RATIO", 0) or 0)
SCHEMA = "national"
BATCH = 2_000


@pytest.mark.django_db
def test_the_bench_runs_where_the_marketplace_is_on():
    """Runs first: the national tenant serves the marketplace (and the session's test database is set up through
    pytest-django's usual path before the committed bench below opens connections of its own)."""
    from tenants.models import Tenant

    assert Tenant.objects.get(schema_name=SCHEMA).has_module("marketplace")
    assert 0 < CONCURRENCY <= 64 and LISTINGS > 0 and REQUESTS > 0


@pytest.fixture
def bench_server(settings):
    settings.DEBUG = False
    server = web_server("127.0.0.1", 0, threads=CONCURRENCY)
    threading.Thread(target=server.run, name="bench-market-waitress", daemon=True).start()
    yield server.effective_port
    server.close()
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)


def _seed(run: str) -> dict:
    """Providers, LISTINGS listed products (tags, categories, specs, three cases each), ORDERS orders with a line."""
    from django.contrib.auth import get_user_model

    from tenant_apps.marketplace.models import (
        Catalogue,
        Category,
        Listing,
        ListingCase,
        ListingSpec,
        ListingVersion,
        Order,
        OrderLine,
        Tag,
    )
    from tenant_apps.organisations.models import Organisation

    user = get_user_model().objects.get(username="nat_provider")
    buyer_user = get_user_model().objects.get(username="nat_enterprise")
    providers = Organisation.objects.bulk_create(
        Organisation(
            kind="provider", name=f"压测服务商{run}-{n}", uscc=f"9BENCH{run[:6]}{n:06d}", certification="certified"
        )
        for n in range(20)
    )
    buyer = Organisation.objects.create(
        kind="enterprise", name=f"压测企业{run}", uscc=f"9BENCHB{run[:6]}", certification="certified"
    )
    catalogues = Catalogue.objects.bulk_create(Catalogue(name=f"压测目录{run}-{n}", position=n) for n in range(5))
    categories = Category.objects.bulk_create(Category(name=f"压测分类{run}-{n}", position=n) for n in range(7))
    tags = Tag.objects.bulk_create(Tag(name=f"压测{run[:4]}{n}") for n in range(10))
    words = ["设备上云", "智能排产", "能耗管理", "质量追溯", "仓储物流", "财务共享", "协同设计", "预测维护"]
    listings, versions, specs = [], [], []
    for start in range(0, LISTINGS, BATCH):
        count = min(BATCH, LISTINGS - start)
        batch = Listing.objects.bulk_create(
            Listing(
                organisation=providers[(start + n) % len(providers)],
                rating_count=(start + n) % 7,
                rating_sum=((start + n) % 7) * (3 + (start + n) % 3),
            )
            for n in range(count)
        )
        batch_versions = ListingVersion.objects.bulk_create(
            ListingVersion(
                listing=listing,
                name=f"{words[(start + n) % len(words)]}解决方案{start + n}",
                catalogue=catalogues[(start + n) % len(catalogues)],
                price_min=Decimal(1000 + (start + n) % 500 * 10),
                price_max=Decimal(20000 + (start + n) % 500 * 100),
                delivery_cycle_days=30,
                delivery_person_days=10,
                intro=[{"type": "description", "value": {"text": "压测商品的详细介绍。" * 10}}],
                created_by=user,
            )
            for n, listing in enumerate(batch)
        )
        through_tags = ListingVersion.tags.through
        through_tags.objects.bulk_create(
            through_tags(listingversion_id=v.pk, tag_id=tags[(i + k) % len(tags)].pk)
            for i, v in enumerate(batch_versions)
            for k in range(2)
        )
        through_categories = ListingVersion.categories.through
        through_categories.objects.bulk_create(
            through_categories(listingversion_id=v.pk, category_id=categories[i % len(categories)].pk)
            for i, v in enumerate(batch_versions)
        )
        batch_specs = ListingSpec.objects.bulk_create(
            ListingSpec(version=v, name="标准版", purchase_mode="year", pricing="simple", unit_price=Decimal("12000"))
            for v in batch_versions
        )
        ListingCase.objects.bulk_create(
            ListingCase(
                version=v,
                position=p,
                customer=f"客户{p}",
                customer_output=Decimal("100"),
                contract_amount=Decimal("10"),
                delivery_months=3,
            )
            for v in batch_versions
            for p in (1, 2, 3)
        )
        for listing, version in zip(batch, batch_versions, strict=True):
            listing.live_version = version
            listing.state = Listing.State.LISTED
            listing.listed_at = listing.created_at
        Listing.objects.bulk_update(batch, ["live_version", "state", "listed_at"])
        listings += batch
        versions += batch_versions
        specs += batch_specs
    for start in range(0, ORDERS, BATCH):
        count = min(BATCH, ORDERS - start)
        orders = Order.objects.bulk_create(
            Order(
                number=f"B{run[:8]}{start + n:09d}",
                buyer=buyer,
                buyer_user=buyer_user,
                provider=listings[(start + n) % len(listings)].organisation,
                state=Order.State.COMPLETED if (start + n) % 3 == 0 else Order.State.AWAITING_PAYMENT,
                total=Decimal("12000.00"),
                payable=Decimal("12000.00"),
            )
            for n in range(count)
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                listing=listings[(start + n) % len(listings)],
                version=versions[(start + n) % len(versions)],
                spec=specs[(start + n) % len(specs)],
                product_name="x",
                spec_name="标准版",
                purchase_mode="year",
                unit_price=Decimal("12000.00"),
                quantity=1,
                amount=Decimal("12000.00"),
            )
            for n, order in enumerate(orders)
        )
    return {
        "providers": [p.pk for p in providers],
        "buyer": buyer.pk,
        "catalogues": [c.pk for c in catalogues],
        "categories": [c.pk for c in categories],
        "tags": [t.pk for t in tags],
        "listing": listings[len(listings) // 2].pk,
    }


def _cleanup(made: dict) -> None:
    from tenant_apps.marketplace.models import Catalogue, Category, Listing, ListingVersion, Order, OrderLine, Tag
    from tenant_apps.organisations.models import Organisation

    providers = made.get("providers", [])
    OrderLine.objects.filter(order__provider_id__in=providers).delete()
    Order.objects.filter(provider_id__in=providers).delete()
    Listing.objects.filter(organisation_id__in=providers).update(live_version=None, state=Listing.State.DRAFT)
    ListingVersion.objects.filter(listing__organisation_id__in=providers).delete()
    Listing.objects.filter(organisation_id__in=providers).delete()
    Catalogue.objects.filter(pk__in=made.get("catalogues", [])).delete()
    Category.objects.filter(pk__in=made.get("categories", [])).delete()
    Tag.objects.filter(pk__in=made.get("tags", [])).delete()
    Organisation.objects.filter(pk__in=[*providers, made.get("buyer")]).delete()


def _get(port: int, path: str, cookie: str = "") -> tuple[int, float]:
    host = f"{SCHEMA}.{settings.BASE_DOMAIN}:{port}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        started = time.perf_counter()
        conn.request("GET", path, headers={"Host": host, **({"Cookie": cookie} if cookie else {})})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def _measure(port: int, path: str, cookie: str = "") -> dict:
    for _ in range(3):  # warm the server's threads, connections and caches
        _get(port, path, cookie)
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        results = list(pool.map(lambda _i: _get(port, path, cookie), range(REQUESTS)))
    statuses = {status for status, _t in results}
    times = sorted(t for _s, t in results)
    return {
        "statuses": statuses,
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))],
    }


def _session_cookie(username: str) -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST=f"{SCHEMA}.{settings.BASE_DOMAIN}")
    client.force_login(get_user_model().objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def test_catalogue_search_and_product_page_against_api_me(django_db_setup, django_db_blocker, bench_server):
    run = uuid.uuid4().hex[:10]
    made: dict = {}
    with django_db_blocker.unblock():
        try:
            with schema_context(SCHEMA):
                seeded = time.perf_counter()
                made = _seed(run)
                seed_seconds = time.perf_counter() - seeded
                cookie = _session_cookie("nat_enterprise")
            connection.set_schema_to_public()
            paths = {
                "api_me": ("/api/v1/me/", cookie),
                "catalogue_search": (f"/market/?q={quote('排产')}&sort=rating&catalogue={made['catalogues'][1]}", ""),
                "catalogue_page_5": ("/market/?page=5&size=24", ""),
                "product": (f"/market/p/{made['listing']}/", ""),
                "api_catalogue": (f"/api/v1/market/catalogue/?q={quote('上云')}", ""),
            }
            results = {name: _measure(bench_server, path, c) for name, (path, c) in paths.items()}
        finally:
            with schema_context(SCHEMA):
                _cleanup(made)
            connection.set_schema_to_public()
        with schema_context(SCHEMA):
            from tenant_apps.marketplace.models import Listing

            assert not Listing.objects.filter(organisation_id__in=made.get("providers", [])).exists()
        connection.set_schema_to_public()
    base = results["api_me"]
    lines = [
        f"market catalogue bench: {LISTINGS} listings, {ORDERS} orders (seeded in {seed_seconds:.1f}s), "
        f"{REQUESTS} requests per path at concurrency {CONCURRENCY}"
    ]
    for name, r in results.items():
        lines.append(
            f"  {name:18} p50 {r['p50'] * 1000:7.1f} ms  p95 {r['p95'] * 1000:7.1f} ms  "
            f"ratio to /api/v1/me/ p50 {r['p50'] / base['p50']:5.2f}  p95 {r['p95'] / base['p95']:5.2f}"
        )
    print("\n".join(lines))
    for name, r in results.items():
        assert r["statuses"] == {200}, (name, r["statuses"])
    if MAX_RATIO:
        for name in ("catalogue_search", "catalogue_page_5", "product"):
            assert results[name]["p95"] / base["p95"] <= MAX_RATIO, (name, results[name], base)
