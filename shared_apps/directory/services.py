"""Loading the company directory from CSV (columns: name, uscc, region, registered_address, industry_section)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from shared_apps.directory.models import CompanyRecord
from tenants.errors import DomainError
from tenants.validators import uscc_normalise, uscc_validator

DEMO_CSV = Path(__file__).resolve().parent / "data" / "demo_companies.csv"
COLUMNS = ("name", "uscc", "region", "registered_address", "industry_section")


def _invalid_row(line: int, message: str) -> DomainError:
    return DomainError(f"第 {line} 行：{message}", code="directory.invalid_row")


@transaction.atomic
def directory_import(path: Path, *, replace: bool = False) -> int:
    """Insert or update every row by USCC; with `replace`, rows not in the file are removed. Returns the count.

    The registration form fills its company fields from this directory, so a row whose USCC that form would refuse
    (wrong shape or check digit) refuses the whole file, naming the line, instead of loading a code nobody can use."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise DomainError(f"CSV is missing columns: {', '.join(missing)}", code="directory.missing_columns")
        rows, seen = [], {}
        for line, row in enumerate(reader, start=2):
            values = {column: (row[column] or "").strip() for column in COLUMNS}
            if not values["name"] or not values["uscc"]:
                raise _invalid_row(line, "单位名称和统一社会信用代码不能为空。")
            try:
                uscc_validator(values["uscc"])
            except ValidationError as error:
                raise _invalid_row(line, f"{values['uscc']}：{error.messages[0]}") from error
            values["uscc"] = uscc_normalise(values["uscc"])
            if values["uscc"] in seen:
                raise _invalid_row(line, f"{values['uscc']} 与第 {seen[values['uscc']]} 行重复。")
            seen[values["uscc"]] = line
            rows.append(CompanyRecord(**values))
    if replace:
        CompanyRecord.objects.exclude(uscc__in=[row.uscc for row in rows]).delete()
    CompanyRecord.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["uscc"], update_fields=list(COLUMNS[0:1] + COLUMNS[2:])
    )
    return len(rows)
