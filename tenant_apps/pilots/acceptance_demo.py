"""Acceptance demo data for a tenant whose preset names a `[[pilot_demo]]` (Harbin): every step of the chain leaves
something real in someone's inbox, built through the services and the engine as people would have done it.

- the demo account's own enterprise (`hrb_pilot`): admitted, its acceptance passed the material review and waits
  for the bureau to book the on-site acceptance (bureau: 我的待办 → 现场验收);
- another enterprise's admission waits for the bureau's first review;
- two enterprises recognised and in a **published** publicity batch (the portal's 公示 page);
- an enterprise whose batch closed last month: its first tranche paid by the finance bureau, the second waiting
  (finance: 资金拨付).

Enterprises without a demo login are made with an identity that cannot sign in. Idempotent: a tenant that has any
acceptance is left as it is."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.pilots.demo import BASIC, NEEDS, PDF

PROJECTS = [
    {
        "name": "灌装车间设备联网与生产执行系统建设",
        "starts_on": "2024-09-02",
        "ends_on": "2025-12-31",
        "content": "灌装、杀菌、包装三条产线 28 台设备加装采集终端，部署 MES，实现批次追溯、在线质检与能耗看板。",
        "level_before": 1,
        "level_after": 3,
        "indicators": [{"name": "批次追溯时间", "unit": "小时", "before": "6", "after": "0.5"}],
        "providers": [
            {
                "name": "哈尔滨数智工业软件有限公司",
                "contract_amount": "520000.00",
                "products": [
                    {"name": "生产执行系统（MES）", "kind": "software", "amount": "360000.00"},
                    {"name": "实施与培训服务", "kind": "service", "amount": "160000.00"},
                ],
            },
            {
                "name": "黑龙江智联物联网科技有限公司",
                "contract_amount": "300000.00",
                "products": [{"name": "设备数据采集终端", "kind": "hardware", "amount": "300000.00"}],
            },
        ],
    }
]
FILES = ("summary_report", "contract", "receipt", "invoice", "bank_slip", "self_assessment")
OTHERS = [
    # (name, uscc, industry, main products, what happens)
    ("哈尔滨示例锅炉辅机制造有限公司", "91230100MA0000S00R", "boilers-prime-movers", "锅炉给水泵、省煤器", "admission"),
    ("哈尔滨示例生物制药有限公司", "91230100MA0000T00Y", "pharmaceuticals", "中成药、保健食品", "published"),
    ("哈尔滨示例航空部件有限公司", "91230100MA0000U002", "aerospace-equipment", "航空结构件、复材零件", "published"),
    ("哈尔滨示例乳品加工有限公司", "91230100MA0000W00E", "food", "液态奶、奶粉", "paid"),
]
PILOT_PRODUCTS = "速冻食品、方便食品"


def _member(username: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user__username=username)


def _enterprise(name: str, uscc: str, industry: str) -> Membership:
    """A certified enterprise of a pilot industry, its main account an identity without a usable password."""
    from tenant_apps.configuration.models import Industry

    organisation, _created = Organisation.objects.get_or_create(
        uscc=uscc,
        defaults={
            "name": name,
            "kind": Organisation.Kind.ENTERPRISE,
            "certification": Organisation.Certification.CERTIFIED,
            "industry": Industry.objects.filter(code=industry).first(),
            "region": "黑龙江省哈尔滨市",
            "address": "哈尔滨市示例大街 1 号",
            "contact_name": "联系人",
            "contact_mobile": "13800000299",
        },
    )
    User = get_user_model()
    user, created = User.objects.get_or_create(username=f"demo_{uscc.lower()}", defaults={"is_active": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership, _made = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"roles": ["enterprise"]}
    )
    return Membership.objects.select_related("organisation", "user").get(pk=membership.pk)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _open_task(application):
    from tenant_apps.workflow.models import Task

    return Task.objects.get(application_id=application.pk, state=Task.State.OPEN)


def _basic(member: Membership, products: str) -> dict:
    return {
        **BASIC,
        "address": member.organisation.address or "哈尔滨市示例大街 1 号",
        "contact_mobile": member.organisation.contact_mobile or "13800000209",
        "main_products": products,
    }


def _admit(member: Membership, bureau: Membership, products: str, *, stop_at_first_review: bool = False):
    """The admission, filled, submitted, reviewed, stamped and approved (or left at the bureau's first review)."""
    from tenant_apps.pilots import admissions
    from tenant_apps.workflow.services import stage_upload, task_decide

    admission = admissions.admission_start(membership=member)
    admissions.admission_save(
        membership=member,
        admission_id=admission.pk,
        basic=_basic(member, products),
        needs=NEEDS,
        projects=[{**{k: v for k, v in p.items() if k != "providers"}, "investment": "82.00"} for p in PROJECTS],
        benchmark=True,
        files={"audit_report": _pdf("2025年度审计报告.pdf"), "credit_report": _pdf("信用中国企业信用报告.pdf")},
    )
    admission = admissions.admission_submit(membership=member, admission_id=admission.pk)
    if stop_at_first_review:
        return admission
    task_decide(
        task_id=_open_task(admission.application).pk, membership=bureau, action="approve", opinion="符合入库条件。"
    )
    stage_upload(task_id=_open_task(admission.application).pk, membership=member, upload=_pdf("盖章申报表.pdf"))
    task_decide(
        task_id=_open_task(admission.application).pk, membership=bureau, action="approve", opinion="盖章件无误。"
    )
    return admission


def _acceptance(member: Membership, bureau: Membership, products: str):
    """An acceptance filled (prefilled from the admission, providers and products added, the investment list in the
    city's template), submitted and through the material review: at 现场验收."""
    from tenant_apps.pilots import acceptances, investment_list
    from tenant_apps.workflow.services import task_decide

    acceptance = acceptances.acceptance_start(membership=member)
    projects = [{**p, "investment": "820000.00"} for p in PROJECTS]
    acceptance = acceptances.acceptance_save(
        membership=member,
        acceptance_id=acceptance.pk,
        basic=_basic(member, products),
        projects=projects,
        benchmark=True,
        files={kind: [_pdf(f"{label}.pdf")] for kind, label in zip(FILES, _labels(), strict=True)},
    )
    sheet = investment_list.template_workbook(acceptance)
    acceptances.acceptance_save(
        membership=member,
        acceptance_id=acceptance.pk,
        files={
            "investment_list": [
                SimpleUploadedFile(
                    "项目投资清单.xlsx",
                    sheet,
                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            ]
        },
    )
    acceptance = acceptances.acceptance_submit(membership=member, acceptance_id=acceptance.pk)
    task_decide(
        task_id=_open_task(acceptance.application).pk,
        membership=bureau,
        action="approve",
        opinion="材料齐全，合同、发票、银行回单与投资清单一致，进入现场验收。",
    )
    return acceptance


def _labels():
    return ("项目总结报告", "项目合同", "收货验收单", "发票", "银行回单", "数字化水平自测结果")


def _through_recognition(acceptance, member: Membership, bureau: Membership, *, level: int = 3):
    """现场验收 booked and passed, the stamped table uploaded, the recognition recorded, the stamped table approved:
    at 公示."""
    from tenant_apps.pilots import onsite, recognition
    from tenant_apps.pilots.models import OnSiteVisit
    from tenant_apps.workflow.services import stage_upload, task_decide

    visit = onsite.visit_book(
        membership=bureau,
        acceptance_id=acceptance.pk,
        scheduled_at=timezone.now() + datetime.timedelta(days=1),
        place=f"{member.organisation.name} 生产车间",
        contact_name="市工信局 王处长",
        contact_phone="0451-86660200",
        preparation="请准备项目合同、发票、银行回单原件及系统演示环境。",
    )
    OnSiteVisit.objects.filter(pk=visit.pk).update(scheduled_at=timezone.now() - datetime.timedelta(days=20))
    onsite.visit_conclude(
        membership=bureau, acceptance_id=acceptance.pk, conclusion="pass", note="项目建成投用，指标达成。"
    )
    stage_upload(
        task_id=_open_task(acceptance.application).pk, membership=member, upload=_pdf("盖章验收及补贴申报表.pdf")
    )
    recognition.recognise(
        membership=bureau,
        acceptance_id=acceptance.pk,
        projects=[
            {
                "id": project.pk,
                "recognised_amount": "780000.00",
                "recognised_hardware": "300000.00",
                "level_reached": level,
                "in_period": True,
                "proven": True,
            }
            for project in acceptance.projects.all()
        ],
    )
    acceptance.application.refresh_from_db()
    task_decide(
        task_id=_open_task(acceptance.application).pk, membership=bureau, action="approve", opinion="盖章件与认定一致。"
    )


@transaction.atomic
def acceptance_demo_seed(pilot_username: str) -> None:
    from tenant_apps.pilots import disbursement, publicity
    from tenant_apps.pilots.models import Acceptance, PublicityBatch

    if Acceptance.objects.exists():
        return
    User = get_user_model()
    if not User.objects.filter(username=pilot_username).exists():
        return
    bureau = _member("hrb_bureau")
    finance = _member("hrb_finance")
    pilot = _member(pilot_username)
    _admit(pilot, bureau, PILOT_PRODUCTS)
    _acceptance(pilot, bureau, PILOT_PRODUCTS)  # waits at 现场验收
    published, paid = [], []
    for name, uscc, industry, products, fate in OTHERS:
        member = _enterprise(name, uscc, industry)
        if fate == "admission":
            _admit(member, bureau, products, stop_at_first_review=True)
            continue
        _admit(member, bureau, products)
        acceptance = _acceptance(member, bureau, products)
        _through_recognition(acceptance, member, bureau, level=4 if fate == "paid" else 3)
        (published if fate == "published" else paid).append(acceptance.pk)
    # Last month's batch, closed: tranches created; the finance bureau paid the first.
    closed = publicity.batch_create(
        membership=bureau, title="2026年第一批试点企业数字化改造项目补贴公示", days=5, acceptance_ids=paid
    )
    publicity.batch_publish(membership=bureau, batch_id=closed.pk)
    start = timezone.localdate() - datetime.timedelta(days=30)
    PublicityBatch.objects.filter(pk=closed.pk).update(starts_on=start, ends_on=start + datetime.timedelta(days=4))
    publicity.batch_close(membership=bureau, batch_id=closed.pk)
    first = Acceptance.objects.get(pk=paid[0]).tranches.order_by("position").first()
    disbursement.tranche_pay(
        membership=finance,
        tranche_id=first.pk,
        paid_on=start + datetime.timedelta(days=10),
        voucher_number="HCZ-2026-0158",
    )
    # This month's batch, published today: on the portal's 公示 page.
    current = publicity.batch_create(
        membership=bureau, title="2026年第二批试点企业数字化改造项目补贴公示", days=5, acceptance_ids=published
    )
    publicity.batch_publish(membership=bureau, batch_id=current.pk)


def acceptance_demo_provision(data: dict, context) -> None:
    spec = data.get("pilot_demo") or {}
    if (
        context.with_demo_data
        and spec.get("username")
        and "acceptance" in (data.get("modules") or context.tenant.modules or [])
    ):
        acceptance_demo_seed(spec["username"])
