"""专家管理 (seed 001 §4.8): a certified provider keeps the experts it shows on its listings; operations read them.

Selectors (reads) and services (writes) in one place, so the workbench pages and the API apply the same rules:

- who: the provider's own main account (or a sub-account granted the `experts` module) of a **certified** provider
  writes and reads its own experts; operations (role `ops`) read every provider's experts; nobody else.
- what: the seed's table 4-2 — name ≤ 30, age, gender, IIoT specialty, industry fields, operations field, years in
  IIoT, years in industry, experience ≤ 200, title, education, photo (required; jpeg/jpg/png by content,
  ≤ 2048 KB), introduction (required).
- deleting: an expert shown on a version buyers can see (the live version of a listed product, or of one whose
  change is in review) or on a version reviewers are reading (in review) cannot be deleted — the message names the
  products. Submitted versions are a record of what was reviewed and sold; removing a person from them silently
  would change history. Drafts and returned/withdrawn versions just lose the expert."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from tenant_apps.marketplace.access import certified_provider
from tenant_apps.marketplace.models import Listing, ListingVersion, ProviderExpert
from tenant_apps.organisations.models import Organisation
from tenants.errors import DomainError, conflict
from tenants.uploads import upload_checked

MODULE = "experts"
PHOTO_MAX_BYTES = 2048 * 1024  # the seed: 照片 ≤ 2048 KB
PHOTO_TYPES = ("jpg", "png")  # filetype names JPEG "jpg" whatever the file is called (.jpeg/.jpg)

# The fields a provider fills in (the photo travels separately: it is a file).
FIELDS = (
    "name",
    "age",
    "gender",
    "iiot_specialty",
    "industry_fields",
    "operations_field",
    "years_iiot",
    "years_industry",
    "experience",
    "title",
    "education",
    "introduction",
)
REQUIRED = {
    "name",
    "age",
    "gender",
    "iiot_specialty",
    "industry_fields",
    "operations_field",
    "years_iiot",
    "years_industry",
    "experience",
    "introduction",
}
TEXT_LIMITS = {
    "name": 30,
    "iiot_specialty": 60,
    "industry_fields": 100,
    "operations_field": 60,
    "experience": 200,
    "title": 30,
    "education": 20,
    "introduction": 2000,
}
AGE_RANGE = (18, 100)
YEARS_MAX = 80


# --- Who may do what --------------------------------------------------------------------------------------------
def is_operator(membership) -> bool:
    return membership is not None and membership.has_role("ops")


def provider_of(membership) -> Organisation:
    """The caller's certified provider organisation (403 `market.wrong_kind` / `market.not_certified` otherwise)."""
    return certified_provider(membership)


# --- Selectors --------------------------------------------------------------------------------------------------
def experts_of(organisation):
    """A provider's experts, newest first (the list page, the API, the listing form's choices)."""
    return ProviderExpert.objects.filter(organisation=organisation).order_by("-created_at", "-id")


def experts_visible(membership):
    """Every expert this person may read: operations all (with their provider, one query), a certified provider its
    own; anyone else is refused (403) — the module gate has already let only provider/ops/expert roles in."""
    if is_operator(membership):
        return ProviderExpert.objects.select_related("organisation").order_by("-created_at", "-id")
    return experts_of(provider_of(membership)).select_related("organisation")


def experts_for_ops(*, provider_id=None):
    """Operations' read-only list, optionally of one provider."""
    rows = ProviderExpert.objects.select_related("organisation").order_by("-created_at", "-id")
    return rows.filter(organisation_id=provider_id) if provider_id else rows


def providers_with_experts():
    """The providers operations may filter by (those that have entered experts), by name."""
    entered = ProviderExpert.objects.filter(organisation=OuterRef("pk"))
    return Organisation.objects.filter(Exists(entered), kind=Organisation.Kind.PROVIDER).order_by("name", "id")


def access_expert(membership, pk, *, write: bool = False) -> ProviderExpert:
    """One expert the caller may read (or, with `write`, change): the provider's own; operations any, read-only.
    Missing and not-yours alike answer 404 (no probing for ids)."""
    if write:
        rows = experts_of(provider_of(membership))
    else:
        rows = experts_visible(membership)
    found = rows.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404(_("该专家不存在。"))
    return found


def shown_on(expert: ProviderExpert):
    """The versions showing this expert that buyers or reviewers are looking at now: a listing's live version while
    the product is on sale (listed, or listed with a change in review), or a version in review."""
    on_sale = Q(listing__live_version_id=F("id"), listing__state__in=(Listing.State.LISTED, Listing.State.IN_REVIEW))
    in_review = Q(application__state="in_review")
    return ListingVersion.objects.filter(experts=expert).filter(on_sale | in_review).order_by("listing_id", "-number")


def photo_listed_expert(listing_pk, pk) -> ProviderExpert:
    """An expert shown on the live version of a listed product (what the public product page may show); else 404."""
    if not (str(pk).isdigit() and str(listing_pk).isdigit()):
        raise Http404
    on_sale = Listing.objects.filter(
        pk=listing_pk,
        state__in=(Listing.State.LISTED, Listing.State.IN_REVIEW),
        live_version__experts__pk=pk,
    )
    found = ProviderExpert.objects.filter(pk=pk).exclude(photo="").first() if on_sale.exists() else None
    if found is None:
        raise Http404
    return found


# --- Rules ------------------------------------------------------------------------------------------------------
def _refuse(field: str, message: str, reason: str):
    raise DomainError(message, code=f"market.expert_{reason}", field=field)


def expert_data_checked(data: dict, *, partial_of: ProviderExpert | None = None) -> dict:
    """The seed's rules on the typed values; returns the cleaned values of FIELDS. With `partial_of`, missing keys
    keep the expert's current values (an API PATCH)."""
    labels = {
        "name": _("姓名"),
        "age": _("年龄"),
        "gender": _("性别"),
        "iiot_specialty": _("工业互联网专业领域"),
        "industry_fields": _("工业行业领域"),
        "operations_field": _("工业运行领域"),
        "years_iiot": _("工业互联网服务年限"),
        "years_industry": _("工业领域服务年限"),
        "experience": _("经验与业绩"),
        "title": _("职务"),
        "education": _("学历"),
        "introduction": _("专家介绍"),
    }
    cleaned = {}
    for name in FIELDS:
        if name in data:
            value = data[name]
        elif partial_of is not None:
            value = getattr(partial_of, name)
        else:
            value = None
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if name in REQUIRED:
                _refuse(name, _("请填写%(label)s。") % {"label": labels[name]}, "required")
            value = ""
        if name in TEXT_LIMITS and value != "":
            value = str(value)
            if len(value) > TEXT_LIMITS[name]:
                _refuse(
                    name,
                    _("%(label)s不能超过 %(limit)s 个字。") % {"label": labels[name], "limit": TEXT_LIMITS[name]},
                    "too_long",
                )
        cleaned[name] = value
    if cleaned["gender"] not in ProviderExpert.Gender.values:
        _refuse("gender", _("请选择性别。"), "gender")
    numbers = {}
    for name in ("age", "years_iiot", "years_industry"):
        value = cleaned[name]
        try:
            if isinstance(value, bool | float):
                raise ValueError
            numbers[name] = int(str(value))
        except ValueError:
            _refuse(name, _("%(label)s请填写整数。") % {"label": labels[name]}, "not_a_number")
    low, high = AGE_RANGE
    if not low <= numbers["age"] <= high:
        _refuse("age", _("年龄应在 %(low)s 到 %(high)s 岁之间。") % {"low": low, "high": high}, "age_range")
    for name in ("years_iiot", "years_industry"):
        if not 0 <= numbers[name] <= YEARS_MAX:
            _refuse(name, _("%(label)s应在 0 到 %(max)s 年之间。") % {"label": labels[name], "max": YEARS_MAX}, "years")
        if numbers[name] > numbers["age"]:
            _refuse(name, _("%(label)s不能大于年龄。") % {"label": labels[name]}, "years_over_age")
    cleaned.update(numbers)
    return cleaned


def photo_checked(photo) -> str:
    """The photo's detected type ("jpg" | "png"), whatever its name says; a DomainError on field `photo` otherwise."""
    kind = upload_checked(
        photo,
        allowed=PHOTO_TYPES,
        max_bytes=PHOTO_MAX_BYTES,
        wrong_type=_("照片请上传 jpeg/jpg/png 格式的图片。"),
        too_large=_("照片不能超过 2048 KB。"),
        field="photo",
    )
    return kind.extension


def _photo_saved(expert: ProviderExpert, photo, extension: str) -> None:
    # Stored under the detected type, so it is served as what it is (the name the person chose is not kept).
    expert.photo.save(f"photo.{extension}", photo, save=False)


# --- Services ---------------------------------------------------------------------------------------------------
@transaction.atomic
def expert_create(*, membership, data: dict, photo) -> ProviderExpert:
    """新增专家 for the caller's own certified provider; the photo is required."""
    organisation = provider_of(membership)
    cleaned = expert_data_checked(data)
    if not photo:
        raise DomainError(_("请上传专家照片。"), code="market.expert_photo_required", field="photo")
    extension = photo_checked(photo)
    expert = ProviderExpert(organisation=organisation, **cleaned)
    _photo_saved(expert, photo, extension)
    expert.save()
    return expert


@transaction.atomic
def expert_update(
    *, membership, expert: ProviderExpert, data: dict, photo=None, partial: bool = False, expected_version=None
):
    """修改专家: the expert must be the caller's own (re-checked here, whatever the caller fetched it with); a new
    photo replaces the old one, none keeps it. The row is locked; a form opened before someone else's save
    (`expected_version` behind) is refused with 409 `market.stale` rather than overwriting it."""
    organisation = provider_of(membership)
    if expert.organisation_id != organisation.pk:
        raise Http404(_("该专家不存在。"))
    expert = ProviderExpert.objects.select_for_update(of=("self",)).filter(pk=expert.pk).first()
    if expert is None:
        raise Http404(_("该专家不存在。"))
    if expected_version not in (None, "") and str(expected_version) != str(expert.version):
        raise conflict(_("该专家信息已被他人修改，请刷新页面后再编辑。"), code="market.stale")
    cleaned = expert_data_checked(data, partial_of=expert if partial else None)
    old_photo = expert.photo.name if photo else None
    extension = photo_checked(photo) if photo else None
    for name, value in cleaned.items():
        setattr(expert, name, value)
    if photo:
        _photo_saved(expert, photo, extension)
    elif not expert.photo:
        raise DomainError(_("请上传专家照片。"), code="market.expert_photo_required", field="photo")
    expert.version += 1
    expert.save()
    if old_photo and old_photo != expert.photo.name:
        _photo_removed_after_commit(expert.photo.storage, old_photo)
    return expert


@transaction.atomic
def expert_delete(*, membership, expert: ProviderExpert) -> None:
    """删除专家, refused while a product on sale or in review shows the expert (the message names the products)."""
    organisation = provider_of(membership)
    if expert.organisation_id != organisation.pk:
        raise Http404(_("该专家不存在。"))
    locked = ProviderExpert.objects.filter(pk=expert.pk).first()
    if locked is None:
        raise Http404(_("该专家不存在。"))
    names = []
    for version in shown_on(locked).only("name", "listing_id"):
        if version.name not in names:
            names.append(version.name)
    if names:
        shown = "、".join(f"「{name}」" for name in names[:3])
        more = _("等 %(count)s 个商品") % {"count": len(names)} if len(names) > 3 else ""
        raise DomainError(
            _(
                "专家「%(expert)s」正展示在商品%(products)s%(more)s的在售或审核中版本上，不能删除。"
                "请先为这些商品提交不含该专家的新版本，审核通过后再删除。"
            )
            % {"expert": locked.name, "products": shown, "more": more},
            code="market.expert_in_use",
            status=409,
        )
    photo = locked.photo.name
    locked.delete()
    if photo:
        _photo_removed_after_commit(locked.photo.storage, photo)


def _photo_removed_after_commit(storage, name: str) -> None:
    def remove():
        try:
            storage.delete(name)
        except OSError:  # a file already gone is no reason to fail the person's action
            pass

    transaction.on_commit(remove)
