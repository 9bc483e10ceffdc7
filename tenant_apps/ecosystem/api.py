"""生态申报 over the API (/api/v1/ecosystem/, module `ecosystem`: 404 where a tenant has it off).

Same services as the pages: declarations (start continues an unfinished one, save a step with its files, submit,
delete, what submission still needs), products (with a first declaration or on their own, cases and proofs),
the anchor unit's or the city's pools and alliance members (移出联合体), information changes, and the public 上架产品
and anchor units. Readers see what `access` lets them (provider: its own; the anchor unit named; the city: all);
writes are the provider's own (`access_*` of the services, 404 for another's and a missing one alike). Every refusal
is the project's one error shape with the field the service names (`files.licence`, `cases.1.contract`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from tenant_apps.ecosystem import access, alliances, changes, common, declarations, products, reads, selectors
from tenant_apps.ecosystem import serializers as s
from tenant_apps.ecosystem.models import Product
from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenants.errors import DomainError, not_found
from tenants.modules import ensure_module

MODULE = "ecosystem"
PARSERS = [JSONParser, MultiPartParser, FormParser]
CASE_KEY = re.compile(r"^cases\.(\d{1,2})\.(customer|summary|keep|contract)$")


class EcosystemAPIView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = MODULE


class PublicEcosystemView(GenericAPIView):
    """Anyone may read where the module is on; elsewhere it does not exist (404)."""

    permission_classes = [AllowAny]
    module = MODULE  # documented as 404 where it is off (config/openapi.py); enforced below, open to anyone

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        ensure_module(request, MODULE)


def validated(serializer_class, data) -> dict:
    payload = serializer_class(data=data)
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)


def _plain(data, lists: tuple[str, ...] = ()) -> dict:
    """A JSON body as it is; a multipart form as a plain dict (list fields from repeated keys), case rows and files
    left out (read separately)."""
    if not hasattr(data, "getlist"):
        return dict(data)
    return {
        key: (data.getlist(key) if key in lists else data.get(key))
        for key in data
        if not key.startswith(("cases.", "files."))
    }


def _uploads(request) -> dict[str, list]:
    """`files.<kind>` of a multipart form → {kind: [uploads]}."""
    return {key[len("files.") :]: request.FILES.getlist(key) for key in request.FILES if key.startswith("files.")}


def _multipart_cases(request) -> list[dict] | None:
    """`cases.N.customer|summary|keep|contract` of a multipart form → rows in N order (None when none is given)."""
    rows: dict[int, dict] = {}
    for key in [*request.data.keys(), *request.FILES.keys()]:
        match = CASE_KEY.match(key)
        if match:
            n, name = int(match[1]), match[2]
            rows.setdefault(n, {})[name] = request.FILES.get(key) if name == "contract" else request.data.get(key)
    if not rows:
        return None
    return [rows.get(n, {}) for n in range(max(rows) + 1)]


def _problems(found) -> list[dict]:
    return [{"field": field, "message": str(message)} for field, message in found]


UNIT_PARAMETER = OpenApiParameter(
    "unit", OpenApiTypes.STR, description="牵引单位编码（市级管理部门选择单位；牵引单位总是只看本单位）"
)


# --- Public ----------------------------------------------------------------------------------------------------------
class AnchorUnitListView(mixins.ListModelMixin, PublicEcosystemView):
    """数字化牵引单位 and their alliances, as the portal lists them."""

    serializer_class = s.EcoAnchorUnitSerializer

    def get_queryset(self):
        return selectors.public_units()

    @extend_schema(summary="数字化牵引单位（公开）：所属行业、联合体成员数、产品池产品数")
    def get(self, request):
        return self.list(request)


PUBLIC_FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="搜索词（产品名称或服务商名称，包含匹配）"),
    OpenApiParameter("category", OpenApiTypes.STR, enum=list(Product.Category.values), description="产品/服务类别"),
    OpenApiParameter("industry", OpenApiTypes.STR, description="所属行业编码"),
    OpenApiParameter("unit", OpenApiTypes.STR, description="所在产品池的牵引单位编码"),
]


class PublicProductListView(mixins.ListModelMixin, PublicEcosystemView):
    serializer_class = s.EcoPublicProductSerializer

    def get_queryset(self):
        params = self.request.query_params
        filters = selectors.PublicFilters(
            q=(params.get("q") or "").strip()[: selectors.MAX_QUERY_LENGTH],
            category=params.get("category") or "",
            industry=params.get("industry") or "",
            unit=params.get("unit") or "",
        )
        return selectors.public_products(filters).prefetch_related("industries")

    @extend_schema(parameters=PUBLIC_FILTERS, summary="上架产品（公开）：审核通过且在产品池中的产品")
    def get(self, request):
        return self.list(request)


class PublicProductDetailView(PublicEcosystemView):
    serializer_class = s.EcoPublicProductDetailSerializer

    @extend_schema(summary="上架产品详情（公开；不含合同和佐证材料）")
    def get(self, request, pk):
        return Response(s.EcoPublicProductDetailSerializer(selectors.public_product(pk)).data)


# --- Declarations and products: what both read, submit and still need ---------------------------------------------------
@dataclass(frozen=True)
class Submissions:
    """Declarations or products as the API reads them (what the reader may see, 404 alike for missing and forbidden)
    and submits them (the provider's own, through the service)."""

    rows: Callable  # membership → the rows this person reads, with what every answer shows
    detail_prefetch: tuple[str, ...]
    detail_serializer: type[serializers.Serializer]
    missing: Callable[[], DomainError]  # the 404 (its message translated when raised)
    access: Callable  # (membership, pk) → the provider's own row to write; 404 for another's and a missing one
    submit: Callable  # (membership, row, expected_version) → None
    problems: Callable  # row → [(field, message)] submission still needs
    delete: Callable  # (membership, row) → None

    def one(self, membership, pk, *prefetch):
        row = self.rows(membership).prefetch_related(*prefetch).filter(pk=pk).first()
        if row is None:
            raise self.missing()
        return row

    def detail(self, membership, pk) -> dict:
        return self.detail_serializer(self.one(membership, pk, *self.detail_prefetch)).data


DECLARATIONS = Submissions(
    rows=lambda membership: access.declarations_readable(membership).select_related(
        "organisation", "anchor_unit", "application"
    ),
    detail_prefetch=("files", "products"),
    detail_serializer=s.EcoDeclarationDetailSerializer,
    missing=lambda: not_found(_("该申报不存在。"), code="declaration.not_found"),
    access=declarations.access_declaration,
    submit=lambda membership, row, version: declarations.declaration_submit(
        membership=membership, declaration=row, expected_version=version
    ),
    problems=declarations.problems,
    delete=lambda membership, row: declarations.declaration_delete(membership=membership, declaration=row),
)
PRODUCTS = Submissions(
    rows=lambda membership: access.products_readable(membership).select_related(
        "organisation", "anchor_unit", "application"
    ),
    detail_prefetch=("industries", "cases", "files"),
    detail_serializer=s.EcoProductDetailSerializer,
    missing=lambda: not_found(_("该产品不存在。"), code="product.not_found"),
    access=products.access_product,
    submit=lambda membership, row, version: products.product_submit(
        membership=membership, product=row, expected_version=version
    ),
    problems=lambda product: products.problems(product, with_unit=product.declaration_id is None),
    delete=lambda membership, row: products.product_delete(membership=membership, product=row),
)


# The views of both families. No docstrings on these bases: drf-spectacular would print them as every subclass's
# description; each subclass documents its operations (`extend_schema_view` for the inherited ones).
class SubmissionView(EcosystemAPIView):
    family: Submissions

    def scoped_queryset(self, membership):
        return self.family.rows(membership)


class SubmissionListView(mixins.ListModelMixin, SubmissionView):
    # The list, newest first (POST 新增 is each family's own).
    def scoped_queryset(self, membership):
        return super().scoped_queryset(membership).order_by("-created_at", "-id")

    def get(self, request):
        return self.list(request)


class SubmissionDetailView(SubmissionView):
    # Read and delete (PATCH is each family's own).
    parser_classes = PARSERS

    def get(self, request, pk):
        return Response(self.family.detail(request.membership, pk))

    def delete(self, request, pk):
        row = self.family.access(request.membership, pk)
        self.family.delete(request.membership, row)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubmitView(SubmissionView):
    # 提交: the provider's own row (404 before any validation), the optional version, the detail read back.
    def post(self, request, pk):
        membership = request.membership
        row = self.family.access(membership, pk)
        data = validated(s.EcoVersionInput, request.data)
        self.family.submit(membership, row, data.get("version"))
        return Response(self.family.detail(membership, pk))


class ProblemsView(SubmissionView):
    # 提交前尚缺的内容, for whoever reads the row.
    serializer_class = s.EcoProblemSerializer
    pagination_class = None  # the whole list: a handful of items

    @extend_schema(summary="提交前尚缺的内容", responses=s.EcoProblemSerializer(many=True))
    def get(self, request, pk):
        row = self.get_queryset().filter(pk=pk).first()
        if row is None:
            raise self.family.missing()
        return Response(_problems(self.family.problems(row)))


# --- Declarations ----------------------------------------------------------------------------------------------------
@extend_schema_view(get=extend_schema(summary="服务商申报列表（服务商：本单位；牵引单位：申报本单位的；市级：全部）"))
class DeclarationListView(SubmissionListView):
    """服务商申报: the provider's own, the declarations naming an anchor unit, or the city's all; POST 新增."""

    family = DECLARATIONS
    serializer_class = s.EcoDeclarationSerializer

    @extend_schema(
        summary="新增服务商申报（有未完成的申报则继续该申报；首次通过后为再次申报）",
        request=None,
        responses={201: s.EcoDeclarationDetailSerializer, 200: s.EcoDeclarationDetailSerializer},
    )
    def post(self, request):
        membership = request.membership
        organisation = common.provider_of(membership)
        before = declarations.declarations_of(organisation).values_list("pk", flat=True).order_by("-pk").first()
        declaration = declarations.declaration_start(membership=membership)
        created = before is None or declaration.pk > before
        return Response(
            DECLARATIONS.detail(membership, declaration.pk),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@extend_schema_view(
    get=extend_schema(summary="服务商申报详情"),
    delete=extend_schema(summary="删除未提交或已退回的申报（及其产品）", request=None, responses={204: None}),
)
class DeclarationDetailView(SubmissionDetailView):
    family = DECLARATIONS
    serializer_class = s.EcoDeclarationDetailSerializer

    @extend_schema(
        summary="保存一步（草稿）",
        description="step 1：公司性质、牵引单位及 files.logo / licence / credit_report / cooperation；step 2：产品数量、"
        "简介、实施保障及 files.team_list。给出的字段被检查，未给出的保持不变；材料以 multipart 上传。",
        request={"application/json": s.EcoDeclarationInput, "multipart/form-data": s.EcoDeclarationMultipartInput},
        responses=s.EcoDeclarationDetailSerializer,
    )
    def patch(self, request, pk):
        membership = request.membership
        declaration = declarations.access_declaration(membership, pk)  # 404 before any validation
        data = validated(s.EcoDeclarationInput, _plain(request.data))
        files = {kind: uploads[-1] for kind, uploads in _uploads(request).items() if uploads}
        declarations.declaration_save(
            membership=membership,
            declaration=declaration,
            step=data.pop("step"),
            data={key: value for key, value in data.items() if key != "version"},
            files=files,
            expected_version=data.get("version"),
        )
        return Response(DECLARATIONS.detail(membership, pk))


@extend_schema_view(
    post=extend_schema(
        summary="提交服务商申报",
        description="尚缺内容 400 declaration.incomplete（errors 指明字段）；产品重名 409 product.duplicate_name。",
        request=s.EcoVersionInput,
        responses=s.EcoDeclarationDetailSerializer,
    )
)
class DeclarationSubmitView(SubmitView):
    family = DECLARATIONS
    serializer_class = s.EcoDeclarationDetailSerializer


class DeclarationProblemsView(ProblemsView):
    family = DECLARATIONS


# --- Products --------------------------------------------------------------------------------------------------------
@extend_schema_view(get=extend_schema(summary="产品申报列表（服务商：本单位；审核单位：经手的；市级：全部）"))
class ProductListView(SubmissionListView):
    """我的产品 (or a reviewer's and the city's); POST +新增产品/服务."""

    family = PRODUCTS
    serializer_class = s.EcoProductSerializer

    @extend_schema(
        summary="新增产品/服务（随首次申报填写时给出 declaration）",
        request=s.EcoProductStartInput,
        responses={201: s.EcoProductDetailSerializer},
    )
    def post(self, request):
        membership = request.membership
        data = validated(s.EcoProductStartInput, request.data)
        declaration = None
        if data.get("declaration"):
            declaration = declarations.access_declaration(membership, data["declaration"])
        product = products.product_start(membership=membership, name=data["name"], declaration=declaration)
        return Response(PRODUCTS.detail(membership, product.pk), status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="产品申报详情"),
    delete=extend_schema(summary="删除未提交或已退回的产品", request=None, responses={204: None}),
)
class ProductDetailView(SubmissionDetailView):
    family = PRODUCTS
    serializer_class = s.EcoProductDetailSerializer

    @extend_schema(
        summary="保存产品（草稿）",
        description="给出的字段被检查并保存，未给出的保持不变。JSON 的 cases 整体替换案例（keep 保留已有合同）；"
        "multipart 以 cases.N.customer / summary / keep / contract 给出案例，以 files.<kind> 上传佐证材料。",
        request={"application/json": s.EcoProductInput, "multipart/form-data": s.EcoProductMultipartInput},
        responses=s.EcoProductDetailSerializer,
    )
    def patch(self, request, pk):
        membership = request.membership
        product = products.access_product(membership, pk)  # 404 before any validation
        multipart = hasattr(request.data, "getlist")
        data = validated(s.EcoProductInput, _plain(request.data, lists=("categories", "industries")))
        if multipart:
            cases = _multipart_cases(request)
        else:
            cases = [dict(row) for row in data["cases"]] if "cases" in data else None
        products.product_save(
            membership=membership,
            product=product,
            data={key: value for key, value in data.items() if key not in ("version", "cases")},
            cases=cases,
            files=_uploads(request) if multipart else None,
            expected_version=data.get("version"),
        )
        return Response(PRODUCTS.detail(membership, pk))


@extend_schema_view(
    post=extend_schema(
        summary="提交产品申报",
        description="尚缺内容 400 product.incomplete；牵引单位未加入 400 product.anchor_unit；同名产品在审或已通过 "
        "409 product.duplicate_name（errors.name）。",
        request=s.EcoVersionInput,
        responses=s.EcoProductDetailSerializer,
    )
)
class ProductSubmitView(SubmitView):
    family = PRODUCTS
    serializer_class = s.EcoProductDetailSerializer


class ProductProblemsView(ProblemsView):
    family = PRODUCTS


# --- Pools and alliance members ----------------------------------------------------------------------------------------
class PoolListView(mixins.ListModelMixin, EcosystemAPIView):
    serializer_class = s.EcoPoolEntrySerializer

    def scoped_queryset(self, membership):
        return reads.pools_for(membership, (self.request.query_params.get("unit") or "").strip())

    @extend_schema(parameters=[UNIT_PARAMETER], summary="产品池（牵引单位：本单位；市级：全部或 unit 指定的单位）")
    def get(self, request):
        return self.list(request)


class MemberListView(mixins.ListModelMixin, EcosystemAPIView):
    serializer_class = s.EcoMemberSerializer

    def scoped_queryset(self, membership):
        return reads.members_for(membership, (self.request.query_params.get("unit") or "").strip())

    @extend_schema(
        parameters=[UNIT_PARAMETER], summary="产业生态联合体成员（牵引单位：本单位；市级：全部或 unit 指定的单位）"
    )
    def get(self, request):
        return self.list(request)


class EcoLeftMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    anchor_unit = s.EcoUnitBriefSerializer()
    organisation = serializers.CharField(source="organisation.name")
    joined_at = serializers.DateTimeField()
    left_at = serializers.DateTimeField()
    left_reason = serializers.CharField()


class MemberLeaveView(EcosystemAPIView):
    serializer_class = EcoLeftMemberSerializer

    def scoped_queryset(self, membership):
        return reads.members_for(membership)

    @extend_schema(
        summary="移出联合体（牵引单位或市级）：该服务商的产品同时移出本单位产品池",
        request=s.EcoLeaveInput,
        responses=EcoLeftMemberSerializer,
    )
    def post(self, request, pk):
        data = validated(s.EcoLeaveInput, request.data)
        member = alliances.member_leave(membership=request.membership, member_pk=pk, reason=data.get("reason", ""))
        return Response(EcoLeftMemberSerializer(member).data)


# --- Information changes -----------------------------------------------------------------------------------------------
def _changes(membership):
    return changes.changes_of(common.provider_of(membership)).order_by("-created_at", "-id")


class ChangeListView(mixins.ListModelMixin, EcosystemAPIView):
    serializer_class = s.EcoChangeSerializer

    def scoped_queryset(self, membership):
        return _changes(membership)

    @extend_schema(summary="信息变更列表（本单位）")
    def get(self, request):
        return self.list(request)

    @extend_schema(
        summary="新增信息变更（保存草稿；已有未办结的变更 409 change.open_exists）",
        request=s.EcoChangeInput,
        responses={201: s.EcoChangeSerializer},
    )
    def post(self, request):
        data = validated(s.EcoChangeInput, request.data)
        data.pop("version", None)
        change = changes.change_save(membership=request.membership, data=data)
        return Response(s.EcoChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class ChangeDetailView(EcosystemAPIView):
    serializer_class = s.EcoChangeSerializer
    parser_classes = [JSONParser]

    def scoped_queryset(self, membership):
        return _changes(membership)

    @extend_schema(summary="信息变更详情（变更前 → 变更后）")
    def get(self, request, pk):
        return Response(s.EcoChangeSerializer(changes.access_change(request.membership, pk)).data)

    @extend_schema(
        summary="保存信息变更（给出的字段替换，未给出的保持不变）",
        request=s.EcoChangeInput,
        responses=s.EcoChangeSerializer,
    )
    def patch(self, request, pk):
        change = changes.access_change(request.membership, pk)
        data = validated(s.EcoChangeInput, request.data)
        version = data.pop("version", None)
        merged = {**change.data, "reason": change.reason, **data}
        change = changes.change_save(
            membership=request.membership, data=merged, change=change, expected_version=version
        )
        return Response(s.EcoChangeSerializer(change).data)

    @extend_schema(summary="删除未提交或已退回的信息变更", request=None, responses={204: None})
    def delete(self, request, pk):
        change = changes.access_change(request.membership, pk)
        changes.change_delete(membership=request.membership, change=change)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChangeSubmitView(EcosystemAPIView):
    serializer_class = s.EcoChangeSerializer

    def scoped_queryset(self, membership):
        return _changes(membership)

    @extend_schema(
        summary="提交信息变更（须填写变更原因且至少改动一项）",
        request=s.EcoVersionInput,
        responses=s.EcoChangeSerializer,
    )
    def post(self, request, pk):
        change = changes.access_change(request.membership, pk)
        data = validated(s.EcoVersionInput, request.data)
        change = changes.change_save(
            membership=request.membership,
            data={**change.data, "reason": change.reason},
            change=change,
            submit=True,
            expected_version=data.get("version"),
        )
        return Response(s.EcoChangeSerializer(change).data)
