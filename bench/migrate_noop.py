"""`migrate_schemas` with nothing to apply, at however many schemas the database holds (issue #17: ≤ 15 s at 300).

    DATABASE_URL=postgres://…/pilot_bench .venv/bin/python bench/migrate_noop.py [--compare]

Prints the no-op of the platform's executor (one query finds the schemas that are behind, none here) and, as the
trivial baseline of the same run, django-tenants' standard executor migrating public alone. `--compare` also runs
the standard executor over every schema (the behaviour before: each schema opened and checked, minutes at 200+).
Django's start-up is not in the figures (everything runs in this process).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def timed(*args, **options) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate_schemas", *args, interactive=False, verbosity=0, **options)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", action="store_true", help="also the standard executor over every schema")
    args = parser.parse_args()

    import django

    django.setup()
    from tenants.migration_state import schemas_with_pending_migrations
    from tenants.models import Tenant

    schemas = Tenant.objects.count()
    pending = schemas_with_pending_migrations()
    if pending:
        sys.exit(f"{len(pending)} schemas have migrations to apply ({', '.join(pending[:5])} …): migrate first.")
    baseline = timed(schema_name="public", executor="standard")
    started = time.perf_counter()
    schemas_with_pending_migrations()
    check = time.perf_counter() - started
    noop = timed()
    print(f"{schemas} schemas: migrate_schemas no-op {noop:.2f} s (of it the one-query check {check:.2f} s)")
    print(f"baseline, standard executor on public alone: {baseline:.2f} s; ratio {noop / baseline:.2f}")
    if args.compare:
        before = timed(executor="standard")
        print(f"standard executor over every schema (before): {before:.2f} s; ratio {before / baseline:.1f}")


if __name__ == "__main__":
    main()
