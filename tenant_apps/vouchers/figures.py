"""What the national console shows of this city's service vouchers: vouchers issued, vouchers used at least once
and the amount deducted net of refunds. Two aggregate statements; registered with
`shared_apps.oversight.services.register_figures` in the app's ready()."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Sum


def console_figures() -> dict:
    from tenant_apps.vouchers.models import LedgerEntry, Voucher

    kinds = LedgerEntry.Kind
    deducted = LedgerEntry.objects.filter(voucher=OuterRef("pk"), kind=kinds.DEDUCT)
    vouchers = Voucher.objects.aggregate(issued=Count("id"), redeemed=Count("id", filter=Exists(deducted)))
    # Deductions are negative, refunds positive: the amount used is minus their sum.
    used = LedgerEntry.objects.filter(kind__in=[kinds.DEDUCT, kinds.REFUND]).aggregate(total=Sum("amount"))
    return {
        "vouchers_issued": vouchers["issued"],
        "vouchers_redeemed": vouchers["redeemed"],
        "vouchers_redeemed_amount": -(used["total"] or Decimal("0.00")) + Decimal("0.00"),
    }
