"""What the ecosystem brings to the review engine: the three kinds' names, where the provider re-edits, what
reviewers read (with the near-duplicate flag on products), and what each outcome does."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.ecosystem import changes, declarations, products
from tenant_apps.ecosystem.models import Declaration, Nature, Product, ProviderChange
from tenant_apps.workflow.registry import Section, on_outcome, register_content, register_edit_url, register_readers
from tenant_apps.workflow.registry import register_kind as engine_register_kind


def _link(url_name: str, args: list, text: str) -> str:
    try:
        return format_html('<a href="{}">{}</a>', reverse(url_name, args=args), text)
    except NoReverseMatch:
        return text


def _choice(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else "—"


def _edit_url(model, url_name: str, application) -> str | None:
    obj = model.objects.filter(application=application).only("pk").first()
    if obj is None:
        return None
    try:
        return reverse(url_name, args=[obj.pk])
    except NoReverseMatch:
        return None


# --- Content -------------------------------------------------------------------------------------------------------
def declaration_sections(declaration: Declaration) -> list[Section]:
    organisation = declaration.organisation
    files = [
        (str(f.get_kind_display()), _link("ecosystem-declaration-file", [declaration.pk, f.pk], f.original_name))
        for f in declaration.files.all()
    ]
    sections = [
        Section(
            _("基本信息"),
            [
                (_("单位名称"), organisation.name),
                (_("统一社会信用代码"), organisation.uscc or "—"),
                (_("公司性质"), _choice(Nature, declaration.nature)),
                (_("申报类型"), _("首次申报") if declaration.is_first else _("再次申报")),
                (_("数字化牵引单位"), str(declaration.anchor_unit or "—")),
            ],
        ),
        Section(
            _("数字化转型服务能力"),
            [
                (
                    _("“小快轻准”产品/服务数量"),
                    str(declaration.product_count if declaration.product_count is not None else "—"),
                ),
                (_("服务商简介"), declaration.profile or "—"),
                (_("服务实施保障"), declaration.guarantee or "—"),
            ],
        ),
        Section(_("材料"), files or [(_("材料"), "—")]),
    ]
    if declaration.is_first:
        rows = [(p.name, str(p.get_status_display())) for p in declaration.products.all()]
        sections.append(Section(_("同时申报的产品"), rows or [(_("产品"), "—")]))
    return sections


def declaration_content(application) -> list[Section]:
    declaration = (
        Declaration.objects.select_related("organisation", "anchor_unit")
        .prefetch_related("files", "products")
        .filter(application=application)
        .first()
    )
    return declaration_sections(declaration) if declaration else []


def _money(value) -> str:
    return f"{value:,.2f} 元" if value is not None else "—"


def product_sections(product: Product, *, reviewer: bool = True) -> list[Section]:
    organisation = product.organisation
    categories = "、".join(str(Product.Category(c).label) for c in product.categories if c in Product.Category.values)
    if product.category_other:
        categories += _("（其他：%(text)s）") % {"text": product.category_other}
    architecture = _choice(Product.Architecture, product.architecture)
    if product.architecture_other:
        architecture += f"（{product.architecture_other}）"
    sections = []
    if reviewer:
        similar = products.near_duplicates(product)
        sections.append(
            Section(
                _("重名核查"),
                [
                    (
                        ("✘ " if similar else "✔ ") + _("相似产品名称"),
                        "；".join(f"{p.name}（{p.organisation.name}，{p.get_status_display()}）" for p in similar)
                        or _("未发现其他服务商的相似产品"),
                    )
                ],
            )
        )
    sections += [
        Section(
            _("服务商信息"),
            [(_("企业名称"), organisation.name)]
            + (
                [(_("统一社会信用代码"), organisation.uscc or "—"), (_("联系人"), organisation.contact_name or "—")]
                if reviewer
                else []  # the public page names the organisation only, never its contact
            ),
        ),
        Section(
            _("产品基本信息"),
            [
                (_("产品/服务名称"), product.name),
                (_("产品性质"), _choice(Product.ProductNature, product.nature)),
                (_("产品/服务类别（业务环节）"), categories or "—"),
                (_("产品/服务描述"), product.description or "—"),
            ],
        ),
        Section(
            _("部署与价格"),
            [
                (_("部署架构"), architecture),
                (_("部署方式"), _choice(Product.Deployment, product.deployment)),
                (_("部署周期"), _("%(n)s 天") % {"n": product.deployment_days} if product.deployment_days else "—"),
                (_("购买方式"), _choice(Product.Purchase, product.purchase)),
                (_("报价"), f"{_money(product.price_min)} ～ {_money(product.price_max)}"),
                (_("拟让利比例"), f"{product.discount_percent}%" if product.discount_percent is not None else "—"),
            ],
        ),
        Section(
            _("行业与场景"),
            [
                (_("所属行业"), "、".join(i.name for i in product.industries.all()) or "—"),
                (_("适用细分行业"), product.sub_industries or "—"),
                (_("适用场景"), product.scenarios or "—"),
            ],
        ),
        Section(
            _("服务案例"),
            [
                (
                    f"{n}. {case.customer}",
                    # format_html keeps the contract link markup (str + SafeString is plain text, shown escaped).
                    format_html(
                        "{}{}{}",
                        case.summary or "",
                        "；" if case.summary and reviewer and case.contract else "",
                        _link("ecosystem-case-contract", [product.pk, case.pk], case.contract_name)
                        if reviewer and case.contract
                        else "",
                    ),
                )
                for n, case in enumerate(product.cases.all(), start=1)
            ]
            or [(_("案例"), "—")],
        ),
        Section(
            _("获奖与其他"),
            [
                (
                    _("产品/服务获奖情况"),
                    _choice(Product.Award, product.award) + (f"（{product.award_text}）" if product.award_text else ""),
                ),
                (_("其他需要说明的情况"), product.other_notes or "—"),
                (_("审核数字化牵引单位"), str(product.anchor_unit or "—")),
            ],
        ),
    ]
    if reviewer:
        files = [
            (str(f.get_kind_display()), _link("ecosystem-product-file", [product.pk, f.pk], f.original_name))
            for f in product.files.all()
        ]
        sections.append(Section(_("佐证材料"), files or [(_("材料"), "—")]))
    return sections


def product_content(application) -> list[Section]:
    product = (
        Product.objects.select_related("organisation", "anchor_unit")
        .prefetch_related("cases", "files", "industries")
        .filter(application=application)
        .first()
    )
    return product_sections(product) if product else []


def change_content(application) -> list[Section]:
    change = ProviderChange.objects.filter(application=application).first()
    if change is None:
        return []
    rows = []
    for field, (label, _max) in changes.FIELDS.items():
        before, after = change.previous.get(field, ""), change.data.get(field, "")
        if field == "nature":
            before, after = _choice(Nature, before), _choice(Nature, after)
        mark = "✎ " if before != after else ""
        rows.append((f"{mark}{label}", f"{before or '—'} → {after or '—'}" if mark else (after or "—")))
    return [Section(_("变更内容"), [(_("变更原因"), change.reason or "—"), *rows])]


def register() -> None:
    from tenant_apps.ecosystem.common import CITY_ROLES

    for kind in (declarations.KIND, products.KIND, changes.KIND):
        register_readers(kind, CITY_ROLES)  # the city oversees every submitted declaration, product and change
    engine_register_kind(declarations.KIND, gettext_lazy("服务商生态申报"))
    register_edit_url(
        declarations.KIND, lambda application: _edit_url(Declaration, "ecosystem-declaration-edit", application)
    )
    register_content(declarations.KIND, declaration_content)
    on_outcome(declarations.KIND)(declarations.on_outcome)

    engine_register_kind(products.KIND, gettext_lazy("产品申报"))
    register_edit_url(products.KIND, lambda application: _edit_url(Product, "ecosystem-product-edit", application))
    register_content(products.KIND, product_content)
    on_outcome(products.KIND)(products.on_outcome)

    engine_register_kind(changes.KIND, gettext_lazy("服务商信息变更"))
    register_edit_url(changes.KIND, lambda application: _edit_url(ProviderChange, "ecosystem-change-edit", application))
    register_content(changes.KIND, change_content)
    on_outcome(changes.KIND)(changes.on_outcome)
