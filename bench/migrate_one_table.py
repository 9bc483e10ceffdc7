"""A real migration of one table across every schema of the database (issue #17: ≤ 5 min at 300 schemas).

    DATABASE_URL=postgres://…/pilot_bench .venv/bin/python bench/migrate_one_table.py [--app notifications]

Adds a nullable column to one tenant table in every schema with `migrate_schemas` (the platform's executor:
public here, the tenants in `TENANT_MIGRATION_WORKERS` processes), then takes it out again with the backwards
migration, and prints both times, the schemas and the time per schema. The migration is written to a temporary
copy of the app's migrations package (`MIGRATION_MODULES`), never into the source tree; the column is gone at the
end. Run it against a database with the cities of `bench/provision.py`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PROBE = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [({app!r}, {leaf!r})]
    operations = [migrations.AddField({model!r}, "bench_probe", models.TextField(null=True, blank=True))]
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default="notifications", help="a tenant app (default notifications)")
    parser.add_argument("--model", default="outboxevent", help="the model whose table gets the column")
    args = parser.parse_args()

    from bench.benchkit import django_ready, migrated

    if not django_ready("pilot_bench"):
        return 2
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db.migrations.loader import MigrationLoader

    from tenants.models import Tenant

    migrated()
    config = apps.get_app_config(args.app)
    leaf = max(name for app, name in MigrationLoader(None).graph.leaf_nodes() if app == args.app)
    package = f"bench_probe_{args.app}"
    folder = Path(tempfile.mkdtemp(prefix="bench-migrations-"))
    shutil.copytree(Path(config.path) / "migrations", folder / package, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / package / "9999_bench_probe.py").write_text(PROBE.format(app=args.app, leaf=leaf, model=args.model))
    sys.path.insert(0, str(folder))
    settings.MIGRATION_MODULES = {**settings.MIGRATION_MODULES, args.app: package}
    schemas = Tenant.objects.count()  # public, the template and every city
    print(f"{schemas} schemas, {settings.TENANT_MIGRATION_WORKERS} workers: {args.app}.{args.model} + bench_probe")

    def timed(*names) -> float:
        started = time.perf_counter()
        call_command("migrate_schemas", *names, interactive=False, verbosity=0)
        return time.perf_counter() - started

    try:
        forwards = timed()
        print(f"forwards:  {forwards:7.1f} s   {forwards / schemas * 1000:6.0f} ms a schema", flush=True)
    finally:
        backwards = timed(args.app, leaf)
        print(f"backwards: {backwards:7.1f} s   {backwards / schemas * 1000:6.0f} ms a schema")
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
