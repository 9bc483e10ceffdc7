"""/api/v1/cultivation/: 我的消息 (the enterprise's own, filterable by category, paginated; mark one read) and the
public 企业认定查询.

The lookup takes the image captcha of POST /api/v1/auth/captcha/ (`captcha_key` + `captcha_value`), checked first
and answering once; then the client address's budget (`lookup.LookupBudget`, a DRF throttle of scope
`cultivation_lookup`, shared with the page), then one exact-match query. A miss is `{"found": false, "results": []}`
whatever the reason, so the API tells no more than the page."""

from __future__ import annotations

from captcha.fields import CaptchaField
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from tenant_apps.cultivation import lookup, messages
from tenant_apps.cultivation.common import MODULE, enterprise_of
from tenant_apps.cultivation.models import Message, Recognition
from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenants.client_ip import client_ip
from tenants.errors import DomainError
from tenants.modules import ensure_module
from tenants.validators import uscc_normalise


class CultivationMessageSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", help_text="类别的中文名称")
    is_read = serializers.SerializerMethodField(help_text="是否已读")

    class Meta:
        model = Message
        fields = ["id", "category", "category_label", "title", "body", "url", "created_at", "read_at", "is_read"]

    def get_is_read(self, message) -> bool:
        return message.read_at is not None


class CultivationMessageFilters(serializers.Serializer):
    category = serializers.ChoiceField(choices=Message.Category.choices, required=False, help_text="消息类别")


class CultivationMessageView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = MODULE
    serializer_class = CultivationMessageSerializer

    def scoped_queryset(self, membership):
        return messages.messages_of(enterprise_of(membership))  # not an enterprise: 403


class CultivationMessageListView(mixins.ListModelMixin, CultivationMessageView):
    def scoped_queryset(self, membership):
        filters = CultivationMessageFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return messages.messages_of(enterprise_of(membership), category=filters.validated_data.get("category"))

    @extend_schema(summary="我的消息（梯度培育）", parameters=[CultivationMessageFilters])
    def get(self, request):
        return self.list(request)


class CultivationMessageReadView(CultivationMessageView):
    @extend_schema(request=None, responses=CultivationMessageSerializer, summary="将一条培育消息标为已读")
    def post(self, request, pk: int):
        organisation = enterprise_of(request.membership)
        message = messages.message_open(organisation=organisation, pk=pk)  # another's or none: 404
        return Response(CultivationMessageSerializer(message).data)


class CultivationRecognitionSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", help_text="企业名称")
    tier = serializers.CharField(source="tier.name", help_text="认定层级")
    region = serializers.CharField(source="region.name", help_text="认定地区")
    status_label = serializers.CharField(source="get_status_display", help_text="状态的中文名称")

    class Meta:
        model = Recognition
        fields = [
            "organisation",
            "tier",
            "certificate_no",
            "valid_from",
            "valid_to",
            "region",
            "status",
            "status_label",
        ]


class CultivationLookupResultSerializer(serializers.Serializer):
    found = serializers.BooleanField()
    message = serializers.CharField(help_text="未查询到时的提示")
    results = CultivationRecognitionSerializer(many=True)


class CultivationLookupView(GenericAPIView):
    permission_classes = [AllowAny]
    authentication_classes = []  # anonymous by design: no session, no CSRF
    throttle_classes = [AnonRateThrottle]  # the platform's general anonymous rate, before anything else
    rate_limited_methods = ("POST",)  # and the lookup budget per address (lookup.LookupBudget, 429)
    module = MODULE
    serializer_class = CultivationLookupResultSerializer

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=64, help_text="企业名称（全称，精确匹配）")
        uscc = serializers.CharField(max_length=30, help_text="统一社会信用代码（精确匹配）")
        captcha_key = serializers.CharField(help_text="POST /api/v1/auth/captcha/ 返回的 captcha_key")
        captcha_value = serializers.CharField(help_text="图形验证码上的字符")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        ensure_module(request, MODULE)

    @extend_schema(request=InputSerializer, responses=CultivationLookupResultSerializer, summary="企业认定查询（公开）")
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            CaptchaField().clean([data["captcha_key"], data["captcha_value"]])
        except ValidationError as error:
            raise DomainError(_("图形验证码不正确。"), code="auth.captcha", field="captcha_value") from error
        results = lookup.recognition_lookup_public(
            name=data["name"], uscc=uscc_normalise(data["uscc"]), ip=client_ip(request)
        )
        body = {"found": bool(results), "message": "" if results else lookup.not_found_message(), "results": results}
        return Response(CultivationLookupResultSerializer(body).data)
