"""企业信息, 信息更新, 企业重大变更, 认证到期管理 (seed 003 §三 (一)(四)(五)).

- The information is free to edit until the enterprise holds a recognition in force; afterwards it changes only
  through the annual update (kind `cultivation_update`, inside an `info_update` window, reviewed by the county) or a
  major change (kind `cultivation_change`, county → city). Both keep what they replaced (`before`).
- The annual update covers every field except 注册地 and 主营业务: those decide who reviews and what the enterprise is
  recognised for, so they change only as major changes (注册地变更, 主营业务变更).
- A major change of name or USCC writes the organisation (its registration data); of 注册地 or 主营业务 the info;
  股权结构/企业性质 and 其他 are recorded only (the reviewers read them; nothing is overwritten).
- A re-review (kind `cultivation_rereview`) renews a recognition; it may be filed from 90 days before the last day
  of validity until 90 days after it (a lapsed recognition may still be renewed for one quarter, after that the
  enterprise declares again). A revoked recognition is never re-reviewed.

An application is "open" while it has no final decision (`decided_at` is null): draft, in review, returned or
withdrawn. One open annual update per enterprise, one open change per type, one open re-review per recognition."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.configuration.models import DeclarationWindow, Region
from tenant_apps.cultivation import common, lock_objects, messages
from tenant_apps.cultivation.kinds import CHANGE, REREVIEW, UPDATE
from tenant_apps.cultivation.models import (
    EnterpriseInfo,
    InfoUpdate,
    MajorChange,
    Message,
    Recognition,
    ReReview,
    Sector,
)
from tenant_apps.organisations.models import Organisation
from tenant_apps.workflow.models import Application
from tenants.cleaning import Cleaner
from tenants.errors import DomainError, conflict, not_found

AREA = "cultivation"
REREVIEW_DAYS = 90  # a re-review may be filed this many days before the last day of validity, and after it
STATEMENT_MAX = 2000

# field: label; the order of the forms and of the info page.
INFO_FIELDS = {
    "region": gettext_lazy("注册地"),
    "sector": gettext_lazy("所属行业类别"),
    "main_business": gettext_lazy("主营业务"),
    "legal_rep": gettext_lazy("法定代表人"),
    "ownership": gettext_lazy("企业性质"),
    "founded_on": gettext_lazy("成立日期"),
    "employees": gettext_lazy("从业人员（人）"),
    "revenue": gettext_lazy("上年度营业收入（万元）"),
    "rd_expense": gettext_lazy("上年度研发费用（万元）"),
    "contact_name": gettext_lazy("联系人"),
    "contact_mobile": gettext_lazy("联系电话"),
}
UPDATE_FIELDS = tuple(f for f in INFO_FIELDS if f not in ("region", "main_business"))
TEXT_LIMITS = {"main_business": 200, "legal_rep": 30, "ownership": 20, "contact_name": 30, "contact_mobile": 20}
REQUIRED = ("region", "sector", "main_business", "legal_rep", "contact_name", "contact_mobile")
MONEY_MAX = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
# The change types that write a field (their `before` is taken from the current data, never typed).
MAPPED_TYPES = (MajorChange.Type.NAME, MajorChange.Type.USCC, MajorChange.Type.REGION, MajorChange.Type.MAIN_BUSINESS)


def _open(queryset):
    return queryset.filter(application__decided_at__isnull=True)


# --- Regions -------------------------------------------------------------------------------------------------------
def county_regions():
    """What an enterprise may register in: the county-level divisions (the county stage needs one)."""
    return Region.objects.filter(level=Region.Level.COUNTY).select_related("parent", "parent__parent").order_by("path")


def region_label(region: Region) -> str:
    """ "浙江省 / 宁波市 / 鄞州区" (parents loaded by county_regions, else one query per level)."""
    names, node = [], region
    while node is not None:
        names.append(node.name)
        node = node.parent
    return " / ".join(reversed(names))


def region_names(codes) -> dict[str, str]:
    """Region codes → their labels, in one query (history rows keep codes)."""
    codes = {c for c in codes if c}
    if not codes:
        return {}
    return {r.code: region_label(r) for r in county_regions().filter(code__in=codes)} | {
        r.code: r.full_name for r in Region.objects.filter(code__in=codes).exclude(level=Region.Level.COUNTY)
    }


# --- Info ----------------------------------------------------------------------------------------------------------
def _county(code, *, field: str) -> Region:
    region = county_regions().filter(code=str(code or "").strip()).first()
    if region is None:
        raise DomainError(_("请选择区县级注册地。"), code="cultivation.region", field=field)
    return region


def info_clean(data: dict, *, fields=tuple(INFO_FIELDS)) -> dict:
    """The typed values as the model stores them; each refusal names its field."""
    clean = Cleaner(AREA)
    values = {}
    for field in fields:
        label, raw = INFO_FIELDS[field], data.get(field)
        if field == "region":
            if raw in (None, ""):
                raise DomainError(_("请选择注册地。"), code="cultivation.required", field=field)
            values[field] = raw if isinstance(raw, Region) else _county(raw, field=field)
        elif field == "sector":
            if raw not in Sector.values:
                raise DomainError(_("请选择所属行业类别。"), code="cultivation.sector", field=field)
            values[field] = raw
        elif field == "founded_on":
            day = clean.date(raw, field=field, label=label)
            if day is not None and day > timezone.localdate():
                raise DomainError(_("成立日期不能晚于今天。"), code="cultivation.date", field=field)
            values[field] = day
        elif field == "employees":
            values[field] = _count(raw, field=field)
        elif field in ("revenue", "rd_expense"):
            values[field] = clean.money(raw, field=field, label=label, maximum=MONEY_MAX)
        else:
            values[field] = clean.text(
                raw, field=field, label=label, max_length=TEXT_LIMITS[field], required=field in REQUIRED
            )
    if values.get("contact_mobile"):
        from tenants.validators import phone_validator

        try:
            phone_validator(values["contact_mobile"])
        except Exception:  # noqa: BLE001 - Django's ValidationError; the message is ours
            raise DomainError(_("请输入有效的电话号码。"), code="cultivation.phone", field="contact_mobile") from None
    return values


def _count(raw, *, field: str) -> int | None:
    if raw in (None, ""):
        return None
    try:
        number = int(str(raw).strip())
    except ValueError:
        number = -1
    if not 0 <= number <= 10_000_000:
        raise DomainError(_("请填写不小于 0 的整数。"), code="cultivation.number", field=field)
    return number


def snapshot(values, fields=tuple(INFO_FIELDS)) -> dict:
    """An info (or cleaned values) as JSON: region as its code, dates ISO, numbers as text, empty as ""."""
    out = {}
    for field in fields:
        value = values.get(field) if isinstance(values, dict) else getattr(values, field)
        if isinstance(value, Region):
            value = value.code
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        elif value is None:
            value = ""
        out[field] = str(value)
    return out


def shown(field: str, value, regions: dict | None = None) -> str:
    """A snapshot value as a person reads it (labels for codes)."""
    if value in (None, ""):
        return "—"
    if field == "region":
        return (regions or {}).get(value) or str(value)
    if field == "sector":
        return str(Sector(value).label) if value in Sector.values else str(value)
    return str(value)


def info_rows(organisation, info: EnterpriseInfo | None) -> list[tuple[str, str]]:
    rows = [(_("企业名称"), organisation.name), (_("统一社会信用代码"), organisation.uscc or "—")]
    if info is None:
        return rows
    values = snapshot(info)
    regions = {info.region.code: region_label(info.region)}
    return rows + [(str(label), shown(field, values[field], regions)) for field, label in INFO_FIELDS.items()]


@transaction.atomic
def info_save(*, membership, data: dict) -> EnterpriseInfo:
    """编辑: every field, until the enterprise is recognised (then the annual update or a major change)."""
    organisation = common.enterprise_of(membership)
    if common.is_recognised(organisation):
        raise conflict(
            _("已认定企业不能直接编辑企业信息，请在开放期内进行信息更新，或申请重大变更。"),
            code="cultivation.info_locked",
        )
    values = info_clean(data)
    info = lock_objects.info_lock(organisation.pk)
    if info is None:
        return EnterpriseInfo.objects.create(organisation=organisation, **values)
    for field, value in values.items():
        setattr(info, field, value)
    info.save()
    return info


def _apply(info: EnterpriseInfo, after: dict) -> None:
    values = info_clean(after, fields=tuple(after))
    for field, value in values.items():
        setattr(info, field, value)
    info.save()


def _opinion(application) -> str:
    return (
        application.tasks.filter(state="done").order_by("-decided_at").values_list("opinion", flat=True).first() or "—"
    )


# --- Annual update -------------------------------------------------------------------------------------------------
def updates_of(organisation):
    return InfoUpdate.objects.filter(organisation=organisation).select_related("application")


def update_windows(info: EnterpriseInfo | None) -> list[DeclarationWindow]:
    return common.open_windows(common.INFO_UPDATE, region=info.region if info else None)


def update_closed_note(info: EnterpriseInfo | None) -> str:
    """ "信息更新每年1月1日—4月30日开放", with this year's configured dates when there is a window for this place."""
    today = timezone.localdate()
    windows = DeclarationWindow.objects.filter(
        module=common.MODULE, kind=common.INFO_UPDATE, closes_on__year__gte=today.year, opens_on__year__lte=today.year
    ).select_related("region")
    mine = [w for w in windows if info is None or common.covers(w.region, info.region)]
    if mine:
        window = min(mine, key=lambda w: w.opens_on)
        return _("信息更新每年%(start)s—%(end)s开放。") % {
            "start": f"{window.opens_on.month}月{window.opens_on.day}日",
            "end": f"{window.closes_on.month}月{window.closes_on.day}日",
        }
    return _("信息更新每年1月1日—4月30日开放。")


def open_update(organisation) -> InfoUpdate | None:
    return _open(updates_of(organisation)).first()


@transaction.atomic
def update_submit(*, membership, data: dict, expected_version=None) -> InfoUpdate:
    """提交 the annual update (or resubmit the returned one): inside an open `info_update` window admitting the
    registered place, recognised enterprises only; approval by the county applies `after`."""
    from tenant_apps.workflow.services import application_create, application_submit, application_touch

    organisation = common.enterprise_of(membership)
    info = common.info_required(organisation)
    if not common.is_recognised(organisation):
        raise conflict(_("未认定的企业可直接编辑企业信息，无需信息更新。"), code="cultivation.update_not_recognised")
    windows = update_windows(info)
    if not windows:
        raise conflict(_("当前不在信息更新开放期内。") + update_closed_note(info), code="cultivation.update_closed")
    values = info_clean(data, fields=UPDATE_FIELDS)
    update = open_update(organisation)
    if update is not None:  # the returned (or withdrawn) one is resubmitted; the engine's lock order first
        if update.application.state not in Application.EDITABLE_STATES:
            raise conflict(_("已有一项信息更新正在审核中，请等待审核结果。"), code="cultivation.update_open")
        update.application = application_touch(
            application=update.application, actor=membership.user, expected_version=expected_version
        )
    lock_objects.organisation_lock(organisation.pk)  # one open update at a time
    if update is None and open_update(organisation) is not None:
        raise conflict(_("已有一项信息更新正在审核中，请等待审核结果。"), code="cultivation.update_open")
    if update is None:
        application = application_create(
            kind=UPDATE,
            applicant=membership.user,
            title=_("%(year)s年度信息更新 · %(name)s") % {"year": windows[0].opens_on.year, "name": organisation.name},
            organisation=organisation,
            region=info.region,
        )
        update = InfoUpdate(organisation=organisation, application=application, year=windows[0].opens_on.year)
    update.before, update.after = snapshot(info, UPDATE_FIELDS), snapshot(values, UPDATE_FIELDS)
    update.save()
    update.application = application_submit(application=update.application, actor=membership.user)
    return update


def update_outcome(application: Application) -> None:
    """Approval applies `after` to the info (locked last); the enterprise is told each decision (信息更新)."""
    update = InfoUpdate.objects.select_related("organisation").filter(application=application).first()
    if update is None:
        return
    state = application.state
    if state == Application.State.APPROVED:
        info = lock_objects.info_lock(update.organisation_id)
        _apply(info, update.after)
        title = _("%(year)s年度信息更新已通过") % {"year": update.year}
        body = _("更新后的企业信息已生效。")
    elif state in (Application.State.RETURNED, Application.State.REJECTED):
        title = (
            _("%(year)s年度信息更新被退回修改")
            if state == Application.State.RETURNED
            else _("%(year)s年度信息更新未通过")
        ) % {"year": update.year}
        body = _("审核意见：%(opinion)s") % {"opinion": _opinion(application)}
    else:
        return
    messages.message_send(
        organisation=update.organisation, category=Message.Category.INFO_UPDATE, title=title, body=body
    )


# --- Major changes -------------------------------------------------------------------------------------------------
def changes_of(organisation, *, change_type: str = ""):
    queryset = MajorChange.objects.filter(organisation=organisation).select_related("application")
    if change_type:
        queryset = queryset.filter(change_type=change_type)
    return queryset.order_by("-created_at", "-id")


def access_change(membership, pk) -> MajorChange:
    """The enterprise's own change (404 for another's and a missing one alike)."""
    change = changes_of(common.enterprise_of(membership)).filter(pk=pk).first()
    if change is None:
        raise not_found(_("该变更不存在。"), code="cultivation.not_found")
    return change


def change_current(organisation, info: EnterpriseInfo | None, change_type: str) -> str:
    """What a change of this type replaces now ("" where the type writes no field; ownership: the info's)."""
    if change_type == MajorChange.Type.NAME:
        return organisation.name
    if change_type == MajorChange.Type.USCC:
        return organisation.uscc or ""
    if info is None:
        return ""
    return {
        MajorChange.Type.REGION: info.region.code,
        MajorChange.Type.MAIN_BUSINESS: info.main_business,
        MajorChange.Type.OWNERSHIP: info.ownership,
    }.get(change_type, "")


def change_editable(change: MajorChange) -> bool:
    application = change.application
    return application.state in Application.EDITABLE_STATES and application.decided_at is None


def change_deletable(change: MajorChange) -> bool:
    """暂存 only: a change never submitted (a submitted one is history)."""
    application = change.application
    return application.state == Application.State.DRAFT and application.submitted_at is None


def _after(change_type: str, after: str, organisation) -> str:
    """The new value, checked for its type (USCC normalised and free, the place a county, the name's length)."""
    from django.core.exceptions import ValidationError

    from tenants.validators import uscc_normalise, uscc_validator

    if change_type == MajorChange.Type.NAME and len(after) > 64:
        raise DomainError(_("企业名称不能超过 64 个字。"), code="cultivation.too_long", field="after")
    if change_type == MajorChange.Type.USCC:
        after = uscc_normalise(after)
        try:
            uscc_validator(after)
        except ValidationError as error:
            raise DomainError(error.messages[0], code="cultivation.uscc", field="after") from None
        if Organisation.objects.filter(uscc=after).exclude(pk=organisation.pk).exists():
            raise DomainError(_("该统一社会信用代码已被其他单位使用。"), code="cultivation.uscc_taken", field="after")
    if change_type == MajorChange.Type.REGION:
        after = _county(after, field="after").code
    return after


@transaction.atomic
def change_save(
    *, membership, data: dict, change: MajorChange | None = None, submit: bool = False, expected_version=None
) -> MajorChange:
    """暂存 (and 提交 when `submit`): type, after, reason; `before` is the current value for the types that write a
    field (typed for 股权结构 and 其他). A draft may leave after and reason empty; submission needs both and a
    difference."""
    from tenant_apps.workflow.services import application_create, application_submit, application_touch

    organisation = common.enterprise_of(membership)
    info = common.info_required(organisation)
    clean = Cleaner(AREA)
    change_type = str(data.get("change_type") or "")
    if change_type not in MajorChange.Type.values:
        raise DomainError(_("请选择变更类型。"), code="cultivation.change_type", field="change_type")
    after = clean.text(data.get("after"), field="after", label=_("变更后"), max_length=200, required=submit)
    if after:
        after = _after(change_type, after, organisation)
    reason = clean.text(data.get("reason"), field="reason", label=_("变更原因"), max_length=1000, required=submit)
    if change_type in MAPPED_TYPES:
        before = change_current(organisation, info, change_type)
    else:
        before = clean.text(data.get("before"), field="before", label=_("变更前"), max_length=200, required=submit)
    if submit and after == before:
        raise DomainError(_("变更后内容与变更前相同。"), code="cultivation.nothing_changed", field="after")
    if change is not None:  # the engine's order: the application first, then the organisation
        if change.organisation_id != organisation.pk:
            raise not_found(_("该变更不存在。"), code="cultivation.not_found")
        if not change_editable(change):
            raise conflict(_("审核中或已办结的变更不能修改。"), code="cultivation.not_editable")
        change.application = application_touch(
            application=change.application, actor=membership.user, expected_version=expected_version
        )
    lock_objects.organisation_lock(organisation.pk)  # one open change per type
    others = _open(changes_of(organisation, change_type=change_type))
    if change is not None:
        others = others.exclude(pk=change.pk)
    if others.exists():
        raise conflict(
            _("已有一项未办结的%(type)s，请在变更记录中继续办理。") % {"type": MajorChange.Type(change_type).label},
            code="cultivation.change_open",
        )
    if change is None:
        application = application_create(
            kind=CHANGE,
            applicant=membership.user,
            title=_("%(type)s · %(name)s") % {"type": MajorChange.Type(change_type).label, "name": organisation.name},
            organisation=organisation,
            region=info.region,
        )
        change = MajorChange(organisation=organisation, application=application)
    change.change_type, change.before, change.after, change.reason = change_type, before, after, reason
    change.save()
    if submit:
        change.application = application_submit(application=change.application, actor=membership.user)
    return change


def change_submit(*, membership, change: MajorChange, expected_version=None) -> MajorChange:
    """提交 a saved change as it is (its `before` refreshed from the current data)."""
    data = {"change_type": change.change_type, "before": change.before, "after": change.after, "reason": change.reason}
    return change_save(membership=membership, data=data, change=change, submit=True, expected_version=expected_version)


@transaction.atomic
def change_delete(*, membership, change: MajorChange) -> None:
    """删除 a 暂存 change with its engine application (nothing was submitted, so there is no history to keep)."""
    organisation = common.enterprise_of(membership)
    if change.organisation_id != organisation.pk:
        raise not_found(_("该变更不存在。"), code="cultivation.not_found")
    application = change.application
    with transaction.atomic():
        common.draft_discard(application=application, actor=membership.user, refusal=_("已提交过的变更不能删除。"))
        change.delete()
        application.delete()


def change_outcome(application: Application) -> None:
    """Approval applies the change: name/USCC to the organisation (last, in the engine's lock order), 注册地 and
    主营业务 to the info; 股权结构/企业性质 and 其他 are recorded only."""
    change = MajorChange.objects.filter(application=application).first()
    if change is None or application.state != Application.State.APPROVED:
        return
    kind = change.change_type
    if kind in (MajorChange.Type.REGION, MajorChange.Type.MAIN_BUSINESS):
        info = lock_objects.info_lock(change.organisation_id)
        if kind == MajorChange.Type.REGION:
            info.region = _county(change.after, field="after")
        else:
            info.main_business = change.after
        info.save()
    elif kind in (MajorChange.Type.NAME, MajorChange.Type.USCC):
        organisation = lock_objects.organisation_lock(change.organisation_id)
        if kind == MajorChange.Type.NAME:
            organisation.name = change.after
        else:
            organisation.uscc = _after(kind, change.after, organisation)
        organisation.save()


# --- Re-reviews ----------------------------------------------------------------------------------------------------
def recognitions_of(organisation):
    return Recognition.objects.filter(organisation=organisation).select_related("tier", "region")


def rereviews_of(organisation):
    return (
        ReReview.objects.filter(recognition__organisation=organisation)
        .select_related("recognition", "recognition__tier", "application")
        .order_by("-created_at", "-id")
    )


def access_rereview(membership, pk) -> ReReview:
    rereview = rereviews_of(common.enterprise_of(membership)).filter(pk=pk).first()
    if rereview is None:
        raise not_found(_("该复核申请不存在。"), code="cultivation.not_found")
    return rereview


def access_recognition(membership, pk) -> Recognition:
    recognition = recognitions_of(common.enterprise_of(membership)).filter(pk=pk).first()
    if recognition is None:
        raise not_found(_("该认定不存在。"), code="cultivation.not_found")
    return recognition


def rereview_opens_on(recognition: Recognition) -> datetime.date:
    return recognition.valid_to - datetime.timedelta(days=REREVIEW_DAYS)


def rereview_closes_on(recognition: Recognition) -> datetime.date:
    return recognition.valid_to + datetime.timedelta(days=REREVIEW_DAYS)


def rereview_refusal(recognition: Recognition, *, today=None, excluding: ReReview | None = None) -> str:
    """Why this recognition may not be re-reviewed now ("" when it may): from 90 days before its last day until
    90 days after it, not revoked, no open re-review, and (lapsed) no newer recognition of the tier in force."""
    today = today or timezone.localdate()
    if recognition.status == Recognition.Status.REVOKED:
        return _("已撤销的认定不能申请复核。")
    if today < rereview_opens_on(recognition):
        return _("认定有效期届满前 %(days)s 天内方可申请复核（%(date)s 起）。") % {
            "days": REREVIEW_DAYS,
            "date": rereview_opens_on(recognition).isoformat(),
        }
    if today > rereview_closes_on(recognition):
        return _("认定到期已超过 %(days)s 天，不能再申请复核，请重新申报。") % {"days": REREVIEW_DAYS}
    if (
        recognition.status != Recognition.Status.ACTIVE
        and Recognition.objects.filter(
            organisation_id=recognition.organisation_id, tier_id=recognition.tier_id, status=Recognition.Status.ACTIVE
        )
        .exclude(pk=recognition.pk)
        .exists()
    ):
        return _("该层级已有有效期内的认定。")
    pending = _open(ReReview.objects.filter(recognition=recognition))
    if excluding is not None:
        pending = pending.exclude(pk=excluding.pk)
    if pending.exists():
        return _("该认定已有一项复核申请正在办理中。")
    return ""


@transaction.atomic
def rereview_submit(
    *, membership, statement: str, recognition: Recognition | None = None, rereview: ReReview | None = None,
    expected_version=None,
) -> ReReview:  # fmt: skip
    """去复核 (a new re-review of `recognition`) or resubmit a returned one (`rereview`): the statement (≤ 2000),
    inside the re-review period; it runs through the county, city and province of the registered place."""
    from tenant_apps.workflow.services import application_create, application_submit, application_touch

    organisation = common.enterprise_of(membership)
    info = common.info_required(organisation)
    statement = Cleaner(AREA).text(
        statement, field="statement", label=_("复核说明"), max_length=STATEMENT_MAX, required=True
    )
    recognition = rereview.recognition if rereview is not None else recognition
    if recognition is None or recognition.organisation_id != organisation.pk:
        raise not_found(_("该认定不存在。"), code="cultivation.not_found")
    if rereview is not None:  # the engine's order: the application first, then the recognition
        if not change_editable(rereview):
            raise conflict(_("审核中或已办结的复核申请不能修改。"), code="cultivation.not_editable")
        rereview.application = application_touch(
            application=rereview.application, actor=membership.user, expected_version=expected_version
        )
    locked = lock_objects.recognition_lock(recognition.pk)  # one open re-review per recognition
    refusal = rereview_refusal(locked, excluding=rereview)
    if refusal:
        raise conflict(refusal, code="cultivation.rereview_closed")
    if rereview is None:
        application = application_create(
            kind=REREVIEW,
            applicant=membership.user,
            title=_("%(tier)s到期复核 · %(name)s") % {"tier": locked.tier.name, "name": organisation.name},
            organisation=organisation,
            region=info.region,
        )
        rereview = ReReview(recognition=locked, application=application)
    rereview.statement = statement
    rereview.save()
    rereview.application = application_submit(application=rereview.application, actor=membership.user)
    return rereview


def rereview_outcome(application: Application) -> None:
    """The last level's approval renews the recognition (recognitions.recognition_renew); a return or a rejection
    is told to the enterprise (认定到期)."""
    from tenant_apps.cultivation.recognitions import recognition_renew

    rereview = ReReview.objects.select_related("recognition", "recognition__tier").filter(application=application)
    rereview = rereview.first()
    if rereview is None:
        return
    state = application.state
    if state == Application.State.APPROVED:
        recognition_renew(lock_objects.recognition_lock(rereview.recognition_id))
    elif state in (Application.State.RETURNED, Application.State.REJECTED):
        tier = rereview.recognition.tier.name
        messages.message_send(
            organisation=rereview.recognition.organisation,
            category=Message.Category.EXPIRING,
            title=(_("%(tier)s复核被退回修改") if state == Application.State.RETURNED else _("%(tier)s复核未通过"))
            % {"tier": tier},
            body=_("审核意见：%(opinion)s") % {"opinion": _opinion(application)},
        )
