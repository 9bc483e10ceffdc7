"""The workflow's lists, declared once for the inbox, the workbench home and any module that lists applications
(ui.tables; drawn by `{% data_table %}`)."""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from shared_apps.ui.states import status_tag
from shared_apps.ui.tables import Column, Table, cached_gettext
from tenant_apps.workflow.selectors import next_step

# Words every row repeats, translated once per language (ui.tables.cached_gettext).
DETAIL, OVERDUE, DUE = gettext_noop("详情"), gettext_noop("已逾期"), gettext_noop("期限")


def _applicant(application) -> str:
    return application.organisation.name if application.organisation else application.applicant.username


def _row(application) -> dict:
    return {"data-application": application.pk}


@functools.lru_cache(maxsize=16)
def _detail_prefix(urlconf, script_prefix) -> str:
    return reverse("application-detail", args=[0], urlconf=urlconf)[: -len("0/")]


def detail_url(pk) -> str:
    """The application page's address (URL name `application-detail`), reversed once per URL configuration: the
    inbox draws one or two per row."""
    return f"{_detail_prefix(get_urlconf(), get_script_prefix())}{int(pk)}/"


# Cells drawn in Python, the same markup the cell templates had: a template per cell was most of the inbox page.
def _title(application):
    return format_html('<a href="{}">{}</a>', detail_url(application.pk), application.title)


def _task_title(task):
    if task.is_overdue:
        due = format_html(' <span class="overdue">{}</span>', cached_gettext(OVERDUE))
    elif task.due_at:
        day = date_format(timezone.localtime(task.due_at), "m-d")
        due = format_html(' <span class="due">{} {}</span>', cached_gettext(DUE), day)
    else:
        due = ""
    return format_html('<a href="{}">{}</a>{}', detail_url(task.application_id), task.application.title, due)


def _task_actions(task):
    return format_html('<a href="{}">{}</a>', detail_url(task.application_id), cached_gettext(DETAIL))


TITLE = Column(_("申请名称"), _title, wrap=True, primary=True, name="title")
KIND = Column(_("类型"), "get_kind_display", width="8em", name="kind")
STATE = Column(_("状态"), status_tag, width="6.5em", name="state")
APPLICANT = Column(_("申请人"), _applicant, wrap=True, width="12em", name="applicant")
CREATED = Column(_("创建时间"), "created_at", format="datetime", width="9.5em", name="created")

# 我的申请
APPLICATIONS = Table(
    columns=(
        TITLE,
        KIND,
        STATE,
        APPLICANT,
        CREATED,
        Column(_("操作"), template="workflow/cells/application_actions.html", width="9em", name="actions"),
    ),
    empty=_("暂无申请。"),
    row_attrs=_row,
)

# 我的申请 on the workbench home: what happens next instead of who applied (it is me).
APPLICATIONS_NEXT_STEP = Table(
    columns=(
        TITLE,
        KIND,
        STATE,
        Column(_("下一步"), next_step, wrap=True, name="next-step"),
        Column(_("操作"), template="workflow/cells/application_actions.html", width="9em", name="actions"),
    ),
    empty=_("暂无申请。"),
    row_attrs=_row,
)

# 待我审批 (rows are open tasks)
TASKS = Table(
    columns=(
        Column(_("申请名称"), _task_title, wrap=True, primary=True, name="title"),
        Column(_("类型"), lambda task: task.flow_name or task.application.get_kind_display(), width="8em", name="kind"),
        Column(_("当前环节"), "stage_name", width="8em", name="stage"),
        Column(_("申请人"), lambda task: _applicant(task.application), wrap=True, width="12em", name="applicant"),
        Column(_("提交时间"), "application.submitted_at", format="datetime", width="9.5em", name="created"),
        Column(_("操作"), _task_actions, width="5em", name="actions"),
    ),
    empty=_("暂无待办。"),
    row_attrs=lambda task: {"data-application": task.application_id},
)

# 工单日志: every event of one application, oldest first.
LOG = Table(
    columns=(
        Column(_("时间"), "created_at", format="datetime", width="9.5em", name="time"),
        Column(_("环节"), "stage_name", width="8em", name="stage"),
        Column(_("操作"), "get_action_display", width="6em", name="action"),
        Column(_("处理人"), lambda entry: entry.actor.username if entry.actor else "", width="8em", name="actor"),
        Column(_("意见"), "opinion", wrap=True, name="opinion"),
    ),
    empty=_("暂无记录。"),
)
