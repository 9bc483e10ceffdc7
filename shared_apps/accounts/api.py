"""Token sign-in for API clients: same identity, same captcha and lockout as the sign-in page (ADR 0015)."""

from captcha.fields import CaptchaField
from captcha.helpers import captcha_image_url
from captcha.models import CaptchaStore
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from shared_apps.accounts.services import login_with_password
from shared_apps.accounts.tokens import api_token_issue, api_token_revoke, api_tokens_active
from shared_apps.accounts.views import client_ip
from tenants.errors import DomainError


class CaptchaView(APIView):
    """A fresh image captcha for the token endpoint: show `image_url`, send back `captcha_key` and what it reads."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    class OutputSerializer(serializers.Serializer):
        captcha_key = serializers.CharField()
        image_url = serializers.CharField()

    @extend_schema(request=None, responses=OutputSerializer, summary="获取图形验证码（换取 API 令牌前）")
    def post(self, request):
        key = CaptchaStore.generate_key()
        return Response({"captcha_key": key, "image_url": request.build_absolute_uri(captcha_image_url(key))})


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    class InputSerializer(serializers.Serializer):
        identifier = serializers.CharField(help_text="用户名或手机号")
        password = serializers.CharField(write_only=True)
        captcha_key = serializers.CharField(help_text="POST /api/v1/auth/captcha/ 返回的 captcha_key")
        captcha_value = serializers.CharField(help_text="图形验证码上的字符")
        label = serializers.CharField(required=False, allow_blank=True, max_length=60, help_text="令牌名称（可选）")

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expires_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer, summary="用户名/手机号 + 密码换取 API 令牌")
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            CaptchaField().clean([data["captcha_key"], data["captcha_value"]])
        except ValidationError as error:
            raise DomainError(_("图形验证码不正确。"), code="auth.captcha", field="captcha_value") from error
        # A refusal (wrong credentials 400, lockout 429) is a DomainError rendered by the API's error handler.
        user = login_with_password(identifier=data["identifier"], password=data["password"], ip=client_ip(request))
        token, key = api_token_issue(user, label=data.get("label", ""))
        return Response({"token": key, "expires_at": token.expires_at})


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    prefix = serializers.CharField()
    label = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)


class MyTokensView(APIView):
    """The signed-in person's live tokens (never the keys)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TokenSerializer(many=True), summary="我的 API 令牌")
    def get(self, request):
        return Response(TokenSerializer(api_tokens_active(request.user), many=True).data)


class MyTokenView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="撤销我的一个 API 令牌")
    def delete(self, request, pk: int):
        api_token_revoke(request.user, pk)
        return Response(status=204)
