"""企业申报 (seed 003 §二–三): a declaration for one tier, opened in a window that admits the enterprise's
registered place, filled with the tier's indicators (configured per tier) and their evidence, reviewed by the
county, city and province containing that place (engine kind `cultivation_declaration`, handler "region").

Rules of the seed: 专精特新 needs a completed self-assessment (the latest counts and is recorded on submission); no
other order between tiers; outside its window a region offers no entry; the level holding a submitted declaration
may send it back only while the window is open (a decision guard). Approval at the last level creates the
recognition (recognitions.py)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from tenant_apps.configuration.models import DeclarationWindow
from tenant_apps.cultivation import common, lock_objects
from tenant_apps.cultivation.kinds import DECLARATION as KIND
from tenant_apps.cultivation.models import Assessment, Declaration, Evidence, Recognition, Tier
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError, conflict, not_found

LIVE_STATES = (Application.State.DRAFT, Application.State.IN_REVIEW, Application.State.RETURNED,
               Application.State.WITHDRAWN)  # fmt: skip


# --- Reads ---------------------------------------------------------------------------------------------------------
def declarations_of(organisation):
    return (
        Declaration.objects.filter(organisation=organisation)
        .select_related("tier", "window", "window__region", "application")
        .order_by("-created_at", "-id")
    )


def access_declaration(membership, pk) -> Declaration:
    """The enterprise's own declaration (404 for another's and a missing one alike)."""
    declaration = declarations_of(common.enterprise_of(membership)).filter(pk=pk).first()
    if declaration is None:
        raise not_found(_("该申报不存在。"), code="cultivation.not_found")
    return declaration


def latest_assessment(organisation) -> Assessment | None:
    """The latest self-assessment counts (seed FAQ 6)."""
    return Assessment.objects.filter(organisation=organisation).order_by("-created_at", "-id").first()


def declarable(organisation) -> list[dict]:
    """Each active tier with the open windows that admit this enterprise and why it may not declare, if so."""
    info = common.info_of(organisation)
    rows = []
    for tier in Tier.objects.filter(is_active=True):
        windows = common.open_windows(tier.code, region=info.region) if info else []
        rows.append({"tier": tier, "windows": windows, "blocked": _blocked(organisation, tier, info)})
    return rows


def _blocked(organisation, tier: Tier, info) -> str:
    if info is None:
        return _("请先完善企业信息（注册地、所属行业）。")
    if Recognition.objects.filter(organisation=organisation, tier=tier, status=Recognition.Status.ACTIVE).exists():
        return _("已获该层级认定且在有效期内。")
    live = Declaration.objects.filter(organisation=organisation, tier=tier, application__state__in=LIVE_STATES)
    if live.exists():
        return _("已有该层级的申报正在填写或审核中。")
    if tier.requires_assessment and latest_assessment(organisation) is None:
        return _("申报%(tier)s前须先完成数字化水平评测。") % {"tier": tier.name}
    return ""


# --- Writes --------------------------------------------------------------------------------------------------------
@transaction.atomic
def declaration_start(*, membership, tier_code: str, window_id: int) -> Declaration:
    """Open a declaration for a tier in an open window admitting the enterprise's registered place."""
    from tenant_apps.workflow.services import application_create

    organisation = common.enterprise_of(membership)
    info = common.info_required(organisation)
    tier = Tier.objects.filter(code=tier_code, is_active=True).first()
    if tier is None:
        raise DomainError(_("请选择申报层级。"), code="cultivation.no_tier", field="tier")
    window = DeclarationWindow.objects.filter(pk=window_id, module=common.MODULE, kind=tier.code).first()
    if window is None or not common.window_is_open(window) or not common.covers(window.region, info.region):
        raise DomainError(
            _("所选地区当前未开放%(tier)s申报。") % {"tier": tier.name},
            code="cultivation.window_closed",
            field="window",
        )
    # One live declaration per tier at a time; concurrent starts serialise on the organisation row.
    lock_objects.organisation_lock(organisation.pk)
    blocked = _blocked(organisation, tier, info)
    if blocked:
        raise conflict(blocked, code="cultivation.not_declarable")
    application = application_create(
        kind=KIND,
        applicant=membership.user,
        title=f"{tier.name}申报 · {organisation.name}",
        organisation=organisation,
        region=info.region,
    )
    return Declaration.objects.create(organisation=organisation, tier=tier, window=window, application=application)


def _clean(tier: Tier, data: dict) -> tuple[dict, dict]:
    """The indicator answers as stored, and field errors; drafts may leave required ones empty."""
    cleaned, errors = {}, {}
    for indicator in tier.indicators:
        code, value = indicator["code"], str(data.get(indicator["code"], "") or "").strip()
        if not value:
            continue
        if indicator.get("kind") == "number":
            try:
                number = Decimal(value)
            except InvalidOperation:
                errors[code] = _("请填写数字。")
                continue
            if number < 0 or not number.is_finite():
                errors[code] = _("请填写不小于 0 的数字。")
                continue
            value = str(number)
        elif indicator.get("kind") == "choice" and value not in indicator.get("choices", []):
            errors[code] = _("请从列表中选择。")
            continue
        limit = indicator.get("max_length")
        if limit and len(value) > limit:
            errors[code] = _("不能超过 %(n)d 个字。") % {"n": limit}
            continue
        cleaned[code] = value
    return cleaned, errors


def _editable(declaration: Declaration) -> None:
    if declaration.application.state not in Application.EDITABLE_STATES:
        raise conflict(_("审核中或已办结的申报不能修改。"), code="cultivation.not_editable")


@transaction.atomic
def declaration_save(
    *, membership, declaration: Declaration, data: dict, files: dict | None = None, expected_version=None
) -> Declaration:
    """Save what was typed (a draft may be incomplete) and the evidence uploaded per indicator; a bad value or
    file is refused on its field with nothing saved."""
    from tenant_apps.workflow.services import application_touch

    _editable(declaration)
    cleaned, errors = _clean(declaration.tier, data)
    if errors:
        field, message = next(iter(errors.items()))
        raise DomainError(message, code="cultivation.invalid", field=field)
    evidence_codes = {i["code"] for i in declaration.tier.indicators if i.get("evidence")}
    checked = []
    for code, upload in (files or {}).items():
        if code not in evidence_codes or upload is None:
            continue
        checked.append((code, upload, common.file_checked(upload, field=code)))
    declaration.application = application_touch(
        application=declaration.application, actor=membership.user, expected_version=expected_version
    )
    declaration.data = cleaned
    declaration.save(update_fields=["data", "updated_at"])
    for code, upload, mime in checked:
        Evidence.objects.create(
            declaration=declaration,
            indicator=code,
            file=upload,
            original_name=upload.name[:200],
            content_type=mime,
            size=upload.size,
        )
    return declaration


@transaction.atomic
def evidence_remove(*, membership, declaration: Declaration, evidence_id: int) -> None:
    _editable(declaration)
    deleted, _rows = Evidence.objects.filter(declaration=declaration, pk=evidence_id).delete()
    if not deleted:
        raise not_found(_("该材料不存在。"), code="cultivation.evidence_not_found")


def declaration_problems(declaration: Declaration) -> list[dict]:
    """What still stops submission, each with the field it belongs to (`{"field", "message"}`)."""
    problems = []
    have_evidence = set(declaration.evidence.values_list("indicator", flat=True))
    for indicator in declaration.tier.indicators:
        if indicator.get("required", True) and not declaration.data.get(indicator["code"]):
            problems.append({"field": indicator["code"], "message": _("请填写“%(label)s”。") % indicator})
        if indicator.get("evidence") and indicator.get("required", True) and indicator["code"] not in have_evidence:
            problems.append({"field": indicator["code"], "message": _("请上传“%(label)s”的证明材料。") % indicator})
    if declaration.tier.requires_assessment and latest_assessment(declaration.organisation) is None:
        problems.append(
            {
                "field": "assessment",
                "message": _("申报%(tier)s前须先完成数字化水平评测。") % {"tier": declaration.tier.name},
            }
        )
    if not common.window_is_open(declaration.window):
        problems.append({"field": "window", "message": _("本批次申报已截止，不能提交。")})
    return problems


@transaction.atomic
def declaration_submit(*, membership, declaration: Declaration, expected_version=None) -> Declaration:
    """Hand it in (again, after a return): everything filled, the window open, the latest assessment recorded."""
    from tenant_apps.workflow.services import application_submit, application_touch

    _editable(declaration)
    declaration.application = application_touch(
        application=declaration.application, actor=membership.user, expected_version=expected_version
    )
    problems = declaration_problems(declaration)
    if problems:
        raise DomainError(
            " ".join(p["message"] for p in problems), code="cultivation.incomplete", field=problems[0]["field"]
        )
    declaration.assessment = latest_assessment(declaration.organisation)
    declaration.save(update_fields=["assessment", "updated_at"])
    declaration.application = application_submit(application=declaration.application, actor=membership.user)
    return declaration


@transaction.atomic
def declaration_delete(*, membership, declaration: Declaration) -> None:
    """A draft that was never submitted goes away with its engine application; a submitted one stays (history)."""
    application = declaration.application
    with transaction.atomic():
        common.draft_discard(application=application, actor=membership.user, refusal=_("已提交过的申报不能删除。"))
        declaration.evidence.all().delete()
        declaration.delete()
        application.delete()


def send_back_refusal(application, action: str) -> str | None:
    """The engine's decision guard: a declaration is sent back for changes only while its window is open."""
    if action != "return":
        return None
    declaration = Declaration.objects.select_related("window").filter(application=application).first()
    if declaration is not None and not common.window_is_open(declaration.window):
        return _("申报开放时间已过，不能退回修改；可通过或驳回。")
    return None
