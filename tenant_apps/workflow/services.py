"""Writes to review-chain configuration. Run inside the tenant's schema."""

from django.db import transaction

from tenant_apps.workflow.models import Flow, Stage


@transaction.atomic
def flows_apply(flows: dict[str, dict]) -> None:
    """Create or update one Flow per application kind; its stages become exactly the ones given."""
    for kind, spec in flows.items():
        flow, _ = Flow.objects.update_or_create(kind=kind, defaults={"name": spec["name"]})
        stages = spec.get("stages", [])
        flow.stages.filter(position__gt=len(stages)).delete()
        for position, stage in enumerate(stages, start=1):
            Stage.objects.update_or_create(
                flow=flow,
                position=position,
                defaults={
                    "name": stage["name"],
                    "handler": stage.get("handler", Stage.Handler.ROLE),
                    "role": stage.get("role", ""),
                    "actions": stage.get("actions", [Stage.Action.APPROVE]),
                },
            )
