"""Who may read which ecosystem rows and files — the one policy the pages, the API and the downloads share.

- A provider reads its own declarations, products and changes (any member of the organisation with the role).
- A reviewer reads what the engine lets it read (`workflow.policies.applications_visible`): the anchor unit named
  in a declaration or product, operations and the bureau at their stages.
- The city (ops, city bureau, tenant admin) reads every declaration and product of the tenant.
Missing and forbidden answer alike (404), so ids cannot be probed."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from tenant_apps.ecosystem import common
from tenant_apps.ecosystem.models import Declaration, DeclarationFile, Product, ProductCase, ProductFile
from tenant_apps.workflow import policies
from tenants.errors import not_found


def _readable(model, membership):
    if membership is None or not membership.is_active:
        return model.objects.none()
    if common.is_city(membership):
        return model.objects.all()
    visible = policies.applications_visible(membership).filter(pk=OuterRef("application_id"))
    own = Q(organisation_id=membership.organisation_id) if membership.organisation_id else Q(pk__in=[])
    return model.objects.filter(own | Exists(visible))


def declarations_readable(membership):
    return _readable(Declaration, membership)


def products_readable(membership):
    return _readable(Product, membership)


def declaration_file(membership, pk, file_pk) -> DeclarationFile:
    item = DeclarationFile.objects.filter(
        pk=file_pk, declaration_id=pk, declaration__in=declarations_readable(membership)
    ).first()
    if item is None:
        raise not_found(_("该文件不存在。"), code="ecosystem.file_not_found")
    return item


def product_file(membership, pk, file_pk) -> ProductFile:
    item = ProductFile.objects.filter(pk=file_pk, product_id=pk, product__in=products_readable(membership)).first()
    if item is None:
        raise not_found(_("该文件不存在。"), code="ecosystem.file_not_found")
    return item


def case_contract(membership, pk, case_pk) -> ProductCase:
    case = ProductCase.objects.filter(pk=case_pk, product_id=pk, product__in=products_readable(membership)).first()
    if case is None or not case.contract:
        raise not_found(_("该文件不存在。"), code="ecosystem.file_not_found")
    return case
