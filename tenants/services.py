"""Provisioning: the public tenant, the template schema, and tenants cloned from it and configured from presets.

New schemas are copies of `tenant_template` (tenants.schema_copy, migration records included), so creating a tenant
costs well under a second instead of replaying every migration (docs/provisioning.md has the measurements). What
goes into a schema is up to the apps above: each registers a step (tenants/provisioning_steps.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from tenants.errors import DomainError
from tenants.models import Domain, Tenant
from tenants.presets import Preset, load_preset
from tenants.provisioning_steps import ProvisionContext, steps_run

TEMPLATE_SCHEMA = settings.TENANT_BASE_SCHEMA
RESERVED_SCHEMAS = {"public", TEMPLATE_SCHEMA, "www", "api", "admin", "static", "media", "information_schema"}
SCHEMA_RE = re.compile(r"^[a-z][a-z0-9]{1,29}$")
DEMO_PASSWORD = "Pilot#2026"  # every demo account's (the organisations app's provisioning step sets it)


@dataclass(frozen=True)
class ProvisionResult:
    tenant: Tenant
    created: bool
    seconds: float


def tenant_host(subdomain: str) -> str:
    return f"{subdomain}.{settings.BASE_DOMAIN}"


def tenant_url(tenant: Tenant) -> str:
    """The tenant's home URL. Query-free when the caller prefetched `domains` (every list does: the console,
    member_cities, the demo's summary); otherwise one query. `domains.all()` rather than get_primary_domain(), which
    ignores a prefetch: the demo's 1,015 calls at 203 tenants were 1,015 queries."""
    domain = next((d for d in tenant.domains.all() if d.is_primary), None)
    host = domain.domain if domain else tenant_host(tenant.schema_name)
    port = "" if settings.PUBLIC_PORT in {"80", "443", ""} else f":{settings.PUBLIC_PORT}"
    return f"{settings.PUBLIC_SCHEME}://{host}{port}/"


def validate_schema_name(schema_name: str) -> None:
    if not SCHEMA_RE.match(schema_name or ""):
        raise DomainError(
            _("标识须以小写字母开头，只含小写字母和数字，长度 2–30。"),
            code="provisioning.bad_schema",
            field="schema_name",
        )
    if schema_name in RESERVED_SCHEMAS:
        raise DomainError(
            _("“%(name)s”是保留标识，请换一个。") % {"name": schema_name},
            code="provisioning.reserved_schema",
            field="schema_name",
        )


@transaction.atomic
def public_tenant_ensure() -> Tenant:
    """The public tenant row and the base domain that serves the national console."""
    tenant, _created = Tenant.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={"name": "国家中小企业数字化转型促进中心", "kind": Tenant.Kind.PUBLIC},
    )
    Domain.objects.get_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True})
    return tenant


def template_ensure() -> Tenant:
    """The schema every tenant is cloned from. It is a Tenant row so `migrate_schemas` keeps it current."""
    tenant = Tenant.objects.filter(schema_name=TEMPLATE_SCHEMA).first()
    if tenant is None:
        tenant = Tenant(schema_name=TEMPLATE_SCHEMA, name="租户模板", kind=Tenant.Kind.TEMPLATE)
        tenant.save(verbosity=0)  # no template yet: this one schema is built by migrating
    elif not schema_exists(TEMPLATE_SCHEMA):
        tenant.create_schema(check_if_exists=True, verbosity=0)
    return tenant


def tenant_provision(
    preset: Preset | str,
    *,
    schema_name: str | None = None,
    name: str | None = None,
    subdomain: str | None = None,
    with_demo_data: bool = False,
    update_existing: bool = True,
    overrides: Mapping | None = None,
    administrators: Sequence[int] = (),
) -> ProvisionResult:
    """Create or update a tenant from a preset. Idempotent: a second run changes nothing and copies nothing.

    With `update_existing=False` an existing tenant keeps its configuration as its admins left it (the demo's
    restart): only the steps registered for existing tenants run (a portal tree where there is none, missing demo
    accounts). `with_demo_data` adds the preset's demo accounts and its demo articles (a city cloned from another
    city's preset must not start with that city's notices).

    A city created from another city's preset gets the preset's defaults without the tables naming that city
    (`Preset.data_for`). `overrides` replaces top-level preset tables for this tenant (the console's
    `identity` and `pilot_period`); `administrators` are identity ids the organisations step makes city admins."""
    started = time.perf_counter()
    preset = load_preset(preset) if isinstance(preset, str) else preset
    schema_name = schema_name or preset.schema_name
    subdomain = subdomain or (preset.subdomain if schema_name == preset.schema_name else schema_name)
    name = name or preset.name
    validate_schema_name(schema_name)
    host = tenant_host(subdomain)
    taken = Domain.objects.filter(domain=host).exclude(tenant__schema_name=schema_name).exists()
    if taken:
        raise DomainError(
            _("域名 %(host)s 已被其他租户使用。") % {"host": host}, code="provisioning.host_taken", field="subdomain"
        )

    public_tenant_ensure()
    template_ensure()
    tenant = Tenant.objects.filter(schema_name=schema_name).first()
    created = tenant is None
    if not created and not update_existing:
        context = ProvisionContext(
            tenant=tenant,
            host=host,
            site_name=tenant.name,
            with_demo_data=with_demo_data,
            administrators=tuple(administrators),
        )
        with schema_context(tenant.schema_name):
            steps_run(preset.data_for(schema_name), context, existing=True)
        connection.set_schema_to_public()
        return ProvisionResult(tenant=tenant, created=False, seconds=time.perf_counter() - started)
    if created:
        tenant = Tenant(schema_name=schema_name)
    tenant.name = name
    tenant.short_name = preset.short_name if name == preset.name else name[:30]
    tenant.preset = preset.code
    tenant.kind = Tenant.Kind.TENANT
    if created:
        tenant.modules = list(preset.modules)
        tenant.publishes_nationwide = bool(preset.data.get("portal", {}).get("nationwide_notices", False))
    tenant.save(verbosity=0)  # a new row clones the template schema here
    Domain.objects.get_or_create(domain=host, defaults={"tenant": tenant, "is_primary": True})

    data = {**preset.data_for(schema_name), **(overrides or {}), "name": name, "short_name": tenant.short_name}
    context = ProvisionContext(
        tenant=tenant, host=host, site_name=name, with_demo_data=with_demo_data, administrators=tuple(administrators)
    )
    with schema_context(tenant.schema_name):
        steps_run(data, context)
    connection.set_schema_to_public()
    return ProvisionResult(tenant=tenant, created=created, seconds=time.perf_counter() - started)
