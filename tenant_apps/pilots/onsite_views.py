"""现场验收 in the workbench (/workbench/pilots/acceptance/onsite/): the bureau's list of acceptances at the on-site stage (to
book, booked, overdue rectifications) and one acceptance's page with the booking form (prefilled when re-booking),
the conclusion form once booked, and the visit history. The applicant reads its own booking there, without forms.
Thin views: writes through `onsite.visit_book` / `visit_conclude`, reads through `onsite`; a refusal lands next to
its field and the page answers with its status."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from shared_apps.ui.widgets import DatePickerInput
from tenant_apps.organisations.access import check_module_access
from tenant_apps.pilots import onsite
from tenant_apps.pilots.models import OnSiteVisit
from tenants.errors import DomainError, attach_error

DATETIME_INPUT = "%Y-%m-%dT%H:%M"

ONSITE = Table(
    columns=(
        Column(gettext_lazy("企业名称"), "organisation.name", wrap=True, primary=True, name="title"),
        Column(gettext_lazy("申请名称"), "application.title", wrap=True),
        Column(gettext_lazy("现场验收"), template="pilots/onsite/cells/status.html", width="8em", name="state"),
        Column(gettext_lazy("验收时间"), "visit_at", format="datetime", width="9.5em"),
        Column(gettext_lazy("整改/补充期限"), "visit_deadline", format="date", width="8em"),
        Column(gettext_lazy("操作"), template="pilots/onsite/cells/actions.html", width="6em", name="actions"),
    ),
    empty=gettext_lazy("暂无处于现场验收环节的申请。"),
    row_attrs=lambda row: {"data-acceptance": row.pk},
)


class BookForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("验收时间"),
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    place = forms.CharField(label=gettext_lazy("验收地点"), max_length=200)
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=30)
    contact_phone = forms.CharField(
        label=gettext_lazy("联系电话"), max_length=20, help_text=gettext_lazy("11 位手机号或带区号的固定电话")
    )
    preparation = forms.CharField(
        label=gettext_lazy("准备要求"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("需要企业准备的材料、人员和现场条件"),
    )


class ConcludeForm(forms.Form):
    conclusion = forms.ChoiceField(
        label=gettext_lazy("验收结论"), choices=OnSiteVisit.Conclusion.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("结论说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("不通过或完善材料后通过时，写明整改或补充要求"),
    )
    deadline = forms.DateField(
        label=gettext_lazy("整改/补充期限"),
        required=False,
        widget=DatePickerInput(),
        help_text=gettext_lazy("不通过或完善材料后通过时必填，不早于今天"),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _member(request):
    return check_module_access(request, onsite.MODULE)


def _status_filter(request) -> str:
    status = request.GET.get("status", "")
    return status if status in onsite.LIST_FILTERS else ""


@login_required
def onsite_list(request):
    """The bureau's acceptances at the on-site stage (and overdue rectifications), one query per page."""
    module, membership = _member(request)
    if not onsite.is_bureau(membership):
        raise PermissionDenied(_("只有市工信局可以办理现场验收。"))
    status = _status_filter(request)
    page = paginate(request, onsite.onsite_acceptances(membership, status))
    today = timezone.localdate()
    page.object_list = list(page.object_list)
    for row in page.object_list:
        row.onsite_status = onsite.row_status(row, today)
        row.onsite_label = onsite.STATUS_LABELS[row.onsite_status]
        row.onsite_tone = onsite.STATUS_TONES[row.onsite_status]
    filters = [("", _("全部"))] + [(code, onsite.STATUS_LABELS[code]) for code in onsite.LIST_FILTERS]
    return render(
        request,
        "pilots/onsite/list.html",
        {"module": module, "page": page, "table": ONSITE, "status": status, "filters": filters},
    )


def _acceptance_or_404(membership, pk):
    try:
        return onsite.access_acceptance(membership, pk)
    except DomainError as error:
        raise Http404(error.message) from None


def _book_initial(acceptance, latest: OnSiteVisit | None) -> dict:
    if latest is not None and not latest.conclusion:
        return {
            "scheduled_at": timezone.localtime(latest.scheduled_at).replace(tzinfo=None),
            "place": latest.place,
            "contact_name": latest.contact_name,
            "contact_phone": latest.contact_phone,
            "preparation": latest.preparation,
        }
    basic, organisation = acceptance.basic or {}, acceptance.organisation
    return {
        "place": organisation.address,
        "contact_name": basic.get("contact_name") or organisation.contact_name,
        "contact_phone": basic.get("contact_mobile") or organisation.contact_mobile,
    }


def _post(request, membership, acceptance, book_form, conclude_form) -> str | None:
    """Run the posted action; the success message, or None when a form got errors (placed on it)."""
    action = request.POST.get("do")
    try:
        if action == "book" and book_form.is_valid():
            data = book_form.cleaned_data
            onsite.visit_book(membership=membership, acceptance_id=acceptance.pk, **data)
            return _("已预约现场验收，已通知申请企业。")
        if action == "conclude" and conclude_form.is_valid():
            data = conclude_form.cleaned_data
            onsite.visit_conclude(
                membership=membership,
                acceptance_id=acceptance.pk,
                conclusion=data["conclusion"],
                note=data["note"],
                deadline=data["deadline"],
                expected_version=data.get("version"),
            )
            return _("已记录现场验收结论。")
    except DomainError as error:
        attach_error(book_form if action == "book" else conclude_form, error)
        request.refusal_status = error.status
    return None


@login_required
def onsite_detail(request, pk):
    """One acceptance's on-site acceptance: the bureau books and concludes; the applicant reads (no forms)."""
    module, membership = _member(request)
    acceptance = _acceptance_or_404(membership, pk)
    application = acceptance.application
    bureau = onsite.is_bureau(membership)
    visits = onsite.visits_of(acceptance)
    latest = visits[0] if visits else None
    at_stage = onsite.at_onsite_stage(application)
    booked = latest is not None and not latest.conclusion
    passes = onsite.visit_resolved_pass(latest)
    can_book = bureau and at_stage and not passes
    can_conclude = bureau and at_stage and booked
    book_form = conclude_form = None
    status = 200
    if bureau:
        posted = request.method == "POST"
        action = request.POST.get("do") if posted else None
        book_form = BookForm(
            request.POST if action == "book" else None, initial=_book_initial(acceptance, latest), prefix="book"
        )
        conclude_form = ConcludeForm(
            request.POST if action == "conclude" else None, initial={"version": application.version}, prefix="conclude"
        )
        if posted:
            if not at_stage:
                messages.error(request, _("该申请当前不在现场验收环节。"))
                return redirect("onsite-detail", pk=acceptance.pk)
            done = _post(request, membership, acceptance, book_form, conclude_form)
            if done:
                messages.success(request, done)
                return redirect("onsite-detail", pk=acceptance.pk)
            status = getattr(request, "refusal_status", 400)
    elif request.method == "POST":
        raise PermissionDenied(_("只有市工信局可以办理现场验收。"))
    today = timezone.localdate()
    history = [
        {
            "title": timezone.localtime(v.scheduled_at).strftime("%Y-%m-%d %H:%M") + f" · {v.place}",
            "state": v.conclusion or "current",
            "tone": {"pass": "success", "fail": "danger", "pass_after_material": "warning"}.get(
                v.conclusion, "primary"
            ),
            "label": v.get_conclusion_display() or _("待现场验收"),
            "meta": (
                _("期限 %(d)s") % {"d": v.deadline.isoformat()}
                + (_("（已逾期）") if onsite.is_overdue(v, today) else "")
                if v.deadline
                else ""
            ),
            "body": v.conclusion_note,
        }
        for v in visits
    ]
    section = onsite.section(acceptance)
    context = {
        "module": module,
        "acceptance": acceptance,
        "application": application,
        "rows": section.rows if section else [],
        "history": history,
        "bureau": bureau,
        "at_stage": at_stage,
        "booked": booked,
        "passes": passes,
        "can_book": can_book,
        "can_conclude": can_conclude,
        "book_form": book_form if can_book else None,
        "conclude_form": conclude_form if can_conclude else None,
        "overdue": latest is not None and onsite.is_overdue(latest, today),
    }
    return render(request, "pilots/onsite/detail.html", context, status=status)
