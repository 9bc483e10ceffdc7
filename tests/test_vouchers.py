"""Service vouchers: the deduction arithmetic to the fen (seed 000's worked example), the grab under load (race-safe
at the database), idempotent retries, eligibility, the ledger (append-only, balance = sum), deduction at checkout,
refunds exactly once on cancel and on a rejected payment proof, expiry, and applying through the engine."""

from __future__ import annotations

import datetime
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from tenant_apps.marketplace import orders, payments
from tenant_apps.marketplace.models import Order
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.vouchers import activities, expiry, issuing, requests, rules
from tenant_apps.vouchers.models import LedgerEntry, Voucher, VoucherRules, VoucherType
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Task
from tenants.errors import DomainError
from tests.test_market_orders import NATIONAL, _listing, _member, _organisation, build_world, ops, proof
from tests.threads import in_thread

pytestmark = pytest.mark.django_db
D = Decimal


# --- The arithmetic ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("total", "balance", "deduction", "payable"),
    [
        ("50000.00", "15000.00", "15000.00", "35000.00"),  # seed 000: pay 35,000.00
        ("50000.00", "30000.00", "15000.00", "35000.00"),  # capped; 15,000.00 stays on the voucher
        ("50000.00", "500.00", "500.00", "49500.00"),
        ("33.33", "100.00", "9.99", "23.34"),  # 9.999 is cut to the fen below, never above the cap
        ("0.03", "100.00", "0.00", "0.03"),  # 0.009: nothing to deduct
        ("100.00", "0.01", "0.01", "99.99"),
    ],
)
def test_the_cap_is_thirty_percent_cut_to_the_fen(total, balance, deduction, payable):
    taken = rules.deduction_for(D(total), D(balance), D("0.30"))
    assert taken == D(deduction)
    assert D(total) - taken == D(payable)
    assert taken <= D(total) * D("0.30")


def test_full_deduction_where_a_tenant_configures_it():
    assert rules.deduction_for(D("800.00"), D("1000.00"), D("1")) == D("800.00")  # seed 001: the voucher covers it
    assert rules.ratio_label(D("0.30")) == "本单最高可抵扣 30%"


# --- A world: an activity with a grab type and an apply type, buyers, a listed 50,000.00 solution ----------------------------
def make_activity(ops_member, *, face="30000.00", stock=30, limit=1, method="grab", grab_starts_at=None, **type_extra):
    now = timezone.now()
    activity = activities.activity_save(
        actor=ops_member.user,
        data={
            "name": f"数字化服务券活动{uuid.uuid4().hex[:4]}",
            "starts_at": now - datetime.timedelta(days=1),
            "ends_at": now + datetime.timedelta(days=30),
        },
    )
    data = {
        "name": "创新服务券",
        "face_value": face,
        "method": method,
        "valid_days": 90,
        "stock_total": stock,
        "per_enterprise_limit": limit,
        "grab_starts_at": grab_starts_at,
    }
    data.update(type_extra)
    vtype = activities.type_save(activity=activity, data=data)
    activities.activity_publish(activity=activity, published=True)
    return vtype


@pytest.fixture
def world(tenant_schema):
    with tenant_schema(NATIONAL):
        w = build_world()
        w.big = _listing(w.p1, "全流程数字化改造方案", [("整体交付", "quantity", "50000.00")])
        w.spec_big = w.big.live_version.specs.get()
        w.ops = ops()
        w.vtype = make_activity(w.ops)
        yield w


def grab(member, vtype, key=""):
    return issuing.grab(membership=member, type_id=vtype.pk, claim_key=key)[0]


def ledger_sum(voucher) -> Decimal:
    return sum(voucher.ledger.values_list("amount", flat=True), D("0.00"))


def buy_big(w, voucher=None, buyer=None):
    return orders.buy_now(
        membership=buyer or w.e1, spec_id=w.spec_big.pk, quantity=1, voucher=voucher.pk if voucher else None
    )


# --- Grabbing --------------------------------------------------------------------------------------------------------------
def test_a_grab_issues_a_voucher_with_its_ledger_and_takes_one_from_stock(world):
    w = world
    voucher = grab(w.e1, w.vtype)
    assert (voucher.face_value, voucher.balance) == (D("30000.00"), D("30000.00"))
    assert voucher.valid_to - voucher.valid_from == datetime.timedelta(days=89)
    assert list(voucher.ledger.values_list("kind", "amount")) == [("issue", D("30000.00"))]
    w.vtype.refresh_from_db()
    assert w.vtype.stock_left == 29


def test_the_per_enterprise_limit_and_an_idempotent_retry(world):
    w = world
    first, created = issuing.grab(membership=w.e1, type_id=w.vtype.pk, claim_key="k-1")
    again, created_again = issuing.grab(membership=w.e1, type_id=w.vtype.pk, claim_key="k-1")
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(DomainError) as refused:
        grab(w.e1, w.vtype, "k-2")
    assert refused.value.code == "voucher.limit_reached"
    w.vtype.refresh_from_db()
    assert w.vtype.stock_left == 29  # the refused grab's decrement rolled back with it


def test_who_may_not_grab_is_told_why(world):
    w = world
    for member, code in ((w.e3, "voucher.not_certified"), (w.p1, "voucher.wrong_kind")):
        with pytest.raises(DomainError) as refused:
            grab(member, w.vtype)
        assert refused.value.code == code
    later = make_activity(w.ops, grab_starts_at=timezone.now() + datetime.timedelta(hours=2))
    with pytest.raises(DomainError) as refused:
        grab(w.e1, later)
    assert refused.value.code == "voucher.grab_not_started"
    applied = make_activity(w.ops, method="apply")
    with pytest.raises(DomainError) as refused:
        grab(w.e1, applied)
    assert refused.value.code == "voucher.wrong_method"


def test_eligibility_by_industry_and_region(world):
    from tenant_apps.configuration.models import Industry

    w = world
    equipment = Industry.objects.get(code="equipment")
    activity = w.vtype.activity
    activities.activity_save(
        actor=w.ops.user,
        activity=activity,
        data={
            "name": activity.name,
            "starts_at": activity.starts_at,
            "ends_at": activity.ends_at,
            "regions": "黑龙江省",
        },
        industry_ids=[equipment.pk],
    )
    with pytest.raises(DomainError) as refused:
        grab(w.e1, w.vtype)
    assert refused.value.code == "voucher.ineligible" and "行业" in refused.value.message
    Organisation.objects.filter(pk=w.e1.organisation_id).update(industry=equipment, region="浙江省宁波市")
    w.e1.organisation.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        grab(w.e1, w.vtype)
    assert "黑龙江省" in refused.value.message
    Organisation.objects.filter(pk=w.e1.organisation_id).update(region="黑龙江省哈尔滨市")
    w.e1.organisation.refresh_from_db()
    assert grab(w.e1, w.vtype).balance == D("30000.00")


def test_sold_out(world):
    w = world
    one = make_activity(w.ops, stock=1)
    grab(w.e1, one)
    with pytest.raises(DomainError) as refused:
        grab(w.e2, one)
    assert refused.value.code == "voucher.sold_out"


def test_the_grab_budget_per_account(world):
    w = world
    VoucherRules.objects.update(grab_per_minute=3)
    activities.state_changed()
    sold_out = make_activity(w.ops, stock=1)
    grab(w.e2, sold_out)
    codes = []
    for _ in range(5):
        with pytest.raises(DomainError) as refused:
            grab(w.e1, sold_out)
        codes.append(refused.value.code)
    assert codes == ["voucher.sold_out"] * 3 + ["voucher.throttled"] * 2


# --- 100 claimants at a stock of 30 ---------------------------------------------------------------------------------------
def test_a_hundred_concurrent_grabs_at_a_stock_of_thirty(tenant_schema):
    """100 threads, each its own connection (at most 60 open at once: the embedded server allows 100 in all), 50
    enterprises with a limit of 1 each grabbing twice (the second without the key of the first)."""
    tag = uuid.uuid4().hex[:6]

    def prepare():
        members = [
            _member(
                f"vg{tag}{i}",
                _organisation("enterprise", f"抢券企业{tag}{i}", f"91110000MA{tag}{i:02d}X"[:18]),
                ["enterprise"],
                f"137{int(tag, 16) % 10**6:06d}{i:02d}",
            )
            for i in range(50)
        ]
        return make_activity(ops(), stock=30).pk, [m.pk for m in members]

    thread, prepared = in_thread(prepare, NATIONAL)
    thread.join()
    assert "error" not in prepared, prepared.get("error")
    type_id, member_ids = prepared["value"]
    gate = threading.Barrier(100, timeout=60)
    connections_open = threading.BoundedSemaphore(60)

    def claimant(member_id, attempt):
        def run():
            gate.wait()
            with connections_open:
                member = Membership.objects.select_related("organisation", "user").get(pk=member_id)
                try:
                    return issuing.grab(membership=member, type_id=type_id, claim_key=f"{member_id}-{attempt}")[0].pk
                except DomainError as error:
                    return error.code
                finally:
                    connection.close()

        return run

    runs = [in_thread(claimant(m, a), NATIONAL) for m in member_ids for a in (1, 2)]
    for thread, _outcome in runs:
        thread.join(timeout=120)
        assert not thread.is_alive()
    results = [outcome.get("value", outcome.get("error")) for _t, outcome in runs]
    issued = [r for r in results if isinstance(r, int)]
    assert len(issued) == 30 and len(set(issued)) == 30
    assert set(r for r in results if not isinstance(r, int)) <= {"voucher.sold_out", "voucher.limit_reached"}
    with tenant_schema(NATIONAL):
        assert VoucherType.objects.get(pk=type_id).stock_left == 0
        vouchers = Voucher.objects.filter(type_id=type_id)
        assert vouchers.count() == 30
        assert vouchers.values("organisation").distinct().count() == 30  # limit 1: nobody holds two
        assert LedgerEntry.objects.filter(voucher__type_id=type_id, kind="issue").count() == 30


# --- Deduction at checkout ------------------------------------------------------------------------------------------------
def test_checkout_offers_the_best_voucher_and_deducts_to_the_seed_figures(world):
    w = world
    big = grab(w.e1, w.vtype)
    small = grab(w.e1, make_activity(w.ops, face="500.00"))
    drafts = orders.checkout_preview(w.e1, spec_id=w.spec_big.pk, quantity=1)
    assert [o.id for o in drafts[0].offers] == [big.pk, small.pk]  # best first
    assert drafts[0].chosen.id == big.pk
    assert (drafts[0].total, drafts[0].deduction, drafts[0].payable) == (D("50000.00"), D("15000.00"), D("35000.00"))
    order = buy_big(w, big)
    assert (order.total, order.deduction, order.payable) == (D("50000.00"), D("15000.00"), D("35000.00"))
    big.refresh_from_db()
    assert big.balance == D("15000.00") == ledger_sum(big)
    # the 15,000.00 left serves a later order, again capped at 30 %
    second = buy_big(w, big)
    assert (second.deduction, second.payable) == (D("15000.00"), D("35000.00"))
    big.refresh_from_db()
    assert big.balance == D("0.00")
    small_order = buy_big(w, small)
    assert (small_order.deduction, small_order.payable) == (D("500.00"), D("49500.00"))


def test_an_expired_or_foreign_voucher_is_refused_and_nothing_is_placed(world):
    w = world
    voucher = grab(w.e1, w.vtype)
    before = Order.objects.count()
    Voucher.objects.filter(pk=voucher.pk).update(valid_to=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(DomainError) as refused:
        buy_big(w, voucher)
    assert refused.value.code == "voucher.expired"
    Voucher.objects.filter(pk=voucher.pk).update(
        valid_from=timezone.localdate() + datetime.timedelta(days=2),
        valid_to=timezone.localdate() + datetime.timedelta(days=9),
    )
    with pytest.raises(DomainError) as refused:
        buy_big(w, voucher)
    assert refused.value.code == "voucher.not_yet_valid"
    with pytest.raises(DomainError) as refused:
        buy_big(w, voucher, buyer=w.e2)  # not theirs
    assert refused.value.code == "voucher.not_found"
    assert Order.objects.count() == before
    voucher.refresh_from_db()
    assert voucher.balance == D("30000.00")


def test_a_voucher_limited_to_a_provider_is_offered_only_for_its_orders(world):
    w = world
    only_p2 = make_activity(w.ops, face="1000.00", provider_ids=None)
    activities.type_save(
        activity=only_p2.activity,
        vtype=only_p2,
        data={"name": only_p2.name, "face_value": "1000.00", "method": "grab", "valid_days": 30, "stock_total": 5},
        provider_ids=[w.p2.organisation_id],
    )
    voucher = grab(w.e1, only_p2)
    assert orders.checkout_preview(w.e1, spec_id=w.spec_big.pk, quantity=1)[0].offers == []
    with pytest.raises(DomainError) as refused:
        buy_big(w, voucher)
    assert refused.value.code == "voucher.not_applicable"
    assert [o.id for o in orders.checkout_preview(w.e1, spec_id=w.spec_p2.pk, quantity=1)[0].offers] == [voucher.pk]


# --- Giving it back exactly once ------------------------------------------------------------------------------------------
def test_cancelling_returns_the_deduction_once(world):
    from tenant_apps.marketplace import deductions

    w = world
    voucher = grab(w.e1, w.vtype)
    order = buy_big(w, voucher)
    orders.order_cancel(membership=w.e1, order_id=order.pk)
    order.refresh_from_db()
    assert deductions.release(order, w.e1.user) == D("0.00")  # a second delivery of the same event
    voucher.refresh_from_db()
    assert voucher.balance == D("30000.00") == ledger_sum(voucher)
    assert list(voucher.ledger.values_list("kind", flat=True)) == ["issue", "deduct", "refund"]
    assert [u.refunded for u in deductions.used_on(order)] == [True]


def test_a_rejected_payment_proof_closes_the_order_and_restores_the_balance(world):
    w = world
    voucher = grab(w.e1, w.vtype)
    order = buy_big(w, voucher)
    made = payments.proof_upload(membership=w.e1, order_id=order.pk, files=[proof()])
    task = Task.objects.get(application_id=made.application_id, state=Task.State.OPEN)
    engine.task_decide(task_id=task.pk, membership=w.ops, action="reject", opinion="转账金额与应付金额不符")
    order.refresh_from_db()
    assert (order.state, order.payment) == ("cancelled", "rejected")
    voucher.refresh_from_db()
    assert voucher.balance == D("30000.00")


def test_a_returned_proof_keeps_the_deduction(world):
    w = world
    voucher = grab(w.e1, w.vtype)
    order = buy_big(w, voucher)
    made = payments.proof_upload(membership=w.e1, order_id=order.pk, files=[proof()])
    task = Task.objects.get(application_id=made.application_id, state=Task.State.OPEN)
    engine.task_decide(task_id=task.pk, membership=w.ops, action="return", opinion="凭证不清晰")
    order.refresh_from_db()
    voucher.refresh_from_db()
    assert (order.state, order.payable, voucher.balance) == ("awaiting_payment", D("35000.00"), D("15000.00"))


@pytest.mark.parametrize("round_", range(3))
def test_one_voucher_on_two_orders_at_once(tenant_schema, round_):
    """A 1,000.00 voucher, two 50,000.00 orders placed at the same moment: the first takes 1,000.00, the second
    finds a zero balance — never 2,000.00 taken from 1,000.00."""
    tag = f"v{round_}{uuid.uuid4().hex[:5]}"

    def prepare():
        w = build_world(tag)
        big = _listing(w.p1, "全流程数字化改造方案", [("整体交付", "quantity", "50000.00")])
        vtype = make_activity(ops(), face="1000.00")
        voucher = grab(w.e1, vtype)
        return w.e1.pk, big.live_version.specs.get().pk, voucher.pk

    thread, prepared = in_thread(prepare, NATIONAL)
    thread.join()
    assert "error" not in prepared, prepared.get("error")
    member_id, spec_id, voucher_id = prepared["value"]
    gate = threading.Barrier(2, timeout=20)

    def buy():
        member = Membership.objects.select_related("organisation", "user").get(pk=member_id)
        gate.wait()
        return orders.buy_now(membership=member, spec_id=spec_id, quantity=1, voucher=voucher_id).deduction

    runs = [in_thread(buy, NATIONAL), in_thread(buy, NATIONAL)]
    for thread, _o in runs:
        thread.join(timeout=60)
        assert not thread.is_alive()
    outcomes = [o.get("value", o.get("error")) for _t, o in runs]
    assert D("1000.00") in outcomes
    other = [o for o in outcomes if o != D("1000.00")]
    assert len(other) == 1 and isinstance(other[0], DomainError) and other[0].code == "voucher.used_up"
    with tenant_schema(NATIONAL):
        voucher = Voucher.objects.get(pk=voucher_id)
        assert voucher.balance == D("0.00") == ledger_sum(voucher)


@pytest.mark.parametrize("round_", range(2))
def test_a_refund_processed_twice_at_once_is_one_entry(tenant_schema, round_):
    from tenant_apps.marketplace import deductions

    tag = f"f{round_}{uuid.uuid4().hex[:5]}"

    def prepare():
        w = build_world(tag)
        big = _listing(w.p1, "全流程数字化改造方案", [("整体交付", "quantity", "50000.00")])
        voucher = grab(w.e1, make_activity(ops()))
        order = orders.buy_now(membership=w.e1, spec_id=big.live_version.specs.get().pk, quantity=1, voucher=voucher.pk)
        return order.pk, voucher.pk

    thread, prepared = in_thread(prepare, NATIONAL)
    thread.join()
    assert "error" not in prepared, prepared.get("error")
    order_id, voucher_id = prepared["value"]
    gate = threading.Barrier(2, timeout=20)

    def release():
        from django.db import transaction

        order = Order.objects.get(pk=order_id)
        gate.wait()
        with transaction.atomic():
            return deductions.release(order, None, "重复处理")

    runs = [in_thread(release, NATIONAL), in_thread(release, NATIONAL)]
    for thread, _o in runs:
        thread.join(timeout=60)
    returned = sorted(o.get("value", D("-1")) for _t, o in runs)
    assert returned == [D("0.00"), D("15000.00")]
    with tenant_schema(NATIONAL):
        voucher = Voucher.objects.get(pk=voucher_id)
        assert LedgerEntry.objects.filter(voucher=voucher, kind="refund").count() == 1
        assert voucher.balance == D("30000.00") == ledger_sum(voucher)


# --- The ledger ------------------------------------------------------------------------------------------------------------
def test_the_ledger_refuses_update_and_delete(world):
    from django.db import DatabaseError, transaction

    w = world
    entry = grab(w.e1, w.vtype).ledger.get()
    for statement in (
        lambda: LedgerEntry.objects.filter(pk=entry.pk).update(amount=D("1.00")),
        lambda: LedgerEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            statement()


def test_the_database_refuses_a_negative_balance_or_stock(world):
    from django.db import IntegrityError, transaction

    w = world
    voucher = grab(w.e1, w.vtype)
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(balance=D("-0.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(balance=D("30000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherType.objects.filter(pk=w.vtype.pk).update(stock_left=-1)


def test_expiry_writes_what_was_left_off_once(world):
    w = world
    voucher = grab(w.e1, w.vtype)
    buy_big(w, voucher)
    later = voucher.valid_to + datetime.timedelta(days=1)
    expiry.expire_due(today=voucher.valid_to)  # (other tests' committed vouchers may expire too: count this one)
    assert not voucher.ledger.filter(kind="expire").exists()
    assert expiry.expire_due(today=later) >= 1
    expiry.expire_due(today=later)
    voucher.refresh_from_db()
    assert voucher.balance == D("0.00") == ledger_sum(voucher)
    assert list(voucher.ledger.values_list("kind", "amount")) == [
        ("issue", D("30000.00")),
        ("deduct", D("-15000.00")),
        ("expire", D("-15000.00")),
    ]
    assert orders.checkout_preview(w.e1, spec_id=w.spec_big.pk, quantity=1)[0].offers == []


# --- Applying through the engine -----------------------------------------------------------------------------------------
def test_applying_goes_through_ops_and_approval_issues_the_voucher(world):
    w = world
    vtype = make_activity(w.ops, method="apply", face="2000.00", stock=1)
    first = requests.request_submit(membership=w.e1, type_id=vtype.pk, reason="用于采购排产系统")
    second = requests.request_submit(membership=w.e2, type_id=vtype.pk)
    with pytest.raises(DomainError) as refused:
        requests.request_submit(membership=w.e1, type_id=vtype.pk)
    assert refused.value.code == "voucher.limit_reached"  # one in review already
    with pytest.raises(DomainError) as refused:
        grab(w.e1, vtype)
    assert refused.value.code == "voucher.wrong_method"
    task = Task.objects.get(application_id=first.application_id, state=Task.State.OPEN)
    engine.task_decide(task_id=task.pk, membership=w.ops, action="approve")
    first.refresh_from_db()
    assert first.voucher.balance == D("2000.00") and first.voucher.source == "apply"
    assert first.voucher.ledger.get().kind == "issue"
    vtype.refresh_from_db()
    assert vtype.stock_left == 0
    # the stock is gone: approving the second is refused and leaves it in review for a return or rejection
    task = Task.objects.get(application_id=second.application_id, state=Task.State.OPEN)
    with pytest.raises(DomainError) as refused:
        engine.task_decide(task_id=task.pk, membership=w.ops, action="approve")
    assert refused.value.code == "voucher.sold_out"
    second.refresh_from_db()
    assert second.application.state == "in_review" and second.voucher is None
    engine.task_decide(task_id=task.pk, membership=w.ops, action="reject", opinion="名额已满")
    with pytest.raises(DomainError) as refused:
        requests.request_submit(membership=w.e2, type_id=vtype.pk)
    assert refused.value.code == "voucher.sold_out"


def test_the_voucher_is_preselected_for_the_largest_order_of_a_cart(world):
    """A cart with a 1,999.00 order (provider 2) listed before a 50,000.00 one (provider 1): the one voucher goes
    where it takes the most, 15,000.00 rather than 599.70."""
    w = world
    voucher = grab(w.e1, w.vtype)
    orders.cart_add(membership=w.e1, spec_id=w.spec_big.pk, quantity=1)
    orders.cart_add(membership=w.e1, spec_id=w.spec_p2.pk, quantity=1)  # newest first: listed before the big one
    drafts = orders.checkout_preview(w.e1)
    assert [d.total for d in drafts] == [D("1999.00"), D("50000.00")]
    assert [d.chosen.id if d.chosen else None for d in drafts] == [None, voucher.pk]
    assert [d.deduction for d in drafts] == [D("0.00"), D("15000.00")]
