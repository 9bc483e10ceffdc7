"""我的消息 of 梯度培育 (issue #16, seed 003 §三(二)) and the daily beat jobs that write most of them: the page and
the API show an enterprise its own messages by category, opening one marks it read, another's is 404; the jobs
(expiry notices at 90/30 days, window and info-update announcements, lapse) write each message once however often
they run — also through a real Celery worker."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_apps.configuration.models import DeclarationWindow
from tenant_apps.cultivation import messages, tasks
from tenant_apps.cultivation.models import Message, Recognition
from tests import cultivation_factories as f
from tests.test_celery import celery_worker  # noqa: F401 - the real worker fixture

pytestmark = pytest.mark.django_db

PAGE, API = "/workbench/cultivation/messages/", "/api/v1/cultivation/messages/"


@pytest.fixture
def nat(tenant_schema):
    with tenant_schema(f.NATIONAL):
        yield


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def recognition(member, *, ends_in: int, tier: str = "innovative", n: int = 0) -> Recognition:
    return Recognition.objects.create(
        organisation=member.organisation,
        tier=f.tier(tier),
        region=f.region(f.PROVINCE),
        certificate_no=f"MSGTEST{member.organisation_id:06d}{tier[:3]}{n}",
        valid_from=_days(ends_in - 1000),
        valid_to=_days(ends_in),
    )


def send(member, category=Message.Category.DECLARATION, title="申报提醒", key=None) -> Message:
    messages.message_send(organisation=member.organisation, category=category, title=title, body="正文", key=key)
    return Message.objects.filter(organisation=member.organisation).order_by("-id").first()


def _no_windows():
    past = timezone.localdate() - datetime.timedelta(days=400)
    DeclarationWindow.objects.filter(module="cultivation").update(opens_on=past, closes_on=past)


# --- The page ----------------------------------------------------------------------------------------------------
def test_the_list_shows_own_messages_by_category_with_unread_marked(nat, login_client):
    mine, other = f.enterprise(1), f.enterprise(2)
    expiring = send(mine, Message.Category.EXPIRING, "认定将于 90 天后到期")
    send(mine, Message.Category.REVOCATION, "认定已被撤销")
    send(other, Message.Category.EXPIRING, "别人的到期提醒")
    client = login_client(f.NATIONAL, "cul_e1")

    html = client.get(PAGE).content.decode()
    assert "认定将于 90 天后到期" in html and "认定已被撤销" in html and "别人的到期提醒" not in html
    for label in ("全部", "认定到期", "信息更新", "认定通知", "取消认定", "申报提醒"):
        assert label in html
    assert f'data-message="{expiring.pk}" data-unread="1"' in html
    assert 'data-tab="messages"' in html  # the module's tabs, 我的消息 marked

    only = client.get(PAGE, {"category": "revocation"}).content.decode()
    assert "认定已被撤销" in only and "认定将于 90 天后到期" not in only


def test_opening_a_message_marks_it_read_and_another_is_404(nat, login_client):
    mine, other = f.enterprise(1), f.enterprise(2)
    message, theirs = send(mine), send(other)
    client = login_client(f.NATIONAL, "cul_e1")
    response = client.get(f"{PAGE}{message.pk}/")
    assert response.status_code == 200 and "申报提醒" in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None
    assert f'data-message="{message.pk}" data-unread="0"' in client.get(PAGE).content.decode()
    assert client.get(f"{PAGE}{theirs.pk}/").status_code == 404
    assert client.get(f"{PAGE}999999/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_only_enterprises_have_messages(nat, login_client, tenant_client):
    f.staff(f.COUNTY)
    assert login_client(f.NATIONAL, f"cul_s{f.COUNTY}").get(PAGE).status_code == 403
    anonymous = tenant_client(f.NATIONAL).get(PAGE)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_list_is_paginated_with_a_bounded_query_count(nat, login_client, django_assert_max_num_queries):
    mine = f.enterprise(1)
    client = login_client(f.NATIONAL, "cul_e1")
    send(mine)
    with django_assert_max_num_queries(30) as few:
        client.get(PAGE)
    Message.objects.bulk_create(
        [Message(organisation=mine.organisation, category="declaration", title=f"提醒 {i}", body="") for i in range(45)]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(PAGE, {"page": 2}).content.decode()
    assert html.count("data-message=") == 20


# --- The API -----------------------------------------------------------------------------------------------------
def test_api_lists_own_messages_filters_and_marks_read(nat, login_client, tenant_client):
    mine, other = f.enterprise(1), f.enterprise(2)
    expiring = send(mine, Message.Category.EXPIRING, "到期提醒")
    send(mine, Message.Category.DECLARATION, "申报提醒")
    theirs = send(other)
    client = login_client(f.NATIONAL, "cul_e1")

    body = client.get(API).json()
    assert body["count"] == 2 and {m["title"] for m in body["results"]} == {"到期提醒", "申报提醒"}
    filtered = client.get(API, {"category": "expiring"}).json()
    assert [m["id"] for m in filtered["results"]] == [expiring.pk]
    assert client.get(API, {"category": "nonsense"}).status_code == 400

    read = client.post(f"{API}{expiring.pk}/read/")
    assert read.status_code == 200 and read.json()["is_read"] is True
    assert client.post(f"{API}{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None

    assert tenant_client(f.NATIONAL).get(API).status_code in (401, 403)
    f.staff(f.COUNTY)
    assert login_client(f.NATIONAL, f"cul_s{f.COUNTY}").get(API).status_code == 403


# --- Beat jobs ---------------------------------------------------------------------------------------------------
def test_expiry_notices_at_90_and_30_days_once_each(nat):
    member = f.enterprise(1)
    at = {days: recognition(member, ends_in=days, tier=tier) for days, tier in ((91, "innovative"),
                                                                              (90, "specialised"),
                                                                              (89, "little_giant"))}  # fmt: skip
    assert tasks.expiry_notices_send() == 2
    assert tasks.expiry_notices_send() == 0  # run twice: nothing new
    keys = set(Message.objects.filter(organisation=member.organisation).values_list("key", flat=True))
    assert keys == {f"expiring:{at[90].pk}:90", f"expiring:{at[89].pk}:90"}
    assert not Message.objects.filter(key__startswith=f"expiring:{at[91].pk}:").exists()

    # Sixty days on, the 30-day notice follows for those; the 90-day one is not repeated.
    later = timezone.localdate() + datetime.timedelta(days=60)
    assert tasks.expiry_notices_send(later) == 3
    assert tasks.expiry_notices_send(later) == 0
    assert Message.objects.filter(key=f"expiring:{at[90].pk}:30").exists()
    assert Message.objects.filter(key=f"expiring:{at[91].pk}:90").exists()  # 31 days left: the 90-day one, late


def test_a_missed_day_is_caught_up_with_the_nearest_notice_only(nat):
    member = f.enterprise(1)
    late = recognition(member, ends_in=20)
    revoked = recognition(member, ends_in=25, tier="specialised")
    Recognition.objects.filter(pk=revoked.pk).update(status=Recognition.Status.REVOKED)
    assert tasks.expiry_notices_send() == 1
    assert list(Message.objects.filter(key__startswith="expiring:").filter(organisation=member.organisation)
                .values_list("key", "category")) == [(f"expiring:{late.pk}:30", "expiring")]  # fmt: skip


def test_window_notices_go_to_enterprises_inside_the_division_once(nat):
    _no_windows()
    inside, outside = f.enterprise(1), f.enterprise(2, region_code="230103")  # 鄞州区; 南岗区 (黑龙江)
    unregistered = f.enterprise(3, info=False)  # no registered place yet: not reached
    window = f.window("innovative", region_code=f.PROVINCE, opens=0)
    f.window("specialised", region_code=f.CITY, opens=1)  # opens tomorrow: not yet
    assert tasks.window_notices_send() >= 1
    tasks.window_notices_send()
    ours = [inside.organisation_id, outside.organisation_id, unregistered.organisation_id]
    got = Message.objects.filter(key=f"window:{window.pk}", organisation_id__in=ours)
    assert list(got.values_list("organisation_id", flat=True)) == [inside.organisation_id]
    assert got.get().category == "declaration" and "浙江省" in got.get().title
    assert not Message.objects.filter(organisation=outside.organisation).exists()
    assert not Message.objects.filter(key__startswith="window:").exclude(key=f"window:{window.pk}").filter(
        organisation=inside.organisation).exists()  # fmt: skip


def test_info_update_notices_go_to_recognised_enterprises_only(nat):
    _no_windows()
    recognised, plain = f.enterprise(1), f.enterprise(2)
    recognition(recognised, ends_in=500)
    window = f.window("info_update", region_code=None, opens=-3)
    tasks.update_notices_send()
    tasks.update_notices_send()
    ours = [recognised.organisation_id, plain.organisation_id]
    got = Message.objects.filter(key=f"update:{window.pk}", organisation_id__in=ours)
    assert list(got.values_list("organisation_id", "category")) == [(recognised.organisation_id, "info_update")]
    assert not Message.objects.filter(organisation=plain.organisation).exists()


def test_the_daily_run_lapses_before_it_warns(nat):
    _no_windows()
    member = f.enterprise(1)
    past = recognition(member, ends_in=-1)
    today = recognition(member, ends_in=0, tier="specialised")
    outcome = tasks.daily_jobs_run()
    assert outcome["lapsed"] >= 1
    past.refresh_from_db(), today.refresh_from_db()
    assert past.status == "expired" and today.status == "active"  # the last day is still valid
    assert not Message.objects.filter(key__startswith=f"expiring:{past.pk}:").exists()
    assert Message.objects.filter(key=f"expiring:{today.pk}:30").exists()


def test_the_daily_run_does_nothing_where_the_module_is_off(tenant_schema):
    with tenant_schema("harbin"):
        assert tasks.daily_jobs_run() == {}


def test_beat_schedules_the_daily_run(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["cultivation-daily"]
    assert entry["task"] == "cultivation.daily" and "tenant_schemas" not in entry


@pytest.mark.usefixtures("celery_worker")
def test_the_worker_writes_an_expiry_notice_once():
    """The expiry job run by a real worker in national, twice: one 90-day notice for a recognition ending in 90
    days. The rows are committed from another connection (the worker reads committed data) and removed after."""
    import threading

    from django.db import connections

    from tenant_apps.organisations.models import Membership, Organisation

    made = {}

    def committed(work):
        def run():
            try:
                with schema_context(f.NATIONAL):
                    work()
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()

    def create():
        made["before"] = set(Message.objects.values_list("pk", flat=True))
        member = f.enterprise(9701)
        made.update(member=member.pk, organisation=member.organisation_id, user=member.user_id)
        made["recognition"] = recognition(member, ends_in=90).pk

    def remove():
        Message.objects.exclude(pk__in=made["before"]).delete()
        Recognition.objects.filter(pk=made["recognition"]).delete()
        Membership.objects.filter(pk=made["member"]).delete()
        from tenant_apps.cultivation.models import EnterpriseInfo

        EnterpriseInfo.objects.filter(organisation_id=made["organisation"]).delete()
        Organisation.objects.filter(pk=made["organisation"]).delete()
        f.User.objects.filter(pk=made["user"]).delete()

    committed(create)
    try:
        with schema_context(f.NATIONAL):
            first, second = tasks.cultivation_expiry_notices.delay(), tasks.cultivation_expiry_notices.delay()
        connection.set_schema_to_public()
        assert first.get(timeout=90) + second.get(timeout=90) >= 1
        with schema_context(f.NATIONAL):
            notices = Message.objects.filter(key=f"expiring:{made['recognition']}:90")
            assert notices.count() == 1 and notices.get().organisation_id == made["organisation"]
    finally:
        committed(remove)
