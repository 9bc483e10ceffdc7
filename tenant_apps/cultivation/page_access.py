"""What every enterprise page of the module starts with: the module on (else 404), the person acting for an
enterprise (else 403), rows through the services' access helpers (404 for missing and another's alike)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from tenant_apps.cultivation import common
from tenant_apps.organisations.access import check_module_access
from tenants.errors import DomainError


def enterprise_member(request):
    """(membership, organisation) of the enterprise this person acts for."""
    _module, membership = check_module_access(request, common.MODULE)
    try:
        organisation = common.enterprise_of(membership)
    except DomainError as error:
        raise PermissionDenied(error.message) from None
    return membership, organisation


def fetch(access, *args):
    """`access(*args)` on a page: its 404 stays 404, any other refusal is 403."""
    try:
        return access(*args)
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        raise PermissionDenied(error.message) from None


def url_or_none(name: str, *args) -> str | None:
    """A page of another area that a deployment may leave out (e.g. 企业信息 where the module set is trimmed)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None
