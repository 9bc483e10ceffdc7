"""Loading the company directory from CSV (columns: name, uscc, region, registered_address, industry_section)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from shared_apps.directory.models import CompanyRecord

DEMO_CSV = Path(__file__).resolve().parent / "data" / "demo_companies.csv"
COLUMNS = ("name", "uscc", "region", "registered_address", "industry_section")


class DirectoryImportError(ValueError):
    pass


@transaction.atomic
def directory_import(path: Path, *, replace: bool = False) -> int:
    """Insert or update every row by USCC; with `replace`, rows not in the file are removed. Returns the count."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise DirectoryImportError(f"CSV is missing columns: {', '.join(missing)}")
        rows = []
        for line, row in enumerate(reader, start=2):
            if not row["name"].strip() or not row["uscc"].strip():
                raise DirectoryImportError(f"line {line}: name and uscc are required")
            rows.append(CompanyRecord(**{column: row[column].strip() for column in COLUMNS}))
    if replace:
        CompanyRecord.objects.exclude(uscc__in=[row.uscc for row in rows]).delete()
    CompanyRecord.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["uscc"], update_fields=list(COLUMNS[0:1] + COLUMNS[2:])
    )
    return len(rows)
