"""Admission demo data for a tenant whose preset gives a demo account an `admission` application (Harbin): the
admission is filled in, with evidence, through the services and submitted, and the preset's decisions are taken,
so the enterprise finds it at 上传盖章申报表 with a real form to download. Runs before the generic demo applications
(which then find it and leave it be)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tenant_apps.organisations.models import Membership
from tenants.errors import DomainError

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF"
)
BASIC = {
    "region": "黑龙江省哈尔滨市",
    "address": "香坊区示例大街8号",
    "legal_rep": "赵建国",
    "contact_name": "孙经理",
    "contact_mobile": "13800000201",
    "employees": "260",
    "revenue_last_year": "15800.00",
    "main_products": "高低压成套开关设备、箱式变电站",
}
NEEDS = [
    {
        "kind": "生产制造",
        "description": "装配车间设备数据靠人工抄录，报工滞后一天",
        "analysis": "需要设备联网与在线报工",
    },
    {
        "kind": "质量管理",
        "description": "出厂试验记录为纸质，质量问题难以追溯",
        "analysis": "需要试验数据自动采集与追溯",
    },
]
PROJECTS = [
    {
        "name": "开关柜装配车间设备联网与数字化报工改造",
        "starts_on": "2024-10-08",
        "ends_on": "2025-09-30",
        "content": "为装配车间 42 台数控折弯、冲压与铆接设备加装采集终端，部署轻量化 MES，实现工单下达、扫码报工、"
        "设备状态与能耗看板，报工由次日补录改为实时。",
        "investment": "386.50",
        "level_before": 1,
        "level_after": 3,
        "indicators": [
            {"name": "设备联网率", "unit": "%", "before": "8", "after": "92"},
            {"name": "报工及时率", "unit": "%", "before": "40", "after": "98"},
        ],
    },
    {
        "name": "出厂试验数据自动采集与质量追溯系统建设",
        "starts_on": "2025-03-01",
        "ends_on": "2026-03-31",
        "content": "出厂试验台接入数据采集网关，试验数据自动入库并与产品序列号绑定，形成一机一档质量追溯。",
        "investment": "128.00",
        "level_before": 2,
        "level_after": 3,
        "indicators": [{"name": "质量追溯覆盖率", "unit": "%", "before": "0", "after": "100"}],
    },
]


def _member(username: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user__username=username)


@transaction.atomic
def admissions_demo_seed(accounts: list[dict]) -> None:
    from tenant_apps.pilots import admissions
    from tenant_apps.pilots.models import Admission
    from tenant_apps.workflow.models import Task
    from tenant_apps.workflow.services import task_decide

    User = get_user_model()
    for account in accounts:
        specs = [s for s in account.get("applications") or [] if s["kind"] == admissions.KIND]
        if not specs or not User.objects.filter(username=account["username"]).exists():
            continue
        member = _member(account["username"])
        if Admission.objects.filter(organisation=member.organisation).exists():
            continue
        try:
            admission = admissions.admission_start(membership=member)
        except DomainError:  # an older demo's organisation without a pilot industry: leave it to the generic seed
            continue
        admissions.admission_save(
            membership=member,
            admission_id=admission.pk,
            basic=BASIC,
            needs=NEEDS,
            projects=PROJECTS,
            benchmark=True,
            files={
                "audit_report": SimpleUploadedFile("2025年度审计报告.pdf", PDF, content_type="application/pdf"),
                "credit_report": SimpleUploadedFile("信用中国企业信用报告.pdf", PDF, content_type="application/pdf"),
            },
        )
        admission = admissions.admission_submit(membership=member, admission_id=admission.pk)
        for decision in specs[0].get("decisions", []):
            task = Task.objects.get(application_id=admission.application_id, state=Task.State.OPEN)
            task_decide(
                task_id=task.pk,
                membership=_member(decision["by"]),
                action=decision["action"],
                opinion=decision.get("opinion", ""),
            )


def admissions_demo_provision(data: dict, context) -> None:
    if context.with_demo_data and "admission" in (data.get("modules") or context.tenant.modules or []):
        admissions_demo_seed(data.get("demo_accounts", []))
