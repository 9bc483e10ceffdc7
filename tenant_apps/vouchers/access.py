"""Who may hold and use vouchers: certified enterprises of this tenant that an activity's eligibility admits.
Every page and API of the app asks here, so the workbench and the API refuse with the same reason."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tenant_apps.organisations.models import Organisation
from tenants.errors import DomainError

MODULE = "vouchers"


def certified_enterprise(membership) -> Organisation:
    organisation = getattr(membership, "organisation", None)
    if organisation is None or organisation.kind != Organisation.Kind.ENTERPRISE or not membership.is_active:
        raise DomainError(_("仅企业用户可以领取和使用服务券。"), code="voucher.wrong_kind", status=403)
    if organisation.certification != Organisation.Certification.CERTIFIED:
        raise DomainError(
            _("您的单位尚未通过认证，认证通过后即可领取服务券。"), code="voucher.not_certified", status=403
        )
    return organisation


def ineligible_reason(organisation: Organisation, activity, industry_ids: set[int] | None = None) -> str:
    """Why this enterprise may not take part in the activity ("" when it may): the activity's industries and
    regions (a region matches when the enterprise's 所在地区 starts with it)."""
    industry_ids = industry_ids if industry_ids is not None else {i.pk for i in activity.industries.all()}
    if industry_ids and organisation.industry_id not in industry_ids:
        return _("本活动仅限指定行业的企业参加，您的单位所属行业不在范围内。")
    regions = [r for r in (activity.regions or []) if r]
    if regions and not any((organisation.region or "").startswith(r) for r in regions):
        return _("本活动仅限%(regions)s的企业参加。") % {"regions": "、".join(regions)}
    return ""


def provider_of(membership) -> Organisation:
    organisation = getattr(membership, "organisation", None)
    if organisation is None or organisation.kind != Organisation.Kind.PROVIDER or not membership.is_active:
        raise DomainError(_("仅服务商可以查看服务券使用情况。"), code="voucher.wrong_kind", status=403)
    return organisation


def ops_of(membership, *, write: bool = False):
    """Operations manage activities, the deduction rule and settlements; the city's administrators may read them.
    Everyone else is refused (403), with the same reason on the page and in the API."""
    if membership is None or not membership.is_active:
        raise DomainError(_("仅运营人员可以管理服务券。"), code="voucher.not_ops", status=403)
    if membership.has_role("ops") or (not write and membership.has_role("tenant_admin")):
        return membership
    if membership.has_role("tenant_admin"):
        raise DomainError(_("城市管理员只能查看服务券管理数据，不能修改。"), code="voucher.read_only", status=403)
    raise DomainError(_("仅运营人员可以管理服务券。"), code="voucher.not_ops", status=403)
