"""`manage.py import_company_directory companies.csv [--replace]` (or `--demo` for the shipped sample)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shared_apps.directory.services import DEMO_CSV, directory_import
from tenants.errors import DomainError


class Command(BaseCommand):
    help = "Load the company directory used by registration's company-name lookup."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="CSV with name, uscc, region, registered_address, industry_section")
        parser.add_argument("--demo", action="store_true", help="load the small demo directory shipped with the code")
        parser.add_argument("--replace", action="store_true", help="remove companies that are not in the file")

    def handle(self, *args, **options):
        path = DEMO_CSV if options["demo"] else options["path"] and Path(options["path"])
        if not path:
            raise CommandError("Give a CSV path or --demo.")
        try:
            count = directory_import(path, replace=options["replace"])
        except (OSError, DomainError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{count} companies loaded from {path}")
