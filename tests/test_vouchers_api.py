"""The voucher API (/api/v1/vouchers/…) and the marketplace API's voucher parameters: public activities from the
cached state (no voucher query for an anonymous visitor once warm), grab with an idempotency key and every refusal
code, apply, my vouchers with their ledger, my requests, the provider's usage; the checkout preview's offers and the
seed's worked example (50,000.00 order, 30,000.00 voucher → 15,000.00 off, 35,000.00 to pay, 15,000.00 left);
an expired voucher refusing the whole checkout; isolation (other tenant, other organisation, anonymous) and bounded
lists."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenant_apps.marketplace import orders
from tenant_apps.marketplace.models import CartItem, Order
from tenant_apps.vouchers import activities, issuing
from tenant_apps.vouchers import requests as voucher_requests
from tenant_apps.vouchers.models import LedgerEntry, Voucher, VoucherRules, VoucherType
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Task
from tests.test_market_orders import NATIONAL, _listing, build_world, ops

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/vouchers"
JSON = "application/json"


# --- The world -------------------------------------------------------------------------------------------------------------
def make_type(ops_member, *, face="30000.00", stock=30, limit=1, method="grab", regions="", **extra) -> VoucherType:
    now = timezone.now()
    activity = activities.activity_save(
        actor=ops_member.user,
        data={
            "name": f"接口测试服务券活动{uuid.uuid4().hex[:4]}",
            "description": "面向制造业企业的数字化服务券。",
            "starts_at": now - datetime.timedelta(days=1),
            "ends_at": now + datetime.timedelta(days=30),
            "regions": regions,
        },
    )
    data = {
        "name": f"创新服务券{uuid.uuid4().hex[:4]}",
        "face_value": face,
        "method": method,
        "valid_days": 90,
        "stock_total": stock,
        "per_enterprise_limit": limit,
    }
    data.update(extra)
    vtype = activities.type_save(activity=activity, data=data)
    activities.activity_publish(activity=activity, published=True)
    activities.state_changed()  # on_commit never runs inside a test's transaction
    return vtype


@pytest.fixture
def world(tenant_schema):
    with tenant_schema(NATIONAL):
        activities.state_changed()  # no cached state of an earlier test
        w = build_world()
        w.big = _listing(w.p1, "全流程数字化改造方案", [("整体交付", "quantity", "50000.00")])
        w.spec_big = w.big.live_version.specs.get()
        w.ops = ops()
        w.vtype = make_type(w.ops)
        yield w
        activities.state_changed()  # the rolled-back activities leave no cached state behind


@pytest.fixture
def as_member(login_client):
    def make(member):
        return login_client(NATIONAL, member.user.username)

    return make


def issue(w, member=None, vtype=None) -> Voucher:
    member = member or w.e1
    return issuing.issue(vtype or w.vtype, member.organisation, member.user_id, source=Voucher.Source.GRAB)


def code_of(response) -> str:
    return response.json()["code"]


def call(client, method: str, path: str):
    return client.post(path, "{}", content_type=JSON) if method == "post" else client.get(path)


# --- Activities: public, from the cached state ----------------------------------------------------------------------------
def test_anonymous_visitors_read_the_activities_from_the_cached_state(world, tenant_client):
    w = world
    anonymous = tenant_client(NATIONAL)
    listed = anonymous.get(f"{API}/activities/")
    assert listed.status_code == 200
    body = listed.json()
    ours = next(a for a in body["results"] if a["id"] == w.vtype.activity_id)
    assert body["count"] >= 1 and ours["name"] == w.vtype.activity.name
    kind = ours["types"][0]
    assert (kind["id"], kind["face_value"], kind["method"], kind["stock_left"]) == (w.vtype.pk, "30000.00", "grab", 30)
    assert kind["held"] is None and kind["pending"] is None and ours["ineligible_reason"] is None
    detail = f"{API}/activities/{w.vtype.activity_id}/"
    assert anonymous.get(detail).json()["types"][0]["id"] == w.vtype.pk
    for path in (f"{API}/activities/", detail):
        anonymous.get(path)  # warm
        with CaptureQueriesContext(connection) as queries:
            assert anonymous.get(path).status_code == 200
        touched = [q["sql"] for q in queries if "vouchers_" in q["sql"]]
        assert not touched, touched
    missing = anonymous.get(f"{API}/activities/999999/")
    assert missing.status_code == 404 and code_of(missing) == "voucher.activity_not_found"


def test_the_state_is_cached_and_stock_refreshes_when_it_is_rebuilt(world, tenant_client, tenant_schema):
    w = world
    anonymous = tenant_client(NATIONAL)
    path = f"{API}/activities/{w.vtype.activity_id}/"
    assert anonymous.get(path).json()["types"][0]["stock_left"] == 30
    with tenant_schema(NATIONAL):
        issue(w)
    assert anonymous.get(path).json()["types"][0]["stock_left"] == 30  # cached (at most STATE_SECONDS old)
    with tenant_schema(NATIONAL):
        activities.state_changed()
    assert anonymous.get(path).json()["types"][0]["stock_left"] == 29


def test_a_certified_enterprise_sees_what_it_holds_and_whether_it_may_take_part(world, as_member, tenant_schema):
    w = world
    with tenant_schema(NATIONAL):
        issue(w)
        closed = make_type(w.ops, regions="不存在的省份")
    body = as_member(w.e1).get(f"{API}/activities/").json()
    ours = {a["id"]: a for a in body["results"]}
    held = ours[w.vtype.activity_id]
    assert held["ineligible_reason"] == "" and held["types"][0]["held"] == 1 and held["types"][0]["pending"] is False
    assert "不存在的省份" in ours[closed.activity_id]["ineligible_reason"]
    provider = as_member(w.p1).get(f"{API}/activities/{w.vtype.activity_id}/").json()
    assert provider["types"][0]["held"] is None and provider["ineligible_reason"] is None


# --- Grab -----------------------------------------------------------------------------------------------------------------
def test_grab_issues_once_and_a_retry_with_the_same_key_returns_the_same_voucher(world, as_member, tenant_schema):
    w = world
    client = as_member(w.e1)
    url = f"{API}/types/{w.vtype.pk}/grab/"
    first = client.post(url, HTTP_IDEMPOTENCY_KEY="grab-key-1")
    assert first.status_code == 201, first.content
    voucher = first.json()
    assert (voucher["face_value"], voucher["balance"], voucher["state"]) == ("30000.00", "30000.00", "usable")
    assert voucher["type"] == w.vtype.pk and voucher["source"] == "grab"
    again = client.post(url, HTTP_IDEMPOTENCY_KEY="grab-key-1")
    assert again.status_code == 200 and again.json()["id"] == voucher["id"]
    refused = client.post(url, HTTP_IDEMPOTENCY_KEY="grab-key-2")
    assert refused.status_code == 409 and code_of(refused) == "voucher.limit_reached"
    too_long = client.post(url, HTTP_IDEMPOTENCY_KEY="k" * 65)
    assert too_long.status_code == 400 and code_of(too_long) == "voucher.claim_key"
    with tenant_schema(NATIONAL):
        assert Voucher.objects.filter(organisation=w.e1.organisation).count() == 1
        assert VoucherType.objects.get(pk=w.vtype.pk).stock_left == 29


def test_grab_refusals_carry_their_codes(world, as_member, tenant_schema):
    w = world
    with tenant_schema(NATIONAL):
        later = make_type(w.ops, grab_starts_at=timezone.now() + datetime.timedelta(hours=2))
        one = make_type(w.ops, stock=1)
        closed = make_type(w.ops, regions="不存在的省份")
        applied = make_type(w.ops, method="apply")
    grab = "{}/types/{}/grab/".format
    cases = [
        (w.e3, w.vtype, 403, "voucher.not_certified"),
        (w.p1, w.vtype, 403, "voucher.wrong_kind"),
        (w.e1, later, 409, "voucher.grab_not_started"),
        (w.e1, closed, 403, "voucher.ineligible"),
        (w.e1, applied, 400, "voucher.wrong_method"),
        (w.e2, one, 201, None),
        (w.e1, one, 409, "voucher.sold_out"),
    ]
    for member, vtype, status, code in cases:
        response = as_member(member).post(grab(API, vtype.pk))
        assert response.status_code == status, (code, response.content)
        if code:
            assert code_of(response) == code and response.json()["message"]
    missing = as_member(w.e1).post(grab(API, 999999))
    assert missing.status_code == 404 and code_of(missing) == "voucher.not_found"


def test_a_bot_is_throttled_with_retry_after(world, as_member, tenant_schema):
    w = world
    with tenant_schema(NATIONAL):
        VoucherRules.objects.update(grab_per_minute=2)
        activities.state_changed()
        applied = make_type(w.ops, method="apply")
    client = as_member(w.e2)
    url = f"{API}/types/{applied.pk}/grab/"
    codes = [code_of(client.post(url)) for _ in range(2)]
    throttled = client.post(url)
    assert codes == ["voucher.wrong_method"] * 2
    assert throttled.status_code == 429 and code_of(throttled) == "voucher.throttled"
    assert 1 <= int(throttled["Retry-After"]) <= 60


# --- Apply ----------------------------------------------------------------------------------------------------------------
def test_apply_goes_to_review_and_the_approval_issues_the_voucher(world, as_member, tenant_schema):
    w = world
    with tenant_schema(NATIONAL):
        applied = make_type(w.ops, method="apply", face="5000.00")
    client = as_member(w.e1)
    url = f"{API}/types/{applied.pk}/apply/"
    sent = client.post(url, {"reason": "用于MES系统改造"}, content_type=JSON)
    assert sent.status_code == 201, sent.content
    request = sent.json()
    assert (request["state"], request["reason"], request["voucher"]) == ("in_review", "用于MES系统改造", None)
    assert request["type"] == applied.pk and request["face_value"] == "5000.00"
    again = client.post(url, {"reason": "再来一次"}, content_type=JSON)
    assert again.status_code == 409 and code_of(again) == "voucher.limit_reached"
    too_long = client.post(url, {"reason": "长" * 501}, content_type=JSON)
    assert too_long.status_code == 400 and "reason" in too_long.json()["errors"]
    wrong = client.post(f"{API}/types/{w.vtype.pk}/apply/", {}, content_type=JSON)
    assert wrong.status_code == 400 and code_of(wrong) == "voucher.wrong_method"
    uncertified = as_member(w.e3).post(url, {}, content_type=JSON)
    assert uncertified.status_code == 403 and code_of(uncertified) == "voucher.not_certified"
    listed = client.get(f"{API}/requests/").json()
    assert [r["id"] for r in listed["results"]] == [request["id"]] and listed["results"][0]["state_label"] == "审核中"
    assert as_member(w.e2).get(f"{API}/requests/").json()["count"] == 0
    with tenant_schema(NATIONAL):
        task = Task.objects.get(application_id=request["application"], state=Task.State.OPEN)
        engine.task_decide(task_id=task.pk, membership=w.ops, action="approve")
    decided = client.get(f"{API}/requests/").json()["results"][0]
    assert decided["state"] == "approved" and decided["voucher"] and decided["voucher_number"].startswith("QJ")
    held = client.get(f"{API}/mine/{decided['voucher']}/").json()
    assert held["source"] == "apply" and held["balance"] == "5000.00"


# --- My vouchers ----------------------------------------------------------------------------------------------------------
def test_my_vouchers_by_state_with_their_history(world, as_member, tenant_schema):
    w = world
    with tenant_schema(NATIONAL):
        usable = issue(w)
        old = issue(w, vtype=make_type(w.ops, face="100.00"))
        Voucher.objects.filter(pk=old.pk).update(valid_to=timezone.localdate() - datetime.timedelta(days=1))
        later = issue(w, vtype=make_type(w.ops, face="200.00"))
        Voucher.objects.filter(pk=later.pk).update(valid_from=timezone.localdate() + datetime.timedelta(days=3))
    client = as_member(w.e1)
    every = client.get(f"{API}/mine/").json()
    assert {v["id"]: v["state"] for v in every["results"]} == {
        usable.pk: "usable",
        old.pk: "expired",
        later.pk: "not_yet_valid",
    }
    for state, expected in (("usable", usable), ("expired", old), ("not_yet_valid", later)):
        assert [v["id"] for v in client.get(f"{API}/mine/", {"state": state}).json()["results"]] == [expected.pk]
    assert client.get(f"{API}/mine/", {"state": "used_up"}).json()["count"] == 0
    bad = client.get(f"{API}/mine/", {"state": "lost"})
    assert bad.status_code == 400 and "state" in bad.json()["errors"]
    detail = client.get(f"{API}/mine/{usable.pk}/").json()
    assert detail["number"] == usable.number and detail["state_label"] == "可使用"
    assert [(h["kind"], h["amount"], h["balance_after"]) for h in detail["history"]] == [
        ("issue", "30000.00", "30000.00")
    ]


# --- Checkout: the preview's offers, the seed's example, expired vouchers --------------------------------------------------
def test_the_seed_example_through_the_api(world, as_member, tenant_schema):
    """A 50,000.00 order with a 30,000.00 voucher at 30 %: 15,000.00 off, 35,000.00 to pay, 15,000.00 left."""
    w = world
    with tenant_schema(NATIONAL):
        voucher = issue(w)
        small = issue(w, vtype=make_type(w.ops, face="500.00"))
    client = as_member(w.e1)
    preview = client.post("/api/v1/market/checkout-preview/", {"spec": w.spec_big.pk, "quantity": 1}, content_type=JSON)
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["cap_note"] == "本单最高可抵扣 30%"
    (draft,) = body["orders"]
    assert draft["provider_id"] == w.p1.organisation_id and draft["total"] == "50000.00"
    assert [(o["id"], o["deduction"], o["balance"]) for o in draft["offers"]] == [
        (voucher.pk, "15000.00", "30000.00"),
        (small.pk, "500.00", "500.00"),
    ]
    assert draft["chosen"]["id"] == voucher.pk and (draft["deduction"], draft["payable"]) == ("15000.00", "35000.00")
    assert (body["total"], body["deduction"], body["payable"]) == ("50000.00", "15000.00", "35000.00")
    other = client.post(
        "/api/v1/market/checkout-preview/",
        {"spec": w.spec_big.pk, "vouchers": {str(w.p1.organisation_id): small.pk}},
        content_type=JSON,
    ).json()["orders"][0]
    assert other["chosen"]["id"] == small.pk and other["payable"] == "49500.00"
    none = client.post(
        "/api/v1/market/checkout-preview/",
        {"spec": w.spec_big.pk, "vouchers": {str(w.p1.organisation_id): None}},
        content_type=JSON,
    ).json()["orders"][0]
    assert none["chosen"] is None and none["payable"] == "50000.00"

    bought = client.post(
        "/api/v1/market/buy-now/", {"spec": w.spec_big.pk, "quantity": 1, "voucher": voucher.pk}, content_type=JSON
    )
    assert bought.status_code == 201, bought.content
    order = bought.json()
    assert (order["total"], order["deduction"], order["payable"]) == ("50000.00", "15000.00", "35000.00")
    assert order["vouchers_used"] == [
        {"label": voucher.name, "number": voucher.number, "amount": "15000.00", "refunded": False}
    ]
    held = client.get(f"{API}/mine/{voucher.pk}/").json()
    assert held["balance"] == "15000.00"
    assert [(h["kind"], h["amount"], h["order_number"]) for h in held["history"]] == [
        ("issue", "30000.00", None),
        ("deduct", "-15000.00", order["number"]),
    ]
    listed = client.get("/api/v1/market/orders/").json()["results"]
    assert next(o for o in listed if o["id"] == order["id"])["vouchers_used"][0]["amount"] == "15000.00"
    # The provider sees the voucher on its order, and it is given back when the order is cancelled.
    usage = as_member(w.p1).get(f"{API}/usage/").json()["results"]
    assert [(u["voucher_number"], u["order_number"], u["amount"], u["refunded"]) for u in usage] == [
        (voucher.number, order["number"], "15000.00", False)
    ]
    assert as_member(w.p2).get(f"{API}/usage/").json()["count"] == 0
    cancelled = client.post(f"/api/v1/market/orders/{order['id']}/cancel/", {}, content_type=JSON)
    assert cancelled.status_code == 200 and cancelled.json()["vouchers_used"][0]["refunded"] is True
    assert client.get(f"{API}/mine/{voucher.pk}/").json()["balance"] == "30000.00"
    assert as_member(w.p1).get(f"{API}/usage/").json()["results"][0]["refunded"] is True


def test_cart_checkout_applies_the_chosen_voucher_per_provider(world, as_member, tenant_schema):
    w = world
    with tenant_schema(NATIONAL):
        voucher = issue(w)
        orders.cart_add(membership=w.e1, spec_id=w.spec_p2.pk, quantity=1)
        orders.cart_add(membership=w.e1, spec_id=w.spec_big.pk, quantity=1)
    client = as_member(w.e1)
    preview = client.post("/api/v1/market/checkout-preview/", {}, content_type=JSON).json()
    by_provider = {d["provider_id"]: d for d in preview["orders"]}
    assert by_provider[w.p1.organisation_id]["offers"][0]["deduction"] == "15000.00"
    assert by_provider[w.p2.organisation_id]["offers"][0]["deduction"] == "599.70"  # 1,999.00 × 30 %
    assert sum(1 for d in preview["orders"] if d["chosen"]) == 1  # one voucher serves one order of a checkout
    placed = client.post(
        "/api/v1/market/cart/checkout/", {"vouchers": {str(w.p1.organisation_id): voucher.pk}}, content_type=JSON
    )
    assert placed.status_code == 201, placed.content
    rows = {o["provider"]: o for o in placed.json()}
    assert rows[w.p1.organisation.name]["deduction"] == "15000.00"
    assert rows[w.p2.organisation.name]["deduction"] == "0.00" and rows[w.p2.organisation.name]["vouchers_used"] == []


@pytest.mark.parametrize(
    ("field", "days", "code"),
    [("valid_to", -1, "voucher.expired"), ("valid_from", 2, "voucher.not_yet_valid")],
)
def test_a_voucher_out_of_its_validity_refuses_the_whole_checkout(world, as_member, tenant_schema, field, days, code):
    w = world
    with tenant_schema(NATIONAL):
        voucher = issue(w)
        Voucher.objects.filter(pk=voucher.pk).update(**{field: timezone.localdate() + datetime.timedelta(days=days)})
        orders.cart_add(membership=w.e1, spec_id=w.spec_p2.pk, quantity=1)  # this provider's order comes first
        orders.cart_add(membership=w.e1, spec_id=w.spec_big.pk, quantity=1)
        before = (
            Order.objects.count(),
            CartItem.objects.filter(organisation=w.e1.organisation).count(),
            LedgerEntry.objects.count(),
        )
    client = as_member(w.e1)
    refused = client.post(
        "/api/v1/market/cart/checkout/", {"vouchers": {str(w.p1.organisation_id): voucher.pk}}, content_type=JSON
    )
    assert refused.status_code == 400 and code_of(refused) == code
    assert "voucher" in refused.json()["errors"]
    now = client.post(
        "/api/v1/market/buy-now/", {"spec": w.spec_big.pk, "quantity": 1, "voucher": voucher.pk}, content_type=JSON
    )
    assert now.status_code == 400 and code_of(now) == code
    with tenant_schema(NATIONAL):
        after = (
            Order.objects.count(),
            CartItem.objects.filter(organisation=w.e1.organisation).count(),
            LedgerEntry.objects.count(),
        )
        assert after == before
        assert Voucher.objects.get(pk=voucher.pk).balance == D("30000.00")


def test_another_enterprise_s_voucher_cannot_be_applied(world, as_member, tenant_schema):
    w = world
    with tenant_schema(NATIONAL):
        theirs = issue(w, member=w.e2)
    refused = as_member(w.e1).post(
        "/api/v1/market/buy-now/", {"spec": w.spec_big.pk, "quantity": 1, "voucher": theirs.pk}, content_type=JSON
    )
    assert refused.status_code == 400 and code_of(refused) == "voucher.not_found"
    preview = (
        as_member(w.e1).post("/api/v1/market/checkout-preview/", {"spec": w.spec_big.pk}, content_type=JSON).json()
    )
    assert preview["orders"][0]["offers"] == []


# --- Isolation ------------------------------------------------------------------------------------------------------------
def test_isolation_other_tenant_other_organisation_anonymous(
    world, as_member, tenant_client, login_client, tenant_schema
):
    w = world
    with tenant_schema(NATIONAL):
        voucher = issue(w)
    member_routes = [
        ("get", f"{API}/mine/"),
        ("get", f"{API}/mine/{voucher.pk}/"),
        ("get", f"{API}/requests/"),
        ("get", f"{API}/usage/"),
        ("post", f"{API}/types/{w.vtype.pk}/grab/"),
        ("post", f"{API}/types/{w.vtype.pk}/apply/"),
        ("post", "/api/v1/market/checkout-preview/"),
    ]
    anonymous = tenant_client(NATIONAL)
    for method, path in member_routes:
        response = call(anonymous, method, path)
        assert response.status_code in (401, 403), (path, response.status_code)
    # Harbin does not have the module: everything is 404, the public list too.
    harbin_member = login_client("harbin", "hrb_enterprise")
    for method, path in member_routes[:1] + [("get", f"{API}/activities/")]:
        assert call(harbin_member, method, path).status_code == 404, path
    assert tenant_client("harbin").get(f"{API}/activities/").status_code == 404
    # A member of another tenant is no member here.
    stranger = login_client(NATIONAL, "jm_enterprise")
    for method, path in member_routes:
        assert call(stranger, method, path).status_code in (403, 404), path
    # Another organisation of this tenant: the voucher's id is 404, its lists show only its own.
    other = as_member(w.e2)
    missing = other.get(f"{API}/mine/{voucher.pk}/")
    assert missing.status_code == 404 and code_of(missing) == "voucher.not_found"
    assert other.get(f"{API}/mine/").json()["count"] == 0
    assert voucher.number not in other.get(f"{API}/mine/").content.decode()
    assert as_member(w.p1).get(f"{API}/mine/").json()["count"] == 0
    enterprise_usage = as_member(w.e1).get(f"{API}/usage/")
    assert enterprise_usage.status_code == 403 and code_of(enterprise_usage) == "voucher.wrong_kind"
    with tenant_schema(NATIONAL):
        assert Voucher.objects.get(pk=voucher.pk).balance == D("30000.00")
        assert Voucher.objects.filter(organisation=w.e2.organisation).count() == 0


# --- Bounded lists --------------------------------------------------------------------------------------------------------
def test_lists_have_a_bounded_query_count(world, login_client, tenant_schema):
    w = world
    paths = {
        w.e1.user.username: [f"{API}/mine/", f"{API}/requests/", "/api/v1/market/orders/", f"{API}/activities/"],
        w.p1.user.username: [f"{API}/usage/", "/api/v1/market/provider/orders/"],
    }

    def counts():
        result = {}
        for username, urls in paths.items():
            client = login_client(NATIONAL, username)
            for url in urls:
                client.get(url)  # warm the session and caches
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.content[:300])
                result[url] = len(queries)
        return result

    def spend(voucher):
        order = orders.buy_now(membership=w.e1, spec_id=w.spec_dime.pk, quantity=1, voucher=voucher.pk)
        assert order.deduction == D("0.03")

    with tenant_schema(NATIONAL):
        spend(issue(w))
        applied = make_type(w.ops, method="apply", face="100.00")
        voucher_requests.request_submit(membership=w.e1, type_id=applied.pk, reason="一")
    few = counts()
    with tenant_schema(NATIONAL):
        many = make_type(w.ops, face="10.00", limit=12)
        for _ in range(12):
            spend(issue(w, vtype=many))
            make_type(w.ops, method="apply", face="100.00")
        for vtype in VoucherType.objects.filter(method="apply").exclude(pk=applied.pk):
            voucher_requests.request_submit(membership=w.e1, type_id=vtype.pk, reason="多")
    lots = counts()
    assert few == lots, (few, lots)
    assert max(lots.values()) <= 30
