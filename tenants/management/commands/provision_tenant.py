"""Provision or update a tenant from a preset: `manage.py provision_tenant harbin [--schema daqing --name …]`."""

import time

from django.core.management.base import BaseCommand, CommandError

from tenants.errors import DomainError
from tenants.presets import load_preset, tenant_preset_codes
from tenants.services import tenant_provision


class Command(BaseCommand):
    help = "Create or update a tenant from a preset (idempotent) and print how long it took."

    def add_arguments(self, parser):
        parser.add_argument("preset", nargs="?", help="preset code; omit with --all")
        parser.add_argument("--all", action="store_true", help="every tenant preset")
        parser.add_argument("--schema", help="schema name (default: the preset's)")
        parser.add_argument("--name", help="display name (default: the preset's)")
        parser.add_argument(
            "--demo-accounts", action="store_true", help="also create the preset's demo accounts and demo articles"
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        codes = tenant_preset_codes() if options["all"] else [options["preset"]]
        if codes == [None]:
            raise CommandError("Name a preset or pass --all.")
        for code in codes:
            try:
                preset = load_preset(code)
                result = tenant_provision(
                    preset,
                    schema_name=options["schema"],
                    name=options["name"],
                    with_demo_data=options["demo_accounts"],
                )
            except DomainError as error:
                raise CommandError(str(error)) from error
            verb = "created" if result.created else "updated"
            self.stdout.write(f"{result.tenant.schema_name}: {verb} in {result.seconds:.2f} s")
        self.stdout.write(f"total {time.perf_counter() - started:.2f} s (including start-up of this command's work)")
