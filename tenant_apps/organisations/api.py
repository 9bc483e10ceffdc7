"""Sub-account management over the API."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from tenant_apps.organisations import services
from tenant_apps.organisations.api_access import IsTenantMember, ScopedAPIView
from tenant_apps.organisations.selectors import current_membership, mask_mobile, sub_accounts
from tenants.errors import DomainError
from tenants.validators import mobile_validator


class ManagesOrganisation(BasePermission):
    message = "只有单位主账号可以管理子账号。"

    def has_permission(self, request, view):
        membership = current_membership(request.user)
        return membership is not None and membership.manages_organisation


class SubAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.RegexField(r"^[A-Za-z0-9_]{6,30}$", source="user.username")
    name = serializers.CharField(max_length=30, source="user.first_name")
    mobile = serializers.CharField(max_length=11, validators=[mobile_validator], source="user.mobile")
    email = serializers.EmailField(required=False, allow_blank=True, source="user.email")
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    menu_permissions = serializers.ListField(child=serializers.CharField(), required=False)
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["mobile"] = mask_mobile(data["mobile"])
        return data


class SubAccountCreateSerializer(SubAccountSerializer):
    password = serializers.CharField(write_only=True)


class SubAccountListView(mixins.ListModelMixin, ScopedAPIView):
    permission_classes = [IsAuthenticated, IsTenantMember, ManagesOrganisation]
    serializer_class = SubAccountSerializer
    # Creating spends the manager's hourly attempt budget, shared with the workbench form (429 sub_account.rate_limited).
    rate_limited_methods = ("POST",)

    def scoped_queryset(self, membership):
        return sub_accounts(membership)

    @extend_schema(summary="子账号列表")
    def get(self, request):
        return self.list(request)

    @extend_schema(request=SubAccountCreateSerializer, responses={201: SubAccountSerializer}, summary="新建子账号")
    def post(self, request):
        payload = SubAccountCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        sub_account = services.sub_account_create(
            manager=request.membership,
            username=data["user"]["username"],
            name=data["user"]["first_name"],
            mobile=data["user"]["mobile"],
            email=data["user"].get("email", ""),
            password=data["password"],
            menu_permissions=data.get("menu_permissions", []),
        )
        return Response(SubAccountSerializer(sub_account).data, status=status.HTTP_201_CREATED)


class SubAccountDetailView(ScopedAPIView):
    permission_classes = [IsAuthenticated, IsTenantMember, ManagesOrganisation]
    serializer_class = SubAccountSerializer

    def scoped_queryset(self, membership):
        return sub_accounts(membership)

    @extend_schema(summary="子账号详情")
    def get(self, request, pk):
        return Response(SubAccountSerializer(self.get_object()).data)

    @extend_schema(summary="修改子账号手机号、邮箱与菜单权限（用户名不可修改）")
    def patch(self, request, pk):
        sub_account = self.get_object()
        payload = SubAccountSerializer(sub_account, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        user_data = payload.validated_data.get("user", {})
        if "username" in user_data and user_data["username"] != sub_account.user.username:
            raise DomainError(_("用户名创建后不可修改。"), code="sub_account.username_fixed", field="username")
        services.sub_account_update(
            manager=request.membership,
            sub_account=sub_account,
            mobile=user_data.get("mobile", sub_account.user.mobile),
            email=user_data.get("email", sub_account.user.email),
            menu_permissions=payload.validated_data.get("menu_permissions", sub_account.menu_permissions),
        )
        return Response(SubAccountSerializer(sub_account).data)

    @extend_schema(summary="删除子账号")
    def delete(self, request, pk):
        services.sub_account_delete(manager=request.membership, sub_account=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubAccountPasswordView(ScopedAPIView):
    permission_classes = [IsAuthenticated, IsTenantMember, ManagesOrganisation]

    class InputSerializer(serializers.Serializer):
        password = serializers.CharField(write_only=True)

    def scoped_queryset(self, membership):
        return sub_accounts(membership)

    @extend_schema(request=InputSerializer, responses={204: None}, summary="重置子账号密码")
    def post(self, request, pk):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.sub_account_reset_password(
            manager=request.membership, sub_account=self.get_object(), password=payload.validated_data["password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
