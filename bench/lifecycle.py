"""A closed city's host and the lifecycle changes themselves (issue #17, Oversight: city lifecycle).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilot_l_bench .venv/bin/python bench/lifecycle.py [--rounds 200]

Prepares the database once (migrations, `harbin` with its demo accounts, a second city `lifebench` from the
Jiangmen preset), suspends `lifebench`, then requests round-robin, so load from other processes falls on every
endpoint alike: harbin's `/api/v1/me/` signed in as `hrb_admin` (the trivial baseline), harbin's portal home, and
the suspended city's portal home, sign-in page and `/api/v1/me/` (its notice and its API refusal). Prints p50 / p95
per endpoint and the ratio to the baseline. Then times `--changes` suspend + resume round trips through the
services (row lock, update, audit entry; one transaction each) against the same baseline's p50.

Never point it at a database you care about: it adds a city and audit entries.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.benchkit import django_ready, migrated, report  # noqa: E402

ACTIVE, CLOSED = "harbin", "lifebench"


def prepare():
    from django.contrib.auth import get_user_model

    from shared_apps.oversight.lifecycle import tenant_suspend
    from tenants.models import Tenant
    from tenants.services import tenant_provision

    migrated()
    if not Tenant.objects.filter(schema_name=ACTIVE).exists():
        print(f"provisioning {ACTIVE} …", flush=True)
        tenant_provision(ACTIVE, with_demo_data=True)
    if not Tenant.objects.filter(schema_name=CLOSED).exists():
        print(f"provisioning {CLOSED} …", flush=True)
        tenant_provision("jiangmen", schema_name=CLOSED, name="基准暂停城市")
    staff, _ = get_user_model().objects.get_or_create(
        username="bench_center", defaults={"mobile": "13899990001", "is_national_staff": True}
    )
    closed = Tenant.objects.get(schema_name=CLOSED)
    if closed.status == Tenant.Status.ACTIVE:
        tenant_suspend(tenant=closed, actor=staff, reason="基准测试：暂停服务")
    return staff


def measure(rounds: int) -> list[tuple[str, list[float]]]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    active = Client(HTTP_HOST=f"{ACTIVE}.{settings.BASE_DOMAIN}")
    active.force_login(get_user_model().objects.get(username="hrb_admin"))
    closed = Client(HTTP_HOST=f"{CLOSED}.{settings.BASE_DOMAIN}")
    endpoints = [
        ("active /api/v1/me/ (baseline)", active, "/api/v1/me/", 200),
        ("active portal home", active, "/", 200),
        ("suspended portal home (notice)", closed, "/", 503),
        ("suspended sign-in page (notice)", closed, "/accounts/login/", 503),
        ("suspended /api/v1/me/ (JSON 503)", closed, "/api/v1/me/", 503),
    ]
    for _label, client, url, status in endpoints:  # warm up: templates, caches, the first connection
        for _ in range(3):
            assert client.get(url).status_code == status, url
    timings: dict[str, list[float]] = {label: [] for label, *_rest in endpoints}
    for _ in range(rounds):
        for label, client, url, status in endpoints:
            started = time.perf_counter()
            response = client.get(url)
            timings[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == status, (url, response.status_code)
    connection.set_schema_to_public()
    return [(label, timings[label]) for label, *_rest in endpoints]


def changes(staff, count: int) -> list[float]:
    from shared_apps.oversight.lifecycle import tenant_resume, tenant_suspend
    from tenants.models import Tenant

    tenant = Tenant.objects.get(schema_name=ACTIVE)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        tenant_suspend(tenant=tenant, actor=staff, reason="基准测试：暂停服务")
        tenant_resume(tenant=tenant, actor=staff)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="requests per endpoint (default 200)")
    parser.add_argument("--changes", type=int, default=50, help="suspend + resume round trips (default 50)")
    args = parser.parse_args()
    if not django_ready("pilot_l_bench"):
        return 2
    staff = prepare()
    results = measure(args.rounds)
    print(f"{args.rounds} rounds")
    report([*results, ("suspend + resume (services, audited)", changes(staff, args.changes))], base="×me")
    return 0


if __name__ == "__main__":
    sys.exit(main())
