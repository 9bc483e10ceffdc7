"""`manage.py demo`: migrate, provision every preset with demo accounts, start Celery worker + beat and the web
server (waitress with a bounded thread pool, as production serves), print URLs and logins. Safe to run again: it
reuses the data and skips migrations that are applied."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django_tenants.utils import schema_context

from shared_apps.directory.models import CompanyRecord
from shared_apps.directory.services import DEMO_CSV, directory_import
from tenants.migration_state import schemas_with_pending_migrations
from tenants.models import Tenant
from tenants.presets import load_preset, tenant_preset_codes
from tenants.services import DEMO_PASSWORD, public_tenant_ensure, tenant_provision, tenant_url
from tenants.serving import database_capacity_problem, web_server

CONSOLE_ACCOUNTS = [
    {"username": "admin", "mobile": "13800000001", "is_superuser": True, "is_staff": True},
    {"username": "center", "mobile": "13800000002", "is_national_staff": True},
]


class Command(BaseCommand):
    help = "Run the demo: every preset tenant, demo accounts, Celery worker and beat, web server."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=settings.PUBLIC_PORT)
        parser.add_argument("--bind", default="127.0.0.1")
        parser.add_argument("--setup-only", action="store_true", help="prepare data, start nothing")

    def handle(self, *args, **options):
        started = time.perf_counter()
        self._migrate()
        public_tenant_ensure()
        for code in tenant_preset_codes():
            result = tenant_provision(load_preset(code), with_demo_data=True, update_existing=False)
            verb = "created" if result.created else "up to date"
            self.stdout.write(f"  tenant {result.tenant.schema_name}: {verb} ({result.seconds:.2f} s)")
        self._console_accounts()
        if not CompanyRecord.objects.exists():
            directory_import(DEMO_CSV)
        problem = database_capacity_problem()
        if problem:
            raise CommandError(f"{problem} Lower PLATFORM_DB_POOL_MAX or raise the server's max_connections.")
        self.stdout.write(f"Ready in {time.perf_counter() - started:.1f} s.\n")
        if options["setup_only"]:
            self._print_summary(options["port"])
            return
        # Stop the worker and beat with us, also when we are stopped by SIGTERM rather than Ctrl+C.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        children = self._start_celery()
        self._send_first_rollup()
        self._print_summary(options["port"])
        server = web_server(options["bind"], options["port"])
        connections.close_all()  # the set-up's connections go back; requests take theirs from the pool
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
            for child in children:
                child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()

    def _migrate(self) -> None:
        pending = schemas_with_pending_migrations()
        if pending:
            self.stdout.write(f"Migrating {', '.join(pending)} …")
            call_command("migrate_schemas", interactive=False, verbosity=0)

    def _console_accounts(self) -> None:
        User = get_user_model()
        password_hash = make_password(DEMO_PASSWORD)
        for spec in CONSOLE_ACCOUNTS:
            defaults = {key: value for key, value in spec.items() if key != "username"}
            user, created = User.objects.get_or_create(username=spec["username"], defaults=defaults)
            if created:
                user.password = password_hash
                user.save(update_fields=["password"])

    def _start_celery(self) -> list[subprocess.Popen]:
        base = [sys.executable, "-m", "celery", "-A", "config"]
        schedule = settings.VAR_DIR / "celery" / "beat-schedule"
        worker = subprocess.Popen(
            [*base, "worker", "-P", "solo", "-l", "warning", "--without-mingle", "--without-gossip", "-n", "demo@%h"]
        )
        beat = subprocess.Popen([*base, "beat", "-l", "warning", "-s", str(schedule)])
        self.stdout.write(f"Celery worker (pid {worker.pid}) and beat (pid {beat.pid}) started.")
        return [worker, beat]

    def _send_first_rollup(self) -> None:
        from shared_apps.oversight.tasks import rollup_tenant_figures, snapshot_figures

        for tenant in Tenant.objects.serving():
            with schema_context(tenant.schema_name):
                rollup_tenant_figures.delay()
        connection.set_schema_to_public()
        # Today's point of the console's trend, once the roll-ups above have run (beat takes it daily after this).
        snapshot_figures.apply_async(countdown=15)

    def _print_summary(self, port: str) -> None:
        scheme = settings.PUBLIC_SCHEME
        out = self.stdout.write
        out("")
        out(f"National center console: {scheme}://{settings.BASE_DOMAIN}:{port}/   (login: center / {DEMO_PASSWORD})")
        out(f"Platform superuser (Django admin on the console): admin / {DEMO_PASSWORD}")
        for tenant in Tenant.objects.serving().prefetch_related("domains"):  # tenant_url reads the prefetch
            url = tenant_url(tenant)
            out(f"\n{tenant.name}: {url}")
            out(f"  API: {url}api/v1/tenant/   docs: {url}api/docs/")
            out(f"  CMS (editors): {url}cms/   SMS outbox (demo codes): {url}accounts/dev/sms-outbox/")
            if tenant.preset:
                for account in load_preset(tenant.preset).demo_accounts:
                    out(f"  {account['username']:<16} {','.join(account['roles']):<14} password {DEMO_PASSWORD}")
        out("\nAll demo accounts share the password above. Press Ctrl+C to stop.\n")
