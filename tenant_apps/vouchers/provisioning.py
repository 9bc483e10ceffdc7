"""The preset's `[vouchers]` table becomes the tenant's `VoucherRules` row (operations edit it afterwards)."""

from __future__ import annotations

from decimal import Decimal

from tenant_apps.vouchers.models import VoucherRules


def rules_provision(preset_data: dict, context) -> None:
    table = preset_data.get("vouchers") or {}
    VoucherRules.objects.update_or_create(
        pk=1,
        defaults={
            "cap_ratio": Decimal(str(table.get("cap_ratio", "0.30"))),
            "grab_per_minute": int(table.get("grab_per_minute", 20)),
        },
    )


def rules_provision_if_missing(preset_data: dict, context) -> None:
    if not VoucherRules.objects.exists():
        rules_provision(preset_data, context)
