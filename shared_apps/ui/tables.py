"""Data tables declared once, next to the module that owns them, and drawn by `{% data_table rows table %}`.

A column names its label, where its value comes from (an attribute path, a callable, or a small template for links,
tags and row actions), its width and whether it may wrap. Only long text (titles, opinions) wraps; every other cell
keeps its words on one line, so 审核中 or 详情 is never broken character by character. Under 600 px the table is
drawn as one card per row, each value with its column's label."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    label: str
    # "application.title" (an attribute path; callables on the way are called, e.g. get_state_display) or
    # a function of the row. Ignored when `template` is given.
    value: str | Callable[[Any], Any] = ""
    # A template rendered with `row` (and the page's request, user and csrf_token) for links, tags and actions.
    template: str = ""
    width: str = ""  # a CSS width for the column, e.g. "7em"; empty lets the table share the rest
    wrap: bool = False  # long text may wrap; everything else stays on one line
    align: str = ""  # "end" for numbers and amounts
    name: str = ""  # a class for the cells (`cell-<name>`), e.g. "title", "actions"
    primary: bool = False  # the card's heading on phones (the row's title)
    format: str = ""  # "date" (Y-m-d) or "datetime" (Y-m-d H:i), in local time; "money" (12,345.60)


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    empty: str = _("暂无数据")
    # Attributes of each <tr>, e.g. lambda row: {"data-application": row.pk}; values are escaped.
    row_attrs: Callable[[Any], dict] | None = None
    css: str = ""
    extra: dict = field(default_factory=dict)


def formatted(value, kind: str):
    """Dates as the seeds write them (2025-10-24, 2025-10-24 09:30), in the site's time zone; amounts of money with
    thousands separators and two places (50,000.00), as on the seeds' order pages."""
    from datetime import date, datetime
    from decimal import Decimal

    from django.utils import timezone
    from django.utils.dateformat import format as date_format

    if value is None or not kind:
        return value
    if kind == "money":
        return f"{value:,.2f}" if isinstance(value, Decimal | int | float) else value
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(value, "Y-m-d" if kind == "date" else "Y-m-d H:i")
    if isinstance(value, date):
        return date_format(value, "Y-m-d")
    return value


def resolve(row, path: str | Callable):
    """The value at `path` on `row` ("a.b.c"; dicts by key; callables called without arguments)."""
    if callable(path):
        return path(row)
    value = row
    for part in path.split(".") if path else ():
        if value is None:
            return None
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
        if callable(value):
            value = value()
    return value
