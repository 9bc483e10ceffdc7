"""服务券活动 for everyone: the list of activities on show and an activity's page, at /vouchers/ (no sign-in needed
where the module is on) and, for signed-in members, at /workbench/vouchers/activities/ (enterprise_views).

Both read the per-tenant cached state (`activities.public_state()`), never the activity tables: at the grab
opening hundreds of visitors reload the page, and an anonymous one costs no query of this module once the state is
warm. Only a signed-in certified enterprise adds what it holds (`selectors.claim_status`, two queries whatever the
number of types). Login-only actions are drawn for anonymous visitors as buttons leading to the sign-in page."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from types import SimpleNamespace

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.organisations.selectors import current_membership
from tenant_apps.vouchers import access, activities, selectors
from tenant_apps.vouchers.enterprise_forms import ApplyForm
from tenants.errors import DomainError
from tenants.modules import ensure_module

ACTIVITY_PAGE_SIZES = (10, 20, 50)

ACTIVITIES = Table(
    columns=(
        Column(
            gettext_lazy("活动名称"),
            template="vouchers/activities/cells/name.html",
            wrap=True,
            primary=True,
            name="title",
        ),
        Column(gettext_lazy("开始时间"), "starts_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("结束时间"), "ends_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("状态"), template="vouchers/activities/cells/phase.html", width="6em"),
        Column(gettext_lazy("券种"), "type_count", align="end", width="4em"),
        Column(gettext_lazy("操作"), template="vouchers/activities/cells/actions.html", width="5em", name="actions"),
    ),
    empty=gettext_lazy("暂无进行中的服务券活动。"),
    row_attrs=lambda row: {"data-activity": row["id"]},
)


def _moment(value: str | None):
    return timezone.localtime(datetime.datetime.fromisoformat(value)) if value else None


def _day(value: str | None):
    return datetime.date.fromisoformat(value) if value else None


def _phase(starts_at, now) -> tuple[str, str, str]:
    """(code, label, tone) of an activity on show: not yet started, or under way."""
    if now < starts_at:
        return "upcoming", _("未开始"), "info"
    return "ongoing", _("进行中"), "success"


def activity_rows(*, public: bool) -> list[dict]:
    """The activities on show (from the cached state), each with its page's address."""
    now = timezone.now()
    url_name = "voucher-public-activity" if public else "voucher-activity"
    rows = []
    for item in activities.public_state()["activities"]:
        starts_at, ends_at = _moment(item["starts_at"]), _moment(item["ends_at"])
        code, label, tone = _phase(starts_at, now)
        rows.append(
            {
                "id": item["id"],
                "name": item["name"],
                "starts_at": starts_at,
                "ends_at": ends_at,
                "phase": code,
                "phase_label": label,
                "phase_tone": tone,
                "type_count": len(item["types"]),
                "url": reverse(url_name, args=[item["id"]]),
            }
        )
    return rows


def render_activity_list(request, *, public: bool):
    page = paginate(request, activity_rows(public=public), default=10, sizes=ACTIVITY_PAGE_SIZES)
    context = {"page": page, "table": ACTIVITIES, "public": public}
    return render(request, "vouchers/activities/list.html", context)


# --- An activity's page ------------------------------------------------------------------------------------------------
def _validity(vtype: dict) -> str:
    if vtype["valid_days"]:
        return _("领取后 %(days)s 天内有效") % {"days": vtype["valid_days"]}
    return _("%(start)s 至 %(end)s") % {"start": vtype["valid_from"], "end": vtype["valid_to"]}


def _viewer(membership, item: dict) -> dict:
    """Who is looking: anonymous (sign in to take part), a member who cannot take part (and why), or a certified
    enterprise (eligible or not for this activity). No query: the membership is already loaded."""
    if membership is None:
        return {"kind": "anonymous", "reason": "", "organisation": None}
    try:
        organisation = access.certified_enterprise(membership)
    except DomainError as error:
        return {"kind": "member", "reason": error.message, "organisation": None}
    reason = access.ineligible_reason(
        organisation, SimpleNamespace(regions=item["regions"]), industry_ids=set(item["industry_ids"])
    )
    return {"kind": "enterprise", "reason": reason, "organisation": organisation}


def _type_view(vtype: dict, *, viewer: dict, status: dict, activity_open: bool, started: bool, now, form) -> dict:
    grab_at = _moment(vtype["grab_starts_at"])
    view = {
        **vtype,
        "face_value": Decimal(vtype["face_value"]),
        "validity": _validity(vtype),
        "grab_starts_at": grab_at,
        "countdown": vtype["method"] == "grab" and grab_at is not None and now < grab_at,
        "held": status.get("held", 0),
        "pending": status.get("pending", False),
        "key": uuid.uuid4().hex,
        "form": form or ApplyForm(prefix=f"t{vtype['id']}"),
        "blocked": "",
    }
    if viewer["kind"] != "enterprise" or viewer["reason"]:
        return view
    if not started:
        view["blocked"] = _("活动未开始")
    elif not activity_open:
        view["blocked"] = _("活动已结束")
    elif view["pending"]:
        view["blocked"] = _("申请审核中")
    elif view["held"] >= vtype["per_enterprise_limit"]:
        view["blocked"] = _("已达限领数量")
    elif vtype["stock_left"] <= 0:
        view["blocked"] = _("已领完")
    elif not vtype["valid_days"] and _day(vtype["valid_to"]) < timezone.localdate(now):
        view["blocked"] = _("已过有效期")
    return view


def activity_context(request, activity_id, *, membership, public: bool, forms=None, error=None) -> dict:
    """What an activity's page shows; 404 for an activity that is not on show (unpublished, over, unknown)."""
    item = activities.activity_state(activity_id)
    if item is None:
        raise Http404(_("该活动不存在。"))
    now = timezone.now()
    starts_at, ends_at = _moment(item["starts_at"]), _moment(item["ends_at"])
    viewer = _viewer(membership, item)
    type_ids = [t["id"] for t in item["types"]]
    statuses = selectors.claim_status(membership, type_ids) if viewer["kind"] == "enterprise" else {}
    forms = forms or {}
    types = [
        _type_view(
            vtype,
            viewer=viewer,
            status=statuses.get(vtype["id"], {}),
            activity_open=now < ends_at,
            started=now >= starts_at,
            now=now,
            form=forms.get(vtype["id"]),
        )
        for vtype in item["types"]
    ]
    code, label, tone = _phase(starts_at, now)
    got = request.GET.get("got", "")
    return {
        "activity": {
            **item,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "phase": code,
            "phase_label": label,
            "phase_tone": tone,
        },
        "types": types,
        "viewer": viewer,
        "public": public,
        "error": error,
        "got": got if got.isdigit() and viewer["kind"] == "enterprise" else "",
        "server_now": timezone.localtime(now),
        "login_url": f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}",
        "list_url": reverse("voucher-public-activities" if public else "voucher-activities"),
    }


def render_activity(request, activity_id, *, membership, public: bool, forms=None, error=None, status: int = 200):
    context = activity_context(request, activity_id, membership=membership, public=public, forms=forms, error=error)
    return render(request, "vouchers/activities/detail.html", context, status=status)


def activity_id_of_type(type_id) -> int | None:
    """The activity on show that offers this voucher type (from the cached state), or None."""
    for item in activities.public_state()["activities"]:
        if any(t["id"] == type_id for t in item["types"]):
            return item["id"]
    return None


# --- Public pages (/vouchers/) ----------------------------------------------------------------------------------------
def public_activities(request):
    """服务券活动 for anyone where the module is on."""
    ensure_module(request, access.MODULE)
    return render_activity_list(request, public=True)


def public_activity(request, activity_id: int):
    """An activity's page for anyone: anonymous visitors read the cached state only and sign in to take part."""
    ensure_module(request, access.MODULE)
    return render_activity(request, activity_id, membership=current_membership(request.user), public=True)
