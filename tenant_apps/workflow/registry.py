"""What each application kind brings to the engine — consumers register here in `AppConfig.ready`, so the engine
never imports them: what happens when a review ends, where the applicant re-edits a returned application, what the
reviewer reads on the application page, and which checks a stage may require."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

_OUTCOME_HANDLERS: dict[str, Callable] = {}


def on_outcome(kind: str):
    """Register `handler(application)`; called inside the deciding transaction after every state change."""

    def register(handler: Callable) -> Callable:
        _OUTCOME_HANDLERS[kind] = handler
        return handler

    return register


def outcome_handler(kind: str) -> Callable | None:
    return _OUTCOME_HANDLERS.get(kind)


# --- The kind's name -------------------------------------------------------------------------------------------------
_KIND_LABELS: dict[str, str] = {}


def register_kind(kind: str, label) -> None:
    """The Chinese name of an application kind (企业认证), shown wherever no city flow names it."""
    _KIND_LABELS[kind] = label


def kind_label(kind: str) -> str | None:
    label = _KIND_LABELS.get(kind)
    return str(label) if label is not None else None


# --- Re-edit path and content of each kind -------------------------------------------------------------------------
_EDIT_URLS: dict[str, Callable] = {}
_CONTENT: dict[str, list[Callable]] = {}


def register_edit_url(kind: str, edit_url: Callable) -> None:
    """`edit_url(application) -> str | None`: the one page where the applicant changes what was submitted and
    resubmits (after a return or withdrawal). A kind without one cannot be re-edited."""
    _EDIT_URLS[kind] = edit_url


def edit_url_for(application) -> str | None:
    resolve = _EDIT_URLS.get(application.kind)
    return resolve(application) if resolve else None


@dataclass(frozen=True)
class Section:
    """A titled list of (label, value) rows shown to reviewers and applicants on the application page."""

    title: str
    rows: list[tuple[str, str]]


def register_content(kind: str, sections: Callable) -> None:
    """`sections(application) -> list[Section]`; several apps may contribute to one kind, in registration order."""
    _CONTENT.setdefault(kind, [])
    if sections not in _CONTENT[kind]:
        _CONTENT[kind].append(sections)


# --- When a kind closes an action ----------------------------------------------------------------------------------
_DECISION_GUARDS: dict[str, Callable] = {}


def register_decision_guard(kind: str, guard: Callable) -> None:
    """`guard(application, action) -> str | None`: a reason the action is closed now (e.g. a cultivation
    declaration is sent back only while its window is open), checked under the deciding lock; None lets it pass."""
    _DECISION_GUARDS[kind] = guard


def decision_refusal(application, action: str) -> str | None:
    guard = _DECISION_GUARDS.get(application.kind)
    reason = guard(application, action) if guard else None
    return str(reason) if reason else None


# --- Who reads every application of a kind ---------------------------------------------------------------------------
_READERS: dict[str, tuple[str, ...]] = {}


def register_readers(kind: str, roles) -> None:
    """Roles that oversee every application of `kind` in their tenant (the city's operations and bureau over the
    ecosystem declarations), beyond the applicant and the reviewers who hold or held a task on it."""
    _READERS[kind] = tuple(roles)


def kinds_read_by(roles) -> list[str]:
    return sorted(kind for kind, readers in _READERS.items() if set(readers) & set(roles))


# --- The generated form to print, stamp and upload back -----------------------------------------------------------
_FORMS: dict[str, tuple[Callable, Callable | None]] = {}


def register_form(kind: str, rows: Callable, pledges: Callable | None = None) -> None:
    """What the kind's generated form (DOCX/PDF) carries: `rows(application) -> [(label, value)]` (a row with an
    empty value is a section heading) and `pledges(application) -> [(ticked, text)]`; either may answer None for
    an application it holds no data for. Otherwise the form carries the organisation's registration facts."""
    _FORMS[kind] = (rows, pledges)


def form_for(kind: str) -> tuple[Callable, Callable | None] | None:
    return _FORMS.get(kind)


def content_for(application) -> list[Section]:
    return [section for provider in _CONTENT.get(application.kind, []) for section in provider(application)]


# --- Checks a stage can require before it may approve ------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    code: str
    label: str
    # `passes(application) -> bool`; `failure` is what the reviewer (and the applicant) is told.
    passes: Callable
    failure: str
    # Where the applicant fixes it (a URL), if anywhere.
    remedy_url: Callable | None = None


_CHECKS: dict[str, Check] = {}


def register_check(check: Check) -> Check:
    _CHECKS[check.code] = check
    return check


def check_named(code: str) -> Check | None:
    return _CHECKS.get(code)


def check_choices() -> list[tuple[str, str]]:
    return [(check.code, check.label) for check in _CHECKS.values()]


@dataclass(frozen=True)
class CheckResult:
    code: str
    label: str
    passed: bool
    message: str
    remedy_url: str | None


def checks_evaluate(application, codes) -> list[CheckResult]:
    """Results of the checks a stage names; an unknown code fails closed, so a typo never waves a review through."""
    results = []
    for code in codes or ():
        check = _CHECKS.get(code)
        if check is None:
            results.append(CheckResult(code, code, False, f"未知的审核前置条件：{code}", None))
            continue
        passed = bool(check.passes(application))
        remedy = check.remedy_url(application) if check.remedy_url and not passed else None
        results.append(CheckResult(code, str(check.label), passed, "" if passed else str(check.failure), remedy))
    return results


# --- Notices above the inbox ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Notice:
    """A line shown above 我的待办 (e.g. overdue rectifications), linking to where it is handled."""

    text: str
    url: str = ""


_INBOX_NOTICES: list[Callable] = []


def register_inbox_notice(provider: Callable) -> None:
    """`provider(membership) -> list[Notice]`; keep it to a query or two, it runs on every inbox page."""
    if provider not in _INBOX_NOTICES:
        _INBOX_NOTICES.append(provider)


def inbox_notices(membership) -> list[Notice]:
    return [notice for provider in _INBOX_NOTICES for notice in provider(membership)]
