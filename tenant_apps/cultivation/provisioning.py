"""What provisioning sets up for cultivation: the tiers from the preset's `[cultivation]` table and, for each sector
without an active questionnaire, the bundled questionnaire (`questionnaires/<sector>.json`). Runs only where the
tenant has the module; re-running updates tiers and leaves loaded questionnaires alone."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent / "questionnaires"


def cultivation_provision(data: dict, context, *, overwrite: bool = True) -> None:
    if "cultivation" not in data.get("modules", []) or not data.get("cultivation"):
        return
    tiers_apply(data["cultivation"]["tiers"], overwrite=overwrite)
    questionnaires_bundled_load()


def cultivation_provision_existing(data: dict, context) -> None:
    """A tenant kept as its admins left it: only what is missing (a tier, a sector's questionnaire) is added."""
    cultivation_provision(data, context, overwrite=False)


@transaction.atomic
def tiers_apply(tiers: list[dict], *, overwrite: bool = True) -> None:
    from tenant_apps.cultivation.models import Tier

    for position, spec in enumerate(tiers):
        (Tier.objects.update_or_create if overwrite else Tier.objects.get_or_create)(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "requires_assessment": spec.get("requires_assessment", False),
                "valid_years": spec.get("valid_years", 3),
                "certificate_prefix": spec["certificate_prefix"],
                "indicators": spec["indicators"],
                "position": position,
            },
        )


def questionnaires_bundled_load() -> None:
    """Load the bundled questionnaire of every sector that has none active yet."""
    from tenant_apps.cultivation.models import Questionnaire
    from tenant_apps.cultivation.questionnaire_services import questionnaire_load

    for path in sorted(QUESTIONNAIRE_DIR.glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        if not Questionnaire.objects.filter(sector=definition["sector"], is_active=True).exists():
            questionnaire_load(definition)
