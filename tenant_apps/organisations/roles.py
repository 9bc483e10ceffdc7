"""The roles of DOMAIN.md. A person holds roles per tenant through a Membership (ADR 0003)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业用户")
    PROVIDER = "provider", _("服务商")
    ANCHOR_UNIT = "anchor_unit", _("牵引单位")
    OPS = "ops", _("运营管理员")
    EXPERT = "expert", _("专家")
    CITY_BUREAU = "city_bureau", _("市工信局")
    PROVINCE = "province", _("省工信厅")
    FINANCE = "finance", _("市财政局")
    EDITOR = "editor", _("内容编辑")
    CONTENT_APPROVER = "content_approver", _("内容审核")
    TENANT_ADMIN = "tenant_admin", _("城市管理员")


# Model permissions each role receives inside its tenant. Apps whose data a tenant admin configures get full
# rights; editors and content approvers get the Wagtail admin (what they may do there: cms.services, ADR 0013).
# Everything else is decided by services and object permissions.
ADMIN_APPS = ("configuration", "organisations", "workflow")
CMS_PERMISSIONS = frozenset({"wagtailadmin.access_admin"})


def permissions_for(roles: list[str], all_permissions: list[str]) -> set[str]:
    granted: set[str] = set()
    if Role.TENANT_ADMIN in roles:
        granted |= {perm for perm in all_permissions if perm.split(".", 1)[0] in ADMIN_APPS}
        granted |= CMS_PERMISSIONS
    if Role.EDITOR in roles or Role.CONTENT_APPROVER in roles:
        granted |= CMS_PERMISSIONS
    return granted
