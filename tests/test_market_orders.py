"""Buying in the national marketplace: cart, buy now, checkout, Decimal money, offline payment proofs through the
engine, the order's states, cancellation, ratings, the race of two reviewers, isolation and bounded lists.

Listings are created directly through the ORM (a listed product with a live version and its specs)."""

from __future__ import annotations

import io
import re
import threading
import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.marketplace import orders, payments
from tenant_apps.marketplace.models import (
    BankAccount,
    CartItem,
    Listing,
    ListingSpec,
    ListingVersion,
    Order,
    OrderEvent,
    Rating,
)
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Task
from tenants.errors import DomainError
from tests.threads import in_thread

pytestmark = pytest.mark.django_db
User = get_user_model()
NATIONAL = "national"
MB = 1024 * 1024


# --- The world: two providers with listed products, buyers, an uncertified enterprise --------------------------------
def _member(username: str, organisation, roles, mobile: str) -> Membership:
    user = User.objects.create_user(username, mobile=mobile, password="Orders#2026x")
    return Membership.objects.create(user=user, organisation=organisation, roles=roles)


def _organisation(kind: str, name: str, uscc: str, certified: bool = True) -> Organisation:
    return Organisation.objects.create(
        kind=kind,
        name=name,
        uscc=uscc,
        certification=Organisation.Certification.CERTIFIED if certified else Organisation.Certification.NONE,
    )


def _listing(provider_member: Membership, name: str, specs: list[tuple[str, str, str]]) -> Listing:
    listing = Listing.objects.create(organisation=provider_member.organisation)
    version = ListingVersion.objects.create(listing=listing, name=name, created_by=provider_member.user)
    for position, (spec_name, mode, price) in enumerate(specs):
        ListingSpec.objects.create(
            version=version,
            position=position,
            name=spec_name,
            purchase_mode=mode,
            pricing="free" if Decimal(price) == 0 else "simple",
            unit_price=Decimal(price),
        )
    listing.live_version, listing.state = version, Listing.State.LISTED
    listing.save()
    return listing


def build_world(tag: str = "") -> SimpleNamespace:
    """In the national schema. `tag` keeps names unique where a thread commits them."""
    n = tag or "0"
    digits = str(abs(hash(n)) % 10**6).zfill(6)
    p1 = _member(
        f"ord_p1{n}",
        _organisation("provider", f"甲服务商{n}", f"91110000MA{digits}P1"),
        ["provider"],
        f"1390{digits}1",
    )
    p2 = _member(
        f"ord_p2{n}",
        _organisation("provider", f"乙服务商{n}", f"91110000MA{digits}P2"),
        ["provider"],
        f"1390{digits}2",
    )
    p3 = _member(
        f"ord_p3{n}",
        _organisation("provider", f"丙服务商无账户{n}", f"91110000MA{digits}P3"),
        ["provider"],
        f"1390{digits}3",
    )
    e1 = _member(
        f"ord_e1{n}",
        _organisation("enterprise", f"甲制造企业{n}", f"91110000MA{digits}E1"),
        ["enterprise"],
        f"1390{digits}4",
    )
    e2 = _member(
        f"ord_e2{n}",
        _organisation("enterprise", f"乙制造企业{n}", f"91110000MA{digits}E2"),
        ["enterprise"],
        f"1390{digits}5",
    )
    e3 = _member(
        f"ord_e3{n}",
        _organisation("enterprise", f"未认证企业{n}", f"91110000MA{digits}E3", certified=False),
        ["enterprise"],
        f"1390{digits}6",
    )
    for member, number in ((p1, "6222020200112233445"), (p2, "6222020200998877665")):
        BankAccount.objects.create(
            organisation=member.organisation,
            account_name=member.organisation.name,
            bank_name="工商银行北京分行",
            account_number=number,
        )
    l1 = _listing(p1, "智能排产系统", [("标准版", "year", "33333.33"), ("耗材包", "quantity", "0.10")])
    l2 = _listing(p2, "设备预测性维护", [("基础版", "month", "1999.00")])
    l3 = _listing(p3, "能耗监测平台", [("试用", "year", "100.00")])
    return SimpleNamespace(
        p1=p1, p2=p2, p3=p3, e1=e1, e2=e2, e3=e3, l1=l1, l2=l2, l3=l3,
        spec_year=l1.live_version.specs.get(name="标准版"),
        spec_dime=l1.live_version.specs.get(name="耗材包"),
        spec_p2=l2.live_version.specs.get(),
        spec_p3=l3.live_version.specs.get(),
    )  # fmt: skip


@pytest.fixture
def world(tenant_schema):
    with tenant_schema(NATIONAL):
        yield build_world()


def ops():
    return Membership.objects.select_related("organisation").get(user__username="nat_ops")


def refresh(member: Membership) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(pk=member.pk)


def png_bytes(total: int | None = None) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    data = buffer.getvalue()
    if total is not None:
        data += b"\0" * (total - len(data))  # after IEND: still a valid PNG, exactly `total` bytes
    return data


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def proof(name="转账凭证.png", data=None, content_type="image/png"):
    return SimpleUploadedFile(name, png_bytes() if data is None else data, content_type=content_type)


def place(w, spec=None, quantity=1, buyer=None) -> Order:
    return orders.buy_now(membership=buyer or w.e1, spec_id=(spec or w.spec_year).pk, quantity=quantity)


def pay(w, order, buyer=None) -> payments.PaymentProof:
    return payments.proof_upload(membership=buyer or w.e1, order_id=order.pk, files=[proof()])


def decide(proof_row, action="approve", opinion=""):
    task = Task.objects.get(application_id=proof_row.application_id, state=Task.State.OPEN)
    return engine.task_decide(task_id=task.pk, membership=ops(), action=action, opinion=opinion)


def paid_order(w, **kwargs) -> Order:
    order = place(w, **kwargs)
    decide(pay(w, order))
    order.refresh_from_db()
    return order


def events(order) -> list[str]:
    return list(OrderEvent.objects.filter(order=order).order_by("id").values_list("action", flat=True))


def code_of(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


# --- Money ------------------------------------------------------------------------------------------------------------
def test_amounts_are_decimal_to_the_fen_and_snapshotted(world):
    w = world
    orders.cart_add(membership=w.e1, spec_id=w.spec_year.pk, quantity=3)
    orders.cart_add(membership=w.e1, spec_id=w.spec_dime.pk, quantity=3)
    [order] = orders.checkout(membership=w.e1)
    lines = {line.spec_name: line for line in order.lines.all()}
    assert lines["标准版"].amount == Decimal("99999.99")  # 3 × 33,333.33
    assert lines["耗材包"].amount == Decimal("0.30")  # 3 × 0.10 (a float would say 0.30000000000000004)
    assert order.total == Decimal("100000.29") and order.deduction == Decimal("0.00")
    assert order.payable == order.total - order.deduction
    assert lines["标准版"].unit_price == Decimal("33333.33") and lines["标准版"].purchase_mode == "year"
    assert lines["标准版"].product_name == "智能排产系统"
    assert order.bank_account == {
        "account_name": w.p1.organisation.name,
        "bank_name": "工商银行北京分行",
        "account_number": "6222020200112233445",
    }
    assert re.fullmatch(rf"DD\d{{8}}{order.pk:06d}", order.number)
    assert order.state == "awaiting_payment" and order.payment == "unpaid" and events(order) == ["create"]
    assert not CartItem.objects.filter(organisation=w.e1.organisation).exists()
    # Later changes to the product or the account do not touch the order.
    ListingSpec.objects.filter(pk=w.spec_year.pk).update(unit_price=Decimal("1.00"), name="改名")
    BankAccount.objects.filter(organisation=w.p1.organisation).update(account_number="1111222233334444")
    order.refresh_from_db()
    line = order.lines.get(spec=w.spec_year)
    assert (line.unit_price, line.spec_name) == (Decimal("33333.33"), "标准版")
    assert order.bank_account["account_number"] == "6222020200112233445"
    assert orders.order_deduction(order) == Decimal("0.00")


def test_checkout_makes_one_order_per_provider_and_refuses_a_provider_without_account(world):
    w = world
    for spec in (w.spec_year, w.spec_p2):
        orders.cart_add(membership=w.e1, spec_id=spec.pk, quantity=2)
    created = orders.checkout(membership=w.e1, note="请尽快联系")
    assert sorted(o.provider_id for o in created) == sorted([w.p1.organisation_id, w.p2.organisation_id])
    assert {o.total for o in created} == {Decimal("66666.66"), Decimal("3998.00")}
    assert all(o.note == "请尽快联系" for o in created)
    orders.cart_add(membership=w.e1, spec_id=w.spec_p3.pk, quantity=1)
    assert code_of(lambda: orders.checkout(membership=w.e1)) == "market.no_bank_account"
    assert CartItem.objects.filter(organisation=w.e1.organisation).count() == 1  # nothing lost
    assert code_of(lambda: place(w, spec=w.spec_p3)) == "market.no_bank_account"
    assert code_of(lambda: orders.checkout(membership=w.e2)) == "market.cart_empty"


def test_only_certified_enterprises_buy_and_only_live_specs(world):
    w = world
    with pytest.raises(DomainError) as refused:
        place(w, buyer=w.e3)
    assert refused.value.code == "market.not_certified" and refused.value.status == 403
    assert code_of(lambda: place(w, buyer=w.p2)) == "market.wrong_kind"
    assert (
        code_of(lambda: orders.cart_add(membership=w.e3, spec_id=w.spec_year.pk, quantity=1)) == "market.not_certified"
    )
    # A spec of a version that is not on sale (a new version under review) and of a delisted product.
    draft = ListingVersion.objects.create(listing=w.l1, number=2, name="新版本", created_by=w.p1.user)
    new_spec = ListingSpec.objects.create(version=draft, name="新规格", purchase_mode="year", pricing="simple",
                                          unit_price=Decimal("5.00"))  # fmt: skip
    assert code_of(lambda: place(w, spec=new_spec)) == "market.unavailable"
    orders.cart_add(membership=w.e1, spec_id=w.spec_p2.pk, quantity=1)
    Listing.objects.filter(pk=w.l2.pk).update(state=Listing.State.DELISTED)
    assert code_of(lambda: place(w, spec=w.spec_p2)) == "market.unavailable"
    assert code_of(lambda: orders.cart_add(membership=w.e1, spec_id=w.spec_p2.pk, quantity=1)) == "market.unavailable"
    assert code_of(lambda: orders.checkout(membership=w.e1)) == "market.unavailable"
    assert [item.available for item in orders.cart_items(w.e1)] == [False]


def test_cart_quantities_and_removal(world):
    w = world
    item = orders.cart_add(membership=w.e1, spec_id=w.spec_year.pk, quantity=2)
    assert orders.cart_add(membership=w.e1, spec_id=w.spec_year.pk, quantity=3).quantity == 5  # same line, added
    for bad in (0, -1, orders.QUANTITY_MAX + 1, "x"):
        assert code_of(lambda bad=bad: orders.cart_set_quantity(membership=w.e1, item_id=item.pk, quantity=bad)) == (
            "market.quantity"
        )
    assert orders.cart_set_quantity(membership=w.e1, item_id=item.pk, quantity=orders.QUANTITY_MAX).quantity == 9999
    # Another enterprise cannot touch it.
    assert code_of(lambda: orders.cart_set_quantity(membership=w.e2, item_id=item.pk, quantity=1)) == (
        "market.cart_item_not_found"
    )
    assert code_of(lambda: orders.cart_remove(membership=w.e2, item_id=item.pk)) == "market.cart_item_not_found"
    orders.cart_remove(membership=w.e1, item_id=item.pk)
    assert not CartItem.objects.filter(pk=item.pk).exists()


# --- Payment proof ----------------------------------------------------------------------------------------------------
def test_proof_files_boundaries(world):
    w = world
    order = place(w)
    upload = lambda files: payments.proof_upload(membership=w.e1, order_id=order.pk, files=files)  # noqa: E731
    assert code_of(lambda: upload([])) == "market.proof_required"
    assert code_of(lambda: upload([proof(f"{i}.png") for i in range(4)])) == "market.proof_too_many"
    assert code_of(lambda: upload([proof("big.png", png_bytes(10 * MB + 1))])) == "upload.too_large"
    spoofed = SimpleUploadedFile("凭证.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    assert code_of(lambda: upload([spoofed])) == "upload.wrong_type"
    renamed_text = SimpleUploadedFile("凭证.pdf", "这不是PDF".encode() * 100, content_type="application/pdf")
    assert code_of(lambda: upload([renamed_text])) == "upload.wrong_type"
    order.refresh_from_db()
    assert order.state == "awaiting_payment" and not order.proofs.exists()
    files = [
        proof("a.png", png_bytes(10 * MB)),  # exactly 10 MB
        proof("b.pdf", pdf_bytes(), "application/pdf"),
        proof("c.jpeg", _jpeg(), "image/jpeg"),
    ]
    made = upload(files)
    assert sorted(made.files.values_list("original_name", flat=True)) == ["a.png", "b.pdf", "c.jpeg"]
    assert made.files.get(original_name="a.png").size == 10 * MB
    order.refresh_from_db()
    assert (order.state, order.payment) == ("proof_in_review", "in_review")
    application = made.application
    assert application.kind == "payment_proof" and application.state == "in_review"
    assert application.organisation_id == w.e1.organisation_id
    assert Task.objects.filter(application=application, state="open", role="ops").exists()
    # While it is reviewed there is no second proof and no cancellation.
    assert code_of(lambda: upload([proof()])) == "market.order_state"
    assert code_of(lambda: orders.order_cancel(membership=w.e1, order_id=order.pk)) == "market.order_state"


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 100, 0)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_reviewer_reads_the_order_and_downloads_the_files(world, login_client):
    from tenant_apps.workflow.registry import content_for

    w = world
    order = place(w, quantity=3)
    made = pay(w, order)
    sections = content_for(made.application)
    rows = dict(sections[0].rows)
    assert rows["订单编号"] == order.number and rows["买方"] == w.e1.organisation.name
    assert rows["服务商"] == w.p1.organisation.name and rows["应付金额（元）"] == "99999.99"
    item = made.files.get()
    url = f"/workbench/market/proofs/{made.pk}/files/{item.pk}/"
    assert url in str(rows["支付凭证"])
    for username in ("nat_ops", w.e1.user.username, w.p1.user.username):
        response = login_client(NATIONAL, username).get(url)
        assert response.status_code == 200, username
        assert response["Content-Disposition"].startswith("attachment")
    for username in (w.e2.user.username, w.p2.user.username):
        assert login_client(NATIONAL, username).get(url).status_code == 404
    page = login_client(NATIONAL, "nat_ops").get(f"/workbench/applications/{made.application_id}/").content.decode()
    assert order.number in page and url in page


# --- The order's states ------------------------------------------------------------------------------------------------
def test_every_transition_in_order_and_the_illegal_ones(world):
    w = world
    order = place(w)
    oid = order.pk
    # Nothing but payment (or cancellation) from 待支付.
    assert code_of(lambda: orders.order_start_delivery(membership=w.p1, order_id=oid)) == "market.order_state"
    assert code_of(lambda: orders.order_confirm(membership=w.e1, order_id=oid)) == "market.order_state"
    made = pay(w, order)
    decide(made)
    order.refresh_from_db()
    assert (order.state, order.payment) == ("to_sign", "paid") and order.paid_at is not None
    assert Listing.objects.get(pk=w.l1.pk).order_count == 1
    # Wrong side: the buyer cannot deliver, the provider cannot confirm (404: not their side of the order).
    assert code_of(lambda: orders.order_start_delivery(membership=w.e1, order_id=oid)) == "market.wrong_kind"
    assert code_of(lambda: orders.order_confirm(membership=w.p1, order_id=oid)) == "market.wrong_kind"
    assert code_of(lambda: orders.order_start_delivery(membership=w.p2, order_id=oid)) == "market.order_not_found"
    assert code_of(lambda: orders.order_mark_delivered(membership=w.p1, order_id=oid)) == "market.order_state"
    for member in (w.e1, w.p1):  # paid: nobody cancels any more
        assert code_of(lambda member=member: orders.order_cancel(membership=member, order_id=oid, reason="x")) == (
            "market.order_state"
        )
    stale = order.version
    orders.order_start_delivery(membership=w.p1, order_id=oid, expected_version=stale)
    assert code_of(lambda: orders.order_mark_delivered(membership=w.p1, order_id=oid, expected_version=stale)) == (
        "market.stale"
    )
    assert code_of(lambda: orders.order_start_delivery(membership=w.p1, order_id=oid)) == "market.order_state"
    orders.order_mark_delivered(membership=w.p1, order_id=oid)
    assert Order.objects.get(pk=oid).state == "delivered"
    orders.order_confirm(membership=w.e1, order_id=oid)
    order.refresh_from_db()
    assert order.state == "completed" and order.completed_at is not None
    assert code_of(lambda: orders.order_confirm(membership=w.e1, order_id=oid)) == "market.order_state"
    assert events(order) == ["create", "proof", "proof_approved", "start_delivery", "delivered", "complete"]
    assert order.version == 5


def test_returned_proof_goes_back_to_awaiting_payment_with_the_opinion(world, login_client):
    w = world
    order = place(w)
    first = pay(w, order)
    assert code_of(lambda: decide(first, action="return")) == "workflow.opinion_required"
    decide(first, action="return", opinion="转账金额与应付金额不符")
    order.refresh_from_db()
    assert (order.state, order.payment) == ("awaiting_payment", "rejected")
    assert Listing.objects.get(pk=w.l1.pk).order_count == 0
    page = login_client(NATIONAL, w.e1.user.username).get(f"/workbench/market/orders/{order.pk}/").content.decode()
    assert "支付凭证被退回" in page and "转账金额与应付金额不符" in page and 'id="proof-upload"' in page
    second = pay(w, order)
    assert second.pk != first.pk and second.application_id != first.application_id
    decide(second)
    order.refresh_from_db()
    assert (order.state, order.payment) == ("to_sign", "paid")
    assert events(order) == ["create", "proof", "proof_returned", "proof", "proof_approved"]
    assert OrderEvent.objects.get(order=order, action="proof_returned").note == "转账金额与应付金额不符"


def test_buyer_withdrawing_the_proof_application_reopens_payment(world):
    w = world
    order = place(w)
    made = pay(w, order)
    engine.application_withdraw(application=made.application, actor=w.e1.user)
    order.refresh_from_db()
    assert (order.state, order.payment) == ("awaiting_payment", "unpaid")
    assert events(order)[-1] == "proof_withdrawn"


def test_cancellation_rules(world):
    w = world
    by_buyer = place(w)
    orders.order_cancel(membership=w.e1, order_id=by_buyer.pk)
    by_buyer.refresh_from_db()
    assert by_buyer.state == "cancelled" and by_buyer.cancelled_at is not None
    assert code_of(lambda: orders.order_cancel(membership=w.e1, order_id=by_buyer.pk)) == "market.order_state"
    assert code_of(lambda: pay(w, by_buyer)) == "market.order_state"
    # After a returned proof the buyer may still cancel.
    returned = place(w)
    decide(pay(w, returned), action="return", opinion="凭证不清晰")
    orders.order_cancel(membership=w.e1, order_id=returned.pk)
    assert Order.objects.get(pk=returned.pk).state == "cancelled"
    # The provider cancels before payment, with a reason only.
    by_provider = place(w)
    assert code_of(lambda: orders.order_cancel(membership=w.p1, order_id=by_provider.pk)) == "market.reason_required"
    assert code_of(lambda: orders.order_cancel(membership=w.p2, order_id=by_provider.pk, reason="x")) == (
        "market.order_not_found"
    )
    assert code_of(lambda: orders.order_cancel(membership=w.e2, order_id=by_provider.pk)) == "market.order_not_found"
    orders.order_cancel(membership=w.p1, order_id=by_provider.pk, reason="该规格暂停供应")
    by_provider.refresh_from_db()
    assert by_provider.state == "cancelled" and by_provider.cancel_reason == "该规格暂停供应"
    assert "该规格暂停供应" in OrderEvent.objects.get(order=by_provider, action="cancel").note


# --- Ratings ---------------------------------------------------------------------------------------------------------------
def test_rating_once_per_line_after_completion(world):
    w = world
    order = paid_order(w)
    line = order.lines.get()
    rate = lambda stars=5, text="", member=None: orders.rating_create(  # noqa: E731
        membership=member or w.e1, line_id=line.pk, stars=stars, text=text
    )
    assert code_of(rate) == "market.order_state"
    orders.order_start_delivery(membership=w.p1, order_id=order.pk)
    orders.order_mark_delivered(membership=w.p1, order_id=order.pk)
    orders.order_confirm(membership=w.e1, order_id=order.pk)
    assert code_of(lambda: rate(stars=0)) == "market.stars"
    assert code_of(lambda: rate(stars=6)) == "market.stars"
    assert code_of(lambda: rate(text="好" * 501)) == "market.text_too_long"
    assert code_of(lambda: rate(member=w.e2)) == "market.order_not_found"
    rating = rate(stars=4, text="好" * 500)
    assert rating.listing_id == w.l1.pk and rating.buyer_id == w.e1.organisation_id
    assert code_of(lambda: rate(stars=1)) == "market.already_rated"
    listing = Listing.objects.get(pk=w.l1.pk)
    assert (listing.rating_count, listing.rating_sum, listing.rating_average) == (1, 4, Decimal("4.0"))
    assert Rating.objects.filter(line=line).count() == 1
    assert [r.pk for r in orders.ratings_of_provider(w.p1)] == [rating.pk]
    assert not orders.ratings_of_provider(w.p2).exists()


# --- Two reviewers at once -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("round_", range(4))
def test_two_ops_approving_the_same_proof_make_one_approval(tenant_schema, round_):
    tag = f"r{round_}{uuid.uuid4().hex[:6]}"

    def prepare():
        w = build_world(tag)
        second = User.objects.create_user(f"ord_ops{tag}", mobile=f"1378{str(abs(hash(tag)) % 10**7).zfill(7)}")
        Membership.objects.create(user=second, roles=["ops"])
        order = place(w)
        made = pay(w, order)
        task = Task.objects.get(application_id=made.application_id, state="open")
        return order.pk, task.pk, w.l1.pk, second.username

    thread, prepared = in_thread(prepare, NATIONAL)
    thread.join()
    assert "error" not in prepared, prepared.get("error")
    order_id, task_id, listing_id, second_ops = prepared["value"]
    barrier = threading.Barrier(2, timeout=20)

    def approve(username):
        def run():
            reviewer = Membership.objects.select_related("organisation").get(user__username=username)
            barrier.wait()
            return engine.task_decide(task_id=task_id, membership=reviewer, action="approve").state

        return run

    runs = [in_thread(approve("nat_ops"), NATIONAL), in_thread(approve(second_ops), NATIONAL)]
    for thread, _outcome in runs:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a decision hung: locks taken out of order?"
    outcomes = [outcome for _thread, outcome in runs]
    errors = [o["error"] for o in outcomes if "error" in o]
    assert len(errors) == 1 and isinstance(errors[0], DomainError), errors
    assert errors[0].code == "workflow.already_decided"
    with tenant_schema(NATIONAL):
        order = Order.objects.get(pk=order_id)
        assert (order.state, order.payment) == ("to_sign", "paid")
        assert Listing.objects.get(pk=listing_id).order_count == 1
        assert events(order).count("proof_approved") == 1
    assert connection.schema_name == "public"


# --- Notifications ---------------------------------------------------------------------------------------------------------
def test_buyer_and_provider_are_told_of_the_payment_decision_once_each(world):
    """The provider hears it from the order; the buyer who submitted the proof from the engine's review notice (with
    the opinion) — not a second time from the order."""
    from tenant_apps.notifications.models import Message
    from tenant_apps.workflow.tasks import notify_applicant

    w = world
    order = paid_order(w)
    event = OrderEvent.objects.get(order=order, action="proof_approved")
    assert orders.notify_order_event(event.pk) == 1
    assert orders.notify_order_event(event.pk) == 0  # once per person and event
    message = Message.objects.get(user=w.p1.user, source_key=f"market-order:{event.pk}:{w.p1.user_id}")
    assert order.number in message.title and "支付凭证审核通过" in message.title
    assert message.link == f"/workbench/market/orders/{order.pk}/"
    assert not Message.objects.filter(user=w.e1.user, source_key__startswith=f"market-order:{event.pk}:").exists()
    proof = order.proofs.get()
    decision = proof.application.log.get(action="approve")
    assert notify_applicant(decision.pk) == 1
    review_notice = Message.objects.get(user=w.e1.user, source_key=f"workflow-log:{decision.pk}")
    assert order.number in review_notice.title
    assert notify_applicant(decision.pk) == 0  # and once only


# --- Pages ------------------------------------------------------------------------------------------------------------------
def test_cart_buy_now_confirm_and_order_pages(world, login_client):
    w = world
    buyer = login_client(NATIONAL, w.e1.user.username)
    added = buyer.post("/workbench/market/cart/add/", {"spec": w.spec_year.pk, "quantity": 2})
    assert added.status_code == 302 and added["Location"] == "/workbench/market/cart/"
    cart = buyer.get("/workbench/market/cart/").content.decode()
    assert "智能排产系统" in cart and "66,666.66" in cart
    item = CartItem.objects.get(organisation=w.e1.organisation)
    assert buyer.post("/workbench/market/cart/", {"do": "quantity", "item": item.pk, "quantity": 0}).status_code == 400
    buyer.post("/workbench/market/cart/", {"do": "quantity", "item": item.pk, "quantity": 3})
    assert CartItem.objects.get(pk=item.pk).quantity == 3
    confirm = buyer.get(f"/workbench/market/orders/confirm/?items={item.pk}").content.decode()
    assert "99,999.99" in confirm and "6222020200112233445" in confirm and "标准版" in confirm
    placed = buyer.post("/workbench/market/orders/confirm/", {"items": [item.pk], "note": ""})
    assert placed.status_code == 302
    order = Order.objects.get(buyer=w.e1.organisation)
    assert placed["Location"] == f"/workbench/market/orders/{order.pk}/"
    # Buy now: the product page posts spec and quantity; the buyer confirms on the next page.
    now = buyer.post("/workbench/market/buy-now/", {"spec": w.spec_p2.pk, "quantity": 1})
    assert now.status_code == 302 and now["Location"].startswith("/workbench/market/orders/confirm/?")
    assert "1,999.00" in buyer.get(now["Location"]).content.decode()
    assert buyer.post(now["Location"], {"spec": w.spec_p2.pk, "quantity": 1}).status_code == 302
    assert Order.objects.filter(buyer=w.e1.organisation).count() == 2
    listing = buyer.get("/workbench/market/orders/").content.decode()
    assert order.number in listing and "待支付" in listing and ">awaiting_payment<" not in listing
    filtered = buyer.get("/workbench/market/orders/?state=completed").content.decode()
    assert order.number not in filtered
    # Proof through the page (multipart, several files in one field), then a cancellation of the other order.
    detail = f"/workbench/market/orders/{order.pk}/"
    page = buyer.get(detail).content.decode()
    assert "支持 png/jpg/jpeg/bmp/pdf 格式，单个文件不超过 10 MB" in page and "multiple" in page
    too_many = buyer.post(
        detail, {"do": "pay", "version": order.version, "files": [proof(f"{i}.png") for i in range(4)]}
    )
    assert too_many.status_code == 400 and "最多上传 3 个文件" in too_many.content.decode()
    sent = buyer.post(detail, {"do": "pay", "version": order.version, "files": [proof("a.png"), proof("b.png")]})
    assert sent.status_code == 302
    order.refresh_from_db()
    assert order.state == "proof_in_review" and order.proofs.get().files.count() == 2
    cancel = buyer.post(detail, {"do": "cancel", "version": order.version})
    assert cancel.status_code == 400 and "不能进行该操作" in cancel.content.decode()
    other = Order.objects.filter(buyer=w.e1.organisation).exclude(pk=order.pk).get()
    page = buyer.get(f"/workbench/market/orders/{other.pk}/").content.decode()
    assert 'data-confirm="确定取消该订单吗' in page
    buyer.post(f"/workbench/market/orders/{other.pk}/", {"do": "cancel", "version": other.version})
    assert Order.objects.get(pk=other.pk).state == "cancelled"


def test_provider_pages_sales_delivery_reviews_and_bank_account(world, login_client):
    w = world
    order = paid_order(w, quantity=2)
    provider = login_client(NATIONAL, w.p1.user.username)
    sales = provider.get("/workbench/market/sales/").content.decode()
    assert order.number in sales and w.e1.organisation.name in sales and "66,666.66" in sales and "待签约" in sales
    detail = f"/workbench/market/orders/{order.pk}/"
    assert "开始交付" in provider.get(detail).content.decode()
    assert provider.post(detail, {"do": "start-delivery", "version": order.version}).status_code == 302
    stale = provider.post(detail, {"do": "delivered", "version": order.version})
    assert stale.status_code == 400 and "已有新的进展" in stale.content.decode()
    order.refresh_from_db()
    assert provider.post(detail, {"do": "delivered", "version": order.version}).status_code == 302
    assert provider.post(detail, {"do": "confirm", "version": order.version + 1}).status_code == 400  # not theirs
    buyer = login_client(NATIONAL, w.e1.user.username)
    order.refresh_from_db()
    assert buyer.post(detail, {"do": "confirm", "version": order.version}).status_code == 302
    line = order.lines.get()
    assert buyer.post(detail, {"do": "rate", "line": line.pk, "stars": 5, "text": "交付及时"}).status_code == 302
    assert "交付及时" in buyer.get(detail).content.decode()
    reviews = provider.get("/workbench/market/reviews/").content.decode()
    assert "交付及时" in reviews and "★★★★★" in reviews
    # 收款账户: a bad number stays on the form; a good one is used by new orders only.
    bad = provider.post(
        "/workbench/market/bank-account/", {"account_name": "甲", "bank_name": "建行", "account_number": "12ab"}
    )
    assert (
        bad.status_code == 400 and "8 到 34 位数字" in bad.content.decode() and 'value="12ab"' in bad.content.decode()
    )
    good = {"account_name": "甲服务商", "bank_name": "建设银行", "account_number": "6217 0000 1111 2222"}
    assert provider.post("/workbench/market/bank-account/", good).status_code == 302
    assert BankAccount.objects.get(organisation=w.p1.organisation).account_number == "6217000011112222"
    assert Order.objects.get(pk=order.pk).bank_account["account_number"] == "6222020200112233445"
    assert place(w).bank_account["account_number"] == "6217000011112222"
    # Buyers are no providers, providers no buyers.
    assert buyer.get("/workbench/market/sales/").status_code == 403
    assert provider.get("/workbench/market/cart/").status_code == 403
    uncertified = login_client(NATIONAL, w.e3.user.username).get("/workbench/market/cart/")
    assert uncertified.status_code == 403 and "尚未通过认证" in uncertified.content.decode()


# --- API --------------------------------------------------------------------------------------------------------------------
def test_api_buying_from_cart_to_rating(world, login_client):
    w = world
    buyer = login_client(NATIONAL, w.e1.user.username)
    added = buyer.post("/api/v1/market/cart/", {"spec": w.spec_year.pk, "quantity": 3}, content_type="application/json")
    assert added.status_code == 201 and added.json()["amount"] == "99999.99"
    item_id = added.json()["id"]
    assert (
        buyer.patch(f"/api/v1/market/cart/{item_id}/", {"quantity": 0}, content_type="application/json").status_code
        == 400
    )
    checkout = buyer.post("/api/v1/market/cart/checkout/", {}, content_type="application/json")
    assert checkout.status_code == 201
    [row] = checkout.json()
    assert row["total"] == "99999.99" and row["payable"] == "99999.99" and row["deduction"] == "0.00"
    oid = row["id"]
    detail = buyer.get(f"/api/v1/market/orders/{oid}/").json()
    assert detail["actions"] == ["pay", "cancel"] and detail["bank_account"]["bank_name"] == "工商银行北京分行"
    four = buyer.post(f"/api/v1/market/orders/{oid}/payment-proofs/", {"files": [proof(f"{i}.png") for i in range(4)]})
    assert four.status_code == 400 and four.json()["code"] == "market.proof_too_many"
    sent = buyer.post(f"/api/v1/market/orders/{oid}/payment-proofs/", {"files": [proof(), proof("b.png")]})
    assert sent.status_code == 201 and len(sent.json()["files"]) == 2
    decide(payments.PaymentProof.objects.get(pk=sent.json()["id"]))
    provider = login_client(NATIONAL, w.p1.user.username)
    listed = provider.get("/api/v1/market/provider/orders/?state=to_sign").json()
    assert [r["id"] for r in listed["results"]] == [oid]
    wrong = buyer.post(f"/api/v1/market/orders/{oid}/start-delivery/", {}, content_type="application/json")
    assert wrong.status_code == 403 and wrong.json()["code"] == "market.wrong_kind"
    for action in ("start-delivery", "delivered"):
        assert (
            provider.post(f"/api/v1/market/orders/{oid}/{action}/", {}, content_type="application/json").status_code
            == 200
        )
    late = provider.post(f"/api/v1/market/orders/{oid}/cancel/", {"reason": "x"}, content_type="application/json")
    assert late.status_code == 409 and late.json()["code"] == "market.order_state"
    done = buyer.post(f"/api/v1/market/orders/{oid}/confirm/", {"version": 0}, content_type="application/json")
    assert done.status_code == 409 and done.json()["code"] == "market.stale"
    done = buyer.post(f"/api/v1/market/orders/{oid}/confirm/", {}, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "completed"
    line_id = done.json()["lines"][0]["id"]
    rated = buyer.post(
        f"/api/v1/market/order-lines/{line_id}/rating/", {"stars": 5, "text": "很好"}, content_type="application/json"
    )
    assert rated.status_code == 201
    again = buyer.post(f"/api/v1/market/order-lines/{line_id}/rating/", {"stars": 1}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "market.already_rated"
    assert provider.get("/api/v1/market/provider/ratings/").json()["results"][0]["text"] == "很好"
    account = provider.put(
        "/api/v1/market/provider/bank-account/",
        {"account_name": "甲", "bank_name": "中国银行", "account_number": "123456789012"},
        content_type="application/json",
    )
    assert (
        account.status_code == 200
        and provider.get("/api/v1/market/provider/bank-account/").json()["bank_name"] == "中国银行"
    )
    assert buyer.get("/api/v1/market/provider/bank-account/").status_code == 403


def test_openapi_lists_the_buying_endpoints(tenant_client):
    schema = tenant_client(NATIONAL).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in (
        "/api/v1/market/cart/",
        "/api/v1/market/orders/{id}/payment-proofs/",
        "/api/v1/market/provider/orders/",
    ):
        assert path in text, path


# --- Isolation ----------------------------------------------------------------------------------------------------------------
def test_isolation_of_orders_pages_and_api(world, login_client, tenant_client):
    w = world
    order = place(w)
    made = pay(w, order)
    item = orders.cart_add(membership=w.e1, spec_id=w.spec_p2.pk, quantity=1)
    file_id = made.files.get().pk
    pages = [
        ("get", f"/workbench/market/orders/{order.pk}/", {}),
        ("post", f"/workbench/market/orders/{order.pk}/", {"do": "cancel"}),
        ("get", f"/workbench/market/proofs/{made.pk}/files/{file_id}/", {}),
    ]
    api = [
        ("get", f"/api/v1/market/orders/{order.pk}/", {}),
        ("post", f"/api/v1/market/orders/{order.pk}/cancel/", {"reason": "x"}),
        ("post", f"/api/v1/market/orders/{order.pk}/payment-proofs/", {}),
        ("patch", f"/api/v1/market/cart/{item.pk}/", {"quantity": 5}),
        ("delete", f"/api/v1/market/cart/{item.pk}/", {}),
    ]

    def call(client, method, url, data):
        if method in ("patch", "delete"):
            return getattr(client, method)(url, data, content_type="application/json")
        return getattr(client, method)(url, data)

    # Another enterprise and another provider of the same city: 404 (or 403 for the wrong kind), never the order.
    for username in (w.e2.user.username, w.p2.user.username):
        client = login_client(NATIONAL, username)
        for method, url, data in pages + api:
            response = call(client, method, url, data)
            assert response.status_code in (403, 404), (username, method, url, response.status_code)
            assert order.number not in response.content.decode()
        assert order.number not in client.get("/api/v1/market/orders/").content.decode()
        assert order.number not in client.get("/workbench/market/orders/").content.decode()
    provider_list = login_client(NATIONAL, w.p2.user.username).get("/api/v1/market/provider/orders/").json()
    assert provider_list["count"] == 0
    # Anonymous: sign-in for pages, 401/403 for the API.
    anonymous = tenant_client(NATIONAL)
    for method, url, data in pages:
        response = call(anonymous, method, url, data)
        assert response.status_code == 302 and "/login/" in response["Location"]
    for method, url, data in api + [("get", "/api/v1/market/orders/", {}), ("get", "/api/v1/market/cart/", {})]:
        assert call(anonymous, method, url, data).status_code in (401, 403)
    # Members of other tenants: not members here (403/404), and the module is off in Harbin (404).
    for schema, username in ((NATIONAL, "hrb_enterprise"), ("harbin", "hrb_enterprise"), (NATIONAL, "jm_enterprise")):
        if not User.objects.filter(username=username).exists():
            continue
        client = login_client(schema, username)
        for method, url, data in pages + api:
            response = call(client, method, url, data)
            assert response.status_code in (403, 404), (schema, username, url, response.status_code)
    # Nothing changed.
    order.refresh_from_db()
    assert order.state == "proof_in_review" and CartItem.objects.get(pk=item.pk).quantity == 1


# --- Bounded lists ------------------------------------------------------------------------------------------------------------
def test_order_lists_have_a_bounded_query_count(world, login_client):
    w = world
    urls = {
        w.e1.user.username: ["/workbench/market/orders/", "/api/v1/market/orders/"],
        w.p1.user.username: ["/workbench/market/sales/", "/api/v1/market/provider/orders/"],
    }

    def counts():
        result = {}
        for username, paths in urls.items():
            client = login_client(NATIONAL, username)
            for path in paths:
                client.get(path)  # warm the session and caches
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(path).status_code == 200
                result[path] = len(queries)
        return result

    place(w)
    few = counts()
    for _ in range(12):
        orders.cart_add(membership=w.e1, spec_id=w.spec_year.pk, quantity=1)
        orders.cart_add(membership=w.e1, spec_id=w.spec_dime.pk, quantity=2)
        orders.checkout(membership=w.e1)
    many = counts()
    assert few == many, (few, many)
    assert max(many.values()) <= 30


def test_my_ratings_lists_the_buyer_s_own_ratings_only(login_client, tenant_client):
    """我的评价: the demo enterprise rated its completed order; another provider or an anonymous visitor sees none."""
    url = "/workbench/market/my-ratings/"
    mine = login_client("national", "nat_enterprise").get(url)
    html = mine.content.decode()
    assert mine.status_code == 200 and "我的评价" in html and "上线快，预警准确" in html and "★★★★★" in html
    assert login_client("national", "nat_provider").get(url).status_code == 403  # a provider has 客户评价 instead
    assert login_client("jiangmen", "jm_enterprise").get(url).status_code == 404  # the module is off there
    assert tenant_client("national").get(url).status_code == 302
