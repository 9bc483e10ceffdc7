"""Cultivation demo data for a tenant whose preset has a `[cultivation_demo]` table (the national platform),
played through the services and the tenant's own level chains, so every reviewer finds real work:

- each `staff` account administers its division (Membership.region);
- a 创新型 window open around today in the province of `region` (the preset's 专精特新 window is already closed);
- `enterprise` (registered in `region`) assesses twice (the later, better result counts) and declares 创新型: the
  declaration waits at its county;
- `recognised` went through the whole chain last cycle: its 创新型 recognition ends in 25 days (messages: the
  recognition notice, the 30-day expiry notice); its major change waits at the city, its re-review at the
  province.

Idempotent: each part is skipped once its rows exist, so a restart (or a reviewer's own decisions) changes nothing."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tenant_apps.configuration.models import DeclarationWindow, Region
from tenant_apps.cultivation import assessments, declarations, enterprise, recognitions, tasks
from tenant_apps.cultivation.models import (
    Assessment,
    Declaration,
    EnterpriseInfo,
    MajorChange,
    Questionnaire,
    Recognition,
    Sector,
)
from tenant_apps.organisations.models import Membership
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Task

MODULE = "cultivation"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF"
)
INFO = {
    "enterprise": {
        "main_business": "精密模具与汽车零部件的研发、制造",
        "legal_rep": "李建国",
        "ownership": "民营企业",
        "employees": 186,
        "contact_name": "李经理",
        "contact_mobile": "13800000101",
    },
    "recognised": {
        "main_business": "数控机床主轴及精密传动部件",
        "legal_rep": "周明",
        "ownership": "民营企业",
        "employees": 142,
        "contact_name": "周经理",
        "contact_mobile": "13800000112",
    },
}
INNOVATIVE = {
    "innovation_input": "上年度研发费用 560 万元，占营业收入 5.2%，设有市级企业技术中心。",
    "growth": "近两年营业收入年均增长 16.8%，利润年均增长 11.2%。",
    "specialisation": "88",
    "ip": "23",
}


def _member(username: str) -> Membership:
    user = get_user_model().objects.get(username=username)
    return Membership.objects.select_related("organisation", "user").get(user=user)


def _info(member: Membership, region: Region, values: dict) -> None:
    EnterpriseInfo.objects.get_or_create(
        organisation=member.organisation,
        defaults={"region": region, "sector": Sector.MANUFACTURING, **values},
    )


def _answers(definition: dict, rank: float) -> dict:
    """For every question, the option at `rank` (0 = worst, 1 = best) of its options sorted by score."""
    answers = {}
    for section in definition["sections"]:
        for question in section["questions"]:
            options = sorted(question["options"], key=lambda o: float(o["score"]))
            answers[question["code"]] = options[round(rank * (len(options) - 1))]["code"]
    return answers


def _window(region: Region, today: datetime.date) -> DeclarationWindow:
    province = region.ancestor_at(Region.Level.PROVINCE)
    window, _created = DeclarationWindow.objects.get_or_create(
        module=MODULE,
        name=f"{today.year}年{province.name}创新型中小企业申报",
        defaults={
            "kind": "innovative",
            "region": province,
            "opens_on": today - datetime.timedelta(days=20),
            "closes_on": today + datetime.timedelta(days=40),
        },
    )
    return window


def _decide(application, member: Membership, opinion: str) -> None:
    task = Task.objects.get(application=application, state=Task.State.OPEN)
    engine.task_decide(task_id=task.pk, membership=member, action="approve", opinion=opinion)


def _files(declaration: Declaration) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        i["code"]: SimpleUploadedFile(f"{i['code']}.pdf", PDF, content_type="application/pdf")
        for i in declaration.tier.indicators
        if i.get("evidence")
    }


@transaction.atomic
def cultivation_demo_seed(spec: dict) -> None:
    today = timezone.localdate()
    region = Region.objects.get(code=spec["region"])
    staff = [_member(entry["account"]) for entry in spec["staff"]]
    for entry, member in zip(spec["staff"], staff, strict=True):
        if member.region_id is None:
            member.region = Region.objects.get(code=entry["region"])
            member.save(update_fields=["region"])
    by_level = {member.region.level: member for member in staff}
    window = _window(region, today)
    enterprise, recognised = _member(spec["enterprise"]), _member(spec["recognised"])
    _info(enterprise, region, INFO["enterprise"])
    _info(recognised, region, INFO["recognised"])

    # The enterprise: two assessments (the later counts), then a 创新型 declaration waiting at the county.
    if Questionnaire.objects.filter(sector=Sector.MANUFACTURING, is_active=True).exists():
        if not Assessment.objects.filter(organisation=enterprise.organisation).exists():
            definition = assessments.questionnaire_for(enterprise.organisation).definition
            assessments.assessment_take(membership=enterprise, answers=_answers(definition, 0.34))
            assessments.assessment_take(membership=enterprise, answers=_answers(definition, 0.67))
    if not Declaration.objects.filter(organisation=enterprise.organisation).exists():
        declaration = declarations.declaration_start(membership=enterprise, tier_code="innovative", window_id=window.pk)
        declarations.declaration_save(
            membership=enterprise, declaration=declaration, data=INNOVATIVE, files=_files(declaration)
        )
        declarations.declaration_submit(membership=enterprise, declaration=declaration)

    # The recognised enterprise: through every level, then dated so that its validity ends in 25 days.
    if not Recognition.objects.filter(organisation=recognised.organisation).exists():
        declaration = declarations.declaration_start(membership=recognised, tier_code="innovative", window_id=window.pk)
        declarations.declaration_save(
            membership=recognised, declaration=declaration, data=INNOVATIVE, files=_files(declaration)
        )
        declarations.declaration_submit(membership=recognised, declaration=declaration)
        for level in (Region.Level.COUNTY, Region.Level.CITY, Region.Level.PROVINCE):
            _decide(declaration.application, by_level[level], "材料齐全，同意。")
        recognition = Recognition.objects.get(declaration=declaration)
        recognition.valid_to = today + datetime.timedelta(days=25)
        start = recognition.valid_to + datetime.timedelta(days=1)
        recognition.valid_from = start.replace(year=start.year - recognition.tier.valid_years)
        recognition.certificate_no = recognitions.certificate_no(
            recognition.tier, recognition.region, recognition.valid_from.year
        )
        recognition.save(update_fields=["valid_from", "valid_to", "certificate_no"])
        _rereview(recognised, recognition, by_level)
        _change(recognised, by_level)
    # What the daily job would have said by now: the expiry notice, the open window's 申报提醒.
    tasks.expiry_notices_send(today)
    tasks.window_notices_send(today)


def _rereview(member: Membership, recognition: Recognition, by_level: dict) -> None:
    """A re-review approved by the county and the city, waiting at the province."""
    rereview = enterprise.rereview_submit(
        membership=member,
        recognition=recognition,
        statement="近三年研发投入持续增长，主导产品市场占有率稳步提升，继续符合创新型中小企业认定条件。",
    )
    _decide(rereview.application, by_level[Region.Level.COUNTY], "情况属实，同意。")
    _decide(rereview.application, by_level[Region.Level.CITY], "同意报省级复核。")


def _change(member: Membership, by_level: dict) -> None:
    """A change of main business approved by the county, waiting at the city."""
    change = enterprise.change_save(
        membership=member,
        data={
            "change_type": MajorChange.Type.MAIN_BUSINESS,
            "after": "数控机床主轴、精密传动部件及工业机器人关节减速器",
            "reason": "新增工业机器人关节减速器产线，主营业务范围扩大。",
        },
        submit=True,
    )
    _decide(change.application, by_level[Region.Level.COUNTY], "同意。")


def cultivation_demo_provision(data: dict, context) -> None:
    spec = data.get("cultivation_demo")
    if context.with_demo_data and spec and MODULE in (data.get("modules") or context.tenant.modules or []):
        cultivation_demo_seed(spec)
