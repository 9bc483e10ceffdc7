"""Provider listings: drafts, versions, submission through the `listing` review chain, listing and delisting.

Every `ListingVersion` gets its own engine `Application` (kind `listing`) when it is created, still a draft: its
`version` is the stale-form guard of the listing form (every save goes through `application_touch`), submission and
withdrawal are the engine's, and the outcome handler below moves the `Listing`.

- A listing without a live version mirrors its newest version's review state (草稿 / 审核中 / 已退回 / 已撤回 /
  已驳回). Approval makes the version `live_version` and the listing 已上架.
- Editing a listed (or rejected) product starts a new version (number + 1, a copy of the newest one) with its own
  application; the live version stays on sale while the new one is reviewed.
- The provider delists and relists (relist only an approved live version it delisted itself); operations delist
  with a reason and the provider is told in 我的消息.

Lock order: application (engine) → task (engine) → listing, the engine's order with the listing where the
organisation would be."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.marketplace.access import certified_provider
from tenant_apps.marketplace.kinds import LISTING
from tenant_apps.marketplace.models import (
    Catalogue,
    Category,
    Listing,
    ListingCase,
    ListingMedia,
    ListingSpec,
    ListingVersion,
    ProviderExpert,
    Tag,
)
from tenant_apps.workflow.models import Application
from tenant_apps.workflow.registry import Section, on_outcome, register_content, register_edit_url
from tenant_apps.workflow.registry import register_kind as engine_register_kind
from tenant_apps.workflow.services import (
    application_create,
    application_submit,
    application_touch,
    application_withdraw,
)
from tenants.errors import DomainError, conflict, not_found

# --- The seed's limits -------------------------------------------------------------------------------------------
MB = 1024 * 1024
THUMBNAIL_MAX_BYTES = 2 * MB  # 展示图 只能上传大小不超过2M的图片
THUMBNAIL_TYPES = {"jpg", "png", "bmp"}  # jpeg,png,jpg,bmp (filetype calls jpeg "jpg")
CASE_DOCUMENT_MAX_BYTES = 100 * MB  # 文件不超过100M
CASE_DOCUMENT_TYPES = {"pdf", "png", "jpg", "doc", "docx", "zip", "mp4", "ppt", "pptx", "bmp"}
MEDIA_IMAGE_TYPES = {"jpg", "png", "bmp"}
MEDIA_VIDEO_TYPES = {"mp4"}
MEDIA_MAX_BYTES = 100 * MB
MEDIA_PER_VERSION = 20
CASES = 3
MAX_CATEGORIES = 5
MAX_INDUSTRIES = 3
MAX_SPECS = 20
MAX_BLOCKS = 30
MAX_ITEMS = 20
MONEY_MAX = Decimal("999999999999.99")

# --- The intro page ---------------------------------------------------------------------------------------------
# type → {field: (kind, max length)}; kind: "text" a string, "items" a list of strings, "media" one ListingMedia id
# (or null), "media_list" a list of ListingMedia ids.
INTRO_BLOCKS: dict[str, dict[str, tuple[str, int]]] = {
    "banner": {"title": ("text", 60), "text": ("text", 500), "media": ("media", 0)},
    "highlights": {"items": ("items", 200)},
    "description": {"text": ("text", 5000)},
    "gallery": {"media": ("media_list", MAX_ITEMS)},
    "support": {"hours": ("text", 100), "scope": ("text", 500), "hotline": ("text", 30), "email": ("text", 100)},
}
INTRO_BLOCK_LABELS = {
    "banner": gettext_lazy("Banner"),
    "highlights": gettext_lazy("商品亮点"),
    "description": gettext_lazy("商品说明"),
    "gallery": gettext_lazy("商品截图与视频"),
    "support": gettext_lazy("服务支持"),
}


def _intro_error(message, position: int | None = None) -> DomainError:
    if position is not None:
        message = _("第 %(n)s 个模块：%(message)s") % {"n": position, "message": message}
    return DomainError(message, code="market.intro_invalid", field="intro")


def intro_blocks_checked(blocks) -> list[dict]:
    """The intro page as stored: an ordered list of `{"type": …, "value": {…}}` of the five block types with exactly
    their fields (strings trimmed and bounded, media as ListingMedia ids). Anything else is a 400 on `intro`."""
    if blocks in (None, ""):
        return []
    if not isinstance(blocks, list):
        raise _intro_error(_("商品介绍页格式不正确。"))
    if len(blocks) > MAX_BLOCKS:
        raise _intro_error(_("商品介绍页最多 %(n)s 个模块。") % {"n": MAX_BLOCKS})
    checked = []
    for position, block in enumerate(blocks, start=1):
        if not isinstance(block, dict) or block.get("type") not in INTRO_BLOCKS:
            raise _intro_error(_("模块类型不正确。"), position)
        kind = block["type"]
        value = block.get("value") or {}
        if not isinstance(value, dict):
            raise _intro_error(_("模块内容格式不正确。"), position)
        fields = INTRO_BLOCKS[kind]
        unknown = set(value) - set(fields)
        if unknown:
            raise _intro_error(_("模块含有未知字段：%(names)s") % {"names": "、".join(sorted(unknown))}, position)
        clean = {}
        for name, (field_kind, limit) in fields.items():
            raw = value.get(name)
            if field_kind == "text":
                text = "" if raw is None else raw
                if not isinstance(text, str):
                    raise _intro_error(_("模块内容格式不正确。"), position)
                text = text.strip()
                if len(text) > limit:
                    raise _intro_error(_("内容不能超过 %(n)s 字。") % {"n": limit}, position)
                clean[name] = text
            elif field_kind == "items":
                items = raw or []
                if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
                    raise _intro_error(_("模块内容格式不正确。"), position)
                items = [item.strip() for item in items if item.strip()]
                if len(items) > MAX_ITEMS:
                    raise _intro_error(_("亮点最多 %(n)s 条。") % {"n": MAX_ITEMS}, position)
                if any(len(item) > limit for item in items):
                    raise _intro_error(_("每条亮点不能超过 %(n)s 字。") % {"n": limit}, position)
                clean[name] = items
            elif field_kind == "media":
                if raw in (None, ""):
                    clean[name] = None
                elif isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
                    clean[name] = raw
                else:
                    raise _intro_error(_("素材引用不正确。"), position)
            else:  # media_list
                items = raw or []
                if not isinstance(items, list) or not all(
                    isinstance(item, int) and not isinstance(item, bool) and item > 0 for item in items
                ):
                    raise _intro_error(_("素材引用不正确。"), position)
                if len(items) > limit:
                    raise _intro_error(_("每个模块最多 %(n)s 个素材。") % {"n": limit}, position)
                clean[name] = items
        checked.append({"type": kind, "value": clean})
    return checked


def _intro_media_ids(blocks) -> set[int]:
    ids: set[int] = set()
    for block in blocks:
        value = block["value"]
        if block["type"] == "banner" and value.get("media"):
            ids.add(value["media"])
        elif block["type"] == "gallery":
            ids.update(value.get("media", []))
    return ids


def _intro_remapped(blocks, mapping: dict[int, int]) -> list[dict]:
    out = []
    for block in blocks:
        value = dict(block["value"])
        if block["type"] == "banner" and value.get("media"):
            value["media"] = mapping.get(value["media"])
        elif block["type"] == "gallery":
            value["media"] = [mapping[pk] for pk in value.get("media", []) if pk in mapping]
        out.append({"type": block["type"], "value": value})
    return out


# --- Field rules --------------------------------------------------------------------------------------------------
def _money(value, *, field: str, label, required: bool = False) -> Decimal | None:
    """Yuan or 万元 with at most two decimals (the seed: 可保留两位小数), never negative."""
    if value in (None, ""):
        if required:
            raise DomainError(_("请填写%(label)s。") % {"label": label}, code="market.required", field=field)
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(label)s须为数字。") % {"label": label}, code="market.number", field=field) from None
    if not amount.is_finite() or amount < 0 or amount > MONEY_MAX:
        raise DomainError(_("%(label)s超出范围。") % {"label": label}, code="market.number", field=field)
    if amount.as_tuple().exponent < -2:
        raise DomainError(
            _("%(label)s最多保留两位小数。") % {"label": label}, code="market.decimal_places", field=field
        )
    return amount.quantize(Decimal("0.01"))


def _whole(value, *, field: str, label, minimum: int = 0, maximum: int = 100000) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("%(label)s须为整数。") % {"label": label}, code="market.number", field=field) from None
    if number < minimum or number > maximum:
        raise DomainError(_("%(label)s超出范围。") % {"label": label}, code="market.number", field=field)
    return number


def _ids(values) -> list[int]:
    out = []
    for value in values or ():
        out.append(int(getattr(value, "pk", value)))
    return list(dict.fromkeys(out))


def _checked_upload(upload, *, allowed, max_bytes, wrong_type, too_large, field):
    from tenants.uploads import upload_checked

    return upload_checked(
        upload, allowed=allowed, max_bytes=max_bytes, wrong_type=wrong_type, too_large=too_large, field=field
    )


def thumbnail_checked(upload, field: str = "thumbnail"):
    return _checked_upload(
        upload,
        allowed=THUMBNAIL_TYPES,
        max_bytes=THUMBNAIL_MAX_BYTES,
        wrong_type=_("展示图支持 jpeg、png、jpg、bmp 格式。"),
        too_large=_("展示图不能超过 2 MB。"),
        field=field,
    )


def case_document_checked(upload, field: str):
    return _checked_upload(
        upload,
        allowed=CASE_DOCUMENT_TYPES,
        max_bytes=CASE_DOCUMENT_MAX_BYTES,
        wrong_type=_("介绍文档支持 pdf、png、jpg、jpeg、doc、docx、zip、mp4、ppt、pptx、bmp 格式。"),
        too_large=_("介绍文档不能超过 100 MB。"),
        field=field,
    )


def media_checked(upload, field: str = "media"):
    return _checked_upload(
        upload,
        allowed=MEDIA_IMAGE_TYPES | MEDIA_VIDEO_TYPES,
        max_bytes=MEDIA_MAX_BYTES,
        wrong_type=_("介绍页素材支持 jpg、png、bmp 图片或 mp4 视频。"),
        too_large=_("介绍页素材不能超过 100 MB。"),
        field=field,
    )


def _spec_checked(position: int, row: dict) -> dict:
    prefix = f"specs.{position}."
    name = (row.get("name") or "").strip()
    if not name:
        raise DomainError(_("请填写规格名称。"), code="market.required", field=prefix + "name")
    if len(name) > 40:
        raise DomainError(_("规格名称不能超过 40 字。"), code="market.too_long", field=prefix + "name")
    mode = row.get("purchase_mode")
    if mode not in ListingSpec.PurchaseMode.values:
        raise DomainError(_("请选择购买方式。"), code="market.required", field=prefix + "purchase_mode")
    pricing = row.get("pricing")
    if pricing not in ListingSpec.Pricing.values:
        raise DomainError(_("请选择定价模式。"), code="market.required", field=prefix + "pricing")
    price = _money(row.get("unit_price"), field=prefix + "unit_price", label=_("规格定价"))
    if pricing == ListingSpec.Pricing.FREE:
        if price not in (None, Decimal("0.00")):
            raise DomainError(_("免费规格的定价须为 0。"), code="market.free_spec_priced", field=prefix + "unit_price")
        price = Decimal("0.00")
    elif price is None:
        raise DomainError(_("请填写规格定价。"), code="market.required", field=prefix + "unit_price")
    return {"name": name, "purchase_mode": mode, "pricing": pricing, "unit_price": price}


CASE_FIELDS = ("customer", "customer_output", "contract_amount", "delivery_months", "contact_name", "contact_title")


def _case_checked(position: int, row: dict | None) -> dict | None:
    """One customer case; a row left entirely blank is no case (None). A case that is begun needs its customer,
    annual output and contract amount (万元, two decimals) and delivery months."""
    row = row or {}
    if not any(str(row.get(name) or "").strip() for name in (*CASE_FIELDS, "contact_phone")) and not row.get(
        "document"
    ):
        return None
    prefix = f"cases.{position}."
    customer = (row.get("customer") or "").strip()
    if not customer:
        raise DomainError(_("请填写客户名称。"), code="market.required", field=prefix + "customer")
    if len(customer) > 64:
        raise DomainError(_("客户名称不能超过 64 字。"), code="market.too_long", field=prefix + "customer")
    clean = {
        "customer": customer,
        "customer_output": _money(
            row.get("customer_output"), field=prefix + "customer_output", label=_("客户年产值"), required=True
        ),
        "contract_amount": _money(
            row.get("contract_amount"), field=prefix + "contract_amount", label=_("方案销售额度"), required=True
        ),
        "delivery_months": _whole(
            row.get("delivery_months"), field=prefix + "delivery_months", label=_("交付周期"), minimum=1, maximum=600
        ),
    }
    if clean["delivery_months"] is None:
        raise DomainError(_("请填写交付周期。"), code="market.required", field=prefix + "delivery_months")
    for name, limit in (("contact_name", 30), ("contact_title", 30), ("contact_phone", 20)):
        text = (row.get(name) or "").strip()
        if len(text) > limit:
            raise DomainError(_("内容过长。"), code="market.too_long", field=prefix + name)
        clean[name] = text
    document = row.get("document")
    if document is not None:
        case_document_checked(document, field=prefix + "document")
    clean["document"] = document
    return clean


def _data_checked(organisation, data: dict) -> dict:
    """What the provider filled in, checked field by field (format and limits; completeness is checked at submit)."""
    clean: dict = {}
    for name, limit, label in (
        ("name", 60, _("方案名称")),
        ("related_product", 60, _("相关产品名称")),
        ("summary", 200, _("商品简介")),
        ("contact_name", 30, _("联系人")),
        ("contact_phone", 20, _("手机")),
        ("contact_email", 254, _("邮箱")),
    ):
        text = (data.get(name) or "").strip()
        if len(text) > limit:
            raise DomainError(
                _("%(label)s不能超过 %(n)s 字。") % {"label": label, "n": limit}, code="market.too_long", field=name
            )
        clean[name] = text
    if clean["contact_phone"]:
        from tenants.validators import phone_validator

        try:
            phone_validator(clean["contact_phone"])
        except Exception:  # noqa: BLE001
            raise DomainError(_("请填写正确的手机号。"), code="market.phone", field="contact_phone") from None
    if clean["contact_email"]:
        from django.core.validators import validate_email

        try:
            validate_email(clean["contact_email"])
        except Exception:  # noqa: BLE001
            raise DomainError(_("请填写正确的邮箱。"), code="market.email", field="contact_email") from None
    catalogue = data.get("catalogue")
    clean["catalogue_id"] = None
    if catalogue not in (None, ""):
        pk = int(getattr(catalogue, "pk", catalogue))
        if not Catalogue.objects.filter(pk=pk, is_active=True).exists():
            raise DomainError(_("请选择有效的目录。"), code="market.invalid_choice", field="catalogue")
        clean["catalogue_id"] = pk
    for name, model, limit, label in (
        ("tags", Tag, None, _("标签")),
        ("categories", Category, MAX_CATEGORIES, _("方案分类")),
        ("industries", None, MAX_INDUSTRIES, _("适用行业")),
        ("experts", None, None, _("展示专家")),
    ):
        ids = _ids(data.get(name))
        if limit is not None and len(ids) > limit:
            raise DomainError(
                _("%(label)s最多选择 %(n)s 个。") % {"label": label, "n": limit},
                code=f"market.too_many_{name}",
                field=name,
            )
        if name == "industries":
            from tenant_apps.configuration.models import Industry

            found = Industry.objects.filter(pk__in=ids).count()
        elif name == "experts":
            found = ProviderExpert.objects.filter(pk__in=ids, organisation=organisation).count()
        else:
            found = model.objects.filter(pk__in=ids, is_active=True).count()
        if found != len(ids):
            raise DomainError(_("请选择有效的%(label)s。") % {"label": label}, code="market.invalid_choice", field=name)
        clean[name] = ids
    clean["price_min"] = _money(data.get("price_min"), field="price_min", label=_("销售历史最低价格"))
    clean["price_max"] = _money(data.get("price_max"), field="price_max", label=_("销售历史最高价格"))
    if clean["price_min"] is not None and clean["price_max"] is not None and clean["price_min"] > clean["price_max"]:
        raise DomainError(_("销售历史最低价格不能高于最高价格。"), code="market.price_range", field="price_min")
    clean["delivery_cycle_days"] = _whole(
        data.get("delivery_cycle_days"), field="delivery_cycle_days", label=_("交付平均周期"), maximum=3650
    )
    clean["delivery_person_days"] = _whole(
        data.get("delivery_person_days"), field="delivery_person_days", label=_("交付人工数量"), maximum=100000
    )
    clean["intro"] = intro_blocks_checked(data.get("intro"))
    return clean


# --- Reads used by the services -------------------------------------------------------------------------------------
def latest_version(listing: Listing) -> ListingVersion | None:
    return listing.versions.select_related("application").order_by("-number").first()


def version_editable(version: ListingVersion | None) -> bool:
    return bool(version and version.application and version.application.state in Application.EDITABLE_STATES)


def _own_listing(organisation, listing_id) -> Listing:
    listing = Listing.objects.filter(pk=listing_id, organisation=organisation).first()
    if listing is None:
        raise not_found(_("该商品不存在。"), code="market.listing_not_found")
    return listing


def _lock_listing(listing_id: int) -> Listing:
    return Listing.objects.select_for_update(of=("self",)).get(pk=listing_id)


def _title(name: str) -> str:
    return (_("解决方案上架：%(name)s") % {"name": name or _("未命名商品")})[:200]


# --- Writes -------------------------------------------------------------------------------------------------------
def _write_version(version: ListingVersion, clean: dict, *, cases, specs, thumbnail, media_uploads, media_remove):
    for name in (
        "name",
        "related_product",
        "summary",
        "contact_name",
        "contact_phone",
        "contact_email",
        "catalogue_id",
        "price_min",
        "price_max",
        "delivery_cycle_days",
        "delivery_person_days",
    ):
        setattr(version, name, clean[name])
    if thumbnail is not None:
        version.thumbnail = thumbnail
    version.save()
    version.tags.set(clean["tags"])
    version.categories.set(clean["categories"])
    version.industries.set(clean["industries"])
    version.experts.set(clean["experts"])
    if media_remove:
        version.media.filter(pk__in=_ids(media_remove)).delete()
    for upload in media_uploads or ():
        if version.media.count() >= MEDIA_PER_VERSION:
            raise DomainError(
                _("介绍页素材最多 %(n)s 个。") % {"n": MEDIA_PER_VERSION}, code="market.too_many_media", field="media"
            )
        kind = media_checked(upload)
        ListingMedia.objects.create(
            version=version,
            kind=ListingMedia.Kind.VIDEO if kind.extension in MEDIA_VIDEO_TYPES else ListingMedia.Kind.IMAGE,
            file=upload,
            original_name=upload.name[:200],
        )
    known = set(version.media.values_list("pk", flat=True))
    missing = _intro_media_ids(clean["intro"]) - known
    if missing:
        raise DomainError(_("介绍页引用了不存在的素材，请重新选择。"), code="market.intro_media", field="intro")
    version.intro = clean["intro"]
    version.save(update_fields=["intro", "updated_at"])
    if cases is not None:
        existing = {case.position: case for case in version.cases.all()}
        for position, row in enumerate(cases, start=1):
            case = existing.pop(position, None)
            if row is None:  # a blank row: no case at this position
                if case is not None:
                    case.delete()
                continue
            case = case or ListingCase(version=version, position=position)
            document = row.pop("document", None)
            for name, value in row.items():
                setattr(case, name, value)
            if document is not None:
                case.document = document
                case.document_name = document.name[:200]
            case.save()
        for case in existing.values():
            case.delete()
    if specs is not None:
        version.specs.all().delete()
        ListingSpec.objects.bulk_create(
            [ListingSpec(version=version, position=position, **row) for position, row in enumerate(specs, start=1)]
        )


def _rows_checked(cases, specs):
    if cases is not None:
        if len(cases) > CASES:
            raise DomainError(_("客户案例须为 %(n)s 个。") % {"n": CASES}, code="market.case_count", field="cases")
        cases = [_case_checked(position, row) for position, row in enumerate(cases, start=1)]
    if specs is not None:
        if len(specs) > MAX_SPECS:
            raise DomainError(_("规格最多 %(n)s 个。") % {"n": MAX_SPECS}, code="market.too_many_specs", field="specs")
        specs = [_spec_checked(position, row) for position, row in enumerate(specs, start=1)]
    return cases, specs


@transaction.atomic
def listing_create(
    *, membership, data: dict, cases=None, specs=None, thumbnail=None, media_uploads=(), media_remove=()
) -> ListingVersion:
    """A new product: the listing (草稿) with its first version and that version's draft application."""
    organisation = certified_provider(membership)
    clean = _data_checked(organisation, data)
    cases, specs = _rows_checked(cases, specs)
    if thumbnail is not None:
        thumbnail_checked(thumbnail)
    listing = Listing.objects.create(organisation=organisation)
    application = application_create(
        kind=LISTING, applicant=membership.user, title=_title(clean["name"]), organisation=organisation
    )
    version = ListingVersion(listing=listing, number=1, application=application, created_by=membership.user)
    _write_version(
        version, clean, cases=cases, specs=specs, thumbnail=thumbnail, media_uploads=media_uploads, media_remove=()
    )
    return version


def _copy_version(source: ListingVersion, user) -> ListingVersion:
    """A new version (number + 1) with everything of `source`, its own draft application and copied files."""
    listing = source.listing
    number = (listing.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    application = application_create(
        kind=LISTING, applicant=user, title=_title(source.name), organisation=listing.organisation
    )
    fields = [
        f.name
        for f in ListingVersion._meta.concrete_fields
        if f.name not in {"id", "listing", "number", "application", "created_by", "created_at", "updated_at"}
    ]
    version = ListingVersion(
        listing=listing,
        number=number,
        application=application,
        created_by=user,
        **{name: getattr(source, name) for name in fields},
    )
    version.save()
    version.tags.set(source.tags.all())
    version.categories.set(source.categories.all())
    version.industries.set(source.industries.all())
    version.experts.set(source.experts.all())
    mapping = {}
    for media in source.media.all():
        copy = ListingMedia.objects.create(
            version=version, kind=media.kind, file=media.file.name, original_name=media.original_name
        )
        mapping[media.pk] = copy.pk
    version.intro = _intro_remapped(source.intro or [], mapping)
    version.save(update_fields=["intro"])
    for case in source.cases.all():
        case.pk = None
        case.version = version
        case.save()
    for spec in source.specs.all():
        spec.pk = None
        spec.version = version
        spec.save()
    return version


@transaction.atomic
def listing_update(
    *,
    membership,
    listing_id: int,
    data: dict,
    cases=None,
    specs=None,
    thumbnail=None,
    media_uploads=(),
    media_remove=(),
    expected_version: int | None = None,
) -> ListingVersion:
    """Save the product's editable version: the newest one when it is a draft, returned or withdrawn; a new version
    (a copy of the newest) when the newest is live or was rejected. A version in review cannot be edited (withdraw
    it first); a stale form is refused (409 `workflow.stale`)."""
    organisation = certified_provider(membership)
    listing = _own_listing(organisation, listing_id)
    clean = _data_checked(organisation, data)
    cases, specs = _rows_checked(cases, specs)
    if thumbnail is not None:
        thumbnail_checked(thumbnail)
    version = latest_version(listing)
    if version is None or version.application is None:
        raise conflict(_("该商品没有可编辑的版本。"), code="market.not_editable")
    state = version.application.state
    if state == Application.State.IN_REVIEW:
        raise conflict(_("该版本正在审核中，请先撤回后再修改。"), code="market.in_review")
    if state in Application.EDITABLE_STATES:
        application = application_touch(
            application=version.application, actor=membership.user, expected_version=expected_version
        )
        application.title = _title(clean["name"])
        application.save(update_fields=["title"])
        version.application = application
    else:  # approved (live or replaced) or rejected: a new version, the old one stays on sale
        if expected_version is not None and int(expected_version) != version.application.version:
            raise conflict(
                _("该申请已有新的进展（他人已处理、撤销或修改），请刷新页面后再操作。"), code="workflow.stale"
            )
        version = _copy_version(version, membership.user)
        if listing.live_version_id is None:
            Listing.objects.filter(pk=listing.pk).update(state=Listing.State.DRAFT)
        # Media ids in the form referred to the old version's rows: map them onto the copies.
        mapping = dict(
            zip(
                ListingMedia.objects.filter(version__listing=listing, version__number=version.number - 1)
                .order_by("pk")
                .values_list("pk", flat=True),
                version.media.order_by("pk").values_list("pk", flat=True),
                strict=False,
            )
        )
        clean["intro"] = _intro_remapped(clean["intro"], mapping)
        media_remove = [mapping.get(pk, pk) for pk in _ids(media_remove)]
    _write_version(
        version,
        clean,
        cases=cases,
        specs=specs,
        thumbnail=thumbnail,
        media_uploads=media_uploads,
        media_remove=media_remove,
    )
    return version


def submission_problems(version: ListingVersion) -> list[DomainError]:
    """What a version still lacks before it may be submitted (the seed's 必填项), as field errors."""
    problems = []

    def need(ok, field, label):
        if not ok:
            problems.append(DomainError(_("请填写%(label)s。") % {"label": label}, code="market.required", field=field))

    need(version.name, "name", _("方案名称"))
    need(version.related_product, "related_product", _("相关产品名称"))
    need(version.catalogue_id, "catalogue", _("目录"))
    need(version.tags.exists(), "tags", _("标签"))
    need(version.thumbnail, "thumbnail", _("展示图"))
    need(version.categories.exists(), "categories", _("方案分类"))
    need(version.industries.exists(), "industries", _("适用行业"))
    need(version.price_min is not None, "price_min", _("销售历史最低价格"))
    need(version.price_max is not None, "price_max", _("销售历史最高价格"))
    need(version.delivery_cycle_days is not None, "delivery_cycle_days", _("交付平均周期"))
    need(version.delivery_person_days is not None, "delivery_person_days", _("交付人工数量（人天）"))
    need(version.contact_name, "contact_name", _("联系人姓名"))
    if not version.contact_phone and not version.contact_email:
        problems.append(
            DomainError(
                _("请填写手机或邮箱（至少一种联系方式）。"), code="market.contact_required", field="contact_phone"
            )
        )
    cases = list(version.cases.all())
    if len(cases) != CASES:
        problems.append(
            DomainError(
                _("每个解决方案须配置 %(n)s 个客户案例。") % {"n": CASES}, code="market.case_count", field="cases"
            )
        )
    for case in cases:
        prefix = f"cases.{case.position}."
        need(case.customer, prefix + "customer", _("客户名称"))
        need(case.delivery_months, prefix + "delivery_months", _("交付周期（月）"))
        need(case.document, prefix + "document", _("介绍文档"))
    if not version.specs.exists():
        problems.append(DomainError(_("请至少添加一个规格。"), code="market.spec_required", field="specs"))
    return problems


@transaction.atomic
def listing_submit(*, membership, listing_id: int, expected_version: int | None = None) -> ListingVersion:
    """Submit (or resubmit) the newest version for review; the listing goes 审核中 unless a live version keeps it
    on sale (then the page says 新版本审核中)."""
    organisation = certified_provider(membership)
    listing = _own_listing(organisation, listing_id)
    version = latest_version(listing)
    if not version_editable(version):
        raise conflict(_("该商品当前没有可提交的版本。"), code="market.not_submittable")
    if expected_version is not None and int(expected_version) != version.application.version:
        raise conflict(_("该申请已有新的进展（他人已处理、撤销或修改），请刷新页面后再操作。"), code="workflow.stale")
    problems = submission_problems(version)
    if problems:
        first = problems[0]
        error = DomainError(first.message, code=first.code, field=first.field)
        error.problems = problems
        raise error
    application_submit(application=version.application, actor=membership.user)
    version.application.refresh_from_db()
    return version


@transaction.atomic
def listing_withdraw(*, membership, listing_id: int, expected_version: int | None = None) -> ListingVersion:
    organisation = certified_provider(membership)
    listing = _own_listing(organisation, listing_id)
    version = latest_version(listing)
    if version is None or version.application is None or version.application.state != Application.State.IN_REVIEW:
        raise conflict(_("只有审核中的商品可以撤回。"), code="market.not_pending")
    application_withdraw(application=version.application, actor=membership.user, expected_version=expected_version)
    version.application.refresh_from_db()
    return version


@transaction.atomic
def listing_delist(*, membership, listing_id: int) -> Listing:
    """The provider takes its product off sale (已下架); the live version stays for relisting."""
    organisation = certified_provider(membership)
    listing = _lock_listing(_own_listing(organisation, listing_id).pk)
    if listing.state != Listing.State.LISTED:
        raise conflict(_("只有已上架的商品可以下架。"), code="market.not_listed")
    listing.state, listing.delisted_at = Listing.State.DELISTED, timezone.now()
    listing.delisted_by_platform, listing.delist_reason = False, ""
    listing.save(update_fields=["state", "delisted_at", "delisted_by_platform", "delist_reason"])
    return listing


@transaction.atomic
def listing_relist(*, membership, listing_id: int) -> Listing:
    """Back on sale with its approved live version; a product the platform delisted needs a reviewed new version."""
    organisation = certified_provider(membership)
    listing = _lock_listing(_own_listing(organisation, listing_id).pk)
    if listing.state != Listing.State.DELISTED or listing.live_version_id is None:
        raise conflict(_("只有已下架且审核通过的商品可以重新上架。"), code="market.not_relistable")
    if listing.delisted_by_platform:
        raise conflict(_("该商品已被平台下架，请修改后重新提交审核。"), code="market.delisted_by_platform")
    listing.state, listing.listed_at, listing.delisted_at = Listing.State.LISTED, timezone.now(), None
    listing.save(update_fields=["state", "listed_at", "delisted_at"])
    return listing


OPS_ROLES = ("ops",)


@transaction.atomic
def listing_ops_delist(*, membership, listing_id: int, reason: str) -> Listing:
    """Operations take a listed product off sale with a reason; the provider's accounts are told in 我的消息."""
    if membership is None or not membership.has_role(*OPS_ROLES):
        raise DomainError(_("只有运营人员可以下架商品。"), code="market.not_ops", status=403)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写下架原因。"), code="market.reason_required", field="reason")
    if len(reason) > 200:
        raise DomainError(_("下架原因不能超过 200 字。"), code="market.too_long", field="reason")
    if not Listing.objects.filter(pk=listing_id).exists():
        raise not_found(_("该商品不存在。"), code="market.listing_not_found")
    listing = _lock_listing(listing_id)
    if listing.state != Listing.State.LISTED:
        raise conflict(_("只有已上架的商品可以下架。"), code="market.not_listed")
    listing.state, listing.delisted_at = Listing.State.DELISTED, timezone.now()
    listing.delisted_by_platform, listing.delist_reason = True, reason
    listing.save(update_fields=["state", "delisted_at", "delisted_by_platform", "delist_reason"])
    _queue_delisted_notice(listing)
    return listing


def _queue_delisted_notice(listing: Listing) -> None:
    """In the delisting's transaction (transactional outbox, ADR 0027): told after commit, or by the relay once the
    broker is back. The event carries the delisting's time and reason, so it tells what happened then even if the
    listing was relisted and delisted again before delivery."""
    from tenant_apps.notifications.outbox import outbox_enqueue

    stamp = int(listing.delisted_at.timestamp())
    outbox_enqueue("tenant_apps.marketplace.listings.notify_delisted", listing.pk, stamp, listing.delist_reason)


@shared_task(
    name="marketplace.notify_delisted",
    acks_late=True,  # idempotent (source_key per delisting and person): safe to run again after a lost worker
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=True,
)
def notify_delisted(listing_id: int, stamp: int, reason: str) -> int:
    """我的消息 (and SMS) to the provider's active accounts, once per delisting and person; returns how many were
    told now. A failure (the SMS backend) raises: the outbox leaves the event undelivered and sends it again."""
    from django.conf import settings
    from django.urls import reverse

    from tenant_apps.notifications.models import Message
    from tenant_apps.notifications.services import message_send_once
    from tenant_apps.organisations.models import Membership

    listing = Listing.objects.select_related("live_version").filter(pk=listing_id).first()
    if listing is None:
        return 0
    name = listing.live_version.name if listing.live_version else ""
    title = _("您的商品“%(name)s”已被平台下架") % {"name": name}
    body = _("下架原因：%(reason)s") % {"reason": reason}
    link = reverse("market-listing-detail", args=[listing.pk], urlconf=settings.ROOT_URLCONF)
    members = (
        Membership.objects.filter(organisation_id=listing.organisation_id, is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    told = 0
    for member in members:
        told += message_send_once(
            user=member.user,
            source_key=f"market-delist:{listing.pk}:{stamp}:{member.user_id}",
            title=title,
            body=body,
            sms=title + _("，原因请登录平台在“我的消息”中查看。"),
            category=Message.Category.SYSTEM,
            link=link,
        )
    return told


# --- The engine's side ------------------------------------------------------------------------------------------------
REVIEW_TO_LISTING = {
    Application.State.DRAFT: Listing.State.DRAFT,
    Application.State.IN_REVIEW: Listing.State.IN_REVIEW,
    Application.State.RETURNED: Listing.State.RETURNED,
    Application.State.REJECTED: Listing.State.REJECTED,
    Application.State.WITHDRAWN: Listing.State.WITHDRAWN,
}


@on_outcome(LISTING)
def listing_outcome(application: Application) -> None:
    """Called by the engine inside every transition of a listing application (after it locked the application and
    its task): approval puts the version on sale; other states show on a listing with nothing live."""
    version = ListingVersion.objects.filter(application_id=application.pk).only("pk", "listing_id").first()
    if version is None:
        return
    listing = _lock_listing(version.listing_id)
    if application.state == Application.State.APPROVED:
        listing.live_version_id = version.pk
        if listing.state == Listing.State.DELISTED and not listing.delisted_by_platform:
            pass  # the provider delisted it; the new version waits for their relist
        else:
            if listing.state != Listing.State.LISTED or listing.listed_at is None:
                listing.listed_at = timezone.now()
            listing.state = Listing.State.LISTED
            listing.delisted_by_platform, listing.delist_reason, listing.delisted_at = False, "", None
    elif listing.live_version_id is None:
        listing.state = REVIEW_TO_LISTING.get(application.state, listing.state)
    listing.save()


def edit_url(application) -> str | None:
    from django.urls import reverse

    version = ListingVersion.objects.filter(application_id=application.pk).only("listing_id").first()
    return reverse("market-listing-edit", args=[version.listing_id]) if version else None


def version_for_display(version_id: int) -> ListingVersion | None:
    """A version with everything the product page shows, prefetched (the catalogue partial's context contract)."""
    return (
        ListingVersion.objects.select_related("listing", "listing__organisation", "catalogue")
        .prefetch_related("cases", "specs", "media", "tags", "categories", "industries", "experts")
        .filter(pk=version_id)
        .first()
    )


def render_version(version: ListingVersion) -> str:
    """The version exactly as the product page shows it: the catalogue's partial (a minimal fallback until the
    catalogue ships it)."""
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    context = {"version": version, "listing": version.listing, "preview": True}
    try:
        template = get_template("marketplace/catalogue/_product_body.html")
    except TemplateDoesNotExist:
        template = get_template("marketplace/listings/_fallback_body.html")
    return template.render(context)


def content(application) -> list[Section]:
    """What reviewers read: the version as buyers will see it, and the provider."""
    from django.utils.safestring import mark_safe

    row = ListingVersion.objects.filter(application_id=application.pk).values_list("pk", flat=True).first()
    version = version_for_display(row) if row else None
    if version is None:
        return []
    listing = version.listing
    rows = [
        (_("服务商"), listing.organisation.name),
        (_("版本"), f"v{version.number}"),
        (_("商品状态"), listing.get_state_display()),
        (_("在售版本"), f"v{listing.live_version.number}" if listing.live_version_id else ""),
        (_("商品展示"), mark_safe(render_version(version))),  # noqa: S308 - a template render, autoescaped
    ]
    return [Section(_("上架内容（与商品页展示一致）"), rows)]


def register_kind() -> None:
    engine_register_kind(LISTING, gettext_lazy("解决方案上架"))
    register_edit_url(LISTING, edit_url)
    register_content(LISTING, content)
