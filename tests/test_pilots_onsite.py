"""现场验收 (issue #14, seed 002 §七 steps 6–8): the bureau books an on-site acceptance once the material review
passed and records its conclusion through the engine — 通过 (on to the stamped table), 不通过 (returned with a
deadline, resubmitted, booked anew), 完善材料后通过 (returned, resubmitted, approved without a new visit). Deadlines:
the boundary, overdue in the bureau's inbox and list, reminders once. Pages and API: who sees what, isolation
(anonymous, another enterprise, Jiangmen without the module), bounded queries, the OpenAPI schema."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shared_apps.oversight.models import AuditEntry
from tenant_apps.notifications.models import Message
from tenant_apps.pilots import onsite, tasks
from tenant_apps.pilots.models import OnSiteVisit
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Application, LogEntry
from tenants.errors import DomainError
from tests.pilots_factories import PDF, acceptance_submitted, admitted_enterprise, bureau, decide, finance, open_task

pytestmark = pytest.mark.django_db
HARBIN = "harbin"
API = "/api/v1/pilots/onsite"
JSON = "application/json"


@pytest.fixture
def world(tenant_schema, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema(HARBIN):
        yield admitted_enterprise(1)


@pytest.fixture
def worker(django_capture_on_commit_callbacks):
    """On-commit hooks fire and the Celery tasks they queue run at once, in-process (as tests/test_messages.py)."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield lambda: django_capture_on_commit_callbacks(execute=True)
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def today() -> datetime.date:
    return timezone.localdate()


def soon(days: int = 3, hour: int = 9) -> datetime.datetime:
    return timezone.localtime().replace(hour=hour, minute=30, second=0, microsecond=0) + datetime.timedelta(days=days)


def at_onsite(member):
    """An acceptance whose material review the bureau approved: its 现场验收 task is open."""
    acceptance = acceptance_submitted(member)
    decide(acceptance)
    acceptance.application.refresh_from_db()
    assert acceptance.application.current_stage["name"] == "现场验收"
    return acceptance


def book(acceptance, *, by=None, **over):
    values = {
        "scheduled_at": soon(),
        "place": "香坊区示例路1号 装配车间",
        "contact_name": "李经理",
        "contact_phone": "13904520001",
        "preparation": "项目合同、发票原件，MES 系统现场演示。",
        **over,
    }
    return onsite.visit_book(membership=by or bureau(), acceptance_id=acceptance.pk, **values)


def conclude(acceptance, conclusion, note="", deadline=None, by=None):
    return onsite.visit_conclude(
        membership=by or bureau(), acceptance_id=acceptance.pk, conclusion=conclusion, note=note, deadline=deadline
    )


def refused(call, *args, **kwargs) -> tuple[int, str, str | None]:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value.status, caught.value.code, caught.value.field


def stage_name(acceptance) -> str:
    application = Application.objects.get(pk=acceptance.application_id)
    return (application.current_stage or {}).get("name", "") if application.state == "in_review" else application.state


def last_opinion(acceptance) -> str:
    return LogEntry.objects.filter(application_id=acceptance.application_id).order_by("-id").first().opinion


def resubmit(member, acceptance):
    application = Application.objects.get(pk=acceptance.application_id)
    engine.application_submit(application=application, actor=member.user)


# --- The three conclusions, end to end through the engine ------------------------------------------------------------
def test_pass_books_rebooks_concludes_once_and_moves_to_the_stamped_table(world):
    acceptance = acceptance_submitted(world)
    # Still at 材料审核: the stage does not carry the on-site check, so nothing can be booked yet.
    assert refused(book, acceptance) == (409, "onsite.not_at_stage", None)
    decide(acceptance)
    # The stage's check holds back a plain approval until a visit concluded 通过.
    assert refused(decide, acceptance)[:2] == (400, "workflow.check_failed")
    assert refused(book, acceptance, by=world) == (403, "onsite.not_bureau", None)
    assert refused(conclude, acceptance, "pass") == (409, "onsite.not_booked", None)

    first = book(acceptance)
    moved = book(acceptance, scheduled_at=soon(5, 14), place="香坊区示例路1号 办公楼三层会议室")
    assert moved.pk == first.pk and OnSiteVisit.objects.filter(acceptance=acceptance).count() == 1
    moved.refresh_from_db()
    assert moved.place == "香坊区示例路1号 办公楼三层会议室"
    trail = AuditEntry.objects.filter(target_type="pilots.onsitevisit", target_id=str(first.pk)).get()
    assert trail.action == "update" and set(trail.changes) == {"scheduled_at", "place"}
    assert trail.changes["place"] == ["香坊区示例路1号 装配车间", "香坊区示例路1号 办公楼三层会议室"]

    visit = conclude(acceptance, "pass", note="设备联网、数据采集与看板均已现场核实。")
    assert stage_name(acceptance) == "上传盖章验收表"
    assert last_opinion(acceptance) == "设备联网、数据采集与看板均已现场核实。"
    visit.refresh_from_db()
    assert (visit.conclusion, visit.deadline, visit.concluded_by_id) == ("pass", None, bureau().user_id)
    assert refused(conclude, acceptance, "fail", note="再来一次", deadline=today()) == (
        409,
        "onsite.already_concluded",
        None,
    )
    # The stamped table goes up and its review follows: the engine carries on from here.
    engine.stage_upload(
        task_id=open_task(acceptance).pk,
        membership=world,
        upload=SimpleUploadedFile("验收表.pdf", PDF, content_type="application/pdf"),
    )
    assert stage_name(acceptance) == "盖章件审核"
    rows = dict(onsite.section(acceptance).rows)
    assert rows["验收结论"] == "通过" and rows["验收地点"] == "香坊区示例路1号 办公楼三层会议室"


def test_fail_returns_with_the_deadline_and_a_new_visit_is_booked_after_resubmission(world):
    acceptance = at_onsite(world)
    book(acceptance)
    deadline = today() + datetime.timedelta(days=20)
    failed = conclude(acceptance, "fail", note="采集终端未全部安装。", deadline=deadline)
    application = Application.objects.get(pk=acceptance.application_id)
    assert application.state == "returned"
    assert last_opinion(acceptance) == (
        f"现场验收不通过：采集终端未全部安装，请于 {deadline.isoformat()} 前完成整改后重新提交"
    )
    assert refused(book, acceptance) == (409, "onsite.not_at_stage", None)

    resubmit(world, acceptance)
    failed.refresh_from_db()
    assert failed.resolved_at is not None and not onsite.resolved_late(failed)
    assert stage_name(acceptance) == "材料审核"
    decide(acceptance)
    assert stage_name(acceptance) == "现场验收"
    # The old 不通过 does not count for this round: no approval, no conclusion without a new booking.
    assert refused(decide, acceptance)[:2] == (400, "workflow.check_failed")
    assert refused(conclude, acceptance, "pass") == (409, "onsite.not_booked", None)
    second = book(acceptance, scheduled_at=soon(7))
    assert second.pk != failed.pk and OnSiteVisit.objects.filter(acceptance=acceptance).count() == 2
    conclude(acceptance, "pass")
    assert stage_name(acceptance) == "上传盖章验收表" and last_opinion(acceptance) == "现场验收通过"
    rows = onsite.section(acceptance).rows
    assert rows[0][0] == "验收时间" and ("第1次现场验收", rows[-1][1]) == rows[-1] and "不通过" in rows[-1][1]


def test_pass_after_material_is_approved_after_resubmission_without_a_new_visit(world):
    acceptance = at_onsite(world)
    book(acceptance)
    deadline = today() + datetime.timedelta(days=10)
    visit = conclude(acceptance, "pass_after_material", note="请补充采集终端的验收单。", deadline=deadline)
    assert Application.objects.get(pk=acceptance.application_id).state == "returned"
    assert last_opinion(acceptance) == (
        f"现场验收完善材料后通过：请补充采集终端的验收单，请于 {deadline.isoformat()} 前补充完善材料后重新提交"
    )
    resubmit(world, acceptance)
    visit.refresh_from_db()
    assert visit.resolved_at is not None
    decide(acceptance)  # 材料审核 confirms the material
    assert stage_name(acceptance) == "现场验收"
    assert refused(book, acceptance) == (409, "onsite.already_passed", None)
    assert refused(conclude, acceptance, "pass") == (409, "onsite.already_concluded", None)
    decide(acceptance)  # the existing conclusion lets the stage through
    assert stage_name(acceptance) == "上传盖章验收表"
    assert OnSiteVisit.objects.filter(acceptance=acceptance).count() == 1


# --- Refusals -------------------------------------------------------------------------------------------------------------
def test_deadline_boundary_and_conclusion_input(world):
    acceptance = at_onsite(world)
    book(acceptance)
    yesterday = today() - datetime.timedelta(days=1)
    assert refused(conclude, acceptance, "fail", note="整改", deadline=yesterday) == (
        400,
        "onsite.deadline_past",
        "deadline",
    )
    assert refused(conclude, acceptance, "fail", note="整改") == (400, "onsite.deadline_required", "deadline")
    assert refused(conclude, acceptance, "pass_after_material", deadline=today()) == (
        400,
        "onsite.note_required",
        "note",
    )
    assert refused(conclude, acceptance, "maybe") == (400, "onsite.conclusion", "conclusion")
    assert refused(conclude, acceptance, "pass", by=finance()) == (403, "onsite.not_bureau", None)
    assert not OnSiteVisit.objects.get(acceptance=acceptance).conclusion  # nothing recorded by the refusals
    visit = conclude(acceptance, "fail", note="整改", deadline=today())  # today is allowed
    assert visit.deadline == today()


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"scheduled_at": timezone.now() - datetime.timedelta(hours=1)}, "onsite.past", "scheduled_at"),
        ({"contact_phone": "12345"}, "onsite.phone", "contact_phone"),
        ({"contact_phone": "88886666"}, "onsite.phone", "contact_phone"),  # a landline needs its area code
        ({"place": "  "}, "onsite.required", "place"),
        ({"contact_name": ""}, "onsite.required", "contact_name"),
    ],
)
def test_booking_input_is_checked(world, over, code, field):
    acceptance = at_onsite(world)
    assert refused(book, acceptance, **over) == (400, code, field)
    assert not OnSiteVisit.objects.filter(acceptance=acceptance).exists()
    assert book(acceptance, contact_phone="0451-88886666").contact_phone == "0451-88886666"


# --- Notifications, overdue and reminders ------------------------------------------------------------------------------------
def test_the_applicant_is_told_of_each_booking(world, worker):
    acceptance = at_onsite(world)
    with worker():
        visit = book(acceptance)
    with worker():
        book(acceptance, place="改在办公楼三层会议室")
    told = Message.objects.filter(user=world.user, source_key__startswith=f"onsite-book:{visit.pk}:").order_by("id")
    assert told.count() == 2
    assert "已预约现场验收" in told[0].title and "香坊区示例路1号 装配车间" in told[0].body
    assert (
        "改在办公楼三层会议室" in told[1].body
        and told[1].link == f"/workbench/pilots/acceptance/onsite/{acceptance.pk}/"
    )


def _failed_with_deadline(member, deadline):
    acceptance = at_onsite(member)
    book(acceptance)
    visit = conclude(acceptance, "fail", note="整改", deadline=today())
    OnSiteVisit.objects.filter(pk=visit.pk).update(deadline=deadline)  # time passes
    visit.refresh_from_db()
    return acceptance, visit


def test_overdue_rectifications_are_listed_and_shown_in_the_bureau_inbox(world, login_client):
    late, late_visit = _failed_with_deadline(world, today() - datetime.timedelta(days=2))
    other = admitted_enterprise(2)
    near, near_visit = _failed_with_deadline(other, today() + datetime.timedelta(days=2))
    waiting = at_onsite(admitted_enterprise(3))

    assert late_visit.pk in {v.pk for v in onsite.overdue_visits()}
    assert near_visit.pk not in {v.pk for v in onsite.overdue_visits()}
    assert near_visit.pk in {v.pk for v in onsite.due_soon_visits(days=3)}
    assert near_visit.pk not in {v.pk for v in onsite.due_soon_visits(days=1)}
    officer = bureau()
    overdue_ids = {a.pk for a in onsite.onsite_acceptances(officer, onsite.Status.OVERDUE)}
    assert late.pk in overdue_ids and near.pk not in overdue_ids
    to_book = {a.pk for a in onsite.onsite_acceptances(officer, onsite.Status.TO_BOOK)}
    assert waiting.pk in to_book and late.pk not in to_book
    assert "（已逾期）" in dict(onsite.section(late).rows)["整改/补充期限"]

    count = onsite.overdue_visits().count()
    page = login_client(HARBIN, "hrb_bureau").get("/workbench/inbox/")
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        f"有 {count} 件现场验收整改/补充材料已超过期限" in html
        and "/workbench/pilots/acceptance/onsite/?status=overdue" in html
    )
    mine = login_client(HARBIN, world.user.username).get("/workbench/inbox/").content.decode()
    assert "已超过期限" not in mine
    # A resubmission meets the deadline, late: it leaves the overdue list and keeps that it was late.
    resubmit(world, late)
    late_visit.refresh_from_db()
    assert late_visit.resolved_at is not None and onsite.resolved_late(late_visit)
    assert late_visit.pk not in {v.pk for v in onsite.overdue_visits()}


def test_reminders_go_out_once_before_and_once_after_the_deadline(world):
    deadline = today() + datetime.timedelta(days=3)
    acceptance, visit = _failed_with_deadline(world, deadline)
    officers = [m.user for m in onsite_bureau_members()]

    def mine(prefix):
        return Message.objects.filter(user=world.user, source_key=f"{prefix}:{visit.pk}:{deadline.isoformat()}")

    assert tasks.onsite_reminders_send(today=deadline - datetime.timedelta(days=4)) == 0  # not yet
    assert tasks.onsite_reminders_send(today=deadline - datetime.timedelta(days=3)) >= 1
    assert mine("onsite-due").count() == 1 and "将于" in mine("onsite-due").get().title
    assert tasks.onsite_reminders_send(today=deadline - datetime.timedelta(days=3)) == 0  # twice: nothing new
    assert tasks.onsite_reminders_send(today=deadline) == 0  # still the same reminder
    visit.refresh_from_db()
    assert visit.reminded_on == deadline - datetime.timedelta(days=3)

    after = deadline + datetime.timedelta(days=1)
    assert tasks.onsite_reminders_send(today=after) >= 1 + len(officers)
    assert mine("onsite-overdue").count() == 1 and "已超过期限" in mine("onsite-overdue").get().title
    told = Message.objects.filter(source_key__startswith=f"onsite-overdue-bureau:{visit.pk}:")
    assert sorted(told.values_list("user_id", flat=True)) == sorted(u.pk for u in officers)
    assert tasks.onsite_reminders_send(today=after) == 0
    assert tasks.onsite_reminders_send(today=after + datetime.timedelta(days=1)) == 0
    assert Message.objects.filter(source_key__contains=f":{visit.pk}:").count() == 2 + len(officers)
    # Resubmitted: nothing more to remind.
    resubmit(world, acceptance)
    assert tasks.onsite_reminders_send(today=after + datetime.timedelta(days=5)) == 0


def onsite_bureau_members():
    from tenant_apps.organisations.models import Membership

    return list(Membership.objects.filter(is_active=True, roles__contains=["city_bureau"]).select_related("user"))


def test_the_beat_task_runs_its_body_in_the_tenant(world, worker):
    """The beat entry names a registered task, and the task (run through Celery, eagerly) reminds in this tenant."""
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["remind-onsite-deadlines"]
    assert entry["task"] == "pilots.remind_onsite_deadlines" and "tenant_schemas" not in entry
    assert entry["task"] in app.tasks
    _acceptance, visit = _failed_with_deadline(world, today() + datetime.timedelta(days=1))
    result = tasks.remind_onsite_deadlines.apply()
    assert result.get() >= 1
    assert Message.objects.filter(user=world.user, source_key__startswith=f"onsite-due:{visit.pk}:").count() == 1
    assert tasks.remind_onsite_deadlines.apply().get() == 0  # idempotent


# --- Pages ----------------------------------------------------------------------------------------------------------------
def test_bureau_page_books_and_concludes_and_the_applicant_reads_it(world, login_client, tenant_schema):
    acceptance = at_onsite(world)
    officer = login_client(HARBIN, "hrb_bureau")
    url = f"/workbench/pilots/acceptance/onsite/{acceptance.pk}/"
    page = officer.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'id="book"' in html and 'id="conclude"' not in html
    assert "李经理" in html  # the enterprise's contact prefilled

    when = soon(4).strftime("%Y-%m-%dT%H:%M")
    bad = officer.post(
        url, {"do": "book", "book-scheduled_at": when, "book-place": "车间", "book-contact_name": "李经理",
              "book-contact_phone": "123"},
    )  # fmt: skip
    assert bad.status_code == 400 and "请填写 11 位手机号或带区号的固定电话" in bad.content.decode()
    done = officer.post(
        url, {"do": "book", "book-scheduled_at": when, "book-place": "装配车间", "book-contact_name": "李经理",
              "book-contact_phone": "13904520001", "book-preparation": "合同发票原件"},
    )  # fmt: skip
    assert done.status_code == 302
    html = officer.get(url).content.decode()
    assert 'id="conclude"' in html and 'value="装配车间"' in html  # re-booking form prefilled

    missing = officer.post(url, {"do": "conclude", "conclude-conclusion": "fail", "conclude-note": "整改"})
    assert missing.status_code == 400 and "请填写整改/补充期限" in missing.content.decode()
    version = Application.objects.get(pk=acceptance.application_id).version
    stale = officer.post(url, {"do": "conclude", "conclude-conclusion": "pass", "conclude-version": version - 1})
    assert stale.status_code == 409
    ok = officer.post(url, {"do": "conclude", "conclude-conclusion": "pass", "conclude-version": version})
    assert ok.status_code == 302 and stage_name(acceptance) == "上传盖章验收表"

    applicant = login_client(HARBIN, world.user.username)
    mine = applicant.get(url)
    text = mine.content.decode()
    assert mine.status_code == 200 and "装配车间" in text and "通过" in text
    assert 'id="book"' not in text and 'id="conclude"' not in text
    assert applicant.post(url, {"do": "book"}).status_code == 403
    with tenant_schema(HARBIN):
        stranger = admitted_enterprise(4)
    assert login_client(HARBIN, stranger.user.username).get(url).status_code == 404
    assert applicant.get("/workbench/pilots/acceptance/onsite/").status_code == 403


def test_the_bureau_list_pages_with_bounded_queries(world, login_client, tenant_schema):
    at_onsite(world)
    officer = login_client(HARBIN, "hrb_bureau")
    url = "/workbench/pilots/acceptance/onsite/"
    officer.get(url)
    with CaptureQueriesContext(connection) as first:
        page = officer.get(url)
    assert page.status_code == 200 and world.organisation.name in page.content.decode()
    with tenant_schema(HARBIN):
        for n in range(5, 9):
            acceptance = at_onsite(admitted_enterprise(n))
            if n % 2:
                book(acceptance)
    with CaptureQueriesContext(connection) as more:
        page = officer.get(url)
    assert len(more) == len(first)
    booked = officer.get(f"{url}?status=booked").content.decode()
    assert "哈尔滨验收测试企业5" in booked and "哈尔滨验收测试企业6" not in booked


def test_jiangmen_has_no_onsite_pages(login_client):
    client = login_client("jiangmen", "jm_enterprise")
    assert client.get("/workbench/pilots/acceptance/onsite/").status_code == 404
    assert client.get("/workbench/pilots/acceptance/onsite/1/").status_code == 404


# --- API ---------------------------------------------------------------------------------------------------------------------
def post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type=JSON)


def test_the_api_books_concludes_and_shows(world, login_client):
    acceptance = at_onsite(world)
    officer = login_client(HARBIN, "hrb_bureau")
    listed = officer.get(f"{API}/?status=to_book").json()
    assert acceptance.pk in {row["id"] for row in listed["results"]}
    body = {
        "scheduled_at": soon(3).isoformat(),
        "place": "装配车间",
        "contact_name": "李经理",
        "contact_phone": "13904520001",
    }
    bad = post(officer, f"{API}/{acceptance.pk}/book/", {**body, "contact_phone": "1390"})
    assert (bad.status_code, bad.json()["code"], list(bad.json()["errors"])) == (400, "onsite.phone", ["contact_phone"])
    booked = post(officer, f"{API}/{acceptance.pk}/book/", body)
    assert booked.status_code == 200, booked.content
    detail = booked.json()
    assert detail["at_stage"] is True and detail["visits"][0]["place"] == "装配车间"
    assert detail["visits"][0]["conclusion"] == ""
    refusal = post(officer, f"{API}/{acceptance.pk}/conclude/", {"conclusion": "fail", "note": "整改"})
    assert (refusal.status_code, refusal.json()["code"]) == (400, "onsite.deadline_required")
    deadline = (today() + datetime.timedelta(days=15)).isoformat()
    done = post(
        officer,
        f"{API}/{acceptance.pk}/conclude/",
        {"conclusion": "fail", "note": "整改", "deadline": deadline, "version": detail["version"]},
    )
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "returned" and done.json()["visits"][0]["deadline"] == deadline
    again = post(officer, f"{API}/{acceptance.pk}/conclude/", {"conclusion": "pass"})
    assert (again.status_code, again.json()["code"]) == (409, "onsite.already_concluded")
    mine = login_client(HARBIN, world.user.username).get(f"{API}/{acceptance.pk}/").json()
    assert mine["visits"][0]["conclusion_label"] == "不通过" and mine["visits"][0]["overdue"] is False


def test_api_isolation(world, login_client, tenant_client, tenant_schema):
    acceptance = at_onsite(world)
    book(acceptance)
    with tenant_schema(HARBIN):
        stranger = admitted_enterprise(9)
    routes = [
        ("get", f"{API}/{acceptance.pk}/"),
        ("post", f"{API}/{acceptance.pk}/book/"),
        ("post", f"{API}/{acceptance.pk}/conclude/"),
    ]
    other = login_client(HARBIN, stranger.user.username)
    for method, path in routes:
        response = other.get(path) if method == "get" else post(other, path, {"conclusion": "pass"})
        assert (response.status_code, response.json()["code"]) == (404, "onsite.not_found"), path
    listing = other.get(f"{API}/")
    assert (listing.status_code, listing.json()["code"]) == (403, "onsite.not_bureau")
    anonymous = tenant_client(HARBIN)
    jiangmen_member_here = login_client(HARBIN, "jm_enterprise")
    for client in (anonymous, jiangmen_member_here):
        for method, path in [("get", f"{API}/"), *routes]:
            response = client.get(path) if method == "get" else post(client, path, {"conclusion": "pass"})
            assert response.status_code in (401, 403), (path, response.status_code)
            assert world.organisation.name not in response.content.decode()
    jiangmen = login_client("jiangmen", "jm_enterprise")
    for method, path in [("get", f"{API}/"), *routes]:
        response = jiangmen.get(path) if method == "get" else post(jiangmen, path, {})
        assert response.status_code == 404, path
    with tenant_schema(HARBIN):
        assert not OnSiteVisit.objects.get(acceptance=acceptance).conclusion


def test_api_list_queries_are_bounded(world, login_client, tenant_schema):
    at_onsite(world)
    officer = login_client(HARBIN, "hrb_bureau")
    officer.get(f"{API}/")
    with CaptureQueriesContext(connection) as first:
        assert officer.get(f"{API}/").status_code == 200
    with tenant_schema(HARBIN):
        for n in range(10, 14):
            book(at_onsite(admitted_enterprise(n)))
    with CaptureQueriesContext(connection) as more:
        body = officer.get(f"{API}/").json()
    assert len(more) == len(first) and body["count"] >= 5


def test_the_schema_of_these_views_validates():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="config.urls_tenant", patterns=None).get_schema(request=None, public=True)
    validate_schema(schema)
    ours = [path for path in schema["paths"] if path.startswith(f"{API}/")]
    assert len(ours) == 4
    problems = [
        line
        for line in (GENERATOR_STATS._warn_cache | GENERATOR_STATS._error_cache)
        if "onsite" in line.lower() or "Visit" in line
    ]
    assert not problems, problems
