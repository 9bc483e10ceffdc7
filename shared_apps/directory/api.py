"""Company-name lookup for registration forms (anonymous, throttled, at most 8 results)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from shared_apps.directory.selectors import company_lookup


class CompanyLookupView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    class OutputSerializer(serializers.Serializer):
        name = serializers.CharField()
        uscc = serializers.CharField()
        region = serializers.CharField()
        registered_address = serializers.CharField()
        industry_section = serializers.CharField()

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="企业名称关键字（至少 2 个字）")],
        responses=OutputSerializer(many=True),
        summary="企业名称模糊查询",
    )
    def get(self, request):
        return Response(self.OutputSerializer(company_lookup(request.query_params.get("q", "")), many=True).data)
