"""Rows the ecosystem tests share (issue #15), in the Jiangmen schema: providers, anchor-unit members linked to
their unit, and complete declarations and products filled in through the services."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.configuration.models import AnchorUnit
from tenant_apps.ecosystem import declarations, products
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Task

User = get_user_model()
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF"
)
PASSWORD = "Pilot#2026x"


def pdf(name: str = "proof.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def provider(n: int = 1, *, name: str | None = None) -> Membership:
    """A certified Jiangmen provider and its main account."""
    organisation = Organisation.objects.create(
        kind="provider",
        name=name or f"江门生态测试服务商{n}",
        uscc=f"91440700MA0ECO{n:03d}X",
        certification=Organisation.Certification.CERTIFIED,
        region="广东省江门市蓬江区",
        address="蓬江区示例路1号",
        contact_name="陈经理",
        contact_mobile=f"1390750{n:04d}",
    )
    user = User.objects.create_user(f"eco_p{n}", mobile=f"1370750{n:04d}", password=PASSWORD)
    return Membership.objects.create(user=user, organisation=organisation, roles=["provider"])


def anchor(code: str = "jm-hardware") -> Membership:
    """The member who confirms for anchor unit `code` (its organisation created and linked once)."""
    unit = AnchorUnit.objects.get(code=code)
    if unit.organisation_id is None:
        unit.organisation = Organisation.objects.create(kind="anchor_unit", name=unit.name)
        unit.save(update_fields=["organisation"])
    member = Membership.objects.filter(organisation=unit.organisation, roles__contains=["anchor_unit"]).first()
    if member is None:
        user = User.objects.create_user(f"eco_a_{code}", mobile=f"1360750{unit.pk:04d}", password=PASSWORD)
        member = Membership.objects.create(user=user, organisation=unit.organisation, roles=["anchor_unit"])
    return member


def city(username: str) -> Membership:
    """`jm_ops`, `jm_bureau` or `jm_admin` from the preset's demo accounts."""
    return Membership.objects.select_related("organisation", "user").get(user__username=username)


PRODUCT_DATA = {
    "nature": "agency",
    "categories": ["production", "other"],
    "category_other": "设备运维",
    "description": "面向五金卫浴企业的轻量化生产执行系统，覆盖工单、报工、质检与设备联网。",
    "architecture": "bs",
    "deployment": "cloud",
    "deployment_days": "30",
    "purchase": "subscription",
    "price_min": "20000",
    "price_max": "80000",
    "discount_percent": "15",
    "industries": ["hardware-sanitary"],
    "sub_industries": "水龙头、卫浴五金",
    "scenarios": "车间报工、质量追溯",
    "award": "none",
    "other_notes": "",
}


def fill_product(member: Membership, product, *, unit: str | None = None, cases: int = 3):
    """Every field the product form asks, three cases with contracts (and the reviewing unit when given)."""
    data = dict(PRODUCT_DATA)
    if unit is not None:
        data["anchor_unit"] = unit
    rows = [
        {"customer": f"江门示例客户{i}有限公司", "summary": "报工及时率提升", "contract": pdf(f"contract{i}.pdf")}
        for i in range(1, cases + 1)
    ]
    return products.product_save(membership=member, product=product, data=data, cases=rows)


def first_declaration(member: Membership, *, unit: str = "jm-hardware", product_names=("轻量化MES",)):
    """A complete first declaration to `unit` with its products, not yet submitted."""
    anchor(unit)  # the unit confirms through its organisation; one without cannot be chosen
    declaration = declarations.declaration_start(membership=member)
    declarations.declaration_save(
        membership=member,
        declaration=declaration,
        step=1,
        data={"nature": "private", "anchor_unit": unit},
        files={"licence": pdf("licence.pdf"), "cooperation": pdf("coop.pdf")},
    )
    declarations.declaration_save(
        membership=member,
        declaration=declaration,
        step=2,
        data={"product_count": "3", "profile": "专注五金卫浴行业数字化。", "guarantee": "本地团队 12 人。"},
        files={"team_list": pdf("team.pdf")},
    )
    for name in product_names:
        product = products.product_start(membership=member, name=name, declaration=declaration)
        fill_product(member, product)
    declaration.refresh_from_db()
    return declaration


def decide(member: Membership, application, action: str = "approve", opinion: str = "") -> None:
    """`member` decides the open task of `application`."""
    task = Task.objects.get(application=application, state=Task.State.OPEN)
    engine.task_decide(task_id=task.pk, membership=member, action=action, opinion=opinion)


def joined(member: Membership, *, unit: str = "jm-hardware", product_names=("轻量化MES",)):
    """A provider whose first declaration to `unit` the unit confirmed (its products now wait at the unit)."""
    declaration = first_declaration(member, unit=unit, product_names=product_names)
    declarations.declaration_submit(membership=member, declaration=declaration)
    decide(anchor(unit), declaration.application)
    declaration.refresh_from_db()
    return declaration


def approve_product(product) -> None:
    """Through the whole Jiangmen chain: the unit, operations' pre-review, the bureau's re-review."""
    product.refresh_from_db()
    decide(anchor(product.anchor_unit.code), product.application)
    decide(city("jm_ops"), product.application)
    decide(city("jm_bureau"), product.application)
    product.refresh_from_db()
