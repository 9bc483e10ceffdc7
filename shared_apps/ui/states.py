"""Which colour a state is shown in. The label always comes from the model (`get_state_display`) or the caller; this
module only knows tones, so a new state of a new module is one line here (or an explicit `tone=` at the call)."""

from __future__ import annotations

# Element-UI's five tag types: primary (blue: under way), success (green: done well), warning (orange: the applicant
# must act), danger (red: refused, failing), info (grey: not started, withdrawn, closed without a result).
TONES = ("primary", "success", "warning", "danger", "info")

STATE_TONES: dict[str, str] = {
    # workflow Application.State
    "draft": "info",
    "in_review": "primary",
    "returned": "warning",
    "approved": "success",
    "rejected": "danger",
    "withdrawn": "info",
    # organisations Organisation.Certification
    "none": "info",
    "pending": "primary",
    "certified": "success",
    # workflow Task.State and the timeline of 审核进度
    "open": "primary",
    "done": "success",
    "cancelled": "info",
    "current": "primary",
    "waiting": "info",
    "approve": "success",
    "return": "warning",
    "reject": "danger",
    "submit": "primary",
    "withdraw": "info",
    # checks, setup items
    "passed": "success",
    "failing": "danger",
    "missing": "danger",
    "optional": "info",
    "overdue": "danger",
    "resubmit": "primary",
    "upload": "primary",
    # tenants Tenant.Status
    "active": "success",
    "suspended": "warning",
}


def tone_for(code) -> str:
    """The tone of a state code; unknown codes are grey rather than guessed."""
    return STATE_TONES.get(str(code), "info")


def status_tag(value, label=None, field: str = "state", tone: str | None = None):
    """The markup of `{% status_tag %}` (a state as a coloured tag), for tables that draw their cells in Python.
    A model instance shows its `field`'s code and Chinese label (`get_<field>_display`); a plain code needs its
    label from the caller — a code is never shown as the label."""
    from django.utils.html import format_html

    display = getattr(value, f"get_{field}_display", None)
    if display is not None:
        code = getattr(value, field)
        label = display() if label is None else label
    else:
        code = value
    return format_html(
        '<span class="tag tag-{}" data-state="{}">{}</span>',
        tone or tone_for(code),
        code,
        label if label not in (None, "") else "—",
    )
