"""Rows the acceptance tests share (issue #14): an admitted pilot enterprise of Harbin and an acceptance in review,
built directly (models + the engine), so each part's tests do not depend on another part's form code."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from tenant_apps.configuration.models import Industry
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.pilots.models import (
    Acceptance,
    AcceptanceProject,
    Admission,
    PilotEnterprise,
    ProjectProduct,
    ProjectProvider,
)
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Task

User = get_user_model()
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF"
)


def admitted_enterprise(n: int = 1, *, name: str | None = None) -> Membership:
    """A certified Harbin enterprise of a pilot industry whose admission was approved (a pilot enterprise)."""
    organisation = Organisation.objects.create(
        kind="enterprise",
        name=name or f"哈尔滨验收测试企业{n}",
        uscc=f"91230100MA0ACCP{n:03d}",
        certification=Organisation.Certification.CERTIFIED,
        industry=Industry.objects.filter(code="electrical-equipment").first(),
        region="黑龙江省哈尔滨市",
        address="香坊区示例路1号",
        contact_name="李经理",
        contact_mobile=f"1390452{n:04d}",
    )
    user = User.objects.create_user(f"accept_e{n}", mobile=f"1370452{n:04d}", password="Pilot#2026x")
    member = Membership.objects.create(user=user, organisation=organisation, roles=["enterprise"])
    application = engine.application_create(
        kind="admission", applicant=user, title=f"{organisation.name} 试点企业入库申请", organisation=organisation
    )
    admission = Admission.objects.create(organisation=organisation, application=application, created_by=user)
    PilotEnterprise.objects.create(
        organisation=organisation, admission=admission, admitted_on=datetime.date(2024, 8, 1)
    )
    return member


def bureau() -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user__username="hrb_bureau")


def finance() -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user__username="hrb_finance")


def acceptance_draft(member: Membership, *, amounts=("300000.00", "120000.00")) -> Acceptance:
    """A draft acceptance with one project inside the pilot period, one provider and two products (software,
    hardware) whose amounts are `amounts`."""
    organisation = member.organisation
    application = engine.application_create(
        kind="acceptance", applicant=member.user, title=f"{organisation.name} 验收及补贴申请", organisation=organisation
    )
    acceptance = Acceptance.objects.create(
        organisation=organisation,
        pilot=organisation.pilot,
        application=application,
        created_by=member.user,
        basic={"company_name": organisation.name, "uscc": organisation.uscc},
        benchmark=True,
    )
    total = sum(Decimal(a) for a in amounts)
    project = AcceptanceProject.objects.create(
        acceptance=acceptance,
        name="装配车间设备联网与数据采集改造",
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2026, 3, 31),
        content="对装配车间 36 台关键设备加装采集终端，接入 MES，实现工单、报工、质量数据在线追溯与看板展示。",
        investment=total,
        level_before=1,
        level_after=3,
    )
    provider = ProjectProvider.objects.create(
        project=project, name="哈尔滨数智服务有限公司", uscc="91230100MA0SERV001", contract_amount=total
    )
    ProjectProduct.objects.create(provider=provider, position=0, name="MES 系统", kind="software", amount=amounts[0])
    ProjectProduct.objects.create(provider=provider, position=1, name="采集终端", kind="hardware", amount=amounts[1])
    return acceptance


def acceptance_submitted(member: Membership, **kwargs) -> Acceptance:
    """`acceptance_draft`, submitted to the engine: the bureau's 材料审核 task is open."""
    acceptance = acceptance_draft(member, **kwargs)
    engine.application_submit(application=acceptance.application, actor=member.user)
    return acceptance


def open_task(acceptance: Acceptance) -> Task:
    return Task.objects.get(application_id=acceptance.application_id, state=Task.State.OPEN)


def decide(acceptance: Acceptance, action: str = "approve", opinion: str = "", by: Membership | None = None):
    return engine.task_decide(
        task_id=open_task(acceptance).pk, membership=by or bureau(), action=action, opinion=opinion
    )
