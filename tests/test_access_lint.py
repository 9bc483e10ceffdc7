"""Views and API modules reach access-controlled rows only through access helpers and policies (docs/conventions.md).

Like Zulip's semgrep rule against `Stream.objects.filter`: a bare `Model.objects` for these model families in a
view or API module is a lint error, because it is how one organisation's rows end up on another's page.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Rows whose visibility depends on who asks: fetch them through `<app>/selectors.py` or `<app>/policies.py`.
GUARDED = {
    "Application",
    "Task",
    "LogEntry",
    "Attachment",
    "TaskUserObjectPermission",
    "CertificationRequest",
    "Membership",
    "Organisation",
    "RegistrationDraft",
    "AuditEntry",
    "SecurityEvent",
    "Message",
    "ProviderExpert",
    "CartItem",
    "Order",
    "OrderLine",
    "OrderEvent",
    "PaymentProof",
    "PaymentProofFile",
    "Rating",
    "BankAccount",
    "Listing",
    "ListingVersion",
    "ListingCase",
    "ListingSpec",
    "ListingMedia",
    "Voucher",
    "VoucherRequest",
    "LedgerEntry",
    "Settlement",
    "SettlementItem",
    "Admission",
    "AdmissionFile",
    "PilotEnterprise",
    "Declaration",
    "DeclarationFile",
    "Product",
    "ProductCase",
    "ProductFile",
    "AllianceMember",
    "PoolEntry",
    "ProviderChange",
}
PACKAGES = ("tenant_apps", "shared_apps", "cms")


def _view_modules():
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            stem = parts[-1]
            # views.py / api.py, and a module's per-area files (listing_views.py, api_orders.py, …)
            if set(parts) & {"views", "api"} or stem.endswith("_views") or stem.startswith("api_"):
                yield path


def _model_name(node) -> str | None:
    """`Application` and `models.Application` alike."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _bare_queries(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"objects", "_default_manager", "_base_manager"}
            and _model_name(node.value) in GUARDED
        ):
            found.append(f"{name}:{node.lineno}: {_model_name(node.value)}.{node.attr}")
    return found


def test_views_and_apis_use_access_helpers_not_bare_managers():
    modules = list(_view_modules())
    assert len(modules) >= 10  # the walk finds the view and API modules at all
    offences = [offence for path in modules for offence in _bare_queries(path.read_text(), str(path.relative_to(ROOT)))]
    assert not offences, "use an access_* helper or a policy queryset instead:\n" + "\n".join(offences)


def test_the_rule_catches_a_bare_query():
    source = "def view(request, pk):\n    return Application.objects.get(pk=pk)\n"
    assert _bare_queries(source, "views.py") == ["views.py:2: Application.objects"]
    assert _bare_queries("Industry.objects.all()", "views.py") == []
    assert _bare_queries("models.Task.objects.all()", "api.py") == ["api.py:1: Task.objects"]
