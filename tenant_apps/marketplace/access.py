"""Who may act in the marketplace: the module's gate plus the seed's certification rules (only certified providers
list, only certified enterprises buy). Every page and API of the app starts here, so the two never disagree."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tenant_apps.organisations.models import Organisation
from tenants.errors import DomainError

MODULE = "marketplace"


def certified_organisation(membership, kind: str) -> Organisation:
    """The caller's organisation when it is certified and of `kind` ("provider" | "enterprise"); else a 403
    with the reason the person can act on."""
    organisation = getattr(membership, "organisation", None)
    if organisation is None or organisation.kind != kind:
        message = _("仅服务商可使用该功能。") if kind == "provider" else _("仅企业用户可使用该功能。")
        raise DomainError(message, code="market.wrong_kind", status=403)
    if organisation.certification != Organisation.Certification.CERTIFIED:
        message = (
            _("您的单位尚未通过认证，认证通过后即可发布商品。")
            if kind == "provider"
            else _("您的单位尚未通过认证，认证通过后即可下单。")
        )
        raise DomainError(message, code="market.not_certified", status=403)
    return organisation


def certified_provider(membership) -> Organisation:
    return certified_organisation(membership, Organisation.Kind.PROVIDER)


def certified_buyer(membership) -> Organisation:
    return certified_organisation(membership, Organisation.Kind.ENTERPRISE)
