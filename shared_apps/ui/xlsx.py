"""Typed XLSX sheets for the workbench exports (vouchers, pilots). Text is always written as text: a company called
"=HYPERLINK(…)" stays a name, never a formula, and characters XML cannot carry are dropped. Money has two places,
instants are local wall time (spreadsheets know no zones)."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
WHEN_FORMAT = "yyyy-mm-dd hh:mm"
HEADER_FILL = PatternFill("solid", fgColor="EEF2FF")
_NOT_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def download_name(*parts: str, extension: str = "xlsx") -> str:
    name = "-".join(" ".join(str(part).split()) for part in parts if part)
    return f"{_NOT_IN_FILENAME.sub('_', name)[:120] or 'export'}.{extension}"


def local(value: datetime.datetime | None) -> datetime.datetime | None:
    """Local wall time without a zone."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def text_cell(sheet, value) -> WriteOnlyCell:
    """The formula-injection guard: `value` as a string cell, whatever it starts with (=, +, -, @)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # never a formula
    return cell


class Sheet:
    """A write-only sheet with typed cells: text is text, money has two places, instants are local."""

    def __init__(self, book: Workbook, title: str, widths: list[int]):
        self.sheet = book.create_sheet(title=title[:31])
        for index, width in enumerate(widths):
            self.sheet.column_dimensions[chr(ord("A") + index)].width = width
        self.sheet.freeze_panes = "A2"

    def cell(self, value, *, header: bool = False, bold: bool = False) -> WriteOnlyCell:
        if isinstance(value, Decimal):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = MONEY_FORMAT
        elif isinstance(value, datetime.datetime):
            cell = WriteOnlyCell(self.sheet, value=local(value))
            cell.number_format = WHEN_FORMAT
        elif isinstance(value, datetime.date):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, int | float) and not isinstance(value, bool):
            cell = WriteOnlyCell(self.sheet, value=value)
        else:
            cell = text_cell(self.sheet, value)
        if header:
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="center")
        if header or bold:
            cell.font = Font(bold=True)
        return cell

    def header(self, labels) -> None:
        self.sheet.append([self.cell(label, header=True) for label in labels])

    def row(self, values, *, bold: bool = False) -> None:
        self.sheet.append([self.cell(value, bold=bold) for value in values])


def workbook() -> Workbook:
    return Workbook(write_only=True)


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
