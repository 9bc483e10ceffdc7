"""The catalogue over the API: the public list and product detail (same filters and visibility as the pages),
the taxonomy to read (public) and to manage (operations)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_apps.ui.pagination import paginate
from tenant_apps.marketplace import catalogue as reads
from tenant_apps.marketplace import taxonomy
from tenant_apps.marketplace.access import MODULE
from tenant_apps.marketplace.catalogue_views import CATALOGUE_PAGE_SIZES, CatalogueFilterForm
from tenant_apps.marketplace.templatetags.market_catalogue import product_intro, thumbnail_url
from tenant_apps.organisations.api_access import IsTenantMember, ModuleAccess
from tenants.modules import ensure_module


class PublicMarketView(APIView):
    """Anyone may read where the marketplace is on; elsewhere it does not exist (404)."""

    permission_classes = [AllowAny]
    module = MODULE  # documented as 404 where it is off (config/openapi.py); enforced below, open to anyone

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        ensure_module(request, MODULE)


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="live_version.name")
    provider = serializers.CharField(source="organisation.name")
    catalogue = serializers.CharField(source="live_version.catalogue.name", default=None, allow_null=True)
    # The historical price range is optional data of a version (面议 when absent).
    price_min = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="live_version.price_min", allow_null=True
    )
    price_max = serializers.DecimalField(
        max_digits=14, decimal_places=2, source="live_version.price_max", allow_null=True
    )
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    rating_count = serializers.IntegerField()
    listed_at = serializers.DateTimeField(allow_null=True)  # set when listed; null only on hand-made data
    thumbnail = serializers.SerializerMethodField(help_text=_("缩略图地址（无缩略图时为空）"))

    def get_thumbnail(self, listing) -> str:
        return thumbnail_url(listing, listing.live_version, False)


class CataloguePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = CardSerializer(many=True)


class SpecSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    purchase_mode = serializers.CharField()
    purchase_mode_label = serializers.CharField(source="get_purchase_mode_display")
    pricing = serializers.CharField()
    pricing_label = serializers.CharField(source="get_pricing_display")
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2)


class CaseSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    customer = serializers.CharField()
    customer_output = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("万元"))
    contract_amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("万元"))
    delivery_months = serializers.IntegerField()


class ExpertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()
    iiot_specialty = serializers.CharField()
    industry_fields = serializers.CharField()
    introduction = serializers.CharField()


class ProductSerializer(CardSerializer):
    summary = serializers.CharField(source="live_version.summary")
    related_product = serializers.CharField(source="live_version.related_product")
    delivery_cycle_days = serializers.IntegerField(source="live_version.delivery_cycle_days", allow_null=True)
    delivery_person_days = serializers.IntegerField(source="live_version.delivery_person_days", allow_null=True)
    tags = NamedSerializer(many=True, source="live_version.tags.all")
    categories = NamedSerializer(many=True, source="live_version.categories.all")
    industries = NamedSerializer(many=True, source="live_version.industries.all")
    specs = SpecSerializer(many=True, source="live_version.specs.all")
    cases = CaseSerializer(many=True, source="live_version.cases.all")
    experts = ExpertSerializer(many=True, source="live_version.experts.all")
    contact_name = serializers.CharField(source="live_version.contact_name")
    contact_phone = serializers.CharField(source="live_version.contact_phone")
    contact_email = serializers.CharField(source="live_version.contact_email")
    intro = serializers.SerializerMethodField(help_text=_("介绍页模块（按顺序；素材为可访问的地址）"))

    def get_intro(self, listing) -> list[dict]:
        blocks = []
        for block in product_intro(listing, listing.live_version, False):
            block = dict(block)
            block["media"] = [{"kind": m["kind"], "name": m["name"], "url": m["url"]} for m in block.pop("media_items")]
            block.pop("item_details", None)
            blocks.append(block)
        return blocks


FILTER_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="搜索词（商品名称或标签，包含匹配）"),
    OpenApiParameter("catalogue", OpenApiTypes.INT, description="商品目录 id"),
    OpenApiParameter("category", OpenApiTypes.INT, description="解决方案分类 id"),
    OpenApiParameter("industry", OpenApiTypes.INT, description="适用行业 id"),
    OpenApiParameter("price_min", OpenApiTypes.DECIMAL, description="价格区间下限（与商品价格区间有交集）"),
    OpenApiParameter("price_max", OpenApiTypes.DECIMAL, description="价格区间上限"),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=list(reads.SORTS), description="newest / rating / price"),
    OpenApiParameter("page", OpenApiTypes.INT),
    OpenApiParameter("size", OpenApiTypes.INT, enum=list(CATALOGUE_PAGE_SIZES)),
]


class CatalogueListView(PublicMarketView):
    @extend_schema(parameters=FILTER_PARAMETERS, responses=CataloguePageSerializer, summary="解决方案目录（公开）")
    def get(self, request):
        form = CatalogueFilterForm(request.query_params or None)
        if form.is_bound and not form.is_valid():
            raise serializers.ValidationError({name: list(messages) for name, messages in form.errors.items()})
        page = paginate(request, reads.catalogue_listings(form.filters()), default=12, sizes=CATALOGUE_PAGE_SIZES)
        data = {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": list(page.object_list),
        }
        return Response(CataloguePageSerializer(data).data)


class CatalogueDetailView(PublicMarketView):
    @extend_schema(responses=ProductSerializer, summary="商品详情（公开，仅已上架商品）")
    def get(self, request, pk: int):
        return Response(ProductSerializer(reads.listed_listing(pk)).data)


class TaxonomyItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=40)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True)  # tags: none
    is_active = serializers.BooleanField(required=False)


class TaxonomySerializer(serializers.Serializer):
    catalogues = TaxonomyItemSerializer(many=True)
    categories = TaxonomyItemSerializer(many=True)
    tags = TaxonomyItemSerializer(many=True)


class TaxonomyView(PublicMarketView):
    @extend_schema(responses=TaxonomySerializer, summary="商品目录、解决方案分类与标签（公开，仅启用的）")
    def get(self, request):
        data = {
            "catalogues": list(reads.active_catalogues()),
            "categories": list(reads.active_categories()),
            "tags": list(reads.active_tags()),
        }
        return Response(TaxonomySerializer(data).data)


class TaxonomyWriteView(APIView):
    """Operations manage the taxonomy (services refuse everyone else: 403 market.ops_only)."""

    permission_classes = [IsAuthenticated, IsTenantMember, ModuleAccess]
    module = MODULE

    def _fields(self, kind, data) -> dict:
        fields = {key: data[key] for key in ("name", "position", "is_active") if key in data}
        if not kind.positioned:
            fields.pop("position", None)
        return fields


class TaxonomyCreateView(TaxonomyWriteView):
    @extend_schema(
        request=TaxonomyItemSerializer,
        responses={201: TaxonomyItemSerializer},
        summary="新增目录/分类/标签（运营）",
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(taxonomy.KINDS))],
    )
    def post(self, request, kind: str):
        kind = taxonomy.kind_of(kind)
        serializer = TaxonomyItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = taxonomy.create(request.membership, kind, **self._fields(kind, serializer.validated_data))
        return Response(TaxonomyItemSerializer(_with_position(row)).data, status=201)


class TaxonomyItemView(TaxonomyWriteView):
    @extend_schema(
        request=TaxonomyItemSerializer,
        responses=TaxonomyItemSerializer,
        summary="修改、启用或停用目录/分类/标签（运营）",
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(taxonomy.KINDS))],
    )
    def patch(self, request, kind: str, pk: int):
        kind = taxonomy.kind_of(kind)
        serializer = TaxonomyItemSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = self._fields(kind, serializer.validated_data)
        if "name" in fields:
            row = taxonomy.update(request.membership, kind, pk, **fields)
        elif "is_active" in fields and set(fields) == {"is_active"}:
            row = taxonomy.set_active(request.membership, kind, pk, fields["is_active"])
        else:
            current = taxonomy.item(kind, pk)
            row = taxonomy.update(request.membership, kind, pk, name=current.name, **fields)
        return Response(TaxonomyItemSerializer(_with_position(row)).data)


def _with_position(row):
    if not hasattr(row, "position"):
        row.position = None
    return row
