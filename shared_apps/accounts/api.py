"""Token sign-in for API clients: same identity, same lockout rules as the sign-in page."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from shared_apps.accounts.security import SecurityError
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
        try:
            user = login_with_password(ip=client_ip(request), **payload.validated_data)
        except SecurityError as error:
            code = status.HTTP_429_TOO_MANY_REQUESTS if error.code == "locked" else status.HTTP_400_BAD_REQUEST
            return Response({"non_field_errors": [str(error)], "code": error.code}, status=code)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
