"""What every benchmark script shares: the project on the path, a scratch database required, Django set up, the
percentiles and the report printed as ratios to the baseline measured in the same run (the first row)."""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def django_ready(scratch: str) -> bool:
    """Set Django up against `DATABASE_URL`; without it say which scratch database to use (benchmarks add rows)."""
    if "DATABASE_URL" not in os.environ:
        print(f"Set DATABASE_URL to a scratch database (e.g. {scratch}).", file=sys.stderr)
        return False
    import django

    django.setup()
    return True


def migrated() -> None:
    """Apply what is pending (the one-query check makes this free when nothing is) and ensure the public tenant."""
    from django.core.management import call_command

    from tenants.migration_state import schemas_with_pending_migrations
    from tenants.services import public_tenant_ensure

    if schemas_with_pending_migrations():
        print("migrating …", flush=True)
        call_command("migrate_schemas", interactive=False, verbosity=0)
    public_tenant_ensure()


def p95(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def report(rows: Sequence[tuple], *, base: str = "×base") -> None:
    """Rows of `(label, milliseconds[, queries])`; the first row is the baseline every ratio divides by."""
    base50, base95 = statistics.median(rows[0][1]), p95(rows[0][1])
    queries = len(rows[0]) > 2
    print(
        f"{'endpoint':40} {'p50 ms':>8} {'p95 ms':>8}"
        + (f" {'queries':>8}" if queries else "")
        + f" {'p50 ' + base:>10} {'p95 ' + base:>10}"
    )
    for label, values, *rest in rows:
        m, p = statistics.median(values), p95(values)
        print(
            f"{label:40} {m:8.1f} {p:8.1f}"
            + (f" {rest[0]:8d}" if queries else "")
            + f" {m / base50:10.2f} {p / base95:10.2f}"
        )
