"""The tenant's public profile (GET /api/v1/tenant/), who am I here with my workbench menu (GET /api/v1/me/), and
the module entry points, over the API."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.organisations.api_access import IsTenantMember, ModuleAccess
from tenant_apps.organisations.selectors import mask_mobile
from tenant_apps.portal.selectors import tenant_profile, workbench_menu
from tenants.modules import MODULES


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class TenantProfileView(APIView):
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        schema_name = serializers.CharField()
        name = serializers.CharField()
        short_name = serializers.CharField()
        tagline = serializers.CharField()
        primary_color = serializers.CharField()
        pilot_start = serializers.DateField(allow_null=True)
        pilot_end = serializers.DateField(allow_null=True)
        pilot_industries = CodeNameSerializer(many=True)
        modules = CodeLabelSerializer(many=True)

    @extend_schema(responses=OutputSerializer, summary=_("当前租户的公开信息与启用模块"))
    def get(self, request):
        return Response(self.OutputSerializer(tenant_profile(request.tenant)).data)


class MeView(APIView):
    """The signed-in account's identity in this tenant and the codes of its workbench menu."""

    permission_classes = [IsAuthenticated, IsTenantMember]

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        mobile = serializers.CharField(help_text="masked")
        roles = serializers.ListField(child=serializers.CharField())
        is_sub_account = serializers.BooleanField()
        organisation = serializers.DictField(allow_null=True)
        menu = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer, summary="当前账号在本城市平台的身份、角色与菜单")
    def get(self, request):
        membership = request.membership
        organisation = membership.organisation
        data = {
            "username": request.user.username,
            "mobile": mask_mobile(request.user.mobile),
            "roles": membership.roles,
            "is_sub_account": membership.is_sub_account,
            "organisation": {"name": organisation.name, "certification": organisation.certification}
            if organisation
            else None,
            "menu": [item.code for item in workbench_menu(request.tenant, membership)],
        }
        return Response(self.OutputSerializer(data).data)


class ModuleView(APIView):
    """A module's workbench entry point; later issues hang each module's API below it. Gated like the menu."""

    permission_classes = [ModuleAccess]

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        label = serializers.CharField()
        description = serializers.CharField()

    def initial(self, request, *args, **kwargs):
        self.module = kwargs["code"]
        super().initial(request, *args, **kwargs)

    @extend_schema(responses=OutputSerializer, summary="业务模块入口（按角色、子账号菜单权限控制）")
    def get(self, request, code):
        return Response(self.OutputSerializer(MODULES[code]).data)
