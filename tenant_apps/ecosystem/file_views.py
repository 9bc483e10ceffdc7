"""The ecosystem's files as downloads: a declaration's materials, a product's proofs and a case's contract, for
whoever `access.py` lets read the declaration or product (the provider itself, the reviewers at their stages, the
city); 404 for anyone else, missing or forbidden alike."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from tenant_apps.ecosystem import access
from tenant_apps.organisations.access import check_module_access
from tenants.errors import DomainError

MODULE = "ecosystem"


def _download(file, *, name: str, content_type: str) -> FileResponse:
    """A stored upload as an attachment under its original name, never sniffed into something else."""
    response = FileResponse(
        file.open("rb"), content_type=content_type or "application/octet-stream", filename=name, as_attachment=True
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _item(fetch, request, *args):
    _module, membership = check_module_access(request, MODULE)
    try:
        return fetch(membership, *args)
    except DomainError as error:
        raise Http404(error.message) from None


@login_required
def declaration_file(request, pk: int, file_pk: int):
    item = _item(access.declaration_file, request, pk, file_pk)
    return _download(item.file, name=item.original_name, content_type=item.content_type)


@login_required
def product_file(request, pk: int, file_pk: int):
    item = _item(access.product_file, request, pk, file_pk)
    return _download(item.file, name=item.original_name, content_type=item.content_type)


@login_required
def case_contract(request, pk: int, case_pk: int):
    case = _item(access.case_contract, request, pk, case_pk)
    return _download(case.contract, name=case.contract_name or "contract", content_type=case.contract_type)
