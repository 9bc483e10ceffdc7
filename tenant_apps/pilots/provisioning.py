"""The preset's `[[admission_defects]]` become the tenant's `DefectRule` rows (the city admin tunes them after)."""

from __future__ import annotations

from tenant_apps.pilots.models import DefectRule


def defect_rules_provision(preset_data: dict, context) -> None:
    for row in preset_data.get("admission_defects") or []:
        DefectRule.objects.update_or_create(
            code=row["code"],
            defaults={
                "enabled": row.get("enabled", True),
                "blocking": row.get("blocking", True),
                "threshold": row.get("threshold"),
            },
        )


def defect_rules_provision_if_missing(preset_data: dict, context) -> None:
    if not DefectRule.objects.exists():
        defect_rules_provision(preset_data, context)
