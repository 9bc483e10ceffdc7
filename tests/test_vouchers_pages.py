"""The voucher module's pages for enterprises and providers, and the 服务券 part of the marketplace's checkout.

Enterprise: 服务券活动 (list, an activity's page with stock, countdown, 立即抢券 with an idempotency key, 立即申请),
refusals as messages on the page (never a 500), 服务券查询 (my vouchers, my requests) and a voucher's history.
Provider: 服务券使用情况 (its own orders only). Anonymous: the activity pages from the cached state, without a query
of the voucher tables. Checkout: the seed's example (a 50,000.00 order and a 30,000.00 voucher at 30 % → 抵扣
15,000.00, 应付 35,000.00), placing the order deducts, a refused voucher is shown, the order page names it. Lists
cost the same number of queries for 1 and for 15 rows. Data is built through the services."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenant_apps.marketplace import orders
from tenant_apps.marketplace.models import CartItem, Order
from tenant_apps.vouchers import activities, issuing, requests
from tenant_apps.vouchers.models import LedgerEntry, Voucher, VoucherRequest, VoucherRules
from tests.test_market_orders import _listing, build_world, ops

pytestmark = pytest.mark.django_db
NATIONAL = "national"


# --- The world: the orders' world, a 50,000.00 product, an activity with a grab and an apply type -------------------
def make_activity(*, name="数字化转型服务券活动", types=(), regions="", published=True, starts_in_days=-1):
    actor = ops().user
    now = timezone.now()
    activity = activities.activity_save(
        actor=actor,
        data={
            "name": name,
            "description": "面向认证企业的数字化改造服务券。\n先到先得。",
            "starts_at": now + datetime.timedelta(days=starts_in_days),
            "ends_at": now + datetime.timedelta(days=30),
            "regions": regions,
        },
    )
    made = []
    for data in types:
        made.append(activities.type_save(activity=activity, data={"valid_days": 365, "stock_total": 100, **data}))
    if published:
        activities.activity_publish(activity=activity, published=True)
    activities.state_changed()  # on_commit never runs inside a test's transaction
    return activity, made


def grab_type(**extra) -> dict:
    return {"name": "通用服务券", "face_value": "30000.00", "method": "grab", "per_enterprise_limit": 1, **extra}


def apply_type(**extra) -> dict:
    return {"name": "诊断服务券", "face_value": "5000.00", "method": "apply", "per_enterprise_limit": 1, **extra}


@pytest.fixture
def world(tenant_schema):
    with tenant_schema(NATIONAL):
        w = build_world()
        w.l50 = _listing(w.p1, "数字化诊断与改造服务", [("标准版", "year", "50000.00")])
        w.spec50 = w.l50.live_version.specs.get()
        w.activity, (w.grab, w.apply) = make_activity(types=[grab_type(), apply_type()])
        yield w


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def text(html: str) -> str:
    """The page's text without tags (amounts and labels are split across elements)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def activity_url(w, public=False) -> str:
    return f"/vouchers/{w.activity.pk}/" if public else f"/workbench/vouchers/activities/{w.activity.pk}/"


# --- Hub ------------------------------------------------------------------------------------------------------------
def test_hub_leads_each_role_to_its_pages(world, login_client, tenant_client):
    w = world
    enterprise = page(login_client(NATIONAL, w.e1.user.username), "/workbench/vouchers/")
    assert 'href="/workbench/vouchers/activities/"' in enterprise and 'href="/workbench/vouchers/wallet/"' in enterprise
    assert "服务券使用情况" not in enterprise
    provider = page(login_client(NATIONAL, w.p1.user.username), "/workbench/vouchers/")
    assert 'href="/workbench/vouchers/usage/"' in provider and "服务券查询" not in provider
    operations = page(login_client(NATIONAL, "nat_ops"), "/workbench/vouchers/")
    assert "服务券查询" not in operations and "服务券使用情况" not in operations
    anonymous = tenant_client(NATIONAL).get("/workbench/vouchers/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert login_client("harbin", "hrb_enterprise").get("/workbench/vouchers/").status_code == 404  # module off


# --- Activities -----------------------------------------------------------------------------------------------------
def test_activity_list_and_page_for_an_enterprise(world, login_client):
    w = world
    client = login_client(NATIONAL, w.e1.user.username)
    listing = page(client, "/workbench/vouchers/activities/")
    assert "数字化转型服务券活动" in listing and f'href="{activity_url(w)}"' in listing and "进行中" in listing
    detail = page(client, activity_url(w))
    words = text(detail)
    assert "先到先得" in words and "30,000.00" in words and "5,000.00" in words
    assert "剩余 100 / 100" in words and "领取后 365 天内有效" in words and "单独计价" in words
    assert "不限" in words and "您的单位符合本活动的参与条件" in words and "未领取" in words
    assert f'action="/workbench/vouchers/types/{w.grab.pk}/grab/"' in detail and "立即抢券" in detail
    assert f'action="/workbench/vouchers/types/{w.apply.pk}/apply/"' in detail and "立即申请" in detail
    assert 'name="idempotency_key"' in detail and "data-countdown" not in detail  # the grab is open already
    assert page(client, "/workbench/vouchers/activities/999999/", status=404)


def test_grab_through_the_page_is_idempotent_and_refusals_are_messages(world, login_client):
    w = world
    client = login_client(NATIONAL, w.e1.user.username)
    url = f"/workbench/vouchers/types/{w.grab.pk}/grab/"
    first = client.post(url, {"idempotency_key": "k-1"})
    voucher = Voucher.objects.get(organisation=w.e1.organisation)
    assert first.status_code == 302 and first["Location"] == f"{activity_url(w)}?got={voucher.pk}"
    again = client.post(url, {"idempotency_key": "k-1"})  # the double submit of the same form
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Voucher.objects.filter(organisation=w.e1.organisation).count() == 1
    landed = page(client, first["Location"])
    assert f'href="/workbench/vouchers/wallet/{voucher.pk}/"' in landed and "抢券成功" in landed
    assert "已领取 1 张" in text(landed) and "已达限领数量" in landed
    # A new form (new key) past the limit: the refusal is on the page with the service's status.
    refused = client.post(url, {"idempotency_key": "k-2"})
    assert refused.status_code == 409 and "每家企业限领 1 张" in refused.content.decode()
    assert client.get(url).status_code == 302  # a GET only leads back to the list
    # Not certified, not an enterprise: 403 with the reason, nothing issued.
    uncertified = login_client(NATIONAL, w.e3.user.username).post(url, {"idempotency_key": "x"})
    assert uncertified.status_code == 403 and "尚未通过认证" in uncertified.content.decode()
    provider = login_client(NATIONAL, w.p1.user.username).post(url, {"idempotency_key": "x"})
    assert provider.status_code == 403 and "仅企业用户" in provider.content.decode()
    assert Voucher.objects.filter(type=w.grab).count() == 1
    # A type that is not on show is a 404.
    assert client.post("/workbench/vouchers/types/999999/grab/", {"idempotency_key": "y"}).status_code == 404


def test_countdown_sold_out_ineligible_and_throttled(world, login_client):
    w = world
    start = timezone.now() + datetime.timedelta(hours=2)
    later, (soon,) = make_activity(name="限时抢券活动", types=[grab_type(name="限时券", grab_starts_at=start)])
    client = login_client(NATIONAL, w.e1.user.username)
    detail = page(client, f"/workbench/vouchers/activities/{later.pk}/")
    local = timezone.localtime(start)
    assert "data-countdown=" in detail and "data-server-now=" in detail and "voucher-countdown.js" in detail
    assert local.strftime("%Y-%m-%d %H:%M") in detail  # without JavaScript: the start as a plain date
    assert re.search(r"<button type=\"submit\" data-grab-button disabled>", detail)
    early = client.post(f"/workbench/vouchers/types/{soon.pk}/grab/", {"idempotency_key": "early"})
    assert early.status_code == 409 and "尚未开抢" in early.content.decode()

    _activity, (scarce,) = make_activity(name="稀缺券活动", types=[grab_type(name="稀缺券", stock_total=1)])
    issuing.grab(membership=w.e2, type_id=scarce.pk)
    activities.state_changed()
    sold = client.post(f"/workbench/vouchers/types/{scarce.pk}/grab/", {"idempotency_key": "late"})
    assert (
        sold.status_code == 409
        and "服务券已被领完" in sold.content.decode()
        and "剩余 0 / 1" in text(sold.content.decode())
    )

    regional, (local_type,) = make_activity(name="广东专场", types=[grab_type(name="广东券")], regions="广东省")
    shown = page(client, f"/workbench/vouchers/activities/{regional.pk}/")
    assert "本活动仅限广东省的企业参加" in shown and "立即抢券" not in shown
    refused = client.post(f"/workbench/vouchers/types/{local_type.pk}/grab/", {"idempotency_key": "gd"})
    assert refused.status_code == 403 and "本活动仅限广东省的企业参加" in refused.content.decode()

    VoucherRules.objects.update(grab_per_minute=1)
    activities.state_changed()
    bot = login_client(NATIONAL, w.e2.user.username)
    bot.post(f"/workbench/vouchers/types/{w.grab.pk}/grab/", {"idempotency_key": "b1"})
    hammered = bot.post(f"/workbench/vouchers/types/{w.grab.pk}/grab/", {"idempotency_key": "b2"})
    assert hammered.status_code == 429 and "操作过于频繁" in hammered.content.decode()


def test_apply_through_the_page_keeps_the_reason_on_refusal(world, login_client):
    w = world
    client = login_client(NATIONAL, w.e1.user.username)
    url = f"/workbench/vouchers/types/{w.apply.pk}/apply/"
    prefix = f"t{w.apply.pk}"
    too_long = client.post(url, {f"{prefix}-reason": "长" * 501})
    body = too_long.content.decode()
    assert (
        too_long.status_code == 400
        and "长" * 501 in body
        and not VoucherRequest.objects.filter(organisation=w.e1.organisation).exists()
    )
    made = client.post(url, {f"{prefix}-reason": "用于车间设备联网改造"})
    assert made.status_code == 302 and made["Location"] == activity_url(w)
    request = VoucherRequest.objects.get(organisation=w.e1.organisation)
    assert request.reason == "用于车间设备联网改造" and request.application.state == "in_review"
    shown = page(client, activity_url(w))
    assert "申请审核中" in shown and f'action="{url}"' not in shown
    twice = client.post(url, {f"{prefix}-reason": "再次申请"})
    assert twice.status_code == 409 and "已有该服务券的申请在审核中" in twice.content.decode()
    wrong = client.post(f"/workbench/vouchers/types/{w.grab.pk}/apply/", {f"t{w.grab.pk}-reason": ""})
    assert wrong.status_code == 400 and "该服务券为抢券发放，无需申请" in wrong.content.decode()


def test_anonymous_visitor_reads_the_cached_state_only(world, tenant_client, login_client):
    w = world
    client = tenant_client(NATIONAL)
    listing = page(client, "/vouchers/")
    assert "数字化转型服务券活动" in listing and f'href="/vouchers/{w.activity.pk}/"' in listing
    url = activity_url(w, public=True)
    first = page(client, url)
    assert "30,000.00" in first and "剩余 100 / 100" in text(first)
    assert "登录后抢券" in first and "登录后申请" in first and f"?next=%2Fvouchers%2F{w.activity.pk}%2F" in first
    assert '<form method="post" action="/workbench/vouchers/types/' not in first and "csrfmiddlewaretoken" not in first
    with CaptureQueriesContext(connection) as queries:
        again = page(client, url)
    assert again == first
    touched = [q["sql"] for q in queries.captured_queries if "vouchers_" in q["sql"]]
    assert touched == [], touched  # the activity part costs no query once the state is warm
    assert tenant_client(NATIONAL).get(activity_url(w)).status_code == 302  # the workbench page asks to sign in
    assert tenant_client(NATIONAL).get("/vouchers/999999/").status_code == 404
    hidden, _types = make_activity(name="未上架活动", types=[grab_type()], published=False)
    assert tenant_client(NATIONAL).get(f"/vouchers/{hidden.pk}/").status_code == 404
    assert tenant_client("harbin").get("/vouchers/").status_code == 404  # the module is off there
    # A signed-in enterprise on the public page gets the buttons.
    member = page(login_client(NATIONAL, w.e1.user.username), url)
    assert f'action="/workbench/vouchers/types/{w.grab.pk}/grab/"' in member


# --- Wallet and a voucher's history ------------------------------------------------------------------------------------
def buy(w, voucher=None, buyer=None) -> Order:
    return orders.buy_now(
        membership=buyer or w.e1, spec_id=w.spec50.pk, quantity=1, voucher=voucher.pk if voucher else None
    )


def test_wallet_requests_and_voucher_history(world, login_client):
    w = world
    voucher, _created = issuing.grab(membership=w.e1, type_id=w.grab.pk)
    requests.request_submit(membership=w.e1, type_id=w.apply.pk, reason="诊断")
    order = buy(w, voucher)
    client = login_client(NATIONAL, w.e1.user.username)
    wallet = page(client, "/workbench/vouchers/wallet/")
    row = re.search(rf'<tr[^>]*data-voucher="{voucher.pk}".*?</tr>', wallet, re.S).group(0)
    assert "通用服务券" in row and voucher.number in row and "15,000.00" in row and "30,000.00" in row
    assert 'data-state="usable"' in row and "可使用" in row and "单独计价" in row
    assert f'href="/workbench/vouchers/wallet/{voucher.pk}/"' in row and 'href="/market/"' in row
    assert voucher.number not in page(client, "/workbench/vouchers/wallet/?state=expired")
    mine = page(client, "/workbench/vouchers/wallet/?tab=requests")
    assert "诊断服务券" in mine and "审核中" in mine and "/workbench/applications/" in mine
    history = page(client, f"/workbench/vouchers/wallet/{voucher.pk}/")
    assert "+30,000.00" in history and "-15,000.00" in history and "发放" in history and "抵扣" in history
    assert f'href="/workbench/market/orders/{order.pk}/"' in history and order.number in history
    # Someone else's voucher is 404, a provider or operations has no wallet, an empty wallet says so.
    other = login_client(NATIONAL, w.e2.user.username)
    assert other.get(f"/workbench/vouchers/wallet/{voucher.pk}/").status_code == 404
    assert "暂无服务券" in page(other, "/workbench/vouchers/wallet/")
    assert login_client(NATIONAL, w.p1.user.username).get("/workbench/vouchers/wallet/").status_code == 403
    assert login_client(NATIONAL, "nat_ops").get(f"/workbench/vouchers/wallet/{voucher.pk}/").status_code == 403


# --- Provider --------------------------------------------------------------------------------------------------------
def test_provider_usage_shows_its_own_orders_only(world, login_client):
    w = world
    voucher, _created = issuing.grab(membership=w.e1, type_id=w.grab.pk)
    order = buy(w, voucher)
    usage = page(login_client(NATIONAL, w.p1.user.username), "/workbench/vouchers/usage/")
    row = re.search(rf'<tr[^>]*data-order="{order.pk}".*?</tr>', usage, re.S).group(0)
    assert voucher.number in row and "通用服务券" in row and w.e1.organisation.name in row
    assert "15,000.00" in row and f'href="/workbench/market/orders/{order.pk}/"' in row and "data-refunded" not in row
    assert voucher.number not in page(login_client(NATIONAL, w.p2.user.username), "/workbench/vouchers/usage/")
    assert login_client(NATIONAL, w.e1.user.username).get("/workbench/vouchers/usage/").status_code == 403
    orders.order_cancel(membership=w.e1, order_id=order.pk, reason="改期")
    after = page(login_client(NATIONAL, w.p1.user.username), "/workbench/vouchers/usage/")
    assert 'data-refunded="1"' in after and "已退回" in after


# --- Checkout -------------------------------------------------------------------------------------------------------
def test_confirm_page_shows_the_seed_example_and_placing_deducts(world, login_client):
    w = world
    url = f"/workbench/market/orders/confirm/?spec={w.spec50.pk}&quantity=1"
    bare = page(login_client(NATIONAL, w.e1.user.username), url)  # no voucher yet: no voucher section
    assert "voucher-choice" not in bare and "不使用服务券" not in bare and "50,000.00" in bare
    voucher, _created = issuing.grab(membership=w.e1, type_id=w.grab.pk)
    client = login_client(NATIONAL, w.e1.user.username)
    confirm = page(client, url)
    words = text(confirm)
    assert "本单最高可抵扣 30%" in words and "不使用服务券" in words
    section = re.search(r'<section class="card" data-provider=.*?</section>', confirm, re.S).group(0)
    amounts = [
        text(m).strip() for m in re.findall(r'<dd class="order-(?:total|deduction|payable)">(.*?)</dd>', section)
    ]
    assert amounts == ["50,000.00", "−15,000.00", "35,000.00"], amounts
    name = f"voucher-{w.p1.organisation.pk}"
    assert re.search(rf'name="{name}" value="{voucher.pk}" checked', confirm)  # the best offer is preselected
    # 不使用服务券 and 重新计算: nothing is deducted, nothing is ordered.
    plain = client.post(url, {"spec": w.spec50.pk, "quantity": 1, name: "", "do": "preview"})
    assert plain.status_code == 200 and not Order.objects.filter(buyer=w.e1.organisation).exists()
    assert re.search(rf'name="{name}" value="" checked', plain.content.decode())
    assert "50,000.00" in re.search(r'<dd class="order-payable">(.*?)</dd>', plain.content.decode()).group(1)
    # A voucher that is not the buyer's is refused on the page, the choice typed kept, nothing ordered.
    other, _created = issuing.grab(membership=w.e2, type_id=w.grab.pk)
    refused = client.post(url, {"spec": w.spec50.pk, "quantity": 1, name: other.pk})
    assert refused.status_code == 400 and "所选服务券不存在" in refused.content.decode()
    assert not Order.objects.filter(buyer=w.e1.organisation).exists()
    # Placing with the voucher deducts 15,000.00 and leaves 15,000.00 on it.
    placed = client.post(url, {"spec": w.spec50.pk, "quantity": 1, name: voucher.pk, "note": ""})
    order = Order.objects.get(buyer=w.e1.organisation)
    assert placed.status_code == 302 and placed["Location"] == f"/workbench/market/orders/{order.pk}/"
    assert (order.total, order.deduction, order.payable) == (
        Decimal("50000.00"),
        Decimal("15000.00"),
        Decimal("35000.00"),
    )
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("15000.00")
    detail = page(client, placed["Location"])
    used = re.search(r'<dd id="order-vouchers">(.*?)</dd>', detail, re.S).group(1)
    assert voucher.number in used and "通用服务券" in used and "15,000.00" in used and "已退回" not in used
    orders.order_cancel(membership=w.e1, order_id=order.pk, reason="不买了")
    assert "已退回" in page(client, placed["Location"])


def test_cart_checkout_applies_the_chosen_voucher_per_provider(world, login_client):
    w = world
    voucher, _created = issuing.grab(membership=w.e1, type_id=w.grab.pk)
    orders.cart_add(membership=w.e1, spec_id=w.spec50.pk, quantity=1)
    orders.cart_add(membership=w.e1, spec_id=w.spec_p2.pk, quantity=1)
    items = list(CartItem.objects.filter(organisation=w.e1.organisation).values_list("pk", flat=True))
    client = login_client(NATIONAL, w.e1.user.username)
    confirm = page(client, "/workbench/market/orders/confirm/?" + "&".join(f"items={i}" for i in items))
    # Both orders are offered the one voucher (15,000.00 off the 50,000.00 order, 599.70 off 1,999.00); it is
    # preselected for one order only, the other defaults to 不使用服务券.
    assert "15,000.00" in confirm and "599.70" in confirm
    assert len(re.findall(rf'value="{voucher.pk}" checked', confirm)) == 1
    assert len(re.findall(r'name="voucher-\d+" value="" checked', confirm)) == 1
    placed = client.post(
        "/workbench/market/orders/confirm/",
        {"items": items, f"voucher-{w.p1.organisation.pk}": voucher.pk, f"voucher-{w.p2.organisation.pk}": ""},
    )
    assert placed.status_code == 302
    made = {o.provider_id: o for o in Order.objects.filter(buyer=w.e1.organisation)}
    assert made[w.p1.organisation.pk].deduction == Decimal("15000.00")
    assert made[w.p2.organisation.pk].deduction == Decimal("0.00")


# --- Bounded lists ------------------------------------------------------------------------------------------------------
def test_wallet_and_usage_lists_cost_the_same_for_1_and_15_rows(world, login_client):
    w = world
    _activity, (many, asks) = make_activity(
        name="批量活动",
        types=[
            grab_type(name="批量券", per_enterprise_limit=20),
            apply_type(name="批量申请券", per_enterprise_limit=20),
        ],
    )
    VoucherRules.objects.update(grab_per_minute=100)
    activities.state_changed()
    urls = {
        w.e1.user.username: ["/workbench/vouchers/wallet/", "/workbench/vouchers/wallet/?tab=requests"],
        w.p1.user.username: ["/workbench/vouchers/usage/"],
    }

    def counts() -> dict:
        result = {}
        for username, paths in urls.items():
            client = login_client(NATIONAL, username)
            for path in paths:
                client.get(path)  # warm the session and caches
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(path).status_code == 200
                result[path] = len(queries)
        return result

    def add_rows(n: int) -> None:
        for i in range(n):
            voucher, _created = issuing.grab(membership=w.e1, type_id=many.pk, claim_key=f"bulk-{i}-{n}")
            buy(w, voucher)
            requests.request_submit(membership=w.e1, type_id=asks.pk)

    add_rows(1)
    few = counts()
    add_rows(14)
    assert Voucher.objects.filter(organisation=w.e1.organisation).count() == 15
    assert LedgerEntry.objects.filter(kind="deduct", order__provider=w.p1.organisation).count() == 15
    many_counts = counts()
    assert few == many_counts, (few, many_counts)
    assert max(many_counts.values()) <= 30
