"""Ecosystem demo data for a tenant whose preset has an `[ecosystem_demo]` table (Jiangmen), played through the
services and the tenant's own review chains, so every role finds real work in 我的待办:

- each `units` entry's anchor unit is linked to its demo account's organisation (the city admin's job otherwise);
- `provider` declares to the first unit with two products; the unit confirms, and both products go through the
  whole product chain into the first unit's pool;
- three more products of `provider` wait at the three stages of the product chain (the unit, then the roles of
  its later stages, e.g. operations' pre-review and the bureau's re-review in Jiangmen);
- `provider`'s repeat declaration waits for the second unit; its information change (信息变更) waits for review;
- `newcomer`'s first declaration (one product) waits for the first unit.

What is declared (the answers, the products with their cases, the change) is data in `demo.toml` beside this file.
Who decides a stage is data too: the unit's account for an anchor-unit stage, `reviewers[role]` for a role stage.
Idempotent: each part is skipped once its provider has rows of that kind, so a restart (or an admin's own edits)
changes nothing."""

from __future__ import annotations

import tomllib
from pathlib import Path

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

CONTENT = tomllib.loads((Path(__file__).resolve().parent / "demo.toml").read_text(encoding="utf-8"))


def _product(*, name, nature, categories, architecture, deployment, days, purchase, prices, discount, industries,
             sub_industries, scenarios, award, description, cases, award_text="", other_notes=""):  # fmt: skip
    """A product as the services take it (`name`, the form's `data`, `cases` as (customer, summary) pairs)."""
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


# Steps 1–2 of the provider's first declaration (a repeat declaration copies them) and of the newcomer's.
DECLARATION = CONTENT["declaration"]
NEWCOMER_DECLARATION = CONTENT["newcomer_declaration"]
# (the provider's products) where each ends: "approved" (pooled) or the stage it waits at.
PRODUCTS = [(_product(**{k: v for k, v in item.items() if k != "ends"}), item["ends"]) for item in CONTENT["products"]]
NEWCOMER_PRODUCT = _product(**CONTENT["newcomer_product"])
CHANGE = {**CONTENT["change"], "profile": DECLARATION["profile"], "guarantee": DECLARATION["guarantee"]}


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


def _declare(member: Membership, unit: AnchorUnit, answers: dict | None = None, *, products=()):
    """A declaration to `unit`, submitted: a first one with steps 1–2 from `answers` and its `products`, or (no
    `answers`) a repeat one, everything copied but the unit and its cooperation proof."""
    from tenant_apps.ecosystem import declarations

    first = answers is not None
    declaration = declarations.declaration_start(membership=member)
    step1, files = {}, {}
    if first:
        step1 = {"nature": answers["nature"]}
        files = {"licence": _pdf("营业执照.pdf"), "credit_report": _pdf("法人和非法人组织公共信用报告.pdf")}
    declarations.declaration_save(
        membership=member,
        declaration=declaration,
        step=1,
        data={**step1, "anchor_unit": unit.code},
        files={**files, "cooperation": _pdf(f"与{unit.name}合作关系证明（双方盖章）.pdf")},
    )
    if first:
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
    from tenant_apps.ecosystem import products

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
    _declare(member, second)


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
