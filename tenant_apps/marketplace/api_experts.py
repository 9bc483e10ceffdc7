"""专家管理 over the API (/api/v1/market/experts/…): a certified provider manages its own experts (multipart for the
photo); operations read every provider's experts (`?provider=<id>`). Same selectors and services as the pages."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from tenant_apps.marketplace import experts
from tenant_apps.marketplace.models import ProviderExpert
from tenant_apps.organisations.api_access import IsTenantMember, ModuleAccess, ScopedAPIView

PARSERS = [MultiPartParser, FormParser, JSONParser]


class ExpertSerializer(serializers.ModelSerializer):
    provider = serializers.IntegerField(source="organisation_id", read_only=True)
    provider_name = serializers.CharField(source="organisation.name", read_only=True)
    gender_label = serializers.CharField(source="get_gender_display", read_only=True)
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = ProviderExpert
        fields = [
            "id",
            "provider",
            "provider_name",
            *experts.FIELDS,
            "gender_label",
            "photo_url",
            "created_at",
            "updated_at",
            "version",  # send it back with PUT/PATCH: a change made since is refused with 409 market.stale
        ]
        read_only_fields = fields

    def get_photo_url(self, expert) -> str:
        return reverse("market-expert-photo", args=[expert.pk]) if expert.photo else ""


class ExpertInputSerializer(serializers.Serializer):
    """What a provider sends (multipart/form-data when it carries the photo). The service checks everything again."""

    name = serializers.CharField(max_length=30)
    age = serializers.IntegerField(min_value=experts.AGE_RANGE[0], max_value=experts.AGE_RANGE[1])
    gender = serializers.ChoiceField(choices=ProviderExpert.Gender.choices)
    iiot_specialty = serializers.CharField(max_length=60)
    industry_fields = serializers.CharField(max_length=100)
    operations_field = serializers.CharField(max_length=60)
    years_iiot = serializers.IntegerField(min_value=0, max_value=experts.YEARS_MAX)
    years_industry = serializers.IntegerField(min_value=0, max_value=experts.YEARS_MAX)
    experience = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=30, required=False, allow_blank=True)
    education = serializers.CharField(max_length=20, required=False, allow_blank=True)
    introduction = serializers.CharField(max_length=2000)
    photo = serializers.FileField(required=False, help_text="jpeg/jpg/png，不超过 2048 KB（按内容检查）")


def _split(validated: dict) -> tuple[dict, object]:
    data = dict(validated)
    photo = data.pop("photo", None)
    return data, photo


class _ExpertScope:
    permission_classes = [IsAuthenticated, IsTenantMember, ModuleAccess]
    module = experts.MODULE
    serializer_class = ExpertSerializer
    parser_classes = PARSERS

    def scoped_queryset(self, membership):
        return experts.experts_visible(membership)


class ExpertListView(_ExpertScope, mixins.ListModelMixin, ScopedAPIView):
    def scoped_queryset(self, membership):
        rows = experts.experts_visible(membership)
        provider = self.request.query_params.get("provider", "")
        if experts.is_operator(membership) and provider.isdigit():
            rows = rows.filter(organisation_id=int(provider))
        return rows

    @extend_schema(
        summary="专家列表（服务商：本单位；运营：全部，只读）",
        parameters=[OpenApiParameter("provider", OpenApiTypes.INT, description="运营：只看该服务商的专家")],
    )
    def get(self, request):
        return self.list(request)

    @extend_schema(
        request={"multipart/form-data": ExpertInputSerializer, "application/json": ExpertInputSerializer},
        responses={201: ExpertSerializer},
        summary="新增专家（已认证服务商；照片必填）",
    )
    def post(self, request):
        payload = ExpertInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data, photo = _split(payload.validated_data)
        expert = experts.expert_create(membership=request.membership, data=data, photo=photo)
        return Response(ExpertSerializer(expert).data, status=status.HTTP_201_CREATED)


class ExpertDetailView(_ExpertScope, ScopedAPIView):
    def _own(self, request, pk):
        """A write starts from the caller's own experts (404 for anyone else's, operations' included)."""
        return experts.access_expert(request.membership, pk, write=True)

    @extend_schema(summary="专家详情")
    def get(self, request, pk):
        return Response(ExpertSerializer(self.get_object()).data)

    def _update(self, request, pk, *, partial: bool):
        expert = self._own(request, pk)
        payload = ExpertInputSerializer(data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        data, photo = _split(payload.validated_data)
        expert = experts.expert_update(
            membership=request.membership,
            expert=expert,
            data=data,
            photo=photo,
            partial=partial,
            expected_version=request.data.get("version"),
        )
        return Response(ExpertSerializer(expert).data)

    @extend_schema(
        request={"multipart/form-data": ExpertInputSerializer, "application/json": ExpertInputSerializer},
        responses={200: ExpertSerializer},
        summary="修改专家（全部字段；不传照片则保留原照片）",
    )
    def put(self, request, pk):
        return self._update(request, pk, partial=False)

    @extend_schema(
        request={"multipart/form-data": ExpertInputSerializer, "application/json": ExpertInputSerializer},
        responses={200: ExpertSerializer},
        summary="修改专家（部分字段）",
    )
    def patch(self, request, pk):
        return self._update(request, pk, partial=True)

    @extend_schema(responses={204: None}, summary="删除专家（在售或审核中的商品展示该专家时不能删除，409）")
    def delete(self, request, pk):
        experts.expert_delete(membership=request.membership, expert=self._own(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
