"""The city admin's setup checklist: what a new city still needs before it can run, read from its configuration.

Each item says configured or missing, what there is, and links to the page of the city admin where it is set.
Whether an item is required follows the data: industries, review chains and the portal identity always; anchor
units, subsidy policies and declaration windows when an enabled module needs them (`Module.needs`), anchor units
also when a review chain has a stage handled by an anchor unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.configuration.models import AnchorUnit, DeclarationWindow, Industry, SubsidyPolicy
from tenant_apps.configuration.selectors import tenant_settings
from tenant_apps.workflow.models import Flow, Stage
from tenants.modules import enabled_modules


@dataclass(frozen=True)
class SetupItem:
    code: str
    label: str
    done: bool
    required: bool
    detail: str  # what is configured, or what is missing
    url: str  # where the city admin configures it

    @property
    def missing(self) -> bool:
        return self.required and not self.done


def _admin_url(app_model: str, *, pk: int | None = None) -> str:
    """The city admin's list of `app_model` (`configuration_industry`), or the change page of one row."""
    if pk is not None:
        return reverse(f"tenant_admin:{app_model}_change", args=[pk])
    return reverse(f"tenant_admin:{app_model}_changelist")


def setup_checklist(tenant) -> list[SetupItem]:
    """Industries, anchor units, review chains, subsidy policies, declaration windows and the portal identity."""
    needed = {need for module in enabled_modules(tenant) for need in module.needs}
    items = []

    industries = Industry.objects.aggregate(total=Count("id"), pilot=Count("id", filter=Q(is_pilot=True)))
    items.append(
        SetupItem(
            "industries",
            _("行业"),
            done=industries["pilot"] > 0,
            required=True,
            detail=_("共 %(total)d 个行业，其中试点行业 %(pilot)d 个。") % industries
            if industries["pilot"]
            else _("尚未设置试点行业。"),
            url=_admin_url("configuration_industry"),
        )
    )

    flows = Flow.objects.filter(is_active=True).annotate(stage_count=Count("stages"))
    anchor_stages = Stage.objects.filter(flow__is_active=True, handler=Stage.Handler.ANCHOR_UNIT).exists()
    units = AnchorUnit.objects.filter(is_active=True).count()
    items.append(
        SetupItem(
            "anchor_units",
            _("牵引单位"),
            done=units > 0,
            required="anchor_units" in needed or anchor_stages,
            detail=_("已启用 %(n)d 个牵引单位。") % {"n": units} if units else _("尚未设置牵引单位。"),
            url=_admin_url("configuration_anchorunit"),
        )
    )

    flow_rows = list(flows.values_list("name", "stage_count"))
    empty = [name for name, count in flow_rows if not count]
    if not flow_rows:
        flow_detail = _("尚未设置审核流程。")
    elif empty:
        flow_detail = _("以下流程还没有审核环节：%(names)s") % {"names": "、".join(empty)}
    else:
        flow_detail = _("已启用 %(n)d 条审核流程。") % {"n": len(flow_rows)}
    items.append(
        SetupItem(
            "flows",
            _("审核流程"),
            done=bool(flow_rows) and not empty,
            required=True,
            detail=flow_detail,
            url=_admin_url("workflow_flow"),
        )
    )

    policies = SubsidyPolicy.objects.filter(is_active=True).count()
    items.append(
        SetupItem(
            "subsidy_policies",
            _("补贴政策"),
            done=policies > 0,
            required="subsidy_policies" in needed,
            detail=_("已启用 %(n)d 项补贴政策。") % {"n": policies} if policies else _("尚未设置补贴政策。"),
            url=_admin_url("configuration_subsidypolicy"),
        )
    )

    open_windows = DeclarationWindow.objects.filter(closes_on__gte=timezone.localdate()).count()
    items.append(
        SetupItem(
            "windows",
            _("申报窗口"),
            done=open_windows > 0,
            required="windows" in needed,
            detail=_("%(n)d 个申报窗口进行中或即将开始。") % {"n": open_windows}
            if open_windows
            else _("没有进行中或即将开始的申报窗口。"),
            url=_admin_url("configuration_declarationwindow"),
        )
    )

    row = tenant_settings()
    parts = [
        (_("主办单位"), bool(row and row.authority_name)),
        (_("标志"), bool(row and row.logo)),
        (_("联系方式"), bool(row and (row.contact_phone or row.contact_email or row.contact_address))),
        (_("ICP 备案号"), bool(row and row.icp_number)),
    ]
    absent = [str(label) for label, present in parts if not present]
    items.append(
        SetupItem(
            "branding",
            _("门户标识"),
            done=not absent,
            required=True,
            detail=_("缺少：%(parts)s") % {"parts": "、".join(absent)}
            if absent
            else _("主办单位：%(name)s") % {"name": row.authority_name},
            url=_admin_url("configuration_tenantsettings", pk=1) if row else reverse("tenant_admin:index"),
        )
    )
    return items


def setup_missing(items: list[SetupItem]) -> list[SetupItem]:
    return [item for item in items if item.missing]
