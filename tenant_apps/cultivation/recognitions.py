"""认定: what the last level's approval creates, how it lapses, is renewed by a re-review, or is revoked; and the
public lookup by exact name + USCC (the captcha and throttle are the view's)."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.cultivation import lock_objects, messages
from tenant_apps.cultivation.models import Declaration, Message, Recognition
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError, conflict


def _years_later(day: datetime.date, years: int) -> datetime.date:
    """The last day of a validity of `years` years starting on `day` (29 February → 28 February)."""
    try:
        end = day.replace(year=day.year + years)
    except ValueError:
        end = day.replace(year=day.year + years, day=28)
    return end - datetime.timedelta(days=1)


def certificate_no(tier, region, year: int) -> str:
    """<prefix><year><region code><sequence>, e.g. ZJTX20263302120001; the unique index settles races."""
    stem = f"{tier.certificate_prefix}{year}{region.code}"
    taken = Recognition.objects.filter(certificate_no__startswith=stem).count()
    return f"{stem}{taken + 1:04d}"


def in_force(organisation):
    """The organisation's recognitions in force, nearest expiry first."""
    return (
        Recognition.objects.filter(organisation=organisation, status=Recognition.Status.ACTIVE)
        .select_related("tier")
        .order_by("valid_to")
    )


def recognition_create(declaration: Declaration) -> Recognition:
    """The last level approved: the enterprise is recognised for the tier, in the window's region, from today."""
    today = timezone.localdate()
    region = declaration.window.region or declaration.application.region
    for _attempt in range(3):
        try:
            with transaction.atomic():
                recognition = Recognition.objects.create(
                    organisation=declaration.organisation,
                    tier=declaration.tier,
                    region=region,
                    declaration=declaration,
                    certificate_no=certificate_no(declaration.tier, region, today.year),
                    valid_from=today,
                    valid_to=_years_later(today, declaration.tier.valid_years),
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - three collisions in a row
        raise conflict(_("证书编号生成冲突，请重试。"), code="cultivation.certificate_clash")
    messages.message_send(
        organisation=declaration.organisation,
        category=Message.Category.RECOGNITION,
        title=_("您的企业已被认定为%(tier)s") % {"tier": declaration.tier.name},
        body=_("证书编号 %(no)s，有效期 %(start)s 至 %(end)s。")
        % {"no": recognition.certificate_no, "start": recognition.valid_from, "end": recognition.valid_to},
        key=f"recognised:{recognition.pk}",
    )
    return recognition


def declaration_outcome(application: Application) -> None:
    """Engine outcome handler of `cultivation_declaration`: recognise on final approval; tell the enterprise when
    its declaration is sent back or rejected."""
    declaration = (
        Declaration.objects.select_related("tier", "window", "window__region", "organisation")
        .filter(application=application)
        .first()
    )
    if declaration is None:
        return
    if application.state == Application.State.APPROVED and not hasattr(declaration, "recognition"):
        recognition_create(declaration)
    elif application.state in (Application.State.RETURNED, Application.State.REJECTED):
        returned = application.state == Application.State.RETURNED
        opinion = application.tasks.filter(state="done").order_by("-decided_at").values_list("opinion", flat=True)
        messages.message_send(
            organisation=declaration.organisation,
            category=Message.Category.DECLARATION,
            title=(_("您的%(tier)s申报被退回修改") if returned else _("您的%(tier)s申报未通过"))
            % {"tier": declaration.tier.name},
            body=_("审核意见：%(opinion)s") % {"opinion": opinion.first() or "—"},
        )


def recognition_renew(recognition: Recognition) -> Recognition:
    """A re-review passed: a further validity period follows on from the current one (or from today if lapsed)."""
    start = max(recognition.valid_to + datetime.timedelta(days=1), timezone.localdate())
    recognition.valid_to = _years_later(start, recognition.tier.valid_years)
    recognition.status = Recognition.Status.ACTIVE
    recognition.save(update_fields=["valid_to", "status"])
    messages.message_send(
        organisation=recognition.organisation,
        category=Message.Category.RECOGNITION,
        title=_("%(tier)s复核通过") % {"tier": recognition.tier.name},
        body=_("认定有效期延续至 %(end)s。") % {"end": recognition.valid_to},
        key=f"renewed:{recognition.pk}:{recognition.valid_to}",
    )
    return recognition


@transaction.atomic
def recognition_revoke(*, membership, recognition: Recognition, reason: str) -> Recognition:
    """Administrators revoke with a reason; the enterprise is told (取消认定)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写撤销原因。"), code="cultivation.reason_required", field="reason")
    if len(reason) > 500:
        raise DomainError(_("撤销原因不能超过 500 个字。"), code="cultivation.reason_long", field="reason")
    locked = lock_objects.recognition_lock(recognition.pk)
    if locked.status != Recognition.Status.ACTIVE:
        raise conflict(_("该认定已到期或已撤销。"), code="cultivation.not_active")
    locked.status, locked.revoked_at = Recognition.Status.REVOKED, timezone.now()
    locked.revoked_reason, locked.revoked_by_id = reason, membership.user_id
    locked.save(update_fields=["status", "revoked_at", "revoked_reason", "revoked_by"])
    messages.message_send(
        organisation=locked.organisation,
        category=Message.Category.REVOCATION,
        title=_("您的%(tier)s认定已被撤销") % {"tier": locked.tier.name},
        body=_("撤销原因：%(reason)s") % {"reason": reason},
        key=f"revoked:{locked.pk}",
    )
    return locked


def recognitions_lapse(today: datetime.date | None = None) -> int:
    """Recognitions past their last day and not renewed lapse (the beat job, daily)."""
    today = today or timezone.localdate()
    return Recognition.objects.filter(status=Recognition.Status.ACTIVE, valid_to__lt=today).update(
        status=Recognition.Status.EXPIRED
    )


def recognitions_matching(*, name: str, uscc: str) -> list[Recognition]:
    """The lookup in one query, whatever matches: the recognitions (any status) of the organisation with exactly
    this name and this USCC. An unknown name, a wrong USCC and an organisation without recognitions all answer []
    after the same single query, so neither the answer nor its timing tells which of them it was."""
    name, uscc = (name or "").strip(), (uscc or "").strip().upper()
    if not name or not uscc:
        return []
    return list(
        Recognition.objects.filter(organisation__name=name, organisation__uscc=uscc)
        .select_related("tier", "region", "organisation")
        .order_by("tier__position", "-valid_from", "-id")
    )
