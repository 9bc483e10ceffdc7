"""Operations in the voucher module: who gets in, activity and voucher-type forms with their field errors, publishing,
the issuance and redemption figures (page, API, XLSX), the deduction rule, and settlement statements — settled once,
refunds and unpaid orders left out, confirmation final, two concurrent drafts never settling one deduction twice,
XLSX and PDF exports — and bounded query counts on the lists.

Data is built with the services: activities.activity_save / type_save / activity_publish, issuing.grab,
orders.buy_now(voucher=…), payments.proof_upload and the engine's approval (tests/test_market_orders.py)."""

from __future__ import annotations

import datetime
import io
import re
import threading
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tenant_apps.marketplace import orders
from tenant_apps.marketplace.models import Order
from tenant_apps.vouchers import activities, issuing, rules, selectors, settlements
from tenant_apps.vouchers.models import LedgerEntry, Settlement, SettlementItem, VoucherRules
from tenants.errors import DomainError
from tests.test_market_orders import NATIONAL, build_world, decide, ops, pay
from tests.threads import in_thread

pytestmark = pytest.mark.django_db
D = Decimal
User = get_user_model()
BASE = "/workbench/vouchers/manage/"
API = "/api/v1/vouchers/manage/"


# --- The world -----------------------------------------------------------------------------------------------------------
def new_activity(ops_member, *, name=None, published=False, with_type=True, **type_data):
    now = timezone.now()
    activity = activities.activity_save(
        actor=ops_member.user,
        data={
            "name": name or f"运营测试活动{uuid.uuid4().hex[:4]}",
            "starts_at": now - datetime.timedelta(days=1),
            "ends_at": now + datetime.timedelta(days=30),
        },
    )
    vtype = None
    if with_type:
        data = {"name": "数字化服务券", "face_value": "30000.00", "method": "grab", "valid_days": 90, "stock_total": 10}
        data.update(type_data)
        vtype = activities.type_save(activity=activity, data=data)
    if published:
        activities.activity_publish(activity=activity, published=True)
    return activity, vtype


def grab(member, vtype):
    return issuing.grab(membership=member, type_id=vtype.pk)[0]


def buy(member, spec, voucher=None):
    return orders.buy_now(membership=member, spec_id=spec.pk, quantity=1, voucher=voucher.pk if voucher else None)


def approve(w, order, buyer):
    decide(pay(w, order, buyer=buyer))
    order.refresh_from_db()
    return order


@pytest.fixture
def world(tenant_schema):
    with tenant_schema(NATIONAL):
        w = build_world()
        w.ops = ops()
        w.activity, w.vtype = new_activity(w.ops, published=True)
        yield w


def deduction_of(order) -> LedgerEntry:
    return LedgerEntry.objects.get(order=order, kind=LedgerEntry.Kind.DEDUCT)


def has_error(html: str, field: str) -> bool:
    return re.search(rf'class="field has-error[^"]*" data-field="{field}"', html) is not None


def today() -> str:
    return timezone.localdate().isoformat()


# --- Who gets in -------------------------------------------------------------------------------------------------------
def test_only_operations_get_in_and_city_admins_only_read(world, login_client, tenant_client):
    w = world
    order = approve(w, buy(w.e1, w.spec_year, grab(w.e1, w.vtype)), w.e1)
    [statement] = settlements.settlement_draft(
        actor=w.ops.user, provider_id=w.p1.organisation_id, period_start=today(), period_end=today()
    )
    a, t, s = w.activity.pk, w.vtype.pk, statement.pk
    pages = [
        BASE,
        f"{BASE}activities/new/",
        f"{BASE}activities/{a}/",
        f"{BASE}activities/{a}/edit/",
        f"{BASE}activities/{a}/figures.xlsx",
        f"{BASE}activities/{a}/types/new/",
        f"{BASE}activities/{a}/types/{t}/edit/",
        f"{BASE}rules/",
        f"{BASE}settlements/",
        f"{BASE}settlements/{s}/",
        f"{BASE}settlements/{s}/statement.xlsx",
        f"{BASE}settlements/{s}/statement.pdf",
    ]
    api = [
        f"{API}activities/",
        f"{API}activities/{a}/",
        f"{API}activities/{a}/types/",
        f"{API}activities/{a}/types/{t}/",
        f"{API}activities/{a}/figures/",
        f"{API}activities/{a}/figures/export/",
        f"{API}rules/",
        f"{API}settlements/",
        f"{API}settlements/{s}/",
        f"{API}settlements/{s}/export/pdf/",
    ]
    operations = login_client(NATIONAL, "nat_ops")
    for url in pages + api:
        assert operations.get(url).status_code == 200, url
    # The city's administrator reads every page, and may change nothing.
    admin = login_client(NATIONAL, "nat_admin")
    for url in pages:
        expected = 403 if url.endswith(("/new/", "/edit/")) else 200
        assert admin.get(url).status_code == expected, url
    for url in api:
        assert admin.get(url).status_code == 200, url
    assert admin.post(f"{BASE}activities/{a}/", {"do": "unpublish"}).status_code == 403
    assert admin.post(f"{BASE}settlements/{s}/", {"do": "confirm"}).status_code == 403
    assert admin.post(f"{API}settlements/{s}/confirm/").status_code == 403
    assert admin.put(f"{API}rules/", {"cap_percent": "50", "grab_per_minute": 5}, "application/json").status_code == 403
    # Enterprises and providers (of any organisation, the order's buyer and provider included): refused.
    for username in (w.e1.user.username, w.p1.user.username, w.e2.user.username):
        client = login_client(NATIONAL, username)
        for url in pages + api:
            response = client.get(url)
            assert response.status_code in (403, 404), (username, url, response.status_code)
            assert order.number not in response.content.decode(errors="ignore")
        assert client.post(f"{BASE}settlements/{s}/", {"do": "discard"}).status_code == 403
        assert client.post(f"{API}activities/{a}/publish/", {"published": False}).status_code == 403
    # Anonymous: the sign-in page, or 401/403 from the API.
    anonymous = tenant_client(NATIONAL)
    for url in pages:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    for url in api:
        assert anonymous.get(url).status_code in (401, 403), url
    # Another city's member: not a member here; where the module is off, it does not exist.
    if User.objects.filter(username="jm_enterprise").exists():
        stranger = login_client(NATIONAL, "jm_enterprise")
        for url in pages + api:
            assert stranger.get(url).status_code in (403, 404), url
    harbin_admin = login_client("harbin", "hrb_admin") if User.objects.filter(username="hrb_admin").exists() else None
    if harbin_admin is not None:
        assert harbin_admin.get(BASE).status_code == 404
        assert harbin_admin.get(f"{API}activities/").status_code == 404
    # Nothing changed.
    connection.set_schema(NATIONAL)  # the last request was served in harbin
    statement.refresh_from_db()
    w.activity.refresh_from_db()
    assert statement.state == "draft" and w.activity.is_published
    assert VoucherRules.objects.get().cap_ratio == D("0.3000")


# --- Activities and types ----------------------------------------------------------------------------------------------
def activity_post(name="新活动", start="2026-03-01", start_time="09:00", end="2026-06-30", end_time="18:00", **extra):
    return {
        "name": name,
        "starts_at_0": start,
        "starts_at_1": start_time,
        "ends_at_0": end,
        "ends_at_1": end_time,
        "description": "面向制造业企业",
        "regions": "北京市、天津市",
        **extra,
    }


def type_post(**extra):
    data = {
        "name": "研发设计券",
        "face_value": "5000.00",
        "method": "grab",
        "valid_days": "60",
        "stock_total": "20",
        "per_enterprise_limit": "1",
    }
    data.update(extra)
    return data


def test_activity_form_creates_and_shows_the_service_errors_at_their_fields(world, login_client):
    from tenant_apps.configuration.models import Industry

    client = login_client(NATIONAL, "nat_ops")
    page = client.get(f"{BASE}activities/new/").content.decode()
    assert 'data-date-picker="date"' in page and 'name="starts_at_1"' in page
    # End before start: the service's message, at the end field; what was typed stays.
    response = client.post(f"{BASE}activities/new/", activity_post(end="2026-02-01", name="倒序活动"))
    assert response.status_code == 400
    html = response.content.decode()
    assert has_error(html, "ends_at") and "结束时间须晚于开始时间" in html and 'value="倒序活动"' in html
    response = client.post(f"{BASE}activities/new/", activity_post(name=""))
    assert response.status_code == 400 and has_error(response.content.decode(), "name")
    response = client.post(f"{BASE}activities/new/", activity_post(start_time="25:00"))
    assert response.status_code == 400 and has_error(response.content.decode(), "starts_at")
    # A good one: a draft, with its industries and regions; the times are the city's local times.
    industry = Industry.objects.order_by("pk").first()
    response = client.post(f"{BASE}activities/new/", activity_post(industries=[industry.pk]))
    assert response.status_code == 302
    activity = activities.activity_of(int(response["Location"].rstrip("/").split("/")[-1]))
    assert (activity.name, activity.is_published, activity.regions) == ("新活动", False, ["北京市", "天津市"])
    assert timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M") == "2026-03-01 09:00"
    assert list(activity.industries.all()) == [industry]
    # Editing with a stale version is refused.
    stale = activity_post(name="改名", version=activity.version)
    someone = {"name": "他人修改", "starts_at": activity.starts_at, "ends_at": activity.ends_at}
    activities.activity_save(actor=world.ops.user, activity=activity, data=someone)
    response = client.post(f"{BASE}activities/{activity.pk}/edit/", stale)
    assert response.status_code == 400 and "已被他人修改" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("face_value", "0", "大于 0"),
        ("face_value", "100.005", "最多两位小数"),
        ("face_value", "abc", "大于 0"),
        ("stock_total", "0", "发放总量"),
        ("valid_days", "", "有效期"),
        ("per_enterprise_limit", "101", "每家企业限领"),
    ],
)
def test_type_form_errors_are_at_their_fields(world, login_client, field, value, message):
    w = world
    client = login_client(NATIONAL, "nat_ops")
    data = type_post(**{field: value})
    if field == "valid_days":
        data.update(valid_from="", valid_to="")
        field = "valid_to"  # no validity at all: said at the end of the fixed period
    before = w.activity.types.count()
    response = client.post(f"{BASE}activities/{w.activity.pk}/types/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert has_error(html, field), field
    assert message in html
    assert w.activity.types.count() == before


def test_type_stock_cannot_go_below_what_was_issued_and_face_value_is_locked_once_issued(world, login_client):
    w = world
    grab(w.e1, w.vtype)
    grab(w.e2, w.vtype)
    client = login_client(NATIONAL, "nat_ops")
    url = f"{BASE}activities/{w.activity.pk}/types/{w.vtype.pk}/edit/"
    page = client.get(url).content.decode()
    assert "已发放 2 张" in page and 'value="30000.00"' in page
    response = client.post(url, type_post(face_value="30000.00", stock_total="1"))
    assert response.status_code == 400 and has_error(response.content.decode(), "stock_total")
    assert "不能少于已发放的 2 张" in response.content.decode()
    response = client.post(url, type_post(face_value="20000.00", stock_total="10"))
    assert response.status_code == 400 and has_error(response.content.decode(), "face_value")
    # Raising the stock keeps what was issued issued.
    response = client.post(url, type_post(face_value="30000.00", stock_total="50", providers=[w.p1.organisation_id]))
    assert response.status_code == 302
    w.vtype.refresh_from_db()
    assert (w.vtype.stock_total, w.vtype.stock_left) == (50, 48)
    assert list(w.vtype.providers.values_list("pk", flat=True)) == [w.p1.organisation_id]
    # A type of another activity is not found under this one.
    other, other_type = new_activity(w.ops)
    assert client.get(f"{BASE}activities/{w.activity.pk}/types/{other_type.pk}/edit/").status_code == 404


def test_publishing_needs_a_type(world, login_client):
    w = world
    name = f"待上架{uuid.uuid4().hex[:6]}"
    empty, _none = new_activity(w.ops, name=name, with_type=False)
    client = login_client(NATIONAL, "nat_ops")
    url = f"{BASE}activities/{empty.pk}/"
    response = client.post(url, {"do": "publish"}, follow=True)
    assert "请先为活动添加至少一种服务券" in response.content.decode()
    empty.refresh_from_db()
    assert not empty.is_published
    api = client.post(f"{API}activities/{empty.pk}/publish/", {"published": True}, "application/json")
    assert api.status_code == 400 and api.json()["code"] == "voucher.no_types"
    activities.type_save(activity=empty, data=type_post())
    assert client.post(url, {"do": "publish"}).status_code == 302
    empty.refresh_from_db()
    assert empty.is_published
    listing = client.get(BASE, {"state": "published", "q": name}).content.decode()
    assert f'data-activity="{empty.pk}"' in listing and "已上架" in listing
    assert f'data-activity="{empty.pk}"' not in client.get(BASE, {"state": "draft", "q": name}).content.decode()
    assert client.post(url, {"do": "unpublish"}).status_code == 302
    empty.refresh_from_db()
    assert not empty.is_published


# --- Figures --------------------------------------------------------------------------------------------------------------
def test_figures_add_up_after_grabs_deductions_and_refunds(world, login_client):
    w = world
    v1, v2 = grab(w.e1, w.vtype), grab(w.e2, w.vtype)
    paid = approve(w, buy(w.e1, w.spec_year, v1), w.e1)  # 33,333.33 → 9,999.99 deducted
    cancelled = buy(w.e2, w.spec_year, v2)
    orders.order_cancel(membership=w.e2, order_id=cancelled.pk)  # deducted, then given back
    in_review = buy(w.e2, w.spec_p2, v2)  # 1,999.00 → 599.70, proof not yet approved
    pay(w, in_review, buyer=w.e2)
    [row] = selectors.activity_figures(w.activity)
    assert (row["stock_total"], row["stock_left"], row["issued"], row["grabbed"], row["applied"]) == (10, 8, 2, 2, 0)
    assert row["holders"] == 2 and row["issued_value"] == D("60000.00")
    assert row["deducted"] == D("9999.99") + D("599.70")
    assert row["expired"] == D("0.00")
    assert row["outstanding"] == D("60000.00") - D("9999.99") - D("599.70")
    assert row["issued_value"] == row["deducted"] + row["expired"] + row["outstanding"]
    assert row["orders"] == 2  # the cancelled order's deduction was given back: it used no voucher
    assert paid.deduction == D("9999.99")
    client = login_client(NATIONAL, "nat_ops")
    page = client.get(f"{BASE}activities/{w.activity.pk}/").content.decode()
    assert 'cell-deducted align-end">10,599.69<' in page and 'cell-issued align-end">2（2/0）<' in page
    assert 'cell-outstanding align-end">49,400.31<' in page and 'data-stock="8"' in page
    api = client.get(f"{API}activities/{w.activity.pk}/figures/").json()
    assert api["types"][0]["deducted"] == "10599.69" and api["totals"]["issued"] == 2
    # The workbook: the figures, then every voucher issued.
    response = client.get(f"{BASE}activities/{w.activity.pk}/figures.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    figures, issued = book.worksheets
    rows = list(figures.iter_rows(values_only=True))
    assert rows[0][:5] == ("服务券名称", "面值（元）", "发放总量", "剩余", "已发放")
    assert rows[1][0] == "数字化服务券" and rows[1][4] == 2 and D(str(rows[1][9])) == D("10599.69")
    assert rows[-1][0] == "合计"
    vouchers = list(issued.iter_rows(values_only=True))
    assert vouchers[0] == ("券号", "企业", "服务券名称", "面值（元）", "余额（元）", "领取方式", "领取时间", "状态")
    by_number = {row[0]: row for row in vouchers[1:]}
    assert set(by_number) == {v1.number, v2.number}
    assert by_number[v1.number][1] == w.e1.organisation.name and by_number[v1.number][5] == "抢券"
    assert D(str(by_number[v1.number][4])) == D("20000.01") and by_number[v1.number][7] == "可使用"


def test_workbook_text_is_never_a_formula(world, login_client):
    w = world
    organisation = w.e1.organisation
    organisation.name = '=HYPERLINK("http://evil.example","点我")'
    organisation.save(update_fields=["name"])
    grab(w.e1, w.vtype)
    response = login_client(NATIONAL, "nat_ops").get(f"{BASE}activities/{w.activity.pk}/figures.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[1]
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value == organisation.name


# --- The deduction rule -------------------------------------------------------------------------------------------------
def test_the_rule_is_a_percentage_and_applies_to_new_orders_only(world, login_client):
    w = world
    voucher = grab(w.e1, w.vtype)
    before = buy(w.e1, w.spec_year, voucher)
    assert before.deduction == D("9999.99")
    client = login_client(NATIONAL, "nat_ops")
    page = client.get(f"{BASE}rules/").content.decode()
    assert "本单最高可抵扣 30%" in page and 'value="30"' in page
    for bad in ("0", "100.5", "abc", "33.333"):
        response = client.post(f"{BASE}rules/", {"cap_percent": bad, "grab_per_minute": "20"})
        assert response.status_code == 400 and has_error(response.content.decode(), "cap_percent"), bad
    response = client.post(f"{BASE}rules/", {"cap_percent": "50", "grab_per_minute": "0"})
    assert response.status_code == 400 and has_error(response.content.decode(), "grab_per_minute")
    assert client.post(f"{BASE}rules/", {"cap_percent": "50", "grab_per_minute": "5"}).status_code == 302
    assert (rules.current_ratio(), rules.current_rules().grab_per_minute) == (D("0.5000"), 5)
    after = buy(w.e1, w.spec_year, voucher)
    assert after.deduction == D("16666.66")  # 50 % of 33,333.33, cut to the fen
    before.refresh_from_db()
    assert before.deduction == D("9999.99")  # the order placed earlier keeps its deduction
    api = client.put(f"{API}rules/", {"cap_percent": "100", "grab_per_minute": 20}, "application/json")
    assert api.status_code == 200 and api.json()["cap_label"] == "服务券可全额抵扣订单金额"
    bad = client.put(f"{API}rules/", {"cap_percent": "0.5", "grab_per_minute": 20}, "application/json")
    assert bad.status_code == 400 and "cap_percent" in bad.json()["errors"]


# --- Settlements ---------------------------------------------------------------------------------------------------------
def draft(w, provider=None, start=None, end=None):
    return settlements.settlement_draft(
        actor=w.ops.user,
        provider_id=(provider or w.p1).organisation_id,
        period_start=start or today(),
        period_end=end or today(),
    )


def code_of(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


def test_a_paid_order_s_deduction_is_settled_once_and_refunds_and_unpaid_orders_are_not(world):
    w = world
    v1, v2 = grab(w.e1, w.vtype), grab(w.e2, w.vtype)
    paid = approve(w, buy(w.e1, w.spec_year, v1), w.e1)
    paid_too = approve(w, buy(w.e2, w.spec_dime, v2), w.e2)  # 0.10 → 0.03 deducted
    cancelled = buy(w.e1, w.spec_year, v1)
    orders.order_cancel(membership=w.e1, order_id=cancelled.pk)
    unpaid = buy(w.e2, w.spec_year, v2)
    rejected = buy(w.e1, w.spec_year, v1)
    decide(pay(w, rejected), action="reject", opinion="金额不符")
    rejected.refresh_from_db()
    assert rejected.payment == Order.Payment.REJECTED and deduction_of(rejected).reversed_by is not None
    last_month = approve(w, buy(w.e2, w.spec_year, v2), w.e2)
    Order.objects.filter(pk=last_month.pk).update(paid_at=timezone.now() - datetime.timedelta(days=40))
    no_voucher = approve(w, buy(w.e1, w.spec_year), w.e1)
    assert no_voucher.deduction == D("0.00")

    [statement] = draft(w)
    assert statement.state == "draft" and statement.provider_id == w.p1.organisation_id
    assert re.fullmatch(rf"JS{timezone.localdate():%Y%m}{statement.pk:06d}", statement.number)
    items = {item.deduction_id: item.amount for item in statement.items.all()}
    assert items == {deduction_of(paid).pk: D("9999.99"), deduction_of(paid_too).pk: D("0.03")}
    assert statement.total == D("10000.02")
    lines = settlements.settlement_lines(statement)
    assert {line.order_number for line in lines} == {paid.number, paid_too.number}
    line = next(line for line in lines if line.order_number == paid.number)
    assert (line.buyer, line.voucher_number, line.order_total, line.amount) == (
        w.e1.organisation.name, v1.number, D("33333.33"), D("9999.99"))  # fmt: skip
    assert line.paid_at == paid.paid_at
    for order in (cancelled, unpaid, rejected, no_voucher):
        assert order.number not in {line.order_number for line in lines}
    # The second draft for the same period finds nothing; the earlier month's deduction is in the earlier period.
    assert code_of(lambda: draft(w)) == "voucher.settlement_empty"
    assert code_of(lambda: draft(w, provider=w.p2)) == "voucher.settlement_empty"
    earlier = timezone.localdate() - datetime.timedelta(days=40)
    [older] = draft(w, start=earlier.isoformat(), end=earlier.isoformat())
    assert [i.deduction_id for i in older.items.all()] == [deduction_of(last_month).pk]
    # Discarding a draft frees its deductions; confirming is final.
    assert settlements.settlement_discard(actor=w.ops.user, settlement_id=statement.pk) == statement.number
    assert not Settlement.objects.filter(pk=statement.pk).exists()
    [again] = draft(w)
    assert again.total == D("10000.02")
    confirmed = settlements.settlement_confirm(actor=w.ops.user, settlement_id=again.pk)
    assert (confirmed.state, confirmed.confirmed_by_id) == ("confirmed", w.ops.user.pk) and confirmed.confirmed_at
    assert code_of(lambda: settlements.settlement_confirm(actor=w.ops.user, settlement_id=again.pk)) == (
        "voucher.settlement_confirmed"
    )
    assert code_of(lambda: settlements.settlement_discard(actor=w.ops.user, settlement_id=again.pk)) == (
        "voucher.settlement_confirmed"
    )
    assert SettlementItem.objects.filter(settlement=again).count() == 2
    assert code_of(lambda: draft(w)) == "voucher.settlement_empty"


def test_settlement_period_is_checked(world):
    w = world
    assert code_of(lambda: draft(w, start="2026-05-02", end="2026-05-01")) == "voucher.settlement_period"
    assert code_of(lambda: draft(w, start="2024-01-01", end="2025-06-30")) == "voucher.settlement_period"
    assert code_of(lambda: draft(w, start="nonsense")) == "voucher.settlement_period"
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    assert code_of(lambda: draft(w, start=future, end=future)) == "voucher.settlement_period"


def test_settlement_pages_confirm_and_exports(world, login_client):
    w = world
    voucher = grab(w.e1, w.vtype)
    paid = approve(w, buy(w.e1, w.spec_year, voucher), w.e1)
    client = login_client(NATIONAL, "nat_ops")
    page = client.get(f"{BASE}settlements/").content.decode()
    assert 'id="settlement-draft-form"' in page and 'data-date-picker="start"' in page
    response = client.post(
        f"{BASE}settlements/",
        {"provider": w.p1.organisation_id, "period_start": today(), "period_end": today()},
    )
    assert response.status_code == 302
    statement = Settlement.objects.get(provider_id=w.p1.organisation_id)
    assert response["Location"].endswith(f"/settlements/{statement.pk}/")
    detail = client.get(response["Location"]).content.decode()
    assert paid.number in detail and "9,999.99" in detail and 'id="settlement-confirm"' in detail
    assert (
        voucher.number in detail
        and paid.paid_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in detail
    )
    # Nothing left to settle: the form says so, at the period.
    again = client.post(
        f"{BASE}settlements/", {"provider": w.p1.organisation_id, "period_start": today(), "period_end": today()}
    )
    assert again.status_code == 400 and has_error(again.content.decode(), "period_end")
    # The filters.
    listed = client.get(f"{BASE}settlements/?state=draft&provider={w.p1.organisation_id}").content.decode()
    assert f'data-settlement="{statement.pk}"' in listed
    assert f'data-settlement="{statement.pk}"' not in client.get(f"{BASE}settlements/?state=confirmed").content.decode()
    # Exports: a workbook with the lines and the total, a PDF.
    workbook = client.get(f"{BASE}settlements/{statement.pk}/statement.xlsx")
    assert workbook.status_code == 200 and "attachment" in workbook["Content-Disposition"]
    facts, lines = load_workbook(io.BytesIO(workbook.content)).worksheets
    assert ("结算单号", statement.number) in list(facts.iter_rows(values_only=True))
    rows = list(lines.iter_rows(values_only=True))
    assert rows[0] == (
        "订单编号",
        "买方",
        "服务券名称",
        "券号",
        "订单金额（元）",
        "抵扣金额（元）",
        "支付凭证审核通过日期",
    )
    assert rows[1][:4] == (paid.number, w.e1.organisation.name, voucher.name, voucher.number)
    assert D(str(rows[1][5])) == D("9999.99") and rows[-1][0] == "合计" and D(str(rows[-1][5])) == D("9999.99")
    pdf = client.get(f"{BASE}settlements/{statement.pk}/statement.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert statement.number in text and paid.number in text
    # Confirm: final.
    assert client.post(f"{BASE}settlements/{statement.pk}/", {"do": "confirm"}).status_code == 302
    statement.refresh_from_db()
    assert statement.state == "confirmed" and statement.confirmed_by_id == w.ops.user.pk
    refused = client.post(f"{BASE}settlements/{statement.pk}/", {"do": "discard"}, follow=True).content.decode()
    assert "已确认，不能再修改" in refused and Settlement.objects.filter(pk=statement.pk).exists()
    assert 'id="settlement-confirm"' not in client.get(f"{BASE}settlements/{statement.pk}/").content.decode()


def test_settlement_api_draft_confirm_discard_and_export(world, login_client):
    w = world
    voucher = grab(w.e1, w.vtype)
    paid = approve(w, buy(w.e1, w.spec_year, voucher), w.e1)
    client = login_client(NATIONAL, "nat_ops")
    body = {"provider": w.p1.organisation_id, "period_start": today(), "period_end": today()}
    made = client.post(f"{API}settlements/", body, "application/json")
    assert made.status_code == 201, made.content
    [row] = made.json()
    assert row["total"] == "9999.99" and row["item_count"] == 1 and row["state"] == "draft"
    again = client.post(f"{API}settlements/", body, "application/json")
    assert again.status_code == 400 and again.json()["code"] == "voucher.settlement_empty"
    detail = client.get(f"{API}settlements/{row['id']}/").json()
    assert detail["lines"][0]["order_number"] == paid.number and detail["lines"][0]["amount"] == "9999.99"
    assert client.delete(f"{API}settlements/{row['id']}/").status_code == 204
    [row] = client.post(f"{API}settlements/", body, "application/json").json()
    confirmed = client.post(f"{API}settlements/{row['id']}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    assert client.post(f"{API}settlements/{row['id']}/confirm/").status_code == 409
    assert client.delete(f"{API}settlements/{row['id']}/").status_code == 409
    assert client.get(f"{API}settlements/{row['id']}/export/pdf/").content.startswith(b"%PDF")
    workbook = client.get(f"{API}settlements/{row['id']}/export/xlsx/")
    assert load_workbook(io.BytesIO(workbook.content)).worksheets[1].max_row == 3  # header, one line, total
    assert client.get(f"{API}settlements/{row['id']}/export/docx/").status_code == 404
    assert client.get(f"{API}settlements/999999/").status_code == 404
    listed = client.get(f"{API}settlements/", {"state": "confirmed", "provider": w.p1.organisation_id}).json()
    assert [r["id"] for r in listed["results"]] == [row["id"]]


def test_activity_api_create_edit_types_and_field_errors(world, login_client):
    w = world
    client = login_client(NATIONAL, "nat_ops")
    start = timezone.now() + datetime.timedelta(days=2)
    body = {
        "name": "接口活动",
        "starts_at": start.isoformat(),
        "ends_at": (start - datetime.timedelta(days=1)).isoformat(),
    }
    refused = client.post(f"{API}activities/", body, "application/json")
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["ends_at"]
    body["ends_at"] = (start + datetime.timedelta(days=60)).isoformat()
    made = client.post(f"{API}activities/", {**body, "regions": ["北京市"]}, "application/json")
    assert made.status_code == 201 and made.json()["state"] == "draft" and made.json()["types"] == []
    pk = made.json()["id"]
    bad = client.post(f"{API}activities/{pk}/types/", {"name": "券", "face_value": "1.001", "stock_total": 5,
                      "valid_days": 30}, "application/json")  # fmt: skip
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["face_value"]
    good = client.post(f"{API}activities/{pk}/types/", {"name": "券", "face_value": "800", "stock_total": 5,
                       "valid_days": 30, "providers": [w.p1.organisation_id]}, "application/json")  # fmt: skip
    assert good.status_code == 201 and good.json()["face_value"] == "800.00"
    assert good.json()["providers"] == [w.p1.organisation_id]
    published = client.post(f"{API}activities/{pk}/publish/", {"published": True}, "application/json")
    assert published.status_code == 200 and published.json()["state"] == "published"
    edited = client.put(f"{API}activities/{pk}/", {**body, "name": "改名", "version": 0}, "application/json")
    assert edited.status_code == 409  # publishing moved it past version 0
    version = published.json()["version"]
    edited = client.put(f"{API}activities/{pk}/", {**body, "name": "改名", "version": version}, "application/json")
    assert edited.status_code == 200 and edited.json()["name"] == "改名"
    assert client.get(f"{API}activities/", {"state": "published", "q": "改名"}).json()["count"] == 1


# --- Two drafts at once --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("round_", range(3))
def test_two_concurrent_drafts_never_settle_one_deduction_twice(tenant_schema, round_):
    tag = f"s{round_}{uuid.uuid4().hex[:6]}"

    def prepare():
        w = build_world(tag)
        ops_member = ops()
        _activity, vtype = new_activity(ops_member, published=True, stock_total=5)
        deductions = []
        for buyer in (w.e1, w.e2):
            voucher = grab(buyer, vtype)
            for spec in (w.spec_year, w.spec_dime):
                order = approve(w, buy(buyer, spec, voucher), buyer)
                deductions.append(deduction_of(order).pk)
        return w.p1.organisation_id, deductions, ops_member.user.pk

    thread, prepared = in_thread(prepare, NATIONAL)
    thread.join()
    assert "error" not in prepared, prepared.get("error")
    provider_id, deductions, ops_user_id = prepared["value"]
    barrier = threading.Barrier(2, timeout=20)

    def run():
        actor = User.objects.get(pk=ops_user_id)
        barrier.wait()
        return [
            s.pk
            for s in settlements.settlement_draft(
                actor=actor, provider_id=provider_id, period_start=today(), period_end=today()
            )
        ]

    runs = [in_thread(run, NATIONAL), in_thread(run, NATIONAL)]
    for thread, _outcome in runs:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a draft hung"
    outcomes = [outcome for _thread, outcome in runs]
    made = [pk for o in outcomes for pk in o.get("value", [])]
    errors = [o["error"] for o in outcomes if "error" in o]
    assert len(made) == 1 and len(errors) == 1, outcomes
    assert isinstance(errors[0], DomainError), errors
    assert errors[0].code in ("voucher.settlement_overlap", "voucher.settlement_empty")
    assert errors[0].status == (409 if errors[0].code.endswith("overlap") else 400)
    with tenant_schema(NATIONAL):
        items = list(
            SettlementItem.objects.filter(deduction_id__in=deductions).values_list("deduction_id", "settlement")
        )
        assert sorted(d for d, _s in items) == sorted(deductions)  # each exactly once, all on the one statement
        assert {s for _d, s in items} == set(made)
        statement = Settlement.objects.get(pk=made[0])
        owed = -sum(LedgerEntry.objects.filter(pk__in=deductions).values_list("amount", flat=True))
        assert statement.total == owed
    assert connection.schema_name == "public"


# --- Bounded lists --------------------------------------------------------------------------------------------------------
def test_ops_lists_have_a_bounded_query_count(world, login_client):
    w = world
    paths = [
        BASE,
        f"{BASE}settlements/",
        f"{API}activities/",
        f"{API}settlements/",
        f"{BASE}activities/{w.activity.pk}/",
    ]

    def counts():
        client = login_client(NATIONAL, "nat_ops")
        result = {}
        for path in paths:
            client.get(path)  # warm the session and caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200, path
            result[path] = len(queries)
        return result

    voucher = grab(w.e1, w.vtype)
    approve(w, buy(w.e1, w.spec_year, voucher), w.e1)
    draft(w)
    few = counts()
    for n in range(8):
        activity, _type = new_activity(w.ops, name=f"批量活动{n}", published=n % 2 == 0)
        activities.type_save(activity=activity, data=type_post(name=f"第二种{n}"))
        activities.type_save(
            activity=w.activity,
            data=type_post(name=f"附加券{n}"),
            provider_ids=[w.p1.organisation_id, w.p2.organisation_id],
        )
        Settlement.objects.create(
            provider=w.p2.organisation, period_start=timezone.localdate(), period_end=timezone.localdate(),
            number=f"JSX{uuid.uuid4().hex[:10]}", total=D("1.00"), created_by=w.ops.user,
        )  # fmt: skip
    many = counts()
    assert few == many, (few, many)
    assert max(many.values()) <= 40  # every other statement is the tenant's `SET search_path`
