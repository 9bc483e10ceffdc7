"""Provision or update a tenant from a preset: `manage.py provision_tenant harbin [--schema daqing --name …]`, or a
batch of new cities from a CSV file: `manage.py provision_tenant --from cities.csv` (docs/provisioning.md)."""

import csv
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from tenants.errors import DomainError
from tenants.models import Tenant
from tenants.presets import load_preset, tenant_preset_codes
from tenants.services import tenant_provision

# The console's form, one row per city (shared_apps.oversight.forms.TenantCreateForm).
CSV_COLUMNS = ("schema_name", "name", "preset", "authority", "pilot_start", "pilot_end", "admin_name", "admin_mobile")


class Command(BaseCommand):
    help = "Create or update a tenant from a preset (idempotent), or create the cities listed in a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("preset", nargs="?", help="preset code; omit with --all or --from")
        parser.add_argument("--all", action="store_true", help="every tenant preset")
        parser.add_argument("--schema", help="schema name (default: the preset's)")
        parser.add_argument("--name", help="display name (default: the preset's)")
        parser.add_argument(
            "--demo-accounts", action="store_true", help="also create the preset's demo accounts and demo articles"
        )
        parser.add_argument(
            "--from",
            dest="csv_path",
            metavar="CITIES_CSV",
            help=f"create the cities of a UTF-8 CSV file with the columns {', '.join(CSV_COLUMNS)}",
        )

    def handle(self, *args, **options):
        if options["csv_path"]:
            return self._from_csv(Path(options["csv_path"]))
        started = time.perf_counter()
        codes = tenant_preset_codes() if options["all"] else [options["preset"]]
        if codes == [None]:
            raise CommandError("Name a preset, or pass --all or --from.")
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

    def _from_csv(self, path: Path) -> None:
        """Each row is one city created like the console's form does it (`city_create`, one transaction per city),
        so a run that stops half-way is resumed by running it again: cities that exist are skipped and reported,
        never updated. A bad row is reported with its line number and the others go on; any failure → exit 1."""
        from shared_apps.oversight.cities import city_create
        from shared_apps.oversight.forms import TenantCreateForm

        rows = self._read_csv(path)
        existing = set(Tenant.objects.values_list("schema_name", flat=True))
        created = skipped = failed = 0
        started = time.perf_counter()
        console = Console(stderr=True)
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        with progress:
            task = progress.add_task("开通城市", total=len(rows))
            for line, row in rows:
                schema = (row.get("schema_name") or "").strip()
                if schema in existing:
                    skipped += 1
                    self._say(progress, f"第 {line} 行 {schema}：已存在，跳过")
                    progress.advance(task)
                    continue
                form = TenantCreateForm(row)
                if not form.is_valid():
                    failed += 1
                    problems = " ".join(
                        f"{form.fields[field].label if field in form.fields else field}：{' '.join(messages)}"
                        for field, messages in form.errors.items()
                    )
                    self._say(progress, f"第 {line} 行 {schema or '（无标识）'}：{problems}", error=True)
                    progress.advance(task)
                    continue
                try:
                    result = city_create(actor=None, **form.cleaned_data)  # one transaction
                except DomainError as error:
                    failed += 1
                    self._say(progress, f"第 {line} 行 {schema}：{error}", error=True)
                else:
                    created += 1
                    existing.add(schema)
                    self._say(progress, f"第 {line} 行 {schema}：已开通（{result.seconds:.2f} 秒）")
                progress.advance(task)
        self.stdout.write(
            f"开通 {created} 个，跳过 {skipped} 个（已存在），失败 {failed} 个；用时 {time.perf_counter() - started:.1f} 秒"
        )
        if failed:
            raise CommandError(f"{failed} 行未能开通，修正后重新运行即可（已开通的城市会跳过）。")

    def _read_csv(self, path: Path) -> list[tuple[int, dict]]:
        try:
            with path.open(encoding="utf-8-sig", newline="") as file:
                reader = csv.DictReader(file)
                missing = [column for column in CSV_COLUMNS if column not in (reader.fieldnames or [])]
                if missing:
                    raise CommandError(f"{path}：缺少列 {', '.join(missing)}（需要 {', '.join(CSV_COLUMNS)}）")
                return [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}) for row in reader]
        except OSError as error:
            raise CommandError(f"无法读取 {path}：{error.strerror}") from error
        except (UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"{path} 不是 UTF-8 编码的 CSV 文件：{error}") from error

    def _say(self, progress: Progress, text: str, *, error: bool = False) -> None:
        if not progress.disable:  # a live bar: print above it
            progress.console.print(text, markup=False, highlight=False, style="red" if error else None)
        else:
            (self.stderr if error else self.stdout).write(text)
