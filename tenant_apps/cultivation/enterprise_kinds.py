"""What the annual update, major changes and re-reviews bring to the review engine: where the enterprise re-edits a
returned one, what reviewers read (before → after), and what each outcome does (enterprise.py)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from tenant_apps.cultivation import common, enterprise
from tenant_apps.cultivation.kinds import CHANGE, REREVIEW, UPDATE
from tenant_apps.cultivation.models import InfoUpdate, MajorChange, ReReview
from tenant_apps.workflow.registry import Section, on_outcome, register_content, register_edit_url


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _enterprise_rows(organisation) -> list[tuple[str, str]]:
    return enterprise.info_rows(organisation, common.info_of(organisation))


# --- Content -------------------------------------------------------------------------------------------------------
def update_content(application) -> list[Section]:
    update = InfoUpdate.objects.select_related("organisation").filter(application=application).first()
    if update is None:
        return []
    regions = enterprise.region_names([update.before.get("region"), update.after.get("region")])
    rows = []
    for field in enterprise.UPDATE_FIELDS:
        label = str(enterprise.INFO_FIELDS[field])
        before = enterprise.shown(field, update.before.get(field), regions)
        after = enterprise.shown(field, update.after.get(field), regions)
        rows.append((f"✎ {label}", f"{before} → {after}") if before != after else (label, after))
    return [
        Section(_("企业"), [(_("企业名称"), update.organisation.name), (_("年度"), str(update.year))]),
        Section(_("更新内容（变更前 → 变更后）"), rows),
    ]


def change_content(application) -> list[Section]:
    change = MajorChange.objects.select_related("organisation").filter(application=application).first()
    if change is None:
        return []
    before, after = change.before or "—", change.after or "—"
    if change.change_type == MajorChange.Type.REGION:
        names = enterprise.region_names([change.before, change.after])
        before, after = names.get(change.before, before), names.get(change.after, after)
    return [
        Section(
            _("重大变更"),
            [
                (_("变更类型"), str(change.get_change_type_display())),
                (_("变更前"), before),
                (_("变更后"), after),
                (_("变更原因"), change.reason or "—"),
            ],
        ),
        Section(_("企业当前信息"), _enterprise_rows(change.organisation)),
    ]


def rereview_content(application) -> list[Section]:
    rereview = (
        ReReview.objects.select_related("recognition", "recognition__tier", "recognition__organisation")
        .filter(application=application)
        .first()
    )
    if rereview is None:
        return []
    recognition = rereview.recognition
    return [
        Section(
            _("复核的认定"),
            [
                (_("认定层级"), recognition.tier.name),
                (_("证书编号"), recognition.certificate_no),
                (_("有效期"), f"{recognition.valid_from} 至 {recognition.valid_to}"),
                (_("状态"), str(recognition.get_status_display())),
            ],
        ),
        Section(_("复核说明"), [(_("复核说明"), rereview.statement)]),
        Section(_("企业信息"), _enterprise_rows(recognition.organisation)),
    ]


# --- Edit urls -----------------------------------------------------------------------------------------------------
def update_edit_url(application) -> str | None:
    return _url("cultivation-info-update") if InfoUpdate.objects.filter(application=application).exists() else None


def change_edit_url(application) -> str | None:
    change = MajorChange.objects.filter(application=application).only("pk").first()
    return _url("cultivation-change-edit", change.pk) if change else None


def rereview_edit_url(application) -> str | None:
    rereview = ReReview.objects.filter(application=application).only("pk").first()
    return _url("cultivation-rereview-edit", rereview.pk) if rereview else None


def register() -> None:
    for kind, content, edit_url, outcome in (
        (UPDATE, update_content, update_edit_url, enterprise.update_outcome),
        (CHANGE, change_content, change_edit_url, enterprise.change_outcome),
        (REREVIEW, rereview_content, rereview_edit_url, enterprise.rereview_outcome),
    ):
        register_content(kind, content)
        register_edit_url(kind, edit_url)
        on_outcome(kind)(outcome)
