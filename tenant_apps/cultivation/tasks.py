"""Celery beat jobs of cultivation (seed 003), run daily in every serving tenant that has the module
(config/settings.py "cultivation-daily"; tenant-schemas-celery runs each in the tenant's schema):

- lapse: recognitions past their last day expire (`recognitions.recognitions_lapse`);
- 认定到期: an active recognition is told `expiry_notice_days` before `valid_to` (the preset's, e.g. 90 and 30). A
  day the job missed is caught up: within N days and not yet told for N (key `expiring:<pk>:<N>`), only the nearest
  N, so a recognition first seen 20 days ahead gets the 30-day notice and not both;
- 申报提醒: a tier's window that is open and not yet announced is announced to every enterprise registered inside
  its division (key `window:<pk>`); an enterprise registered later hears of it on the next run;
- 信息更新: the `info_update` window (1 January) is announced to the recognised enterprises inside its division
  (key `update:<pk>`).

Every message has a key and the unique index (organisation, key) keeps it single: the candidates without one are
found in one query per window and inserted in one statement (`ON CONFLICT DO NOTHING` for a concurrent run)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.cultivation.common import INFO_UPDATE, MODULE


def _link(name: str) -> str:
    # Tasks run without a request: the tenant host's URLconf, whatever the caller's was.
    try:
        return reverse(name, urlconf=settings.ROOT_URLCONF)
    except NoReverseMatch:
        return ""


def _module_on() -> bool:
    """The tenant whose schema this runs in has the module (beat sends the job into every serving tenant)."""
    from tenants.models import Tenant

    tenant = getattr(connection, "tenant", None)
    if not hasattr(tenant, "has_module"):  # a schema_context's stand-in: the real row
        tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()
    return tenant is not None and tenant.has_module(MODULE)


def _insert(messages: list) -> int:
    from tenant_apps.cultivation.models import Message

    Message.objects.bulk_create(messages, ignore_conflicts=True, batch_size=500)
    return len(messages)


def _inside(window) -> Q:
    """EnterpriseInfo registered inside the window's division (all, for a window without one)."""
    if window.region_id is None:
        return Q()
    path = window.region.path
    return Q(region__path=path) | Q(region__path__startswith=path + "/")


def _unsent(key: str):
    from tenant_apps.cultivation.models import Message

    return ~Exists(Message.objects.filter(organisation_id=OuterRef("organisation_id"), key=key))


def expiry_notices_send(today: datetime.date | None = None) -> int:
    """认定到期 notices; returns how many were written."""
    from tenant_apps.cultivation import preset_values
    from tenant_apps.cultivation.models import Message, Recognition

    today = today or timezone.localdate()
    days = preset_values.expiry_notice_days()
    if not days:
        return 0
    due = Recognition.objects.filter(
        status=Recognition.Status.ACTIVE, valid_to__gte=today, valid_to__lte=today + datetime.timedelta(days=days[0])
    ).select_related("tier")
    wanted = {}
    for recognition in due:
        left = (recognition.valid_to - today).days
        nearest = min(d for d in days if left <= d)
        wanted[f"expiring:{recognition.pk}:{nearest}"] = (recognition, left)
    sent = set(Message.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
    link = _link("cultivation-rereviews")
    rows = []
    for key, (recognition, left) in wanted.items():
        if key in sent:
            continue
        names = {
            "tier": recognition.tier.name,
            "end": recognition.valid_to.isoformat(),
            "no": recognition.certificate_no,
            "days": left,
        }
        rows.append(
            Message(
                organisation_id=recognition.organisation_id,
                category=Message.Category.EXPIRING,
                title=_("您的%(tier)s认定将于 %(end)s 到期") % names,
                body=_(
                    "证书编号 %(no)s，有效期至 %(end)s，还有 %(days)d 天。请在到期前通过“认证到期管理”提交复核申请。"
                )
                % names,
                url=link,
                key=key,
            )
        )
    return _insert(rows)


def window_notices_send(today: datetime.date | None = None) -> int:
    """申报提醒 for the tiers' open windows; returns how many were written."""
    from tenant_apps.configuration.models import DeclarationWindow
    from tenant_apps.cultivation.models import EnterpriseInfo, Message, Tier

    today = today or timezone.localdate()
    tiers = {tier.code: tier.name for tier in Tier.objects.filter(is_active=True)}
    windows = DeclarationWindow.objects.filter(
        module=MODULE, kind__in=list(tiers), opens_on__lte=today, closes_on__gte=today
    ).select_related("region")
    link = _link("cultivation-declarations")
    written = 0
    for window in windows.order_by("pk"):
        key = f"window:{window.pk}"
        recipients = (
            EnterpriseInfo.objects.filter(_inside(window))
            .filter(_unsent(key))
            .values_list("organisation_id", flat=True)
        )
        names = {
            "window": window.name,
            "tier": tiers[window.kind],
            "region": window.region.name if window.region else _("全部地区"),
            "opens": window.opens_on.isoformat(),
            "closes": window.closes_on.isoformat(),
        }
        title = _("%(region)s%(tier)s申报已开放") % names
        body = _("%(window)s：申报时间为 %(opens)s 至 %(closes)s，请在“企业申报信息”中提交申报。") % names
        written += _insert(
            [
                Message(
                    organisation_id=pk,
                    category=Message.Category.DECLARATION,
                    title=title,
                    body=body,
                    url=link,
                    key=key,
                )
                for pk in recipients
            ]
        )
    return written


def update_notices_send(today: datetime.date | None = None) -> int:
    """信息更新 notices for the open `info_update` windows, to recognised enterprises; returns how many."""
    from tenant_apps.configuration.models import DeclarationWindow
    from tenant_apps.cultivation.models import EnterpriseInfo, Message, Recognition

    today = today or timezone.localdate()
    windows = DeclarationWindow.objects.filter(
        module=MODULE, kind=INFO_UPDATE, opens_on__lte=today, closes_on__gte=today
    ).select_related("region")
    recognised = Exists(
        Recognition.objects.filter(organisation_id=OuterRef("organisation_id"), status=Recognition.Status.ACTIVE)
    )
    link = _link("cultivation-info")
    written = 0
    for window in windows.order_by("pk"):
        key = f"update:{window.pk}"
        recipients = (
            EnterpriseInfo.objects.filter(_inside(window))
            .filter(recognised)
            .filter(_unsent(key))
            .values_list("organisation_id", flat=True)
        )
        names = {
            "year": window.opens_on.year,
            "opens": window.opens_on.isoformat(),
            "closes": window.closes_on.isoformat(),
        }
        title = _("%(year)s 年度企业信息更新已开放") % names
        body = _("信息更新时间为 %(opens)s 至 %(closes)s，请在“企业信息”中提交年度信息更新。") % names
        written += _insert(
            [
                Message(
                    organisation_id=pk,
                    category=Message.Category.INFO_UPDATE,
                    title=title,
                    body=body,
                    url=link,
                    key=key,
                )
                for pk in recipients
            ]
        )
    return written


def daily_jobs_run(today: datetime.date | None = None) -> dict:
    """Lapse first (a lapsed recognition is no longer told it expires), then the three kinds of notices."""
    from tenant_apps.cultivation.recognitions import recognitions_lapse

    if not _module_on():
        return {}
    today = today or timezone.localdate()
    return {
        "lapsed": recognitions_lapse(today),
        "expiring": expiry_notices_send(today),
        "windows": window_notices_send(today),
        "updates": update_notices_send(today),
    }


@shared_task(name="cultivation.daily")
def cultivation_daily() -> dict:
    """Beat, daily, in every serving tenant (config/settings.py "cultivation-daily"); nothing where it is off."""
    return daily_jobs_run()


@shared_task(name="cultivation.expiry_notices")
def cultivation_expiry_notices() -> int:
    return expiry_notices_send() if _module_on() else 0
