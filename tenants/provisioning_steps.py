"""Provisioning steps: what each app sets up inside a tenant's schema, registered from its `AppConfig.ready()`.

`tenants` is the base layer and imports none of the apps above it, so `tenant_provision` does not know what a
tenant needs: each app registers the step it owns with an order, and provisioning runs the steps in that order
inside the tenant's schema. Orders in use: 10 configuration, 20 flows, 30 profile fields, 35 marketplace taxonomy,
40 portal tree, 45 editors' and approvers' rights and moderation, 50 nationwide notices, 60 demo accounts, 65
administrators, 70 demo certifications, 75 demo applications, 80 marketplace demo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from tenants.models import Tenant


@dataclass(frozen=True)
class ProvisionContext:
    tenant: Tenant
    host: str
    site_name: str
    with_demo_data: bool  # the preset's demo accounts and demo articles too
    administrators: tuple[int, ...] = ()  # identities (accounts.User ids) to make this city's administrators


StepFn = Callable[[dict, ProvisionContext], None]


@dataclass(frozen=True)
class Step:
    name: str
    order: int
    run: StepFn
    on_existing: StepFn | None  # for a tenant that keeps its configuration (update_existing=False); None: skip


_steps: dict[str, Step] = {}


def register_step(name: str, fn: StepFn, *, order: int, on_existing: StepFn | None = None) -> None:
    """`fn(preset_data, context)` runs when a tenant is created or updated from its preset; `on_existing` instead
    when an existing tenant is kept as its admins left it (the demo's restart). Registering a name again replaces
    it; two steps may not share an order, so the sequence never depends on which app happened to load first."""
    clash = next((step.name for step in _steps.values() if step.order == order and step.name != name), None)
    if clash:
        raise ImproperlyConfigured(f"Provisioning steps {clash!r} and {name!r} both have order {order}.")
    _steps[name] = Step(name=name, order=order, run=fn, on_existing=on_existing)


def registered_steps() -> list[Step]:
    return sorted(_steps.values(), key=lambda step: step.order)


def steps_run(preset_data: dict, context: ProvisionContext, *, existing: bool = False) -> None:
    """Every registered step in order, in the schema the caller has set."""
    for step in registered_steps():
        fn = step.on_existing if existing else step.run
        if fn is not None:
            fn(preset_data, context)
