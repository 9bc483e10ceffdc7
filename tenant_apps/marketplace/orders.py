"""Buying: the cart, buy now, checkout (one order per provider), the order's states, delivery, cancellation and
ratings — services (writes) and the selectors the pages and the API read through.

Order states and who moves them (every move writes an `OrderEvent`, the order's timeline, and is refused from any
other state with 409 `market.order_state`; forms and API calls may carry the order's `version` → 409
`market.stale`):

    待支付 ──(buyer uploads proof, payments.py)──▶ 支付凭证审核中 ──(ops approves)──▶ 待签约
      ▲                                               │ (ops returns: payment 凭证被退回, opinion shown)
      └───────────────────────────────────────────────┘
    待签约 ──(provider 开始交付)──▶ 交付中 ──(provider 标记交付完成)──▶ 待确认完成 ──(buyer 确认完成)──▶ 已完成
    待支付 ──(buyer cancels; provider cancels with a reason)──▶ 已取消

Locks follow `lock_objects` (cart items → order → listings). Money is `Decimal`, two places, never a float:
amount = unit price × quantity, total = Σ amounts, payable = total − `order_deduction(order)` (0.00 until the
deduction (`deductions`: a service voucher, capped by the tenant's rule) is taken in the checkout
transaction and given back when the order is cancelled.

Order numbers: `DD` + the local date (YYYYMMDD) + the order's id in six digits, e.g. DD20261207000042 — unique
(the id is), sortable by day, and the id people see in the order's address."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from celery import shared_task
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.marketplace import access, deductions, lock_objects
from tenant_apps.marketplace.models import (
    ZERO,
    BankAccount,
    CartItem,
    Listing,
    ListingSpec,
    Order,
    OrderEvent,
    OrderLine,
    Rating,
)
from tenants.errors import DomainError, conflict, not_found

logger = logging.getLogger(__name__)

FEN = Decimal("0.01")
QUANTITY_MAX = 9999
MONEY_MAX = Decimal("999999999999.99")  # Order.total: 14 digits, 2 places
RATING_TEXT_MAX = 500

# What each timeline event is called (OrderEvent.action → label).
EVENT_LABELS = {
    "create": gettext_lazy("提交订单"),
    "proof": gettext_lazy("上传支付凭证"),
    "proof_approved": gettext_lazy("支付凭证审核通过"),
    "proof_returned": gettext_lazy("支付凭证被退回"),
    "proof_rejected": gettext_lazy("支付凭证被驳回，订单关闭"),
    "proof_withdrawn": gettext_lazy("撤回支付凭证"),
    "start_delivery": gettext_lazy("开始交付"),
    "delivered": gettext_lazy("交付完成"),
    "complete": gettext_lazy("确认完成"),
    "cancel": gettext_lazy("取消订单"),
    "rate": gettext_lazy("评价"),
}
# Tones of the order's states and payment states (the UI kit knows workflow codes only; these are passed as tone=).
STATE_TONES = {
    "awaiting_payment": "warning",
    "proof_in_review": "primary",
    "to_sign": "primary",
    "delivering": "primary",
    "delivered": "warning",
    "completed": "success",
    "cancelled": "info",
    "unpaid": "info",
    "in_review": "primary",
    "paid": "success",
    "rejected": "danger",
}


def event_label(action: str) -> str:
    label = EVENT_LABELS.get(action)
    return str(label) if label is not None else action


# --- Who: buyers and providers ---------------------------------------------------------------------------------------
def buyer_of(membership):
    """The caller's certified enterprise (403 with the reason otherwise)."""
    return access.certified_buyer(membership)


def provider_of(membership):
    return access.certified_provider(membership)


# --- Reads -----------------------------------------------------------------------------------------------------------
def purchasable_specs():
    """Specs a buyer may put in a cart or order: those of a listed product's live version."""
    return ListingSpec.objects.filter(
        version__listing__state=Listing.State.LISTED, version__listing__live_version=F("version")
    )


def _purchasable(spec_id) -> ListingSpec:
    try:
        spec_id = int(spec_id)
    except (TypeError, ValueError):
        spec_id = None
    spec = (
        purchasable_specs().select_related("version__listing__organisation").filter(pk=spec_id).first()
        if spec_id
        else None
    )
    if spec is None:
        raise DomainError(_("该商品已下架或规格已变更，请重新选择。"), code="market.unavailable", field="spec")
    return spec


def _quantity(value) -> int:
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        quantity = 0
    if not 1 <= quantity <= QUANTITY_MAX:
        raise DomainError(
            _("数量须为 1 到 %(max)s 之间的整数。") % {"max": QUANTITY_MAX}, code="market.quantity", field="quantity"
        )
    return quantity


def cart_items(membership):
    """The buyer organisation's cart, newest first, with what the page shows (no query per row); `available` says
    whether the spec can still be bought."""
    organisation = buyer_of(membership)
    live = purchasable_specs().filter(pk=OuterRef("spec_id"))
    return (
        CartItem.objects.filter(organisation=organisation)
        .select_related("spec__version__listing__organisation")
        .annotate(available=Exists(live))
        .order_by("-created_at", "-id")
    )


def orders_of_buyer(membership):
    """我的订单: the orders the caller's organisation placed."""
    organisation = getattr(membership, "organisation", None)
    if organisation is None or not membership.is_active:
        return Order.objects.none()
    return Order.objects.filter(buyer_id=organisation.pk)


def orders_of_provider(membership):
    """订单管理: the orders the caller's organisation received."""
    organisation = getattr(membership, "organisation", None)
    if organisation is None or not membership.is_active:
        return Order.objects.none()
    return Order.objects.filter(provider_id=organisation.pk)


def orders_visible(membership):
    """An order's page and API: its buyer's and its provider's members."""
    organisation = getattr(membership, "organisation", None)
    if organisation is None or not membership.is_active:
        return Order.objects.none()
    return Order.objects.filter(Q(buyer_id=organisation.pk) | Q(provider_id=organisation.pk))


def order_list(queryset, *, state: str = ""):
    """A page of orders with their lines (two queries for any page size) and both parties."""
    if state:
        queryset = queryset.filter(state=state)
    return queryset.select_related("buyer", "provider").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("rating").order_by("id"))
    )


def access_order(membership, pk) -> Order:
    """One order its buyer or provider may see; 404 for missing and forbidden alike."""
    order = (
        orders_visible(membership)
        .select_related("buyer", "provider", "buyer_user")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("rating").order_by("id")),
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("created_at", "id")),
        )
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise not_found(_("该订单不存在。"), code="market.order_not_found")
    return order


def ratings_of_provider(membership):
    """客户评价: ratings of the caller's products, newest first."""
    organisation = getattr(membership, "organisation", None)
    if organisation is None or not membership.is_active:
        return Rating.objects.none()
    return (
        Rating.objects.filter(listing__organisation_id=organisation.pk)
        .select_related("line", "buyer", "line__order")
        .order_by("-created_at", "-id")
    )


def ratings_of_buyer(membership):
    """我的评价."""
    organisation = getattr(membership, "organisation", None)
    if organisation is None or not membership.is_active:
        return Rating.objects.none()
    return Rating.objects.filter(buyer_id=organisation.pk).select_related("line", "line__order").order_by("-created_at")


def bank_accounts_of(membership):
    organisation_id = getattr(membership, "organisation_id", None)
    return (
        BankAccount.objects.filter(organisation_id=organisation_id) if organisation_id else BankAccount.objects.none()
    )


def bank_account_of(organisation) -> BankAccount | None:
    return BankAccount.objects.filter(organisation=organisation).first()


def bank_account_snapshot(account: BankAccount) -> dict:
    return {
        "account_name": account.account_name,
        "bank_name": account.bank_name,
        "account_number": account.account_number,
    }


# --- Money -----------------------------------------------------------------------------------------------------------
def line_amount(unit_price: Decimal, quantity: int) -> Decimal:
    """unit price × quantity, to the fen (exact: prices carry two places)."""
    return (Decimal(unit_price) * int(quantity)).quantize(FEN, rounding=ROUND_HALF_UP)


def order_deduction(order) -> Decimal:
    """What the chosen deduction (a service voucher, `deductions`) takes off a draft order; 0.00 without one."""
    chosen = getattr(order, "chosen", None)
    return chosen.deduction if chosen is not None else ZERO


@dataclass
class DraftLine:
    spec: ListingSpec
    quantity: int
    cart_item_id: int | None = None

    @property
    def amount(self) -> Decimal:
        return line_amount(self.spec.unit_price, self.quantity)


@dataclass
class DraftOrder:
    """What checkout will create for one provider (the confirm page shows exactly this)."""

    provider: object
    lines: list[DraftLine] = field(default_factory=list)
    bank_account: BankAccount | None = None
    offers: list = field(default_factory=list)  # deductions.Offer, best first
    chosen: object = None  # the Offer the buyer applies (preselected: the best one not used by an earlier order)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO).quantize(FEN)

    @property
    def deduction(self) -> Decimal:
        return order_deduction(self)

    @property
    def payable(self) -> Decimal:
        return (self.total - self.deduction).quantize(FEN)


def _drafts(lines: list[DraftLine]) -> list[DraftOrder]:
    groups: OrderedDict[int, DraftOrder] = OrderedDict()
    for line in lines:
        provider = line.spec.version.listing.organisation
        groups.setdefault(provider.pk, DraftOrder(provider=provider)).lines.append(line)
    accounts = {a.organisation_id: a for a in BankAccount.objects.filter(organisation_id__in=list(groups))}
    for provider_id, draft in groups.items():
        draft.bank_account = accounts.get(provider_id)
    return list(groups.values())


def _selected_cart(organisation, item_ids, *, lock: bool):
    items = CartItem.objects.filter(organisation=organisation)
    if lock:
        items = lock_objects.cart_items_qs_select_for_update().filter(organisation=organisation)
    if item_ids:
        items = items.filter(pk__in=[int(i) for i in item_ids])
    return list(items)


def checkout_preview(membership, *, spec_id=None, quantity=None, item_ids=None, choices=None) -> list[DraftOrder]:
    """The confirm page: buy now (`spec_id`, `quantity`) or the cart (all of it, or `item_ids`). Refuses what
    checkout would refuse, with the same messages. Each draft carries the deductions on offer (best first) and the
    one applied: `choices` (provider id → offer id, "" for none) where given, else the best not already applied to
    an earlier order of this checkout."""
    organisation = buyer_of(membership)
    if spec_id is not None:
        lines = [DraftLine(_purchasable(spec_id), _quantity(quantity))]
    else:
        items = _selected_cart(organisation, item_ids, lock=False)
        lines = _cart_lines(items)
    drafts = _drafts(lines)
    taken: set[int] = set()
    for draft in drafts:
        draft.offers = deductions.offers(organisation, draft)
    # Preselect for the largest orders first: a voucher goes where it takes the most (30 % of 50,000.00 before
    # 30 % of 1,999.00), whatever the order of the cart.
    for draft in sorted(drafts, key=lambda d: d.total, reverse=True):
        if choices is not None and str(draft.provider.pk) in {str(k) for k in choices}:
            wanted = {str(k): v for k, v in choices.items()}[str(draft.provider.pk)]
            draft.chosen = next((o for o in draft.offers if str(o.id) == str(wanted)), None)
        else:
            draft.chosen = next((o for o in draft.offers if o.id not in taken), None)
        if draft.chosen is not None:
            taken.add(draft.chosen.id)
    return drafts


def _cart_lines(items) -> list[DraftLine]:
    if not items:
        raise DomainError(_("购物车中没有可结算的商品。"), code="market.cart_empty")
    specs = {
        s.pk: s
        for s in purchasable_specs()
        .select_related("version__listing__organisation")
        .filter(pk__in=[i.spec_id for i in items])
    }
    missing = [i for i in items if i.spec_id not in specs]
    if missing:
        raise DomainError(
            _("购物车中有商品已下架或规格已变更，请删除后再结算。"), code="market.unavailable", field="spec"
        )
    return [DraftLine(specs[i.spec_id], i.quantity, i.pk) for i in items]


# --- Cart ------------------------------------------------------------------------------------------------------------
@transaction.atomic
def cart_add(*, membership, spec_id, quantity) -> CartItem:
    """Put a spec in the organisation's cart (or add to its quantity there)."""
    organisation = buyer_of(membership)
    spec = _purchasable(spec_id)
    quantity = _quantity(quantity)
    item = lock_objects.cart_items_qs_select_for_update().filter(organisation=organisation, spec=spec).first()
    if item is None:
        try:
            with transaction.atomic():
                return CartItem.objects.create(
                    organisation=organisation, user=membership.user, spec=spec, quantity=quantity
                )
        except IntegrityError:  # a concurrent add of the same spec won: add to it
            item = lock_objects.cart_items_qs_select_for_update().get(organisation=organisation, spec=spec)
    item.quantity = _quantity(item.quantity + quantity)
    item.save(update_fields=["quantity"])
    return item


def _cart_item(organisation, item_id) -> CartItem:
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        item_id = 0
    item = lock_objects.cart_items_qs_select_for_update().filter(organisation=organisation, pk=item_id).first()
    if item is None:
        raise not_found(_("购物车中没有该商品。"), code="market.cart_item_not_found")
    return item


@transaction.atomic
def cart_set_quantity(*, membership, item_id, quantity) -> CartItem:
    organisation = buyer_of(membership)
    item = _cart_item(organisation, item_id)
    item.quantity = _quantity(quantity)
    item.save(update_fields=["quantity"])
    return item


@transaction.atomic
def cart_remove(*, membership, item_id) -> None:
    organisation = buyer_of(membership)
    _cart_item(organisation, item_id).delete()


# --- Checkout --------------------------------------------------------------------------------------------------------
def _next_order_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Order._meta.db_table])
        return cursor.fetchone()[0]


def order_number(order_id: int, when=None) -> str:
    day = timezone.localtime(when or timezone.now()).strftime("%Y%m%d")
    return f"DD{day}{order_id:06d}"


def _event(order: Order, action: str, actor, note: str = "") -> OrderEvent:
    event = OrderEvent.objects.create(order=order, action=action, actor=actor, note=note[:500])
    _queue_notify(event)
    return event


def _create_orders(*, membership, organisation, drafts: list[DraftOrder], note: str, choices=None) -> list[Order]:
    """`choices`: provider id → the deduction (voucher) id the buyer applies to that provider's order."""
    choices = {str(k): v for k, v in (choices or {}).items()}
    for draft in drafts:
        if draft.bank_account is None:
            raise DomainError(
                _("服务商“%(name)s”尚未设置收款账户，暂不能下单，请联系服务商。") % {"name": draft.provider.name},
                code="market.no_bank_account",
            )
        if draft.total > MONEY_MAX:
            raise DomainError(_("订单金额超出上限，请减少数量。"), code="market.total_too_large", field="quantity")
    orders = []
    now = timezone.now()
    for draft in drafts:
        order_id = _next_order_id()
        total = draft.total
        order = Order(
            pk=order_id,
            number=order_number(order_id, now),
            buyer=organisation,
            buyer_user=membership.user,
            provider=draft.provider,
            total=total,
            deduction=ZERO,
            payable=total,
            bank_account=bank_account_snapshot(draft.bank_account),
            note=(note or "")[:200],
        )
        order.save(force_insert=True)
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    listing=line.spec.version.listing,
                    version=line.spec.version,
                    spec=line.spec,
                    product_name=line.spec.version.name,
                    spec_name=line.spec.name,
                    purchase_mode=line.spec.purchase_mode,
                    unit_price=line.spec.unit_price,
                    quantity=line.quantity,
                    amount=line.amount,
                )
                for line in draft.lines
            ]
        )
        deduction = deductions.apply(order, choices.get(str(draft.provider.pk)), membership.user)
        if deduction:
            order.deduction, order.payable = deduction, (total - deduction).quantize(FEN)
            order.save(update_fields=["deduction", "payable"])
        _event(order, "create", membership.user)
        orders.append(order)
    return orders


@transaction.atomic
def checkout(*, membership, item_ids=None, note: str = "", vouchers=None) -> list[Order]:
    """The cart (or the chosen items of it) becomes one order per provider; the items leave the cart. Prices,
    names and the provider's bank account are copied into the orders as they are now. `vouchers`: provider id →
    voucher id to deduct from that provider's order."""
    organisation = buyer_of(membership)
    items = _selected_cart(organisation, item_ids, lock=True)
    lines = _cart_lines(items)
    orders = _create_orders(
        membership=membership, organisation=organisation, drafts=_drafts(lines), note=note, choices=vouchers
    )
    CartItem.objects.filter(pk__in=[i.pk for i in items]).delete()
    return orders


@transaction.atomic
def buy_now(*, membership, spec_id, quantity, note: str = "", voucher=None) -> Order:
    """One spec straight to an order, past the cart; `voucher`: the voucher id to deduct, if any."""
    organisation = buyer_of(membership)
    lines = [DraftLine(_purchasable(spec_id), _quantity(quantity))]
    drafts = _drafts(lines)
    choices = {drafts[0].provider.pk: voucher} if voucher not in (None, "") else None
    return _create_orders(membership=membership, organisation=organisation, drafts=drafts, note=note, choices=choices)[
        0
    ]


# --- Transitions -------------------------------------------------------------------------------------------------------
def check_version(order: Order, expected) -> None:
    if expected not in (None, "") and int(expected) != order.version:
        raise conflict(_("该订单已有新的进展，请刷新页面后再操作。"), code="market.stale")


def wrong_state(order: Order) -> DomainError:
    return conflict(
        _("订单当前为“%(state)s”，不能进行该操作。") % {"state": order.get_state_display()}, code="market.order_state"
    )


def lock_order_as(membership, order_id, *, side: str) -> Order:
    """Lock the order as its buyer (`side="buyer"`) or provider acting on it; 404 for anyone else."""
    organisation = getattr(membership, "organisation", None)
    order = lock_objects.order_lock(order_id)
    owner = None if order is None else (order.buyer_id if side == "buyer" else order.provider_id)
    if order is None or organisation is None or owner != organisation.pk or not membership.is_active:
        raise not_found(_("该订单不存在。"), code="market.order_not_found")
    return order


def save_transition(order: Order, *, state=None, payment=None, fields=()) -> Order:
    if state is not None:
        order.state = state
    if payment is not None:
        order.payment = payment
    order.version += 1
    order.save(update_fields=["state", "payment", "version", *fields])
    return order


def _transition(
    *, membership, order_id, side: str, states, to_state, action: str, expected_version=None, note="", **extra
):
    order = lock_order_as(membership, order_id, side=side)
    if order.state not in states:
        raise wrong_state(order)
    check_version(order, expected_version)
    for name, value in extra.items():
        setattr(order, name, value)
    save_transition(order, state=to_state, fields=tuple(extra))
    _event(order, action, membership.user, note)
    return order


CANCELLABLE = (Order.State.AWAITING_PAYMENT,)


@transaction.atomic
def order_cancel(*, membership, order_id, reason: str = "", expected_version=None) -> Order:
    """The buyer cancels before payment is approved (待支付, also after a returned proof); the provider cancels
    before payment and says why. While a proof is being reviewed nobody cancels (the review decides first)."""
    reason = (reason or "").strip()
    organisation = getattr(membership, "organisation", None)
    order = lock_objects.order_lock(order_id)
    if order is None or organisation is None or organisation.pk not in (order.buyer_id, order.provider_id):
        raise not_found(_("该订单不存在。"), code="market.order_not_found")
    by_provider = organisation.pk == order.provider_id
    if order.state not in CANCELLABLE:
        raise wrong_state(order)
    check_version(order, expected_version)
    if by_provider and not reason:
        raise DomainError(_("请填写取消原因。"), code="market.reason_required", field="reason")
    if len(reason) > 200:
        raise DomainError(_("取消原因不能超过 200 字。"), code="market.reason_too_long", field="reason")
    order.cancel_reason, order.cancelled_at = reason, timezone.now()
    save_transition(order, state=Order.State.CANCELLED, fields=("cancel_reason", "cancelled_at"))
    note = (_("服务商取消：%(reason)s") if by_provider else _("买方取消：%(reason)s")) % {"reason": reason or "—"}
    _event(order, "cancel", membership.user, note)
    deductions.release(order, membership.user, note)
    return order


@transaction.atomic
def order_start_delivery(*, membership, order_id, expected_version=None) -> Order:
    """The provider has signed with the buyer and starts delivering (待签约 → 交付中)."""
    provider_of(membership)
    return _transition(
        membership=membership,
        order_id=order_id,
        side="provider",
        states=(Order.State.TO_SIGN,),
        to_state=Order.State.DELIVERING,
        action="start_delivery",
        expected_version=expected_version,
    )


@transaction.atomic
def order_mark_delivered(*, membership, order_id, expected_version=None) -> Order:
    """交付中 → 待确认完成 (the buyer confirms)."""
    provider_of(membership)
    return _transition(
        membership=membership,
        order_id=order_id,
        side="provider",
        states=(Order.State.DELIVERING,),
        to_state=Order.State.DELIVERED,
        action="delivered",
        expected_version=expected_version,
    )


@transaction.atomic
def order_confirm(*, membership, order_id, expected_version=None) -> Order:
    """The buyer confirms the delivery: 待确认完成 → 已完成; its lines can be rated from now on."""
    buyer_of(membership)
    return _transition(
        membership=membership,
        order_id=order_id,
        side="buyer",
        states=(Order.State.DELIVERED,),
        to_state=Order.State.COMPLETED,
        action="complete",
        expected_version=expected_version,
        completed_at=timezone.now(),
    )


ACTIONS = {
    "cancel": order_cancel,
    "start-delivery": order_start_delivery,
    "delivered": order_mark_delivered,
    "confirm": order_confirm,
}


def order_actions(order: Order, organisation_id) -> list[str]:
    """What the caller's side may do with the order now (the pages and the API show only these)."""
    state = order.state
    if organisation_id == order.buyer_id:
        return {Order.State.AWAITING_PAYMENT: ["pay", "cancel"], Order.State.DELIVERED: ["confirm"]}.get(state, [])
    if organisation_id == order.provider_id:
        return {
            Order.State.AWAITING_PAYMENT: ["cancel"],
            Order.State.TO_SIGN: ["start-delivery"],
            Order.State.DELIVERING: ["delivered"],
        }.get(state, [])
    return []


# --- Ratings -----------------------------------------------------------------------------------------------------------
@transaction.atomic
def rating_create(*, membership, line_id, stars, text: str = "") -> Rating:
    """One rating per order line of a completed order (1–5 stars, text ≤ 500); the listing's count and sum move
    in the same transaction, under the listing's lock (order → listing)."""
    organisation = buyer_of(membership)
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise DomainError(_("请选择 1 到 5 星。"), code="market.stars", field="stars")
    text = (text or "").strip()
    if len(text) > RATING_TEXT_MAX:
        raise DomainError(
            _("评价内容不能超过 %(max)s 字。") % {"max": RATING_TEXT_MAX}, code="market.text_too_long", field="text"
        )
    order_id = OrderLine.objects.filter(pk=line_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise not_found(_("该订单明细不存在。"), code="market.line_not_found")
    order = lock_order_as(membership, order_id, side="buyer")
    if order.state != Order.State.COMPLETED:
        raise conflict(_("订单完成后才能评价。"), code="market.order_state")
    line = OrderLine.objects.get(pk=line_id)
    if Rating.objects.filter(line=line).exists():
        raise conflict(_("该商品已评价，不能重复评价。"), code="market.already_rated")
    rating = Rating.objects.create(
        line=line, listing_id=line.listing_id, buyer=organisation, author=membership.user, stars=stars, text=text
    )
    lock_objects.listings_lock([line.listing_id])
    Listing.objects.filter(pk=line.listing_id).update(
        rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + stars
    )
    _event(order, "rate", membership.user, f"{line.product_name} · {stars}★")
    return rating


# --- Bank account ------------------------------------------------------------------------------------------------------
@transaction.atomic
def bank_account_save(*, membership, account_name: str, bank_name: str, account_number: str) -> BankAccount:
    """The provider's 收款账户. Orders keep the account they were placed with; a change applies to new orders."""
    organisation = provider_of(membership)
    number = "".join((account_number or "").split())
    if not number.isdigit() or not 8 <= len(number) <= 34:
        raise DomainError(_("请填写 8 到 34 位数字的银行账号。"), code="market.account_number", field="account_number")
    account, _created = BankAccount.objects.update_or_create(
        organisation=organisation,
        defaults={"account_name": account_name.strip(), "bank_name": bank_name.strip(), "account_number": number},
    )
    return account


# --- Telling people ----------------------------------------------------------------------------------------------------
NOTIFIED = {
    "create",
    "proof",
    "proof_approved",
    "proof_returned",
    "proof_rejected",
    "start_delivery",
    "delivered",
    "complete",
    "cancel",
}


def _queue_notify(event: OrderEvent) -> None:
    """In the order's transaction (transactional outbox, ADR 0027): told after commit, or by the relay once the
    broker is back; once per event."""
    from tenant_apps.notifications.outbox import outbox_enqueue

    if event.action in NOTIFIED:
        outbox_enqueue("tenant_apps.marketplace.orders.notify_order_event", event.pk)


def _people(organisation_id: int):
    from tenant_apps.organisations.models import Membership

    return [
        m.user
        for m in Membership.objects.filter(organisation_id=organisation_id, is_active=True, is_sub_account=False)
        .select_related("user")
        .order_by("pk")
    ]


@shared_task(
    name="marketplace.notify_order_event",
    acks_late=True,  # idempotent (source_key per person and event): safe to run again after a lost worker
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=True,
)
def notify_order_event(event_id: int) -> int:
    """Tell the buyer (who ordered) and the provider's main accounts what happened to an order (我的消息; an SMS
    for a payment decision), once per person and event; returns how many were told now."""
    from django.conf import settings
    from django.urls import reverse

    from tenant_apps.notifications.models import Message
    from tenant_apps.notifications.services import message_send_once

    event = OrderEvent.objects.select_related("order__buyer_user").filter(pk=event_id).first()
    if event is None or event.action not in NOTIFIED:
        return 0
    order = event.order
    title = _("订单 %(number)s：%(event)s") % {"number": order.number, "event": event_label(event.action)}
    body = "\n".join(
        part
        for part in (
            _("订单状态：%(state)s") % {"state": order.get_state_display()},
            _("应付金额：%(amount)s 元") % {"amount": order.payable},
            event.note,
        )
        if part
    )
    sms = ""
    if event.action in ("proof_approved", "proof_returned", "proof_rejected"):
        sms = title + _("，详情请登录平台查看。")
    link = reverse("market-order", args=[order.pk], urlconf=settings.ROOT_URLCONF)
    people = {order.buyer_user_id: order.buyer_user}
    for user in _people(order.provider_id):
        people.setdefault(user.pk, user)
    reviewed_applicant = None
    if event.action in ("proof_approved", "proof_returned", "proof_rejected"):
        # The proof's submitter is the engine's applicant: its review notice (message + SMS, with the opinion)
        # already told them, so this would be the same news twice.
        reviewed_applicant = order.proofs.order_by("-id").values_list("submitted_by_id", flat=True).first()
    told = 0
    for user in people.values():
        if user.pk in (event.actor_id, reviewed_applicant):
            continue  # not about what I just did myself, nor what the engine already said
        told += message_send_once(
            user=user,
            source_key=f"market-order:{event.pk}:{user.pk}",
            title=title,
            body=body,
            sms=sms,
            category=Message.Category.SYSTEM,
            link=link,
        )
    return told
