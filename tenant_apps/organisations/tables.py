"""The sub-account list of 子账号管理, drawn by `{% data_table %}` (ui.tables)."""

from django.utils.translation import gettext_lazy as _

from shared_apps.ui.tables import Column, Table
from tenant_apps.organisations.selectors import mask_mobile
from tenants.modules import MODULES


def _menus(membership) -> str:
    labels = [str(MODULES[code].label) for code in membership.menu_permissions if code in MODULES]
    return "、".join(labels) or str(_("未授权"))


SUB_ACCOUNTS = Table(
    columns=(
        Column(_("用户名"), "user.username", primary=True, name="username"),
        Column(_("姓名"), "user.first_name", width="7em", name="name"),
        Column(_("手机号"), lambda item: mask_mobile(item.user.mobile), width="8.5em", name="mobile"),
        Column(_("菜单权限"), _menus, wrap=True, name="menus"),
        Column(_("创建时间"), "created_at", format="datetime", width="9.5em", name="created"),
        Column(_("操作"), template="organisations/cells/sub_account_actions.html", width="5em", name="actions"),
    ),
    empty=_("还没有子账号。"),
    row_attrs=lambda item: {"data-sub-account": item.pk},
)
