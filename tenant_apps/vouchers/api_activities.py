"""Activities over the API (/api/v1/vouchers/…): the public list and detail, read from the per-tenant cached
`activities.public_state()` (no database query for an anonymous visitor once warm), grabbing (抢券, idempotent with
the client's `Idempotency-Key`) and applying (申请, reviewed by the `voucher_application` chain). Same services and
selectors as the pages; refusals are the project's structured errors."""

from __future__ import annotations

import math
from types import SimpleNamespace

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenant_apps.organisations.selectors import current_membership
from tenant_apps.vouchers import access, activities, issuing, requests, selectors
from tenant_apps.vouchers.access import MODULE
from tenant_apps.vouchers.models import VoucherType
from tenants.errors import DomainError, not_found
from tenants.modules import ensure_module


class VoucherAPIView(ScopedAPIView):
    """A member's voucher API: the module on here (else 404), used by the caller's roles (else 403)."""

    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = MODULE


class PublicVoucherView(GenericAPIView):
    """Anyone may read the activities on show where the module is on; elsewhere they do not exist (404)."""

    permission_classes = [AllowAny]
    module = MODULE  # documented as 404 where it is off (config/openapi.py); enforced below, open to anyone

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        ensure_module(request, MODULE)


# --- Serializers -------------------------------------------------------------------------------------------------------
class TypeStateSerializer(serializers.Serializer):
    """One voucher type of an activity, as the cached state holds it (stock at most a few seconds old)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    face_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    method = serializers.ChoiceField(choices=VoucherType.Method.choices, help_text="apply（申请）/ grab（抢券）")
    method_label = serializers.CharField()
    billing_mode = serializers.CharField(help_text="计费模式")
    stock_total = serializers.IntegerField()
    stock_left = serializers.IntegerField(help_text="剩余数量（缓存，最多几秒前的数）")
    per_enterprise_limit = serializers.IntegerField()
    grab_starts_at = serializers.DateTimeField(allow_null=True, help_text="开抢时间（抢券；为空则活动开始即可抢）")
    valid_from = serializers.DateField(allow_null=True, help_text="固定有效期开始（按领取后天数计时为空）")
    valid_to = serializers.DateField(allow_null=True)
    valid_days = serializers.IntegerField(allow_null=True, help_text="领取后有效天数")
    held = serializers.IntegerField(allow_null=True, help_text="本单位已持有的张数（仅已认证企业；其他调用方为空）")
    pending = serializers.BooleanField(allow_null=True, help_text="本单位有该券的申请在审核中（仅已认证企业）")


class ActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    industries = serializers.ListField(child=serializers.CharField(), help_text="限定行业（为空则不限）")
    regions = serializers.ListField(child=serializers.CharField(), help_text="限定地区（为空则不限）")
    ineligible_reason = serializers.CharField(
        allow_null=True, help_text="已认证企业不符合参加条件的原因（符合时为空字符串；其他调用方为空）"
    )
    types = TypeStateSerializer(many=True)


class VoucherSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="券号")
    name = serializers.CharField()
    type = serializers.IntegerField(source="type_id")
    activity = serializers.IntegerField(source="type.activity_id")
    activity_name = serializers.CharField(source="type.activity.name")
    face_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    source = serializers.CharField(help_text="apply（申请）/ grab（抢券）")
    source_label = serializers.CharField(source="get_source_display")
    state = serializers.SerializerMethodField(help_text="usable / not_yet_valid / used_up / expired")
    state_label = serializers.SerializerMethodField()
    issued_at = serializers.DateTimeField()

    def get_state(self, voucher) -> str:
        return selectors.voucher_state(voucher)[0]

    def get_state_label(self, voucher) -> str:
        return str(selectors.voucher_state(voucher)[1])


class VoucherRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.IntegerField(source="type_id")
    type_name = serializers.CharField(source="type.name")
    face_value = serializers.DecimalField(max_digits=14, decimal_places=2, source="type.face_value")
    activity = serializers.IntegerField(source="type.activity_id")
    activity_name = serializers.CharField(source="type.activity.name")
    reason = serializers.CharField(allow_blank=True)
    application = serializers.IntegerField(source="application_id", help_text="审核申请 id（/api/v1/applications/）")
    state = serializers.CharField(source="application.state", help_text="申请状态：in_review / approved / …")
    state_label = serializers.CharField(source="application.get_state_display")
    voucher = serializers.IntegerField(source="voucher_id", allow_null=True, help_text="通过后发放的服务券 id")
    voucher_number = serializers.CharField(source="voucher.number", default=None)
    created_at = serializers.DateTimeField()


class ApplyInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=requests.REASON_MAX)


# --- Activities (public) ---------------------------------------------------------------------------------------------
def _claimant(request):
    """The signed-in caller's membership here, or None (anonymous visitors cost no query)."""
    user = getattr(request, "user", None)
    return current_membership(user) if user is not None and user.is_authenticated else None


def _with_claims(activity_states: list[dict], membership) -> list[dict]:
    """The cached activities, with what the caller's certified enterprise holds and may take (for everyone else the
    per-caller fields are null). Copies: the cached state is never changed."""
    organisation = None
    if membership is not None:
        try:
            organisation = access.certified_enterprise(membership)
        except DomainError:
            organisation = None
    type_ids = [t["id"] for a in activity_states for t in a["types"]]
    claims = selectors.claim_status(membership, type_ids) if organisation is not None else {}
    rows = []
    for state in activity_states:
        reason = None
        if organisation is not None:
            facts = SimpleNamespace(regions=state["regions"])
            reason = access.ineligible_reason(organisation, facts, industry_ids=set(state["industry_ids"]))
        types = []
        for t in state["types"]:
            claim = claims.get(t["id"], {})
            types.append({**t, "held": claim.get("held"), "pending": claim.get("pending")})
        rows.append({**state, "ineligible_reason": reason, "types": types})
    return rows


class ActivityListView(PublicVoucherView):
    serializer_class = ActivitySerializer

    @extend_schema(
        responses=ActivitySerializer(many=True),
        summary="服务券活动（公开；已认证企业另见持有与申请状态）",
        parameters=[OpenApiParameter("page", OpenApiTypes.INT)],
    )
    def get(self, request):
        state = activities.public_state()["activities"]
        rows = _with_claims(self.paginate_queryset(state), _claimant(request))
        return self.get_paginated_response(ActivitySerializer(rows, many=True).data)


class ActivityDetailView(PublicVoucherView):
    serializer_class = ActivitySerializer

    @extend_schema(responses=ActivitySerializer, summary="服务券活动详情（公开，仅已上架且未结束的活动）")
    def get(self, request, pk: int):
        state = activities.activity_state(pk)
        if state is None:
            raise not_found(_("该活动不存在或已结束。"), code="voucher.activity_not_found")
        return Response(ActivitySerializer(_with_claims([state], _claimant(request))[0]).data)


# --- Grab and apply ----------------------------------------------------------------------------------------------------
def _retry_after(user) -> int:
    """Seconds until the caller's grab budget has room again (the throttle's own window)."""
    budget = issuing.GrabBudget(user.pk, activities.grab_per_minute())
    budget.key = budget.get_cache_key(None, None)
    budget.history = budget.cache.get(budget.key, [])
    budget.now = budget.timer()
    return max(1, math.ceil(budget.wait() or 60))


class GrabView(VoucherAPIView):
    serializer_class = VoucherSerializer
    rate_limited_methods = ("POST",)  # VoucherRules.grab_per_minute per account (issuing.GrabBudget)

    def scoped_queryset(self, membership):
        return selectors.my_vouchers(membership)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, DomainError) and exc.code == "voucher.throttled":
            response["Retry-After"] = str(_retry_after(self.request.user))
        return response

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="客户端生成的幂等键（≤ 64 字符）：同一键重试返回第一次领到的券（200），不重复发放",
            )
        ],
        responses={201: VoucherSerializer, 200: VoucherSerializer},
        summary="抢券（201 领到；同一 Idempotency-Key 重试 200 返回同一张券）",
    )
    def post(self, request, pk: int):
        voucher, created = issuing.grab(
            membership=request.membership, type_id=pk, claim_key=request.headers.get("Idempotency-Key", "")
        )
        voucher = selectors.access_voucher(request.membership, voucher.pk)
        return Response(VoucherSerializer(voucher).data, status=201 if created else 200)


class ApplyView(VoucherAPIView):
    serializer_class = VoucherRequestSerializer

    def scoped_queryset(self, membership):
        return selectors.my_requests(membership)

    @extend_schema(
        request=ApplyInput,
        responses={201: VoucherRequestSerializer},
        summary="申请服务券（进入服务券申请审核，通过后发放）",
    )
    def post(self, request, pk: int):
        payload = ApplyInput(data=request.data)
        payload.is_valid(raise_exception=True)
        created = requests.request_submit(
            membership=request.membership, type_id=pk, reason=payload.validated_data.get("reason", "")
        )
        row = selectors.my_requests(request.membership).get(pk=created.pk)
        return Response(VoucherRequestSerializer(row).data, status=201)
