"""The UI kit's tags: `{% load ui %}`.

Components (templates under platform/templates/ui/, styles in static/css/ui.css):
  {% status_tag application %}                 a state as a coloured tag, labelled by get_state_display
  {% status_tag code label tone="warning" %}   the same from a code and its label
  {% data_table rows table id="inbox" %}       a ui.tables.Table: widths, no wrapping, empty state, cards on phones
  {% pagination page %}                        共 N 条, pages, page size; keeps the other query parameters
  {% filter_bar form %}                        a GET filter form; `form.date_ranges` pairs become one range control
  {% timeline items %}                         审核进度: [{"title", "state", "label", "meta", "body"}]
  {% steps current label1 label2 … %}          a multi-step form's progress (current: 1-based index)
  {% descriptions rows title=... %}            a detail page's (label, value) pairs
  {% empty_state text %}                       a list with nothing in it
  {{ text|highlight:query }}                   search matches in <mark>, the rest escaped
Form fields are drawn by forms/field.html with the filters below (kind, prefix, upload hint)."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlencode

from django import forms, template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from shared_apps.ui.pagination import page_window
from shared_apps.ui.states import status_tag as status_tag_html
from shared_apps.ui.states import tone_for
from shared_apps.ui.tables import Table, table_body

register = template.Library()


# --- Status -----------------------------------------------------------------------------------------------------
@register.simple_tag
def status_tag(value, label=None, field: str = "state", tone: str | None = None):
    """A model instance shows its `field`'s code and Chinese label (`get_<field>_display`); a plain code needs its
    label from the caller — a code is never shown as the label. Drawn in Python (`ui.states.status_tag`): lists
    show one per row."""
    return status_tag_html(value, label, field=field, tone=tone)


@register.filter
def tone(code) -> str:
    return tone_for(code)


# --- Tables -----------------------------------------------------------------------------------------------------
@register.inclusion_tag("ui/table.html", takes_context=True)
def data_table(context, rows, table: Table, id: str = "", empty: str | None = None, css: str = ""):
    # Labels translated once per table, not once per cell (each cell carries its label for the phone cards); the
    # rows are drawn in Python (ui.tables.table_body), the frame and the empty state by ui/table.html.
    columns = [replace(column, label=str(column.label)) for column in table.columns]
    return {
        "table": table,
        "columns": columns,
        "body": table_body(context, rows, table, [column.label for column in columns]),
        "id": id,
        "css": " ".join(part for part in (table.css, css) if part),
        "empty": empty if empty is not None else table.empty,
        "has_widths": any(column.width for column in columns),
        "request": context.get("request"),
        "user": context.get("user"),
    }


@register.inclusion_tag("ui/empty.html")
def empty_state(text=None):
    return {"text": text or _("暂无数据")}


@register.inclusion_tag("ui/pagination.html", takes_context=True)
def pagination(context, page, sizes: bool = True):
    """`page` from shared_apps.ui.pagination.paginate (or any Django Page: then without the size choice)."""
    size_choices = getattr(page, "size_choices", None) if sizes else None
    request = context.get("request")
    kept = []
    if request is not None and size_choices:
        kept = [(key, value) for key, values in request.GET.lists() if key not in {"page", "size"} for value in values]
    return {
        "page": page,
        "total": page.paginator.count,
        "capped": getattr(page.paginator, "capped", False),  # KeyedPaginator stopped counting at its cap
        "window": page_window(page) if page.paginator.num_pages > 1 else [],
        "size_choices": size_choices,
        "size": getattr(page, "size", page.paginator.per_page),
        "kept": kept,
        "request": request,
    }


# --- Filters and forms --------------------------------------------------------------------------------------------
@register.inclusion_tag("ui/filter_bar.html", takes_context=True)
def filter_bar(context, form, keep: str = "", reset_url: str = ""):
    """The form's fields in one wrapping row with 查询 and 重置. `keep` names query parameters to carry (e.g. "tab");
    `form.date_ranges = [("start", "end", label)]` draws two date fields as one range."""
    request = context.get("request")
    ranges = {start: (start, end, label) for start, end, label in getattr(form, "date_ranges", ())}
    in_range = {name for pair in ranges.values() for name in pair[:2]}
    items = []
    for bound in form.visible_fields():
        if bound.name in ranges:
            start, end, label = ranges[bound.name]
            items.append({"range": True, "label": label, "start": form[start], "end": form[end]})
        elif bound.name not in in_range:
            items.append({"range": False, "field": bound})
    kept = []
    if request is not None and keep:
        names = set(keep.split(","))
        kept = [(key, request.GET.get(key)) for key in sorted(names) if request.GET.get(key)]
    return {
        "form": form,
        "items": items,
        "kept": kept,
        "reset_url": reset_url or (request.path if request else ""),
        "reset_query": urlencode(kept),
    }


@register.filter
def field_kind(bound_field) -> str:
    """How forms/field.html lays a field out: checkbox (box beside its label), choices (a group of radios or
    checkboxes), file, captcha, hidden, or text (inputs, selects, text areas)."""
    widget = bound_field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "choices"
    if isinstance(widget, forms.FileInput):
        return "file"
    if type(widget).__module__.startswith("captcha"):
        return "captcha"
    return "text"


@register.filter
def input_prefix(bound_field) -> str:
    return getattr(bound_field.field.widget, "prefix", "")


@register.filter
def upload_hint(bound_field) -> str:
    return getattr(bound_field.field.widget, "hint", "")


# --- Progress and details ---------------------------------------------------------------------------------------
@register.inclusion_tag("ui/timeline.html")
def timeline(items, id: str = ""):
    """items: dicts with title, state (a code: its tone colours the dot), label (what the state means here), meta
    (who, when) and body (an opinion)."""
    return {"items": [{**item, "tone": item.get("tone") or tone_for(item.get("state"))} for item in items], "id": id}


@register.inclusion_tag("ui/steps.html")
def steps(current, *labels):
    """{% steps 2 account_label profile_label done_label %} (or a list as the only label): the steps of a
    multi-step form; `current` is the 1-based step being filled, the ones before it are done."""
    if len(labels) == 1 and isinstance(labels[0], list | tuple):
        labels = labels[0]
    current = int(current)
    return {
        "steps": [
            {
                "number": n,
                "label": label,
                "state": "done" if n < current else "active" if n == current else "waiting",
            }
            for n, label in enumerate(labels, start=1)
        ]
    }


@register.inclusion_tag("ui/descriptions.html")
def descriptions(rows, title: str = "", id: str = "", css: str = ""):
    """rows: (label, value) pairs; empty values show —."""
    return {"rows": rows, "title": title, "id": id, "css": css}


# --- Text ---------------------------------------------------------------------------------------------------------
@register.filter(needs_autoescape=True)
def highlight(text, query, autoescape=True):
    """`text` with every occurrence of the query's words in <mark>, case-insensitively; all else escaped."""
    escape = conditional_escape if autoescape else str
    text = "" if text is None else str(text)
    terms = sorted({term for term in str(query or "").split() if term}, key=len, reverse=True)[:10]
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    parts, position = [], 0
    for match in pattern.finditer(text):
        parts.append(str(escape(text[position : match.start()])))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    parts.append(str(escape(text[position:])))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


@register.filter
def money(value) -> str:
    """12345.6 → "12,345.60": amounts to the fen with thousands separators whatever the locale's format says
    (Django's zh-hans formats have no thousands separator)."""
    from decimal import Decimal

    if value is None or value == "":
        return ""
    return f"{Decimal(value).quantize(Decimal('0.01')):,.2f}"


@register.filter
def active_url(groups, path: str) -> str:
    """The URL of the menu item the page belongs to: the item whose URL (or one of its `also` prefixes) is the
    longest start of `path`."""
    best, best_length = "", 0
    for group in groups or ():
        for item in getattr(group, "items", group):
            url = getattr(item, "url", "")
            for prefix in (url, *getattr(item, "also", ())):
                if prefix and path.startswith(prefix) and len(prefix) > best_length:
                    best, best_length = url, len(prefix)
    return best


# --- Page header: breadcrumbs, title, primary actions ---------------------------------------------------------------
class PageHeaderNode(template.Node):
    def __init__(self, title, kwargs, nodelist):
        self.title, self.kwargs, self.nodelist = title, kwargs, nodelist

    def render(self, context):
        values = {key: value.resolve(context) for key, value in self.kwargs.items()}
        crumbs = []
        if values.get("root", True) and context.get("workbench_nav"):
            crumbs.append((_("工作台"), values.get("root_url") or "/workbench/"))
        if values.get("parent"):
            crumbs.append((values["parent"], values.get("parent_url", "")))
        page = context.template.engine.get_template("ui/page_header.html")
        with context.push(
            title=self.title.resolve(context),
            crumbs=crumbs,
            actions=mark_safe(self.nodelist.render(context).strip()),  # noqa: S308 - rendered template output
            subtitle=values.get("subtitle", ""),
            title_id=values.get("id", ""),
        ):
            return page.render(context)


@register.tag
def page_header(parser, token):
    """{% page_header title parent=… parent_url=… subtitle=… id=… root=False %}…primary actions…{% endpage_header %}

    Breadcrumbs (工作台 › parent › title, where the person has a workbench), the page's <h1>, and its primary
    actions on the right (below the title on phones)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("page_header needs a title")
    title = parser.compile_filter(bits[1])
    kwargs = {}
    for bit in bits[2:]:
        key, sep, value = bit.partition("=")
        if not sep:
            raise template.TemplateSyntaxError(f"page_header: expected key=value, got {bit!r}")
        kwargs[key] = parser.compile_filter(value)
    nodelist = parser.parse(("endpage_header",))
    parser.delete_first_token()
    return PageHeaderNode(title, kwargs, nodelist)
