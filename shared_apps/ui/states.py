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
