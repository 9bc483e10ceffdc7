"""The provider's listings over the API: list/create/retrieve/update the editable version, submit, withdraw,
delist and relist. Writes go through `listings`; a refusal is the project's structured 400/403/404/409."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from tenant_apps.marketplace import listings
from tenant_apps.marketplace.access import certified_provider
from tenant_apps.marketplace.listing_selectors import access_listing, listing_flags, my_listings, newest_version
from tenant_apps.marketplace.models import Listing, ListingCase, ListingSpec, ListingVersion
from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenants.errors import DomainError


class CaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListingCase
        fields = [
            "position",
            "customer",
            "customer_output",
            "contract_amount",
            "delivery_months",
            "contact_name",
            "contact_title",
            "contact_phone",
            "document_name",
        ]


class SpecSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListingSpec
        fields = ["id", "name", "purchase_mode", "pricing", "unit_price"]


class VersionSerializer(serializers.ModelSerializer):
    review_state = serializers.CharField(source="application.state", default=None)
    version = serializers.IntegerField(source="application.version", default=None, help_text="表单版本，修改时回传")
    cases = CaseSerializer(many=True)
    specs = SpecSerializer(many=True)
    tags = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    categories = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    industries = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    experts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = ListingVersion
        fields = [
            "id",
            "number",
            "review_state",
            "version",
            "name",
            "related_product",
            "catalogue",
            "tags",
            "categories",
            "industries",
            "thumbnail",
            "summary",
            "price_min",
            "price_max",
            "delivery_cycle_days",
            "delivery_person_days",
            "contact_name",
            "contact_phone",
            "contact_email",
            "intro",
            "experts",
            "cases",
            "specs",
            "updated_at",
        ]

    def get_thumbnail(self, version) -> bool:
        return bool(version.thumbnail)


class ListingSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="newest_name", default=None)
    newest_number = serializers.IntegerField(default=None)
    newest_review = serializers.CharField(default=None, help_text="最新版本的审核状态")
    live_version = serializers.IntegerField(source="live_version.number", default=None)
    state_display = serializers.CharField(source="get_state_display")
    new_version_in_review = serializers.SerializerMethodField()

    class Meta:
        model = Listing
        fields = [
            "id",
            "name",
            "state",
            "state_display",
            "newest_number",
            "newest_review",
            "live_version",
            "listed_at",
            "delisted_at",
            "delist_reason",
            "new_version_in_review",
            "created_at",
        ]

    def get_new_version_in_review(self, listing) -> bool:
        return listing_flags(listing)["new_version_in_review"]


class ListingDetailSerializer(ListingSerializer):
    editable = serializers.SerializerMethodField()

    class Meta(ListingSerializer.Meta):
        fields = [*ListingSerializer.Meta.fields, "editable"]

    def get_editable(self, listing) -> dict | None:
        version = newest_version(listing)
        return VersionSerializer(version).data if version else None


class CaseInput(serializers.Serializer):
    customer = serializers.CharField(required=False, allow_blank=True, max_length=64)
    customer_output = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="万元，两位小数"
    )
    contract_amount = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="万元，两位小数"
    )
    delivery_months = serializers.IntegerField(required=False, allow_null=True)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=30)
    contact_title = serializers.CharField(required=False, allow_blank=True, max_length=30)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)


class SpecInput(serializers.Serializer):
    name = serializers.CharField(max_length=40, allow_blank=True)
    purchase_mode = serializers.CharField(help_text="year | month | quantity")
    pricing = serializers.CharField(help_text="free | simple")
    unit_price = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class ListingInput(serializers.Serializer):
    """The listing form; cases and specs replace the version's when given. Files come as multipart: `thumbnail`,
    `case_1_document` … `case_3_document` (the intro document of that customer case; without `cases` in the same
    request it is added to the version's existing case) and `media` (one intro image or video, added to the
    version's media), checked by content like the workbench form."""

    version = serializers.IntegerField(required=False, min_value=0, help_text="读取时的 version；过期返回 409")
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    related_product = serializers.CharField(required=False, allow_blank=True, max_length=200)
    catalogue = serializers.IntegerField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.IntegerField(), required=False)
    categories = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="最多 5 个")
    industries = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="最多 3 个")
    summary = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    price_min = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    price_max = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    delivery_cycle_days = serializers.IntegerField(required=False, allow_null=True)
    delivery_person_days = serializers.IntegerField(required=False, allow_null=True)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=100)
    contact_email = serializers.CharField(required=False, allow_blank=True, max_length=300)
    experts = serializers.ListField(child=serializers.IntegerField(), required=False)
    intro = serializers.JSONField(required=False, help_text="有序模块：banner/highlights/description/gallery/support")
    cases = CaseInput(many=True, required=False, allow_null=True)
    specs = SpecInput(many=True, required=False, allow_null=True)
    thumbnail = serializers.FileField(required=False, allow_null=True, help_text="≤ 2 MB：jpeg、png、jpg、bmp")
    case_1_document = serializers.FileField(
        required=False, allow_null=True, help_text="客户案例 1 的介绍文档（≤ 100 MB：pdf、图片、Office、zip、mp4）"
    )
    case_2_document = serializers.FileField(required=False, allow_null=True, help_text="客户案例 2 的介绍文档")
    case_3_document = serializers.FileField(required=False, allow_null=True, help_text="客户案例 3 的介绍文档")
    media = serializers.FileField(
        required=False, allow_null=True, help_text="介绍页素材（≤ 100 MB：jpg、png、bmp 图片或 mp4 视频）"
    )


FILE_INPUTS = {"thumbnail", "media", *(f"case_{n}_document" for n in range(1, listings.CASES + 1))}
CASE_ROW = ("customer", "customer_output", "contract_amount", "delivery_months")
CASE_CONTACT = ("contact_name", "contact_title", "contact_phone")


def _service_args(validated: dict, version: ListingVersion | None = None) -> dict:
    """The service's arguments. A case document without `cases` joins the case the editable `version` has at that
    position (the other cases stay as they are)."""
    data = {key: value for key, value in validated.items() if key not in {"version", "cases", "specs", *FILE_INPUTS}}
    cases = validated.get("cases")
    rows = [dict(row) for row in cases] if cases is not None else None
    documents = {
        n: validated[f"case_{n}_document"]
        for n in range(1, listings.CASES + 1)
        if validated.get(f"case_{n}_document") is not None
    }
    if documents and rows is None:
        existing = {case.position: case for case in version.cases.all()} if version is not None else {}
        rows = []
        for n in range(1, listings.CASES + 1):
            case = existing.get(n)
            rows.append({name: getattr(case, name) for name in (*CASE_ROW, *CASE_CONTACT)} if case is not None else {})
    if rows is not None:
        rows = rows + [{} for _n in range(len(rows), max(documents, default=0))]
        for n, document in documents.items():
            rows[n - 1]["document"] = document
    return {
        "data": data,
        "cases": rows,
        "specs": [dict(row) for row in validated["specs"]] if validated.get("specs") is not None else None,
        "thumbnail": validated.get("thumbnail"),
        "media_uploads": [validated["media"]] if validated.get("media") is not None else [],
    }


def _current_data(version: ListingVersion) -> dict:
    """The editable version's form fields as the service takes them (what a PATCH leaves out stays)."""
    return {
        **{
            name: getattr(version, name)
            for name in (
                "name",
                "related_product",
                "summary",
                "price_min",
                "price_max",
                "delivery_cycle_days",
                "delivery_person_days",
                "contact_name",
                "contact_phone",
                "contact_email",
            )
        },
        "catalogue": version.catalogue_id,
        "tags": [item.pk for item in version.tags.all()],
        "categories": [item.pk for item in version.categories.all()],
        "industries": [item.pk for item in version.industries.all()],
        "experts": [item.pk for item in version.experts.all()],
        "intro": version.intro or [],
    }


def _upload_field(error: DomainError) -> DomainError:
    """A case document's refusal names the multipart input it came in (`cases.2.document` → `case_2_document`)."""
    parts = (error.field or "").split(".")
    if len(parts) == 3 and parts[0] == "cases" and parts[2] == "document":
        error.field = f"case_{parts[1]}_document"
    return error


def _detail(membership, pk):
    return ListingDetailSerializer(access_listing(membership, pk)).data


class ListingListView(mixins.ListModelMixin, ScopedAPIView):
    """我的商品."""

    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = "marketplace"
    serializer_class = ListingSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def scoped_queryset(self, membership):
        certified_provider(membership)
        return my_listings(membership)

    @extend_schema(summary="我的商品", responses=ListingSerializer(many=True))
    def get(self, request):
        return self.list(request)

    @extend_schema(summary="新建商品（草稿）", request=ListingInput, responses={201: ListingDetailSerializer})
    def post(self, request):
        payload = ListingInput(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            version = listings.listing_create(membership=request.membership, **_service_args(payload.validated_data))
        except DomainError as error:
            raise _upload_field(error) from None
        return Response(_detail(request.membership, version.listing_id), status=status.HTTP_201_CREATED)


class ListingDetailView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = "marketplace"
    serializer_class = ListingDetailSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def scoped_queryset(self, membership):
        return my_listings(membership)

    @extend_schema(summary="商品详情（含可编辑版本）")
    def get(self, request, pk):
        certified_provider(request.membership)
        return Response(_detail(request.membership, pk))

    @extend_schema(
        summary="保存草稿（已上架商品将生成新版本）",
        description="整体保存：未传的字段清空（cases/specs 未传则保持）。文件以 multipart 上传：thumbnail、"
        "case_1_document…case_3_document、media。",
        request={"application/json": ListingInput, "multipart/form-data": ListingInput},
        responses=ListingDetailSerializer,
    )
    def put(self, request, pk):
        return self._save(request, pk, partial=False)

    @extend_schema(
        summary="部分保存草稿（未传的字段保持不变，适合只上传文件）",
        request={"application/json": ListingInput, "multipart/form-data": ListingInput},
        responses=ListingDetailSerializer,
    )
    def patch(self, request, pk):
        return self._save(request, pk, partial=True)

    def _save(self, request, pk, *, partial: bool):
        payload = ListingInput(data=request.data)
        payload.is_valid(raise_exception=True)
        listing = access_listing(request.membership, pk)
        version = newest_version(listing)
        args = _service_args(payload.validated_data, version)
        if partial and version is not None:
            args["data"] = {**_current_data(version), **args["data"]}
        try:
            listings.listing_update(
                membership=request.membership,
                listing_id=listing.pk,
                expected_version=payload.validated_data.get("version"),
                **args,
            )
        except DomainError as error:
            raise _upload_field(error) from None
        return Response(_detail(request.membership, pk))


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=0, help_text="读取时的 version；过期返回 409")


ACTIONS = {
    "submit": lambda m, pk, v: listings.listing_submit(membership=m, listing_id=pk, expected_version=v),
    "withdraw": lambda m, pk, v: listings.listing_withdraw(membership=m, listing_id=pk, expected_version=v),
    "delist": lambda m, pk, v: listings.listing_delist(membership=m, listing_id=pk),
    "relist": lambda m, pk, v: listings.listing_relist(membership=m, listing_id=pk),
}


class ListingActionView(ScopedAPIView):
    """submit | withdraw | delist | relist."""

    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = "marketplace"
    serializer_class = ListingDetailSerializer

    def scoped_queryset(self, membership):
        return my_listings(membership)

    @extend_schema(summary="提交审核 / 撤回 / 下架 / 上架", request=VersionInput, responses=ListingDetailSerializer)
    def post(self, request, pk, action):
        from django.http import Http404

        if action not in ACTIONS:
            raise Http404
        payload = VersionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        listing = access_listing(request.membership, pk)
        ACTIONS[action](request.membership, listing.pk, payload.validated_data.get("version"))
        return Response(_detail(request.membership, pk))
