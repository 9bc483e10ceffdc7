"""Marketplace demo data for a tenant that runs the module (the national preset), on the preset's taxonomy: the demo
provider's bank account and solutions — two on sale, one waiting in each reviewer's inbox (ops first review, the
assigned expert, the province) — and the demo enterprise's orders: one completed and rated, one whose payment proof
waits for ops. Everything goes through the services, so the demo is what people would have made by hand."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tenant_apps.configuration.models import Industry
from tenant_apps.marketplace.models import Catalogue, Category, Listing, Order, Tag
from tenant_apps.organisations.models import Membership

PROVIDER, BUYER, OPS, EXPERT, PROVINCE = "nat_provider", "nat_enterprise", "nat_ops", "zhang_expert", "nat_province"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
    b"0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
    b"startxref\n162\n%%EOF\n"
)
# (name, related product, catalogue, categories, tags, industries, summary, price range, specs, where it ends)
SOLUTIONS = [
    (
        "设备联网与预测性维护解决方案",
        "智维云平台",
        "生产制造",
        ["工业互联网平台", "数据采集与分析"],
        ["SaaS", "设备上云"],
        ["equipment"],
        "采集数控机床、空压机等关键设备数据，振动与温度趋势分析，故障提前 7 天预警，减少非计划停机。",
        ("30000.00", "280000.00"),
        [("标准版（50 台设备）", "year", "simple", "39800.00"), ("试用版（5 台设备）", "month", "free", "0")],
        "listed",
    ),
    (
        "中小企业轻量化 MES 生产管理系统",
        "轻量 MES",
        "生产制造",
        ["工业软件", "数字化改造"],
        ["MES", "轻量化"],
        ["equipment", "consumer-goods"],
        "工单、报工、质检、追溯一体化，扫码报工，两周上线，适合 50–300 人离散制造企业。",
        ("20000.00", "150000.00"),
        [("基础版（20 用户）", "year", "simple", "26800.00"), ("实施服务", "quantity", "simple", "1500.00")],
        "listed",
    ),
    (
        "供应链协同与智能仓储解决方案",
        "链仓 WMS",
        "供应链管理",
        ["工业软件"],
        ["WMS", "SaaS"],
        ["consumer-goods"],
        "供应商门户、收发货协同、条码化库位管理，库存准确率提升到 99% 以上。",
        ("50000.00", "300000.00"),
        [("标准版", "year", "simple", "58000.00")],
        "ops",
    ),
    (
        "能耗在线监测与碳管理平台",
        "碳能管家",
        "运维服务",
        ["数据采集与分析"],
        ["能耗管理"],
        ["materials"],
        "电、水、气分项计量，重点用能设备能效对标，自动生成碳排放核算报表。",
        ("40000.00", "200000.00"),
        [("标准版", "year", "simple", "45000.00")],
        "expert",
    ),
    (
        "研发设计协同 PLM 云服务",
        "云 PLM",
        "研发设计",
        ["工业软件"],
        ["PLM", "SaaS"],
        ["electronics"],
        "图文档与 BOM 管理、设计变更流程、在线轻量化浏览，研发与生产数据同源。",
        ("60000.00", "360000.00"),
        [("团队版（30 用户）", "year", "simple", "68000.00")],
        "province",
    ),
]


def _member(username: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user__username=username)


def _png(text: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (31, 111, 235))
    ImageDraw.Draw(image).rectangle((24, 24, 456, 296), outline=(255, 255, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile(f"{text}.png", buffer.getvalue(), content_type="image/png")


def _by_names(model, names):
    return list(model.objects.filter(name__in=names).values_list("pk", flat=True))


def _create(provider: Membership, spec) -> Listing:
    from tenant_apps.marketplace import listings

    name, product, catalogue, categories, tags, industries, summary, (low, high), specs, _end = spec
    data = {
        "name": name,
        "related_product": product,
        "catalogue": Catalogue.objects.filter(name=catalogue).values_list("pk", flat=True).first(),
        "tags": _by_names(Tag, tags),
        "categories": _by_names(Category, categories),
        "industries": list(Industry.objects.filter(code__in=industries).values_list("pk", flat=True)),
        "summary": summary,
        "price_min": low,
        "price_max": high,
        "delivery_cycle_days": 45,
        "delivery_person_days": 30,
        "contact_name": "王经理",
        "contact_phone": "010-88886666",
        "contact_email": "sales@example.com",
        "intro": [
            {"type": "description", "value": {"text": summary}},
            {"type": "highlights", "value": {"items": ["两周上线", "按年订阅", "本地化实施团队"]}},
            {
                "type": "support",
                "value": {
                    "hours": "工作日 9:00–18:00",
                    "scope": "全国",
                    "hotline": "400-800-0000",
                    "email": "support@example.com",
                },
            },
        ],
    }
    customers = ["哈尔滨示例电气装备有限公司", "江门示例五金制品有限公司", "宁波示例模具有限公司"]
    cases = [
        {
            "customer": customer,
            "customer_output": f"{12000 + 3500 * n}.50",
            "contract_amount": f"{18 + 6 * n}.00",
            "delivery_months": 3 + n,
            "contact_name": "",
            "document": SimpleUploadedFile(f"案例{n}.pdf", PDF, content_type="application/pdf"),
        }
        for n, customer in enumerate(customers, start=1)
    ]
    specs = [{"name": n, "purchase_mode": m, "pricing": p, "unit_price": price} for n, m, p, price in specs]
    version = listings.listing_create(membership=provider, data=data, cases=cases, specs=specs, thumbnail=_png(product))
    listings.listing_submit(membership=provider, listing_id=version.listing_id)
    return Listing.objects.get(pk=version.listing_id)


def _review_to(listing: Listing, end: str) -> None:
    """Take the review as far as `end`: ops (first review) → expert (assigned) → province → listed."""
    from tenant_apps.workflow.models import Task
    from tenant_apps.workflow.services import task_assign_experts, task_decide

    application = listing.versions.get(number=1).application

    def task():
        return application.tasks.get(state=Task.State.OPEN)

    if end == "ops":
        return
    task_decide(task_id=task().pk, membership=_member(OPS), action="approve", opinion="材料齐全，同意进入专家评审。")
    expert = get_user_model().objects.get(username=EXPERT)
    task_assign_experts(task_id=task().pk, membership=_member(OPS), expert_user_ids=[expert.pk])
    if end == "expert":
        return
    task_decide(task_id=task().pk, membership=_member(EXPERT), action="approve", opinion="方案成熟，案例真实。")
    if end == "province":
        return
    task_decide(task_id=task().pk, membership=_member(PROVINCE), action="approve", opinion="同意上架。")


def _orders(listed: list[Listing]) -> None:
    from tenant_apps.marketplace import orders, payments
    from tenant_apps.workflow.models import Task
    from tenant_apps.workflow.services import task_decide

    buyer, provider = _member(BUYER), _member(PROVIDER)
    first = listed[0].live_version.specs.order_by("position", "id").first()
    done = orders.buy_now(membership=buyer, spec_id=first.pk, quantity=1, note="请尽快联系签约")
    proof = payments.proof_upload(
        membership=buyer,
        order_id=done.pk,
        files=[SimpleUploadedFile("转账回单.pdf", PDF, content_type="application/pdf")],
    )
    task = proof.application.tasks.get(state=Task.State.OPEN)
    task_decide(task_id=task.pk, membership=_member(OPS), action="approve", opinion="到账金额与订单一致。")
    orders.order_start_delivery(membership=provider, order_id=done.pk)
    orders.order_mark_delivered(membership=provider, order_id=done.pk)
    orders.order_confirm(membership=buyer, order_id=done.pk)
    line = Order.objects.get(pk=done.pk).lines.first()
    orders.rating_create(membership=buyer, line_id=line.pk, stars=5, text="上线快，预警准确，实施团队响应及时。")

    second = listed[1].live_version.specs.order_by("position", "id").first()
    waiting = orders.buy_now(membership=buyer, spec_id=second.pk, quantity=2)
    payments.proof_upload(
        membership=buyer,
        order_id=waiting.pk,
        files=[SimpleUploadedFile("网银转账截图.pdf", PDF, content_type="application/pdf")],
    )


@transaction.atomic
def marketplace_demo_seed() -> None:
    """Idempotent: a tenant whose provider already has listings is left as it is."""
    from tenant_apps.marketplace import orders

    User = get_user_model()
    if not all(User.objects.filter(username=name).exists() for name in (PROVIDER, BUYER, OPS, EXPERT, PROVINCE)):
        return
    provider = _member(PROVIDER)
    if Listing.objects.filter(organisation=provider.organisation).exists():
        return
    orders.bank_account_save(
        membership=provider,
        account_name=provider.organisation.name,
        bank_name="中国工商银行北京海淀支行",
        account_number="0200 0049 0920 0088 888",
    )
    listed = []
    for spec in SOLUTIONS:
        listing = _create(provider, spec)
        _review_to(listing, spec[-1])
        if spec[-1] == "listed":
            listed.append(Listing.objects.select_related("live_version").get(pk=listing.pk))
    _orders(listed)


def marketplace_demo_provision(data: dict, context) -> None:
    if context.with_demo_data and "marketplace" in (data.get("modules") or context.tenant.modules or []):
        marketplace_demo_seed()
