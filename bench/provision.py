"""Cities provisioned one after another in one process: does the time per city stay flat? (issue #17)

    DATABASE_URL=postgres://…/pilot_bench .venv/bin/python bench/provision.py --cities 300

Creates cities `bench0001`… from the Harbin preset with `tenant_provision` (the service the console and
`provision_tenant` call), each in its own transaction like the console's `city_create`, and prints the first-20 and
last-20 averages and their ratio (the baseline: the first cities of the same run). `--drop` removes them at the end;
`--reuse-backend` keeps one PostgreSQL backend for every clone (the behaviour before ADR 0025) and
`--function-clone` clones with django-tenants' PL/pgSQL `clone_schema` instead of the catalog copy (before ADR 0030).
Run it against a database of its own: the cities stay unless `--drop`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cities", type=int, default=300)
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--preset", default="harbin")
    parser.add_argument("--drop", action="store_true", help="drop the cities created by this run at the end")
    parser.add_argument("--reuse-backend", action="store_true", help="one backend for every clone (before the fix)")
    parser.add_argument("--function-clone", action="store_true", help="django-tenants' clone_schema (before ADR 0030)")
    parser.add_argument("--window", type=int, default=20, help="how many first and last cities to average")
    args = parser.parse_args()

    from bench.benchkit import django_ready, migrated

    if not django_ready("pilot_bench"):
        raise SystemExit(2)
    from django.db import connection, transaction

    from tenants import models as tenant_models
    from tenants.models import Tenant
    from tenants.services import template_ensure, tenant_provision

    migrated()
    template_ensure()  # built by migrating, outside the per-city transactions below
    if args.reuse_backend:
        tenant_models.FRESH_BACKEND_PER_CLONE = False
    if args.function_clone:
        tenant_models.schema_copy = lambda source, target: False
    existing = set(Tenant.objects.filter(schema_name__startswith=args.prefix).values_list("schema_name", flat=True))
    seconds, backend_seconds, created = [], [], []

    def backend_cpu() -> float | None:
        """CPU seconds this connection's PostgreSQL backend has used, when the server runs on this machine: unlike
        wall time it does not depend on what else the (shared) machine is doing."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    number = 0
    while len(seconds) < args.cities:
        number += 1
        schema = f"{args.prefix}{number:04d}"
        if schema in existing:
            continue
        started = time.perf_counter()
        with transaction.atomic():  # one backend from here to the commit, whichever mode
            backend = backend_cpu()
            tenant_provision(args.preset, schema_name=schema, name=f"基准城市{number:04d}")
            backend_seconds.append(backend_cpu() - backend if backend is not None else 0.0)
        seconds.append(time.perf_counter() - started)
        created.append(schema)
        print(f"  {len(seconds):4d} {schema}: {seconds[-1]:.2f} s, backend CPU {backend_seconds[-1]:.2f} s", flush=True)

    window = min(args.window, len(seconds))
    first, last = statistics.mean(seconds[:window]), statistics.mean(seconds[-window:])
    total = Tenant.objects.count()
    print(
        f"provisioned {len(seconds)} cities ({total} tenant rows now), reuse_backend={args.reuse_backend}, "
        f"function_clone={args.function_clone}"
    )
    print(
        f"first {window}: {first:.2f} s/city   last {window}: {last:.2f} s/city   ratio last/first {last / first:.2f}"
    )
    cpu_first, cpu_last = statistics.mean(backend_seconds[:window]), statistics.mean(backend_seconds[-window:])
    if cpu_first:
        print(
            f"PostgreSQL backend CPU per city: first {window}: {cpu_first:.2f} s   last {window}: {cpu_last:.2f} s"
            f"   ratio {cpu_last / cpu_first:.2f}"
        )
    print(f"max {max(seconds):.2f} s, median {statistics.median(seconds):.2f} s, total {sum(seconds):.0f} s")
    if args.drop:
        for schema in created:
            Tenant.objects.filter(schema_name=schema).delete()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        print(f"dropped {len(created)} cities")


if __name__ == "__main__":
    main()
