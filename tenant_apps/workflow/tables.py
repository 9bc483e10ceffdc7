"""The workflow's lists, declared once for the inbox, the workbench home and any module that lists applications
(ui.tables; drawn by `{% data_table %}`)."""

from django.utils.translation import gettext_lazy as _

from shared_apps.ui.tables import Column, Table
from tenant_apps.workflow.selectors import next_step


def _applicant(application) -> str:
    return application.organisation.name if application.organisation else application.applicant.username


def _row(application) -> dict:
    return {"data-application": application.pk}


TITLE = Column(_("申请名称"), template="workflow/cells/title.html", wrap=True, primary=True, name="title")
KIND = Column(_("类型"), "get_kind_display", width="8em", name="kind")
STATE = Column(_("状态"), template="workflow/cells/state.html", width="6.5em", name="state")
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
        Column(_("申请名称"), template="workflow/cells/task_title.html", wrap=True, primary=True, name="title"),
        Column(_("类型"), lambda task: task.flow_name or task.application.get_kind_display(), width="8em", name="kind"),
        Column(_("当前环节"), "stage_name", width="8em", name="stage"),
        Column(_("申请人"), lambda task: _applicant(task.application), wrap=True, width="12em", name="applicant"),
        Column(_("提交时间"), "application.submitted_at", format="datetime", width="9.5em", name="created"),
        Column(_("操作"), template="workflow/cells/task_actions.html", width="5em", name="actions"),
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
