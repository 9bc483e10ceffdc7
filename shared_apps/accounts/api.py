"""Token sign-in for API clients: same identity, same lockout rules as the sign-in page."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from shared_apps.accounts.services import login_with_password
from shared_apps.accounts.views import client_ip


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    class InputSerializer(serializers.Serializer):
        identifier = serializers.CharField(help_text="用户名或手机号")
        password = serializers.CharField(write_only=True)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer, summary="用户名/手机号 + 密码换取 API 令牌")
    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        # A refusal (wrong credentials 400, lockout 429) is a DomainError rendered by the API's error handler.
        user = login_with_password(ip=client_ip(request), **payload.validated_data)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
