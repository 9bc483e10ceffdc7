"""The provider's voucher page (/workbench/vouchers/usage/): 服务券使用情况, the vouchers enterprises used on its
orders, with the deducted amounts and whether a deduction was given back (order cancelled, payment proof rejected)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.organisations.access import check_module_access
from tenant_apps.vouchers import selectors
from tenant_apps.vouchers.access import MODULE
from tenants.errors import DomainError


def refunded(entry) -> bool:
    """Whether the deduction was given back (its refund reverses it; `reversed_by` is select_related)."""
    return hasattr(entry, "reversed_by")  # a missing reverse one-to-one raises an AttributeError subclass


USAGE = Table(
    columns=(
        Column(gettext_lazy("服务券名称"), "voucher.name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("券号"), "voucher.number", width="11em", name="number"),
        Column(gettext_lazy("买方"), "order.buyer.name", wrap=True, width="11em"),
        Column(gettext_lazy("订单"), template="vouchers/usage/cells/order.html", width="11em", name="order"),
        Column(
            gettext_lazy("抵扣金额（元）"), lambda e: -e.amount, align="end", width="8em", format="money", name="amount"
        ),
        Column(gettext_lazy("时间"), "created_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("是否已退回"), template="vouchers/usage/cells/refunded.html", width="6em", name="refunded"),
    ),
    empty=gettext_lazy("暂无服务券使用记录。"),
    row_attrs=lambda entry: {"data-entry": entry.pk, "data-order": entry.order_id},
)


@login_required
def usage(request):
    """服务券使用情况 (provider): the deductions on its own orders only, newest first, paginated."""
    _module, membership = check_module_access(request, MODULE)
    try:
        entries = selectors.provider_usage(membership)
    except DomainError as error:
        raise PermissionDenied(error.message) from None
    page = paginate(request, entries)
    page.object_list = list(page.object_list)
    for entry in page.object_list:
        entry.refunded = refunded(entry)
    return render(request, "vouchers/usage/list.html", {"page": page, "table": USAGE})
