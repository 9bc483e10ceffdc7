"""The national console at 300 cities (issue #17, row 6: p95 ≤ 100 ms with the richer figures).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilot_d_bench .venv/bin/python bench/console.py [--tenants 300]

Prepares the database once: the shared schema migrated (`migrate_schemas --shared`), the public tenant, a national
staff identity, then `--tenants` city rows with their roll-ups (every figure, a five-stage backlog, three anchor
units, three cultivation tiers) and 90 days of daily snapshots. The cities are Tenant rows **without schemas**: the
console reads public tables only (the roll-ups, the snapshots, the audit trail), never a tenant schema, so a city's
schema would change nothing it measures. Never run `migrate_schemas` on this database afterwards (it would look for
those schemas); never point it at a database you care about.

Then requests, round-robin so load from other processes falls on every endpoint alike: an unknown city's page (the
trivial baseline: same host, session, sign-in, one query, the 404 page), the console home (page 1, 20 a page),
a filtered and sorted page of 50, a page of 100, the last page, one city's page, and the XLSX export of every city. Prints
p50 / p95 and the query count per endpoint and each one's ratio to the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.benchkit import django_ready, report  # noqa: E402

PREFIX = "bench"  # schema names of the cities this script adds: bench001 …
STAFF = "bench_center_staff"
DAYS = 90
PROVINCES = ("黑龙江省", "广东省", "浙江省", "江苏省", "山东省", "四川省", "湖北省", "河南省", "福建省", "安徽省")


def _figures(n: int, rng: random.Random) -> dict:
    enterprises = rng.randint(200, 3000)
    certified = enterprises * rng.randint(40, 90) // 100
    pilots = certified * rng.randint(10, 40) // 100
    return {
        "organisations": enterprises + 120,
        "enterprises": enterprises,
        "certified_enterprises": certified,
        "providers": rng.randint(20, 200),
        "members": enterprises * 3,
        "listed_products": rng.randint(0, 300),
        "orders": rng.randint(0, 2000),
        "paid_amount": Decimal(rng.randint(0, 10**8)) / 100,
        "pilot_enterprises": pilots,
        "acceptances_accepted": pilots // 2,
        "acceptances_concluded": pilots * 2 // 3,
        "acceptance_conclusions": {"pass": pilots // 2, "fail": pilots // 10, "pass_after_material": pilots // 15},
        "recognised_investment": Decimal(rng.randint(10**8, 10**10)) / 100,
        "subsidy_published": Decimal(rng.randint(10**7, 10**9)) / 100,
        "subsidy_disbursed": Decimal(rng.randint(10**6, 10**8)) / 100,
        "ecosystem_providers_declared": rng.randint(0, 80),
        "ecosystem_providers_approved": rng.randint(0, 60),
        "ecosystem_products_approved": rng.randint(0, 150),
        "ecosystem_units": [
            {"code": f"u{k}", "name": f"牵引单位{k}", "members": rng.randint(0, 30), "products": rng.randint(0, 60)}
            for k in range(3)
        ],
        "cultivation_declared": rng.randint(0, 500),
        "cultivation_recognised": rng.randint(0, 300),
        "cultivation_breakdown": {
            "tiers": [
                {"code": code, "name": name, "declared": rng.randint(0, 200), "recognised": rng.randint(0, 100)}
                for code, name in (("innovative", "创新型"), ("specialised", "专精特新"), ("giant", "小巨人"))
            ],
            "regions": [{"code": "330000", "name": "浙江省", "recognised": rng.randint(0, 100)}],
            "levels": {str(level): rng.randint(0, 100) for level in range(1, 5)},
        },
        "vouchers_issued": rng.randint(0, 5000),
        "vouchers_redeemed": rng.randint(0, 2000),
        "vouchers_redeemed_amount": Decimal(rng.randint(0, 10**7)) / 100,
        "applications_submitted": rng.randint(100, 5000),
        "applications_by_kind": [
            {
                "kind": "certification",
                "name": "企业认证",
                "submitted": 900,
                "in_review": 40,
                "approved": 800,
                "rejected": 20,
            },
            {
                "kind": "acceptance",
                "name": "项目验收及补贴申请",
                "submitted": 300,
                "in_review": 60,
                "approved": 200,
                "rejected": 5,
            },
        ],  # fmt: skip
        "tasks_open": rng.randint(0, 2000),
        "tasks_overdue": rng.randint(0, 200),
        "backlog": [
            {
                "kind": "acceptance",
                "name": "项目验收及补贴申请",
                "stage": stage,
                "position": k + 1,
                "open": rng.randint(0, 400),
                "overdue": rng.randint(0, 40),
                "oldest_days": rng.randint(0, 120),
            }
            for k, stage in enumerate(("材料审核", "现场验收", "盖章件上传", "盖章件审核", "公示"))
        ],  # fmt: skip
        "province": PROVINCES[n % len(PROVINCES)],
        "batch": str(2023 + n % 3),
    }


def prepare(tenants: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from shared_apps.oversight.models import SNAPSHOT_COLUMNS, TenantFigures, TenantSnapshot
    from tenants.models import Tenant
    from tenants.services import public_tenant_ensure

    call_command("migrate_schemas", "--shared", interactive=False, verbosity=0)
    public_tenant_ensure()
    user_model = get_user_model()
    if not user_model.objects.filter(username=STAFF).exists():
        user_model.objects.create_user(STAFF, mobile="13800007777", is_national_staff=True)
    have = Tenant.objects.filter(schema_name__startswith=PREFIX).count()
    if have >= tenants:
        return
    print(f"adding {tenants - have} cities with roll-ups and {DAYS} days of snapshots …", flush=True)
    rng = random.Random(17)
    now = timezone.now()
    rows = Tenant.objects.bulk_create(
        [
            Tenant(schema_name=f"{PREFIX}{n:03d}", name=f"基准城市{n:03d}中小企业数字化转型城市试点", kind="tenant")
            for n in range(have, tenants)
        ]
    )
    figures = TenantFigures.objects.bulk_create(
        [TenantFigures(tenant=t, computed_at=now, **_figures(have + i, rng)) for i, t in enumerate(rows)]
    )
    today = timezone.localdate()
    snapshots = []
    for f in figures:
        for back in range(DAYS):
            share = (DAYS - back) / DAYS  # figures grow towards today
            values = {name: int(getattr(f, name) * share) for name in SNAPSHOT_COLUMNS}
            snapshots.append(
                TenantSnapshot(
                    tenant_id=f.tenant_id,
                    day=today - datetime.timedelta(days=back),
                    figures=values,
                    computed_at=now,
                    **values,
                )
            )
    TenantSnapshot.objects.bulk_create(snapshots, batch_size=5000, ignore_conflicts=True)
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("tenants_tenant", "oversight_tenantfigures", "oversight_tenantsnapshot"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def measure(rounds: int) -> list[tuple[str, list[float], int]]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tenants.models import Tenant

    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    client.force_login(get_user_model().objects.get(username=STAFF))
    total = Tenant.objects.filter(kind="tenant").count()
    last = -(-total // 20)
    one = Tenant.objects.filter(schema_name__startswith=PREFIX).order_by("schema_name")[total // 2].schema_name
    endpoints = [
        ("unknown city, 404 (baseline)", "/tenants/nowhere/"),
        ("console home, page 1 (20 a page)", "/"),
        ("filtered + sorted, 50 a page", "/?batch=2024&sort=-overdue&size=50"),
        ("100 a page", "/?size=100"),
        (f"console home, last page ({last})", f"/?page={last}"),
        ("one city's page", f"/tenants/{one}/"),
        (f"XLSX export ({total} cities)", "/export.xlsx"),
    ]
    queries = {}
    expected = {url: 404 if "nowhere" in url else 200 for _label, url in endpoints}
    for label, url in endpoints:  # warm up: templates, the first connection; count the queries once
        for _ in range(3):
            assert client.get(url).status_code == expected[url], url
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[label] = len(captured.captured_queries)
    timings: dict[str, list[float]] = {label: [] for label, _url in endpoints}
    for index in range(rounds):
        for label, url in endpoints:
            if label.startswith("XLSX") and index % 5:
                continue  # the export is heavier and rarer: every fifth round
            started = time.perf_counter()
            response = client.get(url)
            timings[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == expected[url], (url, response.status_code)
    print(f"{total} cities; {rounds} rounds (export: {len(timings[endpoints[-1][0]])})")
    return [(label, timings[label], queries[label]) for label, _url in endpoints]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=300, help="city rows (default 300)")
    parser.add_argument("--rounds", type=int, default=60, help="requests per endpoint (default 60)")
    args = parser.parse_args()
    if not django_ready("pilot_d_bench"):
        return 2
    prepare(args.tenants)
    report(measure(args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
