"""Rows the cultivation tests share (issue #16), in the national schema (the tenant that runs the cultivation
module set): enterprises with their cultivation info in 鄞州区 (宁波市, 浙江省), the staff of each level, windows
relative to today, a small questionnaire, and declarations filled in through the services."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tenant_apps.configuration.models import DeclarationWindow, Region
from tenant_apps.cultivation import declarations
from tenant_apps.cultivation.models import EnterpriseInfo, Questionnaire, Sector, Tier
from tenant_apps.cultivation.questionnaire_services import questionnaire_load
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Task

User = get_user_model()
NATIONAL = "national"
PASSWORD = "Pilot#2026x"
COUNTY, CITY, PROVINCE = "330212", "330200", "330000"  # 鄞州区, 宁波市, 浙江省
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF"
)

# A small questionnaire: two sections (60 + 40), levels at 0 / 40 / 60 / 80.
DEFINITION = {
    "sector": "manufacturing",
    "title": "制造业中小企业数字化水平评测表（测试）",
    "sections": [
        {
            "code": "foundation",
            "name": "数字化基础",
            "weight": 60,
            "questions": [
                {
                    "code": "q1",
                    "text": "关键设备联网情况",
                    "options": [
                        {"code": "a", "text": "未联网", "score": 0},
                        {"code": "b", "text": "部分联网", "score": 5},
                        {"code": "c", "text": "全部联网", "score": 10},
                    ],
                },
                {
                    "code": "q2",
                    "text": "已应用的系统（可多选）",
                    "multiple": True,
                    "options": [
                        {"code": "erp", "text": "ERP", "score": 5},
                        {"code": "mes", "text": "MES", "score": 5},
                        {"code": "none", "text": "均未应用", "score": 0},
                    ],
                },
            ],
        },
        {
            "code": "results",
            "name": "数字化成效",
            "weight": 40,
            "questions": [
                {
                    "code": "q3",
                    "text": "生产效率提升",
                    "options": [
                        {"code": "a", "text": "无明显提升", "score": 0},
                        {"code": "b", "text": "提升 10% 以上", "score": 10},
                    ],
                }
            ],
        },
    ],
    "levels": [{"level": 1, "min": 0}, {"level": 2, "min": 40}, {"level": 3, "min": 60}, {"level": 4, "min": 80}],
}

INNOVATIVE_DATA = {"innovation_input": "研发费用 320 万元，占营业收入 4.1%", "growth": "近两年营收增长 18%",
                   "specialisation": "86", "ip": "12"}  # fmt: skip
SPECIALISED_DATA = {"years_in_field": "8", "rd_share": "4.5", "revenue": "8200",
                    "niche": "汽车线束连接器细分市场，主导产品国内市场占有率约 6%。"}  # fmt: skip


def pdf(name: str = "proof.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def enterprise(n: int = 1, *, name: str | None = None, region_code: str = COUNTY, info: bool = True) -> Membership:
    """A certified enterprise and its main account, with cultivation info registered in `region_code`."""
    organisation = Organisation.objects.create(
        kind="enterprise",
        name=name or f"宁波培育测试企业{n}有限公司",
        uscc=f"91330212MA0CU{n:04d}X",
        certification=Organisation.Certification.CERTIFIED,
        region="浙江省宁波市鄞州区",
        contact_name="王经理",
        contact_mobile=f"1390574{n:04d}",
    )
    user = User.objects.create_user(f"cul_e{n}", mobile=f"1370574{n:04d}", password=PASSWORD)
    member = Membership.objects.create(user=user, organisation=organisation, roles=["enterprise"])
    if info:
        EnterpriseInfo.objects.create(
            organisation=organisation,
            region=region(region_code),
            sector=Sector.MANUFACTURING,
            main_business="汽车线束连接器研发与制造",
            legal_rep="王某",
            contact_name="王经理",
            contact_mobile=f"1390574{n:04d}",
        )
    return member


def staff(region_code: str, *, username: str | None = None, roles=("city_bureau",)) -> Membership:
    """The reviewer of a division (county, city or province staff)."""
    username = username or f"cul_s{region_code}"
    existing = Membership.objects.filter(user__username=username).first()
    if existing:
        return existing
    user = User.objects.create_user(username, mobile=f"136{region_code}00"[:11], password=PASSWORD)
    return Membership.objects.create(user=user, roles=list(roles), region=region(region_code))


def window(kind: str, *, region_code: str | None = PROVINCE, opens: int = -10, closes: int = 30, name=None):
    """A window of `kind` for `region_code` open from today+opens to today+closes (days)."""
    today = timezone.localdate()
    return DeclarationWindow.objects.create(
        module="cultivation",
        kind=kind,
        name=name or f"测试窗口 {kind} {region_code} {opens}..{closes} #{DeclarationWindow.objects.count()}",
        region=region(region_code) if region_code else None,
        opens_on=today + datetime.timedelta(days=opens),
        closes_on=today + datetime.timedelta(days=closes),
    )


def questionnaire() -> Questionnaire:
    """The small test questionnaire above, made the active manufacturing version (the bundled one stays loaded
    as an older version for the rest of the test)."""
    active = Questionnaire.objects.filter(sector="manufacturing", is_active=True).first()
    if active is not None and active.title == DEFINITION["title"]:
        return active
    return questionnaire_load(DEFINITION)


def tier(code: str) -> Tier:
    return Tier.objects.get(code=code)


def declaration(member: Membership, tier_code: str = "innovative", *, win=None, data=None, submit=True):
    """A complete declaration (every indicator, evidence where asked), submitted unless `submit=False`."""
    win = win or window(tier_code)
    declaration = declarations.declaration_start(membership=member, tier_code=tier_code, window_id=win.pk)
    t = declaration.tier
    values = data if data is not None else (INNOVATIVE_DATA if tier_code == "innovative" else SPECIALISED_DATA)
    files = {i["code"]: pdf(f"{i['code']}.pdf") for i in t.indicators if i.get("evidence")}
    declarations.declaration_save(membership=member, declaration=declaration, data=values, files=files)
    if submit:
        declarations.declaration_submit(membership=member, declaration=declaration)
    declaration.refresh_from_db()
    return declaration


def decide(application, member: Membership, action: str = "approve", opinion: str = ""):
    task = Task.objects.get(application=application, state=Task.State.OPEN)
    return engine.task_decide(task_id=task.pk, membership=member, action=action, opinion=opinion or "意见")


def levels() -> tuple[Membership, Membership, Membership]:
    return staff(COUNTY), staff(CITY), staff(PROVINCE, roles=("province",))
