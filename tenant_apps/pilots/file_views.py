"""The pilots' supporting files as downloads: an admission's evidence (audit report, credit report, industry
statement) for its organisation and the city bureau once submitted; 404 for anyone else, missing or forbidden."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from tenant_apps.organisations.access import check_module_access
from tenant_apps.pilots import admissions
from tenants.errors import DomainError


def download(item) -> FileResponse:
    """A stored upload as an attachment under its original name, never sniffed into something else."""
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, filename=item.original_name, as_attachment=True
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def admission_evidence(request, pk: int, file_pk: int):
    _module, membership = check_module_access(request, admissions.MODULE)
    try:
        item = admissions.access_evidence(membership, pk, file_pk)
    except DomainError as error:
        raise Http404(error.message) from None
    return download(item)
