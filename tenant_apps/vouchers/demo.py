"""Voucher demo data for a tenant that runs the module (the national preset): a running activity with a grab
voucher and an apply voucher, an upcoming grab with its countdown, and the demo enterprise holding a partially used
voucher (deducted on a paid order, so the provider sees it used and operations can settle it) and a request waiting
in operations' inbox. Made through the services, dated from today, once per tenant."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tenant_apps.organisations.models import Membership
from tenant_apps.vouchers.models import Activity

BUYER, OPS, PROVIDER = "nat_enterprise", "nat_ops", "nat_provider"


def _member(username: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user__username=username)


@transaction.atomic
def vouchers_demo_seed() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenant_apps.marketplace import orders, payments
    from tenant_apps.marketplace.demo import PDF
    from tenant_apps.marketplace.models import Listing
    from tenant_apps.vouchers import activities, issuing, requests
    from tenant_apps.workflow.models import Task
    from tenant_apps.workflow.services import task_decide

    User = get_user_model()
    if Activity.objects.exists() or not all(
        User.objects.filter(username=name).exists() for name in (BUYER, OPS, PROVIDER)
    ):
        return
    ops, buyer = _member(OPS), _member(BUYER)
    now = timezone.localtime()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    running = activities.activity_save(
        actor=ops.user,
        data={
            "name": "中小企业数字化转型创新服务券（第一期）",
            "description": "面向已认证中小企业发放创新服务券，用于在本平台选购数字化解决方案，"
            "按订单金额的 30% 抵扣，单笔不超过券面余额。",
            "starts_at": today - datetime.timedelta(days=7),
            "ends_at": today + datetime.timedelta(days=60, hours=23, minutes=59),
        },
    )
    grab_type = activities.type_save(
        activity=running,
        data={
            "name": "创新服务券（1 万元）",
            "face_value": "10000.00",
            "method": "grab",
            "valid_days": 180,
            "stock_total": 300,
            "per_enterprise_limit": 1,
            "grab_starts_at": today - datetime.timedelta(days=7) + datetime.timedelta(hours=10),
        },
    )
    apply_type = activities.type_save(
        activity=running,
        data={
            "name": "数字化诊断服务券（5000 元）",
            "face_value": "5000.00",
            "method": "apply",
            "valid_days": 90,
            "stock_total": 50,
            "per_enterprise_limit": 1,
        },
    )
    activities.activity_publish(activity=running, published=True)
    upcoming = activities.activity_save(
        actor=ops.user,
        data={
            "name": "工业软件上云专项服务券（第二期）",
            "description": "第二期服务券定时开抢，数量有限，先到先得。",
            "starts_at": today,
            "ends_at": today + datetime.timedelta(days=45),
        },
    )
    activities.type_save(
        activity=upcoming,
        data={
            "name": "上云服务券（2 万元）",
            "face_value": "20000.00",
            "method": "grab",
            "valid_from": (today + datetime.timedelta(days=3)).date().isoformat(),
            "valid_to": (today + datetime.timedelta(days=183)).date().isoformat(),
            "stock_total": 100,
            "per_enterprise_limit": 1,
            "grab_starts_at": today + datetime.timedelta(days=3, hours=10),
        },
    )
    activities.activity_publish(activity=upcoming, published=True)

    voucher, _created = issuing.grab(membership=buyer, type_id=grab_type.pk, claim_key="demo-first-grab")
    listed = (
        Listing.objects.filter(organisation=_member(PROVIDER).organisation, state=Listing.State.LISTED)
        .order_by("id")
        .select_related("live_version")
    )
    mes = next((listing for listing in listed if "MES" in listing.live_version.name), None)
    if mes is not None:
        spec = mes.live_version.specs.order_by("position", "id").first()
        # 26,800.00 × 30 % = 8,040.00 deducted; 1,960.00 stays on the voucher. Paid and approved, so operations
        # have a deduction to settle with the provider this month.
        order = orders.buy_now(
            membership=buyer, spec_id=spec.pk, quantity=1, voucher=voucher.pk, note="使用创新服务券抵扣"
        )
        proof = payments.proof_upload(
            membership=buyer,
            order_id=order.pk,
            files=[SimpleUploadedFile("服务券订单转账回单.pdf", PDF, content_type="application/pdf")],
        )
        task = proof.application.tasks.get(state=Task.State.OPEN)
        task_decide(task_id=task.pk, membership=ops, action="approve", opinion="到账金额与应付金额一致。")
    requests.request_submit(membership=buyer, type_id=apply_type.pk, reason="用于设备联网诊断评估")


def vouchers_demo_provision(data: dict, context) -> None:
    if context.with_demo_data and "vouchers" in (data.get("modules") or context.tenant.modules or []):
        vouchers_demo_seed()
