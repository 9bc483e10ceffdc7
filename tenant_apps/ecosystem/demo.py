"""Ecosystem demo data for a tenant whose preset has an `[ecosystem_demo]` table (Jiangmen), played through the
services and the tenant's own review chains, so every role finds real work in 我的待办:

- each `units` entry's anchor unit is linked to its demo account's organisation (the city admin's job otherwise);
- `provider` declares to the first unit with two products; the unit confirms, and both products go through the
  whole product chain into the first unit's pool;
- three more products of `provider` wait at the three stages of the product chain (the unit, then the roles of
  its later stages, e.g. operations' pre-review and the bureau's re-review in Jiangmen);
- `provider`'s repeat declaration waits for the second unit; its information change (信息变更) waits for review;
- `newcomer`'s first declaration (one product) waits for the first unit.

Who decides a stage is data too: the unit's account for an anchor-unit stage, `reviewers[role]` for a role stage.
Idempotent: each part is skipped once its provider has rows of that kind, so a restart (or an admin's own edits)
changes nothing."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tenant_apps.configuration.models import AnchorUnit
from tenant_apps.organisations.models import Membership

MODULE = "ecosystem"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF"
)
ANCHOR = "anchor_unit"  # the stage handler whose decider is the unit named in the application

# Steps 1–2 of the provider's first declaration (a repeat declaration copies them).
DECLARATION = {
    "nature": "private",
    "product_count": "6",
    "profile": "江门本地数字化服务商，专注五金卫浴、机电装备行业的生产执行、质量检测与供应链数字化，"
    "已服务江门及周边中小制造企业 120 余家，拥有软件著作权 18 项。",
    "guarantee": "江门本地实施与运维团队 26 人，7×12 小时响应，4 小时到场；每个项目配备驻场实施顾问，"
    "上线后提供 3 个月免费运维与操作培训。",
}
NEWCOMER_DECLARATION = {
    "nature": "private",
    "product_count": "3",
    "profile": "面向门窗五金与家居建材企业的订单协同与渠道管理软件服务商，总部位于江门市江海区。",
    "guarantee": "本地技术服务团队 9 人，工作日 2 小时响应，重大问题 24 小时内到场处理。",
}


def _product(*, name, nature, categories, architecture, deployment, days, purchase, prices, discount, industries,
             sub_industries, scenarios, award, description, cases, award_text="", other_notes=""):  # fmt: skip
    return {
        "name": name,
        "data": {
            "nature": nature,
            "categories": categories,
            "description": description,
            "architecture": architecture,
            "deployment": deployment,
            "deployment_days": str(days),
            "purchase": purchase,
            "price_min": prices[0],
            "price_max": prices[1],
            "discount_percent": discount,
            "industries": industries,
            "sub_industries": sub_industries,
            "scenarios": scenarios,
            "award": award,
            "award_text": award_text,
            "other_notes": other_notes,
        },
        "cases": cases,
    }


# (the provider's products) where each ends: "approved" (pooled) or the stage it waits at.
PRODUCTS = [
    (
        _product(
            name="卫浴五金云排产与报工平台",
            nature="own",
            categories=["production"],
            architecture="bs",
            deployment="cloud",
            days=20,
            purchase="subscription",
            prices=("18000.00", "96000.00"),
            discount="15",
            industries=["hardware-sanitary"],
            sub_industries="水龙头、花洒、卫浴挂件",
            scenarios="订单排产、车间扫码报工、在制品跟踪、计件工资核算",
            award="provincial",
            description="按订单交期与设备产能自动排产，工人扫码报工，在制品与计件工资实时可查，适合 50–300 人的卫浴五金工厂。",
            cases=[
                ("江门示例卫浴制品有限公司", "报工由次日补录改为实时，订单准交率由 82% 提升到 96%"),
                ("鹤山示例水暖器材有限公司", "排产时间由每天 3 小时缩短到 20 分钟"),
                ("开平示例五金制品有限公司", "在制品库存下降 27%，计件工资核算零差错"),
            ],
            award_text="2025年广东省工业软件优秀产品",
        ),
        "approved",
    ),
    (
        _product(
            name="水龙头铸件外观视觉检测系统",
            nature="own",
            categories=["production"],
            architecture="cs",
            deployment="local",
            days=45,
            purchase="buyout",
            prices=("120000.00", "380000.00"),
            discount="10",
            industries=["hardware-sanitary"],
            sub_industries="铜铸件、锌合金压铸件",
            scenarios="铸件砂眼与气孔检测、抛光后外观全检",
            award="none",
            description="工业相机与深度学习模型对铸件和抛光件做在线外观检测，缺陷自动分拣并留存图像，支撑质量追溯。",
            cases=[
                ("江门示例铜业有限公司", "外观漏检率由 3.5% 降到 0.4%"),
                ("开平示例卫浴配件有限公司", "质检岗位由 12 人减为 4 人"),
                ("江门示例龙头制造有限公司", "客户投诉同比下降 61%"),
            ],
        ),
        "approved",
    ),
    (
        _product(
            name="五金仓储条码与库位管理系统",
            nature="agency",
            categories=["supply_chain"],
            architecture="bs",
            deployment="hybrid",
            days=30,
            purchase="subscription",
            prices=("25000.00", "90000.00"),
            discount="12",
            industries=["hardware-sanitary"],
            sub_industries="卫浴五金、门窗五金",
            scenarios="原材料收发、成品入库、库位管理、先进先出",
            award="none",
            description="条码化收发货与库位管理，移动终端扫码出入库，库存账实相符，与主流 ERP 对接。",
            cases=[
                ("江门示例五金配件有限公司", "库存准确率提升到 99.6%"),
                ("台山示例卫浴有限公司", "盘点时间由 3 天缩短到半天"),
                ("恩平示例水暖有限公司", "发货差错率下降 90%"),
            ],
        ),
        "ops",
    ),
    (
        _product(
            name="电镀线能耗与环保数据监测平台",
            nature="own",
            categories=["production", "management"],
            architecture="bs",
            deployment="cloud",
            days=15,
            purchase="subscription",
            prices=("15000.00", "60000.00"),
            discount="20",
            industries=["hardware-sanitary", "electromechanical"],
            sub_industries="电镀、表面处理",
            scenarios="电镀线能耗计量、废水排放在线监测、环保台账",
            award="other",
            description="电镀线水电气分项计量与废水在线监测，超标自动预警，环保台账一键生成。",
            cases=[
                ("江门示例电镀有限公司", "单位产品能耗下降 11%"),
                ("鹤山示例表面处理有限公司", "环保台账编制由每月 5 天减到 1 天"),
                ("江门示例金属制品有限公司", "全年未发生排放超标"),
            ],
            award_text="江门市节能技术推广目录（2025年）",
        ),
        "city_bureau",
    ),
    (
        _product(
            name="卫浴产品三维设计与BOM协同平台",
            nature="joint",
            categories=["rd_design"],
            architecture="cs",
            deployment="local",
            days=60,
            purchase="project",
            prices=("80000.00", "260000.00"),
            discount="8",
            industries=["hardware-sanitary"],
            sub_industries="龙头、花洒、浴室柜",
            scenarios="三维设计、设计BOM到制造BOM转换、设计变更协同",
            award="none",
            description="三维设计图纸与 BOM 统一管理，设计变更自动通知采购与生产，减少错料与返工。",
            cases=[
                ("江门示例厨卫科技有限公司", "新品开发周期缩短 30%"),
                ("开平示例卫浴有限公司", "BOM 错误导致的返工下降 75%"),
                ("江门示例洁具有限公司", "设计图纸版本统一管理"),
            ],
            other_notes="与本地高校联合开发，可按企业产品结构定制 BOM 模板。",
        ),
        ANCHOR,
    ),
]
NEWCOMER_PRODUCT = _product(name="门窗五金订单协同与经销商门户", nature="own", categories=["marketing", "supply_chain"], architecture="bs", deployment="cloud", days=10, purchase="subscription", prices=("9800.00", "48000.00"), discount="18", industries=["hardware-sanitary"], sub_industries="门窗五金、卫浴五金", scenarios="经销商在线下单、订单进度查询、返利结算", award="none", description="经销商门户在线下单与对账，订单进度实时推送，返利自动结算。", cases=[
        ("江门示例门窗配件有限公司", "经销商订单录入时间减少 80%"),
        ("江门示例建材五金有限公司", "对账周期由 15 天缩短到 3 天"),
        ("台山示例五金制品有限公司", "经销商满意度提升"),
    ])  # fmt: skip
CHANGE = {
    "contact_name": "周经理",
    "contact_mobile": "13800000312",
    "email": "service@jm-digital.example.com",
    "region": "广东省江门市蓬江区",
    "address": "蓬江区示例大道88号数字经济产业园3栋5楼",
    "nature": "private",
    "profile": DECLARATION["profile"],
    "guarantee": DECLARATION["guarantee"],
    "reason": "公司迁入数字经济产业园，联系人调整为周经理。",
}


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _member(username: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user__username=username)


class _Reviewers:
    """Who decides an open task: the unit's account at an anchor-unit stage, `reviewers[role]` at a role stage."""

    def __init__(self, units: dict[int, Membership], roles: dict[str, str]):
        self.units, self.roles = units, roles

    @staticmethod
    def where(task) -> str:
        return ANCHOR if task.handler == ANCHOR else task.role

    def of(self, task) -> Membership | None:
        if task.handler == ANCHOR:
            return self.units.get(task.application.anchor_unit_id)
        username = self.roles.get(task.role)
        return _member(username) if username else None

    def advance(self, application, *, until: str | None = None) -> None:
        """Approve stage after stage until the open task is at `until` (None: to the end). A stage nobody in the
        table decides (a chain the city admin changed, e.g. an expert stage) is where the application waits."""
        from tenant_apps.workflow.models import Task
        from tenant_apps.workflow.services import task_decide

        while True:
            task = Task.objects.select_related("application").filter(application=application, state="open").first()
            if task is None or self.where(task) == until:
                return
            reviewer = self.of(task)
            if reviewer is None:
                return
            task_decide(task_id=task.pk, membership=reviewer, action="approve", opinion="材料齐全，同意。")


def _declare(member: Membership, unit: AnchorUnit, answers: dict, *, products=()):
    """A first declaration to `unit`, complete with its products, submitted."""
    from tenant_apps.ecosystem import declarations

    declaration = declarations.declaration_start(membership=member)
    declarations.declaration_save(
        membership=member,
        declaration=declaration,
        step=1,
        data={"nature": answers["nature"], "anchor_unit": unit.code},
        files={
            "licence": _pdf("营业执照.pdf"),
            "credit_report": _pdf("法人和非法人组织公共信用报告.pdf"),
            "cooperation": _pdf(f"与{unit.name}合作关系证明（双方盖章）.pdf"),
        },
    )
    declarations.declaration_save(
        membership=member,
        declaration=declaration,
        step=2,
        data={field: answers[field] for field in ("product_count", "profile", "guarantee")},
        files={"team_list": _pdf("本地技术服务团队人员名单（盖章）.pdf")},
    )
    for spec in products:
        product = _start_product(member, spec, declaration=declaration)
        _fill_product(member, product, spec)
    declaration.refresh_from_db()
    return declarations.declaration_submit(membership=member, declaration=declaration)


def _start_product(member: Membership, spec: dict, *, declaration=None):
    from tenant_apps.ecosystem import products

    return products.product_start(membership=member, name=spec["name"], declaration=declaration)


def _fill_product(member: Membership, product, spec: dict, *, unit: AnchorUnit | None = None):
    from tenant_apps.ecosystem import products

    data = dict(spec["data"])
    if unit is not None:
        data["anchor_unit"] = unit.code
    files = {}
    if data["nature"] == "own":
        files["ip_proof"] = [_pdf(f"{spec['name']}软件著作权登记证书.pdf")]
    if data["award"] != "none":
        files["award_proof"] = [_pdf(f"{spec['name']}获奖证明.pdf")]
    cases = [
        {"customer": customer, "summary": summary, "contract": _pdf(f"{customer}服务合同.pdf")}
        for customer, summary in spec["cases"]
    ]
    return products.product_save(membership=member, product=product, data=data, cases=cases, files=files)


def _provider_seed(member: Membership, first: AnchorUnit, second: AnchorUnit, reviewers: _Reviewers) -> None:
    from tenant_apps.ecosystem import declarations, products

    # The first declaration brings the products that end approved; the unit confirms, they run the product chain.
    pooled = [spec for spec, end in PRODUCTS if end == "approved"]
    declaration = _declare(member, first, DECLARATION, products=pooled)
    reviewers.advance(declaration.application)
    for product in declaration.products.select_related("application"):
        reviewers.advance(product.application)
    # Products declared on their own, each stopped at one stage of the chain.
    for spec, end in PRODUCTS:
        if end == "approved":
            continue
        product = _fill_product(member, _start_product(member, spec), spec, unit=first)
        product = products.product_submit(membership=member, product=product)
        reviewers.advance(product.application, until=end)
    # The repeat declaration: everything copied but the unit and its cooperation proof.
    repeat = declarations.declaration_start(membership=member)
    declarations.declaration_save(
        membership=member,
        declaration=repeat,
        step=1,
        data={"anchor_unit": second.code},
        files={"cooperation": _pdf(f"与{second.name}合作关系证明（双方盖章）.pdf")},
    )
    declarations.declaration_submit(membership=member, declaration=repeat)


@transaction.atomic
def ecosystem_demo_seed(spec: dict) -> None:
    from tenant_apps.ecosystem.changes import change_save
    from tenant_apps.ecosystem.models import Declaration, ProviderChange

    User = get_user_model()
    accounts = [unit["account"] for unit in spec["units"]] + [spec["provider"], spec["newcomer"]]
    accounts += list(spec.get("reviewers", {}).values())
    if not all(User.objects.filter(username=name).exists() for name in accounts):
        return
    units = []
    for item in spec["units"]:
        unit = AnchorUnit.objects.filter(code=item["code"], is_active=True).first()
        member = _member(item["account"])
        if unit is None:
            return  # not this city's unit (a city created from another's preset): no demo
        if unit.organisation_id is None:  # the link the city admin makes; an admin's own link is kept
            unit.organisation = member.organisation
            unit.save(update_fields=["organisation"])
        if unit.organisation_id != member.organisation_id:
            return
        units.append((unit, member))
    reviewers = _Reviewers({unit.pk: member for unit, member in units}, spec.get("reviewers", {}))
    (first, _), (second, _) = units[0], units[1]

    provider = _member(spec["provider"])
    if not Declaration.objects.filter(organisation=provider.organisation).exists():
        _provider_seed(provider, first, second, reviewers)
    if not ProviderChange.objects.filter(organisation=provider.organisation).exists():
        change_save(membership=provider, data=CHANGE, submit=True)

    newcomer = _member(spec["newcomer"])
    if not Declaration.objects.filter(organisation=newcomer.organisation).exists():
        _declare(newcomer, first, NEWCOMER_DECLARATION, products=[NEWCOMER_PRODUCT])


def ecosystem_demo_provision(data: dict, context) -> None:
    spec = data.get("ecosystem_demo")
    if context.with_demo_data and spec and MODULE in (data.get("modules") or context.tenant.modules or []):
        ecosystem_demo_seed(spec)
