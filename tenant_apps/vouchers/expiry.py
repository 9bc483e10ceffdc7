"""Expiry: a voucher past its validity keeps nothing. A daily job per tenant writes one 过期 entry for what was
left (balance → 0), so the ledger still sums to the balance and reports see expired money as such. A deduction
refunded after expiry (an order cancelled late) is expired again by the next run."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.vouchers import ledger, lock_objects
from tenant_apps.vouchers.models import LedgerEntry, Voucher


def expire_due(today=None) -> int:
    today = today or timezone.localdate()
    count = 0
    for voucher_id in Voucher.objects.filter(valid_to__lt=today, balance__gt=0).values_list("pk", flat=True):
        with transaction.atomic():
            voucher = lock_objects.voucher_lock(voucher_id)
            if voucher is None or voucher.balance <= 0 or voucher.valid_to >= today:
                continue
            ledger.post(voucher, LedgerEntry.Kind.EXPIRE, -voucher.balance, note=_("有效期已过"))
            Voucher.objects.filter(pk=voucher.pk).update(expired_at=timezone.now())
            count += 1
    return count


@shared_task(name="vouchers.expire_due")
def expire_due_task() -> int:
    return expire_due()
