"""Celery tasks of the pilots module (run inside the tenant whose schema they were sent from, or, from beat, in
every serving tenant): the applicant's notice of an on-site booking, and the daily deadline reminders of on-site
conclusions (不通过 / 完善材料后通过). Each message is written at most once (`source_key`), so a redelivered or
repeated run sends nothing new."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _


def _onsite_link(acceptance_id: int) -> str:
    # Tasks run without a request: the tenant host's URLconf, whatever the caller's was.
    try:
        return reverse("onsite-detail", args=[acceptance_id], urlconf=settings.ROOT_URLCONF)
    except NoReverseMatch:
        return ""


@shared_task(
    name="pilots.notify_onsite_booking",
    acks_late=True,  # idempotent (source_key per booking version): safe to run again after a lost worker
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=True,
)
def notify_onsite_booking(visit_id: int, source_key: str) -> bool:
    """Tell the applicant when and where the on-site acceptance takes place (我的消息 + SMS), once per booking
    version (`source_key` carries a digest of the booking, so a changed booking is told again)."""
    from tenant_apps.notifications.models import Message
    from tenant_apps.notifications.services import message_send_once
    from tenant_apps.pilots.models import OnSiteVisit

    visit = OnSiteVisit.objects.select_related("acceptance__application__applicant").filter(pk=visit_id).first()
    if visit is None or visit.conclusion:
        return False
    application = visit.acceptance.application
    when = timezone.localtime(visit.scheduled_at).strftime("%Y-%m-%d %H:%M")
    names = {"title": application.title, "when": when, "place": visit.place}
    lines = [
        _("验收时间：%(when)s") % names,
        _("验收地点：%(place)s") % names,
        _("联系人：%(name)s（%(phone)s）") % {"name": visit.contact_name, "phone": visit.contact_phone},
    ]
    if visit.preparation:
        lines.append(_("准备要求：%(text)s") % {"text": visit.preparation})
    return message_send_once(
        user=application.applicant,
        source_key=source_key[:100],
        title=_("您的申请“%(title)s”已预约现场验收") % names,
        body="\n".join(lines),
        sms=_("您的申请“%(title)s”已预约现场验收，时间 %(when)s，地点 %(place)s，详情请登录平台查看。") % names,
        category=Message.Category.REVIEW,
        link=_onsite_link(visit.acceptance_id),
    )


def _bureau_users():
    from tenant_apps.organisations.models import Membership

    return [
        m.user
        for m in Membership.objects.filter(is_active=True, roles__contains=["city_bureau"])
        .select_related("user")
        .order_by("pk")
        if m.user.is_active
    ]


def onsite_reminders_send(today: datetime.date | None = None) -> int:
    """The daily run: the applicant is reminded 3 days before a deadline and once after it passed; the city bureau's
    members once when it is overdue. `reminded_on` records the last reminder, claimed by a conditional update so two
    runs never both send. Returns how many messages were written."""
    from tenant_apps.notifications.models import Message
    from tenant_apps.notifications.services import message_send_once
    from tenant_apps.pilots import onsite
    from tenant_apps.pilots.models import OnSiteVisit

    tenant = getattr(connection, "tenant", None)
    if tenant is not None and hasattr(tenant, "has_module") and not tenant.has_module(onsite.MODULE):
        return 0
    today = today or timezone.localdate()
    window = datetime.timedelta(days=onsite.REMIND_BEFORE_DAYS)
    sent = 0
    bureau = None
    candidates = (
        onsite._open_deadlines()
        .filter(deadline__lte=today + window)
        .select_related("acceptance__application__applicant", "acceptance__organisation")
        .order_by("deadline", "pk")
    )
    for visit in candidates:
        deadline = visit.deadline
        overdue = deadline < today
        if overdue:
            due = visit.reminded_on is None or visit.reminded_on <= deadline
        else:
            due = visit.reminded_on is None or visit.reminded_on < deadline - window
        if not due:
            continue
        # `reminded_on=None` is IS NULL: the first reminder is claimed the same way.
        claimed = OnSiteVisit.objects.filter(pk=visit.pk, reminded_on=visit.reminded_on).update(reminded_on=today)
        if not claimed:
            continue
        application = visit.acceptance.application
        link = _onsite_link(visit.acceptance_id)
        what = _("整改") if visit.conclusion == OnSiteVisit.Conclusion.FAIL else _("补充完善材料")
        names = {"title": application.title, "deadline": deadline.isoformat(), "what": what}
        if overdue:
            title = _("您的申请“%(title)s”现场验收%(what)s已超过期限（%(deadline)s）") % names
            sms = _("您的申请“%(title)s”现场验收%(what)s期限 %(deadline)s 已过，请尽快完成并重新提交。") % names
            key = f"onsite-overdue:{visit.pk}:{deadline.isoformat()}"
        else:
            title = _("您的申请“%(title)s”现场验收%(what)s将于 %(deadline)s 到期") % names
            sms = _("您的申请“%(title)s”现场验收%(what)s期限为 %(deadline)s，请按时完成并重新提交。") % names
            key = f"onsite-due:{visit.pk}:{deadline.isoformat()}"
        sent += message_send_once(
            user=application.applicant,
            source_key=key,
            title=title,
            body=_("验收结论：%(conclusion)s\n结论说明：%(note)s")
            % {"conclusion": visit.get_conclusion_display(), "note": visit.conclusion_note},
            sms=sms,
            category=Message.Category.REVIEW,
            link=link,
        )
        if overdue:
            bureau = _bureau_users() if bureau is None else bureau
            company = visit.acceptance.organisation.name if visit.acceptance.organisation_id else ""
            for user in bureau:
                sent += message_send_once(
                    user=user,
                    source_key=f"onsite-overdue-bureau:{visit.pk}:{deadline.isoformat()}:{user.pk}",
                    title=_("“%(title)s”现场验收%(what)s已逾期（期限 %(deadline)s）") % names,
                    body=_("企业：%(company)s\n请跟进整改/补充情况。") % {"company": company},
                    category=Message.Category.REVIEW,
                    link=link,
                )
    return sent


@shared_task(name="pilots.remind_onsite_deadlines")
def remind_onsite_deadlines() -> int:
    """Beat, daily, in every serving tenant (config/settings.py "remind-onsite-deadlines")."""
    return onsite_reminders_send()
