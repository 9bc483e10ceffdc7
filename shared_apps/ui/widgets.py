"""Form widgets of the kit. Dates: a text input in YYYY-MM-DD that the vendored flatpickr (zh locale) turns into a
Chinese calendar (static/js/ui.js). Chromium draws a native <input type="date"> in the browser's own locale
(mm/dd/yyyy on an English system) whatever the page's lang says, so the native input is not used (ADR 0018)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_FORMAT = "%Y-%m-%d"


class DatePickerInput(forms.DateInput):
    """A date in YYYY-MM-DD; typing works without JavaScript, the calendar is Chinese with it. `role`: "date" for a
    single date, "start" / "end" for the two ends of a range (`{% filter_bar %}` draws them as one control)."""

    PLACEHOLDERS = {"date": _("年-月-日"), "start": _("开始日期"), "end": _("结束日期")}

    def __init__(self, attrs=None, *, role: str = "date", range_end: bool = False):
        role = "end" if range_end else role
        base = {
            "data-date-picker": role,
            "placeholder": self.PLACEHOLDERS[role],
            "autocomplete": "off",
            "inputmode": "numeric",
            "size": "11",
        }
        super().__init__(attrs={**base, **(attrs or {})}, format=DATE_FORMAT)


class PrefixedTextInput(forms.TextInput):
    """A text input drawn with a fixed prefix before it (e.g. +86 before a mobile number)."""

    def __init__(self, prefix: str, attrs=None):
        self.prefix = prefix
        super().__init__(attrs)


class UploadInput(forms.FileInput):
    """A file input that says which types and how large, checks the size before sending and shows the upload's
    progress (static/js/ui.js). The server checks again (tenants.uploads): the hint is a courtesy, not the rule."""

    def __init__(self, *, types: str, accept: str, max_bytes: int, attrs=None):
        self.types = types
        self.max_bytes = max_bytes
        base = {"accept": accept, "data-max-bytes": str(max_bytes), "data-upload": ""}
        super().__init__(attrs={**base, **(attrs or {})})

    @property
    def hint(self) -> str:
        return _("支持 %(types)s 格式，单个文件不超过 %(size)s") % {
            "types": self.types,
            "size": size_label(self.max_bytes),
        }


def size_label(n: int) -> str:
    """1048576 → "1 MB"; whole units as people say them."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= factor:
            value = n / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} B"
