"""Evidence of a declaration as a download, for whoever `access.py` lets read the declaration (the enterprise, the
staff of the divisions containing its registered place, the tenant admin); 404 for anyone else, missing or
forbidden alike."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from tenant_apps.cultivation import access
from tenant_apps.cultivation.common import MODULE
from tenant_apps.organisations.access import check_module_access
from tenants.errors import DomainError


@login_required
def evidence_file(request, pk: int, evidence_pk: int):
    _module, membership = check_module_access(request, MODULE)
    try:
        item = access.evidence_file(membership, pk, evidence_pk)
    except DomainError as error:
        raise Http404(error.message) from None
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type or "application/octet-stream",
        filename=item.original_name,
        as_attachment=True,
    )
    response["X-Content-Type-Options"] = "nosniff"  # never sniffed into something else
    return response
