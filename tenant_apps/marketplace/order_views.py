"""Pages of buying (/workbench/market/…): 购物车, 确认订单, 我的订单 and an order's page (buyer and provider), 订单管理,
客户评价, 收款账户, and the access-checked download of a payment proof's files. Thin: services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.marketplace import deductions, orders, payments
from tenant_apps.marketplace import order_forms as forms
from tenant_apps.marketplace.models import Order
from tenant_apps.organisations.access import check_module_access
from tenants.errors import DomainError, attach_error

MODULE = "marketplace"


def _member(request):
    _module, membership = check_module_access(request, MODULE)
    return membership


def _as(request, side: str):
    """The caller's membership when their organisation is a certified buyer / provider; a 403 page otherwise."""
    membership = _member(request)
    try:
        orders.buyer_of(membership) if side == "buyer" else orders.provider_of(membership)
    except DomainError as error:
        raise PermissionDenied(error.message) from None
    return membership


def _lines(order) -> str:
    return "；".join(f"{line.product_name}（{line.spec_name}）× {line.quantity}" for line in order.lines.all())


def _modes(order) -> str:
    return "、".join(dict.fromkeys(line.get_purchase_mode_display() for line in order.lines.all()))


ORDER_NUMBER = Column(
    gettext_lazy("订单编号"), template="marketplace/orders/cells/number.html", width="11em", primary=True
)
STATE = Column(gettext_lazy("订单状态"), template="marketplace/orders/cells/state.html", width="8em", name="state")
PAYMENT = Column(gettext_lazy("支付状态"), template="marketplace/orders/cells/payment.html", width="7em")
CREATED = Column(gettext_lazy("下单时间"), "created_at", format="datetime", width="9.5em", name="created")

# 我的订单 (enterprise)
BUYER_ORDERS = Table(
    columns=(
        ORDER_NUMBER,
        Column(gettext_lazy("商品"), _lines, wrap=True, name="title"),
        Column(gettext_lazy("类型"), _modes, width="6em"),
        Column(gettext_lazy("服务商"), "provider.name", wrap=True, width="10em"),
        PAYMENT,
        STATE,
        Column(gettext_lazy("订单金额（元）"), "total", align="end", width="8em", name="total", format="money"),
        CREATED,
        Column(gettext_lazy("操作"), template="marketplace/orders/cells/actions.html", width="5em", name="actions"),
    ),
    empty=gettext_lazy("暂无订单。"),
    row_attrs=lambda order: {"data-order": order.pk},
)

# 订单管理 (provider)
PROVIDER_ORDERS = Table(
    columns=(
        ORDER_NUMBER,
        Column(gettext_lazy("商品"), _lines, wrap=True, name="title"),
        Column(gettext_lazy("买方"), "buyer.name", wrap=True, width="10em"),
        Column(gettext_lazy("订单金额（元）"), "total", align="end", width="8em", name="total", format="money"),
        Column(gettext_lazy("服务券抵扣（元）"), "deduction", align="end", width="8em", format="money"),
        Column(
            gettext_lazy("实付金额（元）"),
            lambda order: order.payable if order.payment == Order.Payment.PAID else "—",
            align="end",
            width="8em",
            format="money",
        ),
        PAYMENT,
        STATE,
        CREATED,
        Column(gettext_lazy("操作"), template="marketplace/orders/cells/actions.html", width="5em", name="actions"),
    ),
    empty=gettext_lazy("暂无订单。"),
    row_attrs=lambda order: {"data-order": order.pk},
)

# 客户评价 (provider)
RATINGS = Table(
    columns=(
        Column(gettext_lazy("商品"), "line.product_name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("规格"), "line.spec_name", width="8em"),
        Column(gettext_lazy("评价单位"), "buyer.name", wrap=True, width="10em"),
        Column(gettext_lazy("评分"), lambda r: "★" * r.stars + "☆" * (5 - r.stars), width="6em", name="stars"),
        Column(gettext_lazy("评价内容"), "text", wrap=True, name="text"),
        Column(gettext_lazy("评价时间"), "created_at", format="datetime", width="9.5em"),
    ),
    empty=gettext_lazy("暂无评价。"),
)


# --- Cart ------------------------------------------------------------------------------------------------------------
@login_required
def cart(request):
    membership = _as(request, "buyer")
    form = None
    if request.method == "POST":
        form = forms.CartQuantityForm(request.POST)
        if form.is_valid():
            item, quantity = form.cleaned_data["item"], form.cleaned_data["quantity"]
            try:
                if request.POST.get("do") == "remove":
                    orders.cart_remove(membership=membership, item_id=item)
                    messages.success(request, _("已从购物车移除。"))
                else:
                    orders.cart_set_quantity(membership=membership, item_id=item, quantity=quantity)
                    messages.success(request, _("数量已更新。"))
                return redirect("market-cart")
            except DomainError as error:
                attach_error(form, error)
        elif request.POST.get("do") == "remove" and str(request.POST.get("item", "")).isdigit():
            try:
                orders.cart_remove(membership=membership, item_id=request.POST["item"])
                messages.success(request, _("已从购物车移除。"))
                return redirect("market-cart")
            except DomainError as error:
                attach_error(form, error)
    items = list(orders.cart_items(membership))
    for item in items:
        item.amount = orders.line_amount(item.spec.unit_price, item.quantity)
    total = sum((item.amount for item in items if item.available), orders.ZERO)
    context = {"items": items, "total": total, "form": form, "quantity_max": orders.QUANTITY_MAX}
    return render(request, "marketplace/orders/cart.html", context, status=400 if form and form.errors else 200)


def _back_to_product(request, error: DomainError):
    messages.error(request, error.message)
    referer = request.headers.get("referer", "")
    if referer.startswith("/") or referer.startswith(request.build_absolute_uri("/")):
        return redirect(referer)
    return redirect("market-cart")


@login_required
def cart_add(request):
    """The product page posts `spec` and `quantity` here (a GET after signing in lands in the cart)."""
    membership = _as(request, "buyer")
    if request.method != "POST":
        return redirect("market-cart")
    try:
        orders.cart_add(membership=membership, spec_id=request.POST.get("spec"), quantity=request.POST.get("quantity"))
    except DomainError as error:
        return _back_to_product(request, error)
    messages.success(request, _("已加入购物车。"))
    return redirect("market-cart")


@login_required
def buy_now(request):
    """The product page posts `spec` and `quantity` here; the buyer confirms the order on the next page."""
    data = request.POST if request.method == "POST" else request.GET
    membership = _as(request, "buyer")
    try:
        orders.checkout_preview(membership, spec_id=data.get("spec"), quantity=data.get("quantity"))
    except DomainError as error:
        return _back_to_product(request, error)
    query = urlencode({"spec": data.get("spec"), "quantity": data.get("quantity")})
    return redirect(f"{reverse('market-order-confirm')}?{query}")


def _voucher_choices(source) -> dict[str, str] | None:
    """The confirm form's 服务券 radios, `voucher-<provider id>` → a voucher id or "" (不使用服务券); None when the
    form had none (the preview then preselects the best offer per order)."""
    choices = {
        key.removeprefix("voucher-"): source.get(key, "")
        for key in source
        if key.startswith("voucher-") and key.removeprefix("voucher-").isdigit()
    }
    return choices or None


@login_required
def order_confirm(request):
    """确认订单: what will be ordered, per provider (product, spec, quantity, unit price, totals, bank account), and
    the 服务券 to deduct from each order (offers best first, 不使用服务券; 重新计算 re-posts the preview)."""
    membership = _as(request, "buyer")
    source = request.POST if request.method == "POST" else request.GET
    spec_id, quantity = source.get("spec") or None, source.get("quantity")
    item_ids = [i for i in source.getlist("items") if str(i).isdigit()] or None
    choices = _voucher_choices(source)
    form = forms.ConfirmForm(request.POST or None)
    drafts, refusal, voucher_error = [], None, ""
    try:
        drafts = orders.checkout_preview(
            membership, spec_id=spec_id, quantity=quantity, item_ids=item_ids, choices=choices
        )
    except DomainError as error:
        refusal = error.message
    placing = request.method == "POST" and request.POST.get("do") != "preview"
    if placing and refusal is None and form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if spec_id is not None:
                voucher = (choices or {}).get(str(drafts[0].provider.pk)) if drafts else None
                created = [
                    orders.buy_now(
                        membership=membership, spec_id=spec_id, quantity=quantity, note=note, voucher=voucher or None
                    )
                ]
            else:
                created = orders.checkout(membership=membership, item_ids=item_ids, note=note, vouchers=choices)
        except DomainError as error:
            if error.field == "voucher":  # shown with the 服务券 choices, as typed
                voucher_error = error.message
            else:
                attach_error(form, error)
        else:
            messages.success(request, _("订单已提交，请按订单中的收款账户转账后上传支付凭证。"))
            if len(created) == 1:
                return redirect("market-order", created[0].pk)
            return redirect("market-orders")
    for draft in drafts:  # each option with what the order would then cost
        draft.offer_rows = [(offer, draft.total - offer.deduction) for offer in draft.offers]
    context = {
        "drafts": drafts,
        "refusal": refusal,
        "form": form,
        "spec": spec_id,
        "quantity": quantity,
        "item_ids": item_ids or [],
        "grand_total": sum((d.payable for d in drafts), orders.ZERO),
        "voucher_error": voucher_error,
        "cap_note": deductions.cap_note() if any(d.offers for d in drafts) else "",
    }
    status = 400 if (form.errors or voucher_error or (refusal and request.method == "POST")) else 200
    return render(request, "marketplace/orders/confirm.html", context, status=status)


# --- Orders ------------------------------------------------------------------------------------------------------------
def _order_list(request, queryset, table, template: str):
    filters = forms.OrderFilterForm(request.GET or None)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    page = paginate(request, orders.order_list(queryset, state=state))
    page.object_list = list(page.object_list)
    for order in page.object_list:  # the kit knows the engine's tones only; orders bring theirs
        order.state_tone = orders.STATE_TONES.get(order.state, "info")
        order.payment_tone = orders.STATE_TONES.get(order.payment, "info")
    return render(request, template, {"page": page, "table": table, "filters": filters})


@login_required
def my_orders(request):
    """我的订单 (enterprise)."""
    membership = _as(request, "buyer")
    return _order_list(request, orders.orders_of_buyer(membership), BUYER_ORDERS, "marketplace/orders/list.html")


@login_required
def sales(request):
    """订单管理 (provider)."""
    membership = _as(request, "provider")
    return _order_list(request, orders.orders_of_provider(membership), PROVIDER_ORDERS, "marketplace/orders/sales.html")


def _timeline(order) -> list[dict]:
    items = []
    for event in order.events.all():
        who = event.actor.get_full_name() or event.actor.username if event.actor else ""
        items.append(
            {
                "title": orders.event_label(event.action),
                "state": {"cancel": "cancelled", "proof_returned": "return", "proof_approved": "approve"}.get(
                    event.action, "done"
                ),
                "meta": " · ".join(
                    p for p in (timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M"), who) if p
                ),
                "body": event.note,
            }
        )
    return items


@login_required
def order_detail(request, pk: int):
    """An order's page for its buyer and its provider; the actions each side may take now are posted here."""
    membership = _member(request)
    try:
        order = orders.access_order(membership, pk)
    except DomainError:
        raise Http404 from None
    organisation_id = membership.organisation_id
    is_buyer = organisation_id == order.buyer_id
    allowed = orders.order_actions(order, organisation_id)
    do = request.POST.get("do", "") if request.method == "POST" else ""
    cancel_form = forms.CancelForm(request.POST if do == "cancel" else None, initial={"version": order.version})
    proof_form = forms.ProofForm(
        request.POST if do == "pay" else None,
        request.FILES if do == "pay" else None,
        initial={"version": order.version},
    )
    rating_form = forms.RatingForm(request.POST if do == "rate" else None)
    failed = None
    if request.method == "POST":
        if do not in allowed and do not in ("rate",):
            failed = forms.VersionedForm(request.POST)
            failed.is_valid()
            attach_error(failed, orders.wrong_state(order))
        else:
            form = {"cancel": cancel_form, "pay": proof_form, "rate": rating_form}.get(do) or forms.VersionedForm(
                request.POST
            )
            if form.is_valid():
                data = form.cleaned_data
                try:
                    if do == "pay":
                        payments.proof_upload(
                            membership=membership,
                            order_id=order.pk,
                            files=data["files"],
                            expected_version=data["version"],
                        )
                        messages.success(request, _("支付凭证已提交，请等待运营审核。"))
                    elif do == "rate":
                        orders.rating_create(
                            membership=membership, line_id=data["line"], stars=data["stars"], text=data["text"]
                        )
                        messages.success(request, _("感谢您的评价。"))
                    elif do == "cancel":
                        orders.order_cancel(
                            membership=membership,
                            order_id=order.pk,
                            reason=data["reason"],
                            expected_version=data["version"],
                        )
                        messages.success(request, _("订单已取消。"))
                    else:
                        orders.ACTIONS[do](membership=membership, order_id=order.pk, expected_version=data["version"])
                        messages.success(request, _("操作成功。"))
                    return redirect("market-order", order.pk)
                except DomainError as error:
                    attach_error(form, error)
            failed = form
    proof = payments.latest_proof(order)
    returned = None
    if order.payment == Order.Payment.REJECTED:
        returned = next((e for e in reversed(list(order.events.all())) if e.action == "proof_returned"), None)
    account = order.bank_account or {}
    context = {
        "order": order,
        "is_buyer": is_buyer,
        "allowed": allowed,
        "cancel_form": cancel_form,
        "proof_form": proof_form,
        "rating_form": rating_form,
        "failed": failed,
        "proof": proof,
        "proof_files": list(proof.files.all()) if proof else [],
        "returned": returned,
        "timeline": _timeline(order),
        "state_tone": orders.STATE_TONES.get(order.state, "info"),
        "payment_tone": orders.STATE_TONES.get(order.payment, "info"),
        "bank_rows": [
            (_("户名"), account.get("account_name", "")),
            (_("开户行"), account.get("bank_name", "")),
            (_("账号"), account.get("account_number", "")),
        ],
        "can_rate": is_buyer and order.state == Order.State.COMPLETED,
        "vouchers_used": deductions.used_on(order),
    }
    status = 400 if failed is not None and failed.errors else 200
    return render(request, "marketplace/orders/detail.html", context, status=status)


@login_required
def proof_file(request, pk: int, file_pk: int):
    """A proof's file, for the order's buyer and provider and the proof's reviewers; 404 for anyone else."""
    item = payments.access_proof_file(_member(request), pk, file_pk)
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, filename=item.original_name, as_attachment=True
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Provider extras ---------------------------------------------------------------------------------------------------
@login_required
def reviews(request):
    """客户评价: what buyers said about the provider's products."""
    membership = _as(request, "provider")
    page = paginate(request, orders.ratings_of_provider(membership))
    return render(request, "marketplace/orders/reviews.html", {"page": page, "table": RATINGS})


MY_RATINGS = Table(
    columns=(
        Column(gettext_lazy("商品"), "line.product_name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("规格"), "line.spec_name", width="8em"),
        Column(gettext_lazy("订单编号"), "line.order.number", width="12em", name="order"),
        Column(gettext_lazy("评分"), lambda r: "★" * r.stars + "☆" * (5 - r.stars), width="6em", name="stars"),
        Column(gettext_lazy("评价内容"), "text", wrap=True, name="text"),
        Column(gettext_lazy("评价时间"), "created_at", format="datetime", width="9.5em"),
    ),
    empty=gettext_lazy("您还没有评价过商品。订单完成后可在订单详情中评价。"),
)


@login_required
def my_ratings(request):
    """我的评价: what the buyer's organisation said about the products it bought."""
    membership = _as(request, "buyer")
    page = paginate(request, orders.ratings_of_buyer(membership))
    context = {"page": page, "table": MY_RATINGS, "title": _("我的评价")}
    return render(request, "marketplace/orders/reviews.html", context)


@login_required
def bank_account(request):
    """收款账户: where buyers transfer the money of new orders."""
    membership = _as(request, "provider")
    account = orders.bank_account_of(membership.organisation)
    initial = orders.bank_account_snapshot(account) if account else None
    form = forms.BankAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            orders.bank_account_save(membership=membership, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("收款账户已保存。新订单将使用该账户。"))
            return redirect("market-bank-account")
    return render(
        request,
        "marketplace/orders/bank_account.html",
        {"form": form, "account": account},
        status=400 if form.errors else 200,
    )
