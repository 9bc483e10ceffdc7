"""What declarations, products and changes share: who may declare, the upload rule, the state mirror."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tenant_apps.ecosystem.models import Status
from tenant_apps.organisations.models import Organisation
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError

FILE_MAX_BYTES = 20 * 1024 * 1024
FILE_TYPES = ("pdf", "jpg", "png")
CITY_ROLES = ("ops", "city_bureau", "tenant_admin")

# The engine's state → the status the provider's lists show (a first declaration's products add `pending`).
STATUS_OF_STATE = {
    Application.State.DRAFT: Status.DRAFT,
    Application.State.IN_REVIEW: Status.IN_REVIEW,
    Application.State.RETURNED: Status.RETURNED,
    Application.State.APPROVED: Status.APPROVED,
    Application.State.REJECTED: Status.REJECTED,
    Application.State.WITHDRAWN: Status.WITHDRAWN,
}
EDITABLE = (Status.DRAFT, Status.RETURNED, Status.WITHDRAWN)


def provider_of(membership) -> Organisation:
    """The certified provider this person declares for (a sub-account declares for its organisation too)."""
    organisation = getattr(membership, "organisation", None)
    if (
        organisation is None
        or organisation.kind != Organisation.Kind.PROVIDER
        or not membership.is_active
        or not membership.has_role("provider")
    ):
        raise DomainError(_("仅服务商用户可以进行生态申报。"), code="ecosystem.wrong_kind", status=403)
    if organisation.certification != Organisation.Certification.CERTIFIED:
        raise DomainError(
            _("您的单位尚未通过服务商认证，认证通过后方可申报。"), code="ecosystem.not_certified", status=403
        )
    return organisation


def is_city(membership) -> bool:
    return bool(membership and membership.is_active and membership.has_role(*CITY_ROLES))


def anchor_unit_of(membership):
    """The anchor unit this person acts for, or None."""
    from tenant_apps.configuration.models import AnchorUnit

    if not membership or not membership.is_active or not membership.organisation_id:
        return None
    if not membership.has_role("anchor_unit"):
        return None
    return AnchorUnit.objects.filter(organisation_id=membership.organisation_id).first()


def file_checked(upload, *, field: str) -> str:
    """An attachment's content type, checked by content (PDF, JPG or PNG, under 20 MB)."""
    from tenants.uploads import upload_checked

    return upload_checked(
        upload,
        allowed=FILE_TYPES,
        max_bytes=FILE_MAX_BYTES,
        wrong_type=_("请上传 PDF、JPG 或 PNG 格式的文件。"),
        too_large=_("文件须小于 20 MB。"),
        field=field,
    ).mime


def editable(obj, *, area: str) -> None:
    if obj.status not in EDITABLE:
        raise DomainError(_("审核中或已办结的申报不能修改。"), code=f"{area}.not_editable", status=409)
