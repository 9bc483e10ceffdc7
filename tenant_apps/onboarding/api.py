"""Registration over the API: create an account (with captcha), and the profile draft of the signed-in person."""

from captcha.serializers import CaptchaSerializer
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from shared_apps.accounts.views import client_ip
from tenant_apps.onboarding import services
from tenant_apps.onboarding.selectors import registration_draft_of
from tenant_apps.organisations.api_access import IsTenantMember
from tenants.validators import mobile_validator


class RegistrationCodeView(APIView):
    """Step one of registering over the API: the image captcha buys one SMS code for the mobile."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    class InputSerializer(CaptchaSerializer):
        mobile = serializers.CharField(max_length=11, validators=[mobile_validator])

    @extend_schema(
        request=InputSerializer,
        responses={202: None},
        summary="获取注册短信验证码（先 POST /api/v1/auth/captcha/ 取图形验证码）",
    )
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.registration_code_send(mobile=payload.validated_data["mobile"], ip=client_ip(request))
        return Response({"detail": _("验证码已发送，5 分钟内有效。")}, status=status.HTTP_202_ACCEPTED)


class RegistrationAccountView(APIView):
    """Step two: the account, proved by the SMS code from step one (no captcha: the code is the stronger proof)."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    class InputSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=["enterprise", "provider"])
        username = serializers.RegexField(r"^[A-Za-z0-9_]{6,30}$", required=False)
        mobile = serializers.CharField(max_length=11, validators=[mobile_validator])
        mobile_code = serializers.CharField(min_length=6, max_length=6, help_text="注册短信验证码（6 位）")
        password = serializers.CharField(write_only=True)
        agree = serializers.BooleanField(help_text="同意《服务协议》和《隐私政策》；须为 true。")
        # The company, as the registration page asks for it where the tenant collects it at sign-up (required
        # there, validated by the service exactly as on the page).
        company_name = serializers.CharField(required=False, allow_blank=True)
        company_uscc = serializers.CharField(required=False, allow_blank=True)
        company_region = serializers.CharField(required=False, allow_blank=True)
        company_address = serializers.CharField(required=False, allow_blank=True)
        company_contact_name = serializers.CharField(required=False, allow_blank=True)
        company_industry_section = serializers.CharField(required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        roles = serializers.ListField(child=serializers.CharField())

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer}, summary="注册新账号并加入本城市平台")
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user, membership = services.registration_account_create(
            role=data["role"],
            username=data.get("username"),
            mobile=data["mobile"],
            mobile_code=data["mobile_code"],
            password=data["password"],
            agreed=data["agree"],
            company={k.removeprefix("company_"): v for k, v in data.items() if k.startswith("company_")} or None,
            ip=client_ip(request),
        )
        output = self.OutputSerializer({"username": user.username, "roles": membership.roles})
        return Response(output.data, status=status.HTTP_201_CREATED)


def _without_nul(value) -> None:
    """PostgreSQL text and jsonb cannot hold NUL (\\u0000): refuse it anywhere in a draft, as DRF's CharField does."""
    if isinstance(value, dict):
        for key, item in value.items():
            _without_nul(key)
            _without_nul(item)
    elif isinstance(value, list):
        for item in value:
            _without_nul(item)
    elif isinstance(value, str):
        ProhibitNullCharactersValidator()(value)


class RegistrationDraftView(APIView):
    permission_classes = [IsAuthenticated, IsTenantMember]

    class DraftSerializer(serializers.Serializer):
        data = serializers.DictField(validators=[_without_nul])
        updated_at = serializers.DateTimeField(read_only=True, allow_null=True)  # null: nothing saved yet

    @extend_schema(responses=DraftSerializer, summary="读取注册草稿")
    def get(self, request):
        draft = registration_draft_of(request.user)
        return Response(self.DraftSerializer(draft or {"data": {}, "updated_at": None}).data)

    @extend_schema(request=DraftSerializer, responses=DraftSerializer, summary="自动保存注册草稿")
    def put(self, request):
        payload = self.DraftSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        draft = services.registration_draft_save(user=request.user, data=payload.validated_data["data"])
        return Response(self.DraftSerializer(draft).data)
