"""What every cultivation flow shares: who declares, the enterprise's info, windows, the upload rule."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.configuration.models import DeclarationWindow, Region
from tenant_apps.cultivation.models import EnterpriseInfo, Recognition
from tenant_apps.organisations.models import Organisation
from tenants.errors import DomainError, conflict

MODULE = "cultivation"
INFO_UPDATE = "info_update"  # the window kind of the annual information update
FILE_MAX_BYTES = 20 * 1024 * 1024
FILE_TYPES = ("pdf", "jpg", "png")


def enterprise_of(membership) -> Organisation:
    """The enterprise this person acts for (a sub-account acts for its organisation too)."""
    organisation = getattr(membership, "organisation", None)
    if (
        organisation is None
        or organisation.kind != Organisation.Kind.ENTERPRISE
        or not membership.is_active
        or not membership.has_role("enterprise")
    ):
        raise DomainError(_("仅企业用户可以进行梯度培育申报。"), code="cultivation.wrong_kind", status=403)
    return organisation


@transaction.atomic
def draft_discard(*, application, actor, refusal: str) -> None:
    """Clear the way to delete a 暂存 draft: the engine locks the application and checks the applicant, the state and
    the version (`application_discard`); one ever submitted is history and is refused with `refusal`. The caller
    deletes its rows and then the application inside the same transaction."""
    from tenant_apps.workflow.services import application_discard

    if application.submitted_at is not None:
        raise conflict(refusal, code="cultivation.not_deletable")
    locked = application_discard(application=application, actor=actor)
    if locked.submitted_at is not None:  # submitted (and returned) since the page was read: keep it, undo the close
        raise conflict(refusal, code="cultivation.not_deletable")


def info_of(organisation) -> EnterpriseInfo | None:
    return EnterpriseInfo.objects.select_related("region").filter(organisation=organisation).first()


def info_required(organisation) -> EnterpriseInfo:
    info = info_of(organisation)
    if info is None:
        raise DomainError(
            _("请先在“企业信息”中完善注册地、所属行业等基本信息。"), code="cultivation.info_missing", status=409
        )
    return info


def is_recognised(organisation) -> bool:
    """Holds a recognition in force: the info is then changed only through the annual update or a major change."""
    return Recognition.objects.filter(organisation=organisation, status=Recognition.Status.ACTIVE).exists()


def covers(window_region: Region | None, region: Region) -> bool:
    """Whether a window of `window_region` (None: the whole tenant) admits an enterprise registered in `region`."""
    return (
        window_region is None or region.path == window_region.path or region.path.startswith(window_region.path + "/")
    )


def window_is_open(window: DeclarationWindow, today=None) -> bool:
    """Both days included: the last day is open, the day after closed."""
    today = today or timezone.localdate()
    return window.opens_on <= today <= window.closes_on


def open_windows(kind: str, *, region: Region | None = None, today=None):
    """Open windows of `kind` (a tier code or `info_update`); with `region`, only those that admit it."""
    today = today or timezone.localdate()
    windows = DeclarationWindow.objects.filter(
        module=MODULE, kind=kind, opens_on__lte=today, closes_on__gte=today
    ).select_related("region")
    if region is None:
        return list(windows)
    return [w for w in windows if covers(w.region, region)]


def file_checked(upload, *, field: str) -> str:
    """An evidence file's content type, checked by content (PDF, JPG or PNG, under 20 MB)."""
    from tenants.uploads import upload_checked

    return upload_checked(
        upload,
        allowed=FILE_TYPES,
        max_bytes=FILE_MAX_BYTES,
        wrong_type=_("请上传 PDF、JPG 或 PNG 格式的文件。"),
        too_large=_("文件须小于 20 MB。"),
        field=field,
    ).mime
