"""我的商品 (provider), the listing form with its preview, and 在售商品管理 (ops delisting). Thin views: writes go
through `listings`, reads through `listing_selectors`; a refusal lands on its field and the page answers 400."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.ui.pagination import paginate
from tenant_apps.marketplace import listings
from tenant_apps.marketplace.access import MODULE, certified_provider
from tenant_apps.marketplace.listing_forms import CaseForm, ListingForm, OpsDelistForm, OpsFilterForm, SpecFormSet
from tenant_apps.marketplace.listing_selectors import (
    access_listed,
    access_listing,
    listed_for_ops,
    listing_flags,
    my_listings,
    newest_version,
)
from tenant_apps.organisations.access import check_module_access
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError


def _provider(request):
    _module, membership = check_module_access(request, MODULE)
    try:
        certified_provider(membership)
    except DomainError as error:
        raise PermissionDenied(error.message) from None
    return membership


def _ops(request):
    _module, membership = check_module_access(request, MODULE)
    if not membership.has_role(*listings.OPS_ROLES):
        raise PermissionDenied(_("只有运营人员可以管理在售商品。"))
    return membership


@login_required
def my_listings_page(request):
    membership = _provider(request)
    page = paginate(request, my_listings(membership))
    rows = [{"listing": listing, **listing_flags(listing)} for listing in page.object_list]
    return render(request, "marketplace/listings/my_listings.html", {"page": page, "rows": rows})


def _intro_editor_texts() -> dict:
    """What the block editor script (market-listing-form.js) shows, in the page's language."""
    return {
        "title": _("商品介绍页模块"),
        "up": _("上移"),
        "down": _("下移"),
        "remove": _("删除"),
        "fields": {
            "banner.title": _("标题"),
            "banner.text": _("文字"),
            "banner.media": _("图片素材编号"),
            "highlights.items": _("亮点（每行一条）"),
            "description.text": _("商品说明"),
            "gallery.media": _("截图/视频素材编号（逗号分隔）"),
            "support.hours": _("服务时间"),
            "support.scope": _("服务范围"),
            "support.hotline": _("服务热线"),
            "support.email": _("服务邮箱"),
        },
    }


def _forms(request, *, membership, version, with_files: bool = True):
    """The listing form, its three case forms and the spec rows; bound on POST (without the uploads when
    `with_files` is false: the draft auto-save never takes files)."""
    bound = request.method == "POST"
    files = request.FILES if bound and with_files else None
    media = list(version.media.all()) if version else []
    initial = None
    case_initial = [{} for _i in range(listings.CASES)]
    spec_initial = []
    if version is not None:
        initial = {
            "version": version.application.version if version.application else None,
            "name": version.name,
            "related_product": version.related_product,
            "catalogue": version.catalogue_id,
            "tags": [tag.pk for tag in version.tags.all()],
            "categories": [item.pk for item in version.categories.all()],
            "industries": [item.pk for item in version.industries.all()],
            "summary": version.summary,
            "price_min": version.price_min,
            "price_max": version.price_max,
            "delivery_cycle_days": version.delivery_cycle_days,
            "delivery_person_days": version.delivery_person_days,
            "contact_name": version.contact_name,
            "contact_phone": version.contact_phone,
            "contact_email": version.contact_email,
            "experts": [item.pk for item in version.experts.all()],
            "intro": json.dumps(version.intro or [], ensure_ascii=False, indent=1),
        }
        for case in version.cases.all():
            case_initial[case.position - 1] = {
                name: getattr(case, name)
                for name in (
                    "customer",
                    "customer_output",
                    "contract_amount",
                    "delivery_months",
                    "contact_name",
                    "contact_title",
                    "contact_phone",
                )
            }
        spec_initial = [
            {name: getattr(spec, name) for name in ("name", "purchase_mode", "pricing", "unit_price")}
            for spec in version.specs.all()
        ]
    form = ListingForm(
        request.POST if bound else None,
        files,
        initial=initial,
        organisation=membership.organisation,
        media=media,
        prefix="listing",
    )
    cases = [
        CaseForm(
            request.POST if bound else None,
            files,
            initial=case_initial[n],
            prefix=f"case{n + 1}",
        )
        for n in range(listings.CASES)
    ]
    specs = SpecFormSet(request.POST if bound else None, initial=spec_initial, prefix="spec")
    return form, cases, specs


def _attach(form, cases, spec_forms, error: DomainError) -> None:
    """A service's refusal next to its input: `cases.2.customer` on case 2, `specs.1.unit_price` on the first
    filled spec row, anything else on the listing form."""
    field = error.field or ""
    parts = field.split(".")
    if len(parts) == 3 and parts[0] == "cases" and parts[1].isdigit() and 1 <= int(parts[1]) <= len(cases):
        target = cases[int(parts[1]) - 1]
        target.add_error(parts[2] if parts[2] in target.fields else None, error.message)
        return
    if len(parts) == 3 and parts[0] == "specs" and parts[1].isdigit() and 1 <= int(parts[1]) <= len(spec_forms):
        target = spec_forms[int(parts[1]) - 1]
        target.add_error(parts[2] if parts[2] in target.fields else None, error.message)
        return
    form.add_error(field if field in form.fields else None, error.message)


def _save(*, membership, listing, form, cases, specs, with_files: bool = True):
    """Save the validated forms through the service (create or update); returns the saved version. Without
    `with_files` (the auto-save) no file is uploaded and no media removed."""
    spec_rows = [dict(spec.cleaned_data) for spec in specs.forms if not spec.is_blank()]
    common = {
        "membership": membership,
        "data": form.service_data(),
        "cases": [case.service_row() for case in cases],
        "specs": spec_rows,
        "thumbnail": form.cleaned_data.get("thumbnail") or None,
        "media_uploads": [form.cleaned_data["media"]] if form.cleaned_data.get("media") else [],
        "media_remove": [int(pk) for pk in form.cleaned_data.get("media_remove") or []],
    }
    if not with_files:
        common.update(thumbnail=None, media_uploads=[], media_remove=[])
    if listing is None:
        return listings.listing_create(**common)
    return listings.listing_update(listing_id=listing.pk, expected_version=form.cleaned_data.get("version"), **common)


def _listing_form_page(request, listing=None):
    membership = _provider(request)
    version = newest_version(listing) if listing is not None else None
    if version is not None and version.application and version.application.state == "in_review":
        messages.info(request, _("该版本正在审核中，撤回后才能修改。"))
        return redirect("market-listing-detail", pk=listing.pk)
    form, cases, specs = _forms(request, membership=membership, version=version)
    if request.method == "POST":
        valid = form.is_valid() & all([case.is_valid() for case in cases]) & specs.is_valid()
        if valid:
            filled = [spec for spec in specs.forms if not spec.is_blank()]
            try:
                saved = _save(membership=membership, listing=listing, form=form, cases=cases, specs=specs)
            except DomainError as error:
                _attach(form, cases, filled, error)
            else:
                action = request.POST.get("do")
                if action == "submit":
                    try:
                        listings.listing_submit(membership=membership, listing_id=saved.listing_id)
                    except DomainError as error:
                        # The draft is saved; the preview page lists what is still missing.
                        messages.warning(request, _("草稿已保存，但还不能提交：%(reason)s") % {"reason": error.message})
                    else:
                        messages.success(request, _("已提交审核。"))
                    return redirect("market-listing-detail", pk=saved.listing_id)
                if action == "preview":
                    return redirect("market-listing-detail", pk=saved.listing_id)
                messages.success(request, _("草稿已保存。"))
                return redirect("market-listing-edit", pk=saved.listing_id)
    context = {
        "listing": listing,
        "version": version,
        "form": form,
        "cases": cases,
        "specs": specs,
        "media": list(version.media.all()) if version else [],
        "block_types": [(code, str(label)) for code, label in listings.INTRO_BLOCK_LABELS.items()],
        "intro_texts": json.dumps(_intro_editor_texts(), ensure_ascii=False),
        "new_version": bool(version and version.application and version.application.state in ("approved", "rejected")),
        "autosave": _autosaves(version),
    }
    failed = request.method == "POST" and (
        form.errors or any(case.errors for case in cases) or any(spec.errors for spec in specs.forms)
    )
    return render(request, "marketplace/listings/form.html", context, status=400 if failed else 200)


@login_required
def listing_new(request):
    return _listing_form_page(request)


@login_required
def listing_edit(request, pk: int):
    membership = _provider(request)
    listing = _or_404(lambda: access_listing(membership, pk))
    return _listing_form_page(request, listing)


def _autosaves(version) -> bool:
    """Only a version edited in place (草稿, 已退回, 已撤回) is auto-saved. A new listing (no draft yet) is created by
    保存草稿, and a listed or rejected product's first save makes a new version for review: the provider's click."""
    return bool(
        version is not None and version.application and version.application.state in Application.EDITABLE_STATES
    )


def _first_form_error(form, cases, spec_forms) -> str:
    for target in (form, *cases, *spec_forms):
        for name, errors in target.errors.items():
            field = target.fields.get(name)
            label = f"{field.label}：" if field is not None and field.label else ""
            return f"{label}{errors[0]}"
    return _("内容有误。")


def _autosave_failed(reason, *, status: int, code: str, field: str | None = None) -> JsonResponse:
    message = _("自动保存失败：%(reason)s") % {"reason": reason}
    return JsonResponse({"code": code, "message": message, "field": field}, status=status)


@login_required
def listing_autosave(request, pk: int):
    """The edit page's draft auto-save (market-listing-autosave.js): the form's fields without files, through the same
    service as 保存草稿 with the page's `version`; answers the new version for the page's hidden input (JSON)."""
    membership = _provider(request)  # the module gate and the listing's owner first, then the method
    listing = _or_404(lambda: access_listing(membership, pk))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    version = newest_version(listing)
    if not _autosaves(version):
        return _autosave_failed(
            _("该版本不能自动保存，请点击“保存草稿”。"), status=409, code="market.autosave_not_editable"
        )
    form, cases, specs = _forms(request, membership=membership, version=version, with_files=False)
    valid = form.is_valid() & all([case.is_valid() for case in cases]) & specs.is_valid()
    if not valid:
        return _autosave_failed(_first_form_error(form, cases, specs.forms), status=400, code="invalid")
    try:
        saved = _save(membership=membership, listing=listing, form=form, cases=cases, specs=specs, with_files=False)
    except DomainError as error:
        return _autosave_failed(error.message, status=error.status, code=error.code, field=error.field)
    now = timezone.localtime()
    return JsonResponse(
        {
            "version": saved.application.version,
            "saved_at": now.isoformat(),
            "message": _("已自动保存 %(time)s") % {"time": now.strftime("%H:%M")},
        }
    )


def _or_404(fetch):
    try:
        return fetch()
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        raise


@login_required
def listing_detail(request, pk: int):
    """The newest version exactly as the catalogue will show it (预览), with the listing's state and actions."""
    membership = _provider(request)
    listing = _or_404(lambda: access_listing(membership, pk))
    version = newest_version(listing)
    context = {
        "listing": listing,
        "version": version,
        "flags": listing_flags(listing),
        "body": listings.render_version(version) if version else "",
        "problems": listings.submission_problems(version) if version and listing_flags(listing)["can_submit"] else [],
    }
    return render(request, "marketplace/listings/detail.html", context)


ACTIONS = {
    "submit": (
        lambda m, pk, v: listings.listing_submit(membership=m, listing_id=pk, expected_version=v),
        _("已提交审核。"),
    ),
    "withdraw": (
        lambda m, pk, v: listings.listing_withdraw(membership=m, listing_id=pk, expected_version=v),
        _("已撤回，可修改后重新提交。"),
    ),
    "delist": (lambda m, pk, v: listings.listing_delist(membership=m, listing_id=pk), _("商品已下架。")),
    "relist": (lambda m, pk, v: listings.listing_relist(membership=m, listing_id=pk), _("商品已重新上架。")),
}


@login_required
def listing_action(request, pk: int, action: str):
    membership = _provider(request)  # the module gate and the listing's owner first, then the method
    listing = _or_404(lambda: access_listing(membership, pk))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if action not in ACTIONS:
        raise Http404
    run, done = ACTIONS[action]
    raw = request.POST.get("version")
    expected = int(raw) if raw and raw.isdigit() else None
    try:
        run(membership, listing.pk, expected)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, str(done))
    if request.POST.get("next") == "list":
        return redirect("market-listings")
    return redirect("market-listing-detail", pk=listing.pk)


@login_required
def ops_listings_page(request):
    """在售商品管理: listed products, each with 下架 (a reason is required)."""
    _ops(request)
    filters = OpsFilterForm(request.GET or None)
    name = filters.cleaned_data.get("name", "") if filters.is_valid() else ""
    page = paginate(request, listed_for_ops(name=name))
    return render(request, "marketplace/listings/ops_listings.html", {"page": page, "filters": filters})


@login_required
def ops_delist_page(request, pk: int):
    membership = _ops(request)
    listing = _or_404(lambda: access_listed(pk))
    form = OpsDelistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            listings.listing_ops_delist(
                membership=membership, listing_id=listing.pk, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            messages.success(request, _("商品已下架，服务商将收到通知。"))
            return redirect("market-ops-listings")
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "marketplace/listings/ops_delist.html", {"listing": listing, "form": form}, status=status)


@login_required
def version_thumbnail(request, version_pk: int):
    """The thumbnail of a version not (yet) on sale: its provider's preview and the reviewers' view."""
    from tenant_apps.marketplace.catalogue_views import _file_response
    from tenant_apps.marketplace.listing_selectors import access_version

    _module, membership = check_module_access(request, MODULE)
    version = access_version(membership, version_pk)
    if not version.thumbnail:
        raise Http404
    response = _file_response(version.thumbnail, "")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def version_media(request, version_pk: int, media_pk: int):
    """An intro-page image or video of a version not (yet) on sale, for the same people as its thumbnail."""
    from tenant_apps.marketplace.catalogue_views import _file_response
    from tenant_apps.marketplace.listing_selectors import access_version

    _module, membership = check_module_access(request, MODULE)
    version = access_version(membership, version_pk)
    media = version.media.filter(pk=media_pk).first()
    if media is None:
        raise Http404
    response = _file_response(media.file, media.original_name, kind=media.kind)
    response["Cache-Control"] = "private, no-store"
    return response
