"""Data tables declared once, next to the module that owns them, and drawn by `{% data_table rows table %}`.

A column names its label, where its value comes from (an attribute path, a callable, or a small template for links,
tags and row actions), its width and whether it may wrap. Only long text (titles, opinions) wraps; every other cell
keeps its words on one line, so 审核中 or 详情 is never broken character by character. Under 600 px the table is
drawn as one card per row, each value with its column's label.

The rows are drawn in Python (`table_body`): through a template per cell a 20-row inbox page spent more time in the
table than in the rest of the page (bench/inbox.py). A column's `template` is still rendered for its cells; a
column whose value is a function returning safe HTML (`format_html`) costs no template at all."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import conditional_escape as escape
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
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
    if value is None or not kind:
        return value
    from datetime import date, datetime
    from decimal import Decimal

    from django.utils import timezone

    if kind == "money":
        return f"{value:,.2f}" if isinstance(value, Decimal | int | float) else value
    # Django's "Y-m-d" and "Y-m-d H:i", written out: its date formatter parses the format string on every call.
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        day = f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        return day if kind == "date" else f"{day} {value.hour:02d}:{value.minute:02d}"
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
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


@functools.lru_cache(maxsize=512)
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


def cached_gettext(message: str) -> str:
    """gettext of a fixed message, once per language: every row of a table repeats its links' words, and each
    catalogue miss walks the whole chain of fallback catalogues. Mark the message with `gettext_noop` where it is
    defined so that makemessages still finds it."""
    return _translated(get_language(), message)


def _cell_opening(column: Column, label: str) -> str:
    return format_html(
        '<td data-label="{}" class="{}{}{}{}">',
        label,
        "cell-wrap" if column.wrap else "cell-nowrap",
        f" cell-{column.name}" if column.name else "",
        f" align-{column.align}" if column.align else "",
        " cell-primary" if column.primary else "",
    )


def table_body(context, rows, table: Table, labels) -> SafeString:
    """The `<tr>` rows of `{% data_table %}`: each `<td>` carries its column's label (the phone cards) and classes,
    built once per column; values are localised and escaped as `{{ value }}` would be, None or "" shows —. A
    `template` column renders its template with `row`, `column`, `table`, `request`, `user` and `csrf_token`."""
    from django.template.base import render_value_in_context

    engine = context.template.engine if context.template is not None else None
    columns = []
    for column, label in zip(table.columns, labels, strict=True):
        template = None
        if column.template:
            if engine is None:
                from django.template import Engine

                engine = Engine.get_default()
            template = engine.get_template(column.template)
        columns.append((column, _cell_opening(column, label), template))
    cell_context = None
    if any(template is not None for _column, _opening, template in columns):
        cell_context = context.new(
            {
                "table": table,
                "request": context.get("request"),
                "user": context.get("user"),
                "csrf_token": context.get("csrf_token"),
            }
        )
    parts = []
    for row in rows:
        attrs = table.row_attrs(row) if table.row_attrs else {}
        parts.append("<tr" + "".join(f' {escape(key)}="{escape(value)}"' for key, value in attrs.items()) + ">")
        for column, opening, template in columns:
            if template is not None:
                with cell_context.push(row=row, column=column):
                    html = template.render(cell_context)
            else:
                value = formatted(resolve(row, column.value), column.format)
                html = "—" if value is None or value == "" else render_value_in_context(value, context)
            parts.append(f"{opening}{html}</td>")
        parts.append("</tr>\n  ")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or a rendered template
