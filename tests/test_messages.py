"""我的消息: a review decision reaches the applicant's message centre with the opinion and a link, read state per
person (open, mark one, mark all), nobody reads anyone else's messages (web and API, other users and other
cities), every SMS carries the host's 【signature】, and the list costs the same queries however long it is."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from shared_apps.accounts.models import SmsMessage
from tenant_apps.notifications.models import Message
from tenant_apps.notifications.selectors import unread_count
from tenant_apps.notifications.services import message_send_once
from tenant_apps.organisations.models import Membership
from tenant_apps.workflow import services as workflow
from tenant_apps.workflow.models import Task

pytestmark = pytest.mark.django_db
User = get_user_model()
OPINION = "请补充近三年的财务报表，并加盖公章。"


def member(username):
    return Membership.objects.select_related("organisation", "user").get(user__username=username)


@pytest.fixture
def worker(django_capture_on_commit_callbacks):
    """What the Celery worker does after a transition commits, run in-process: the engine's on-commit hooks fire and
    the tasks they queue run at once (`with worker(): ...`)."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield lambda: django_capture_on_commit_callbacks(execute=True)
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def _returned_application(worker, title="消息中心测试认证"):
    """hrb_enterprise applies; the city bureau returns it with an opinion (notified through the engine's hooks)."""
    user = User.objects.get(username="hrb_enterprise")
    with worker():
        application = workflow.application_create(kind="certification", applicant=user, title=title)
        application = workflow.application_submit(application=application, actor=user)
    task = application.tasks.get(state=Task.State.OPEN)
    with worker():
        workflow.task_decide(task_id=task.pk, membership=member("hrb_bureau"), action="return", opinion=OPINION)
    return application


def _own_message(username: str, title: str, *, key: str, category=Message.Category.SYSTEM) -> Message:
    user = User.objects.get(username=username)
    assert message_send_once(user=user, source_key=key, title=title, category=category)
    return Message.objects.get(source_key=key)


def test_a_returned_decision_lands_in_the_applicants_message_centre_with_opinion_and_link(
    worker, login_client, tenant_schema
):
    with tenant_schema("harbin"):
        application = _returned_application(worker)
        message = Message.objects.get(
            user__username="hrb_enterprise", title__contains="消息中心测试认证", body__contains=OPINION
        )
        assert message.category == "review" and "退回修改" in message.title
        assert message.link == f"/workbench/applications/{application.pk}/"
        submitted = Message.objects.get(title="您的申请“消息中心测试认证”已提交，等待审核")
        unread_before = unread_count(message.user)
    client = login_client("harbin", "hrb_enterprise")
    page = client.get("/workbench/messages/")
    html = page.content.decode()
    assert page.status_code == 200 and page.context["unread_messages"] == unread_before
    assert page.context["message_centre_url"] == "/workbench/messages/"
    item = re.search(rf'<li class="message-item is-unread" data-message="{message.pk}">.*?</li>', html, re.S)
    assert item and "审核通知" in item.group(0) and "未读" in item.group(0)
    # Opening it marks it read, shows the reviewer's opinion and leads to the application.
    opened = client.get(f"/workbench/messages/{message.pk}/")
    text = opened.content.decode()
    assert opened.status_code == 200 and OPINION in text and "市工信局审核" in text
    assert f'href="/workbench/applications/{application.pk}/"' in text
    assert client.get(f"/workbench/applications/{application.pk}/").status_code == 200
    with tenant_schema("harbin"):
        assert unread_count(message.user) == unread_before - 1
        message.refresh_from_db()
        assert message.read_at is not None
        submitted.refresh_from_db()
        assert submitted.read_at is None  # only the one opened
    assert client.get("/workbench/messages/").context["unread_messages"] == unread_before - 1


def test_the_sms_of_a_decision_starts_with_the_tenants_signature(worker, tenant_schema):
    with tenant_schema("harbin"):
        _returned_application(worker, title="短信签名测试认证")
        mobile = User.objects.get(username="hrb_enterprise").mobile
        texts = list(
            SmsMessage.objects.filter(mobile=mobile, text__contains="短信签名测试认证").values_list("text", flat=True)
        )
    # Submitting is the applicant's own act (no SMS); the return is texted once, signed and pointing to 我的消息.
    assert texts == [
        "【哈尔滨中小企业数字化转型】您的申请“短信签名测试认证”被退回修改，审核意见请登录平台在“我的消息”中查看。"
    ]


def test_the_signature_is_the_city_admins_to_edit_and_the_console_has_the_platforms(
    settings, tenant_schema, login_client
):
    from shared_apps.accounts.sms import sms_send
    from tenant_apps.configuration.models import TenantSettings

    with tenant_schema("jiangmen"):
        assert TenantSettings.objects.get(pk=1).sms_signature == "江门中小企业数字化转型"  # the preset's short name
    with tenant_schema("national"):
        assert TenantSettings.objects.get(pk=1).sms_signature == "国家中小企业数字化转型"
    form = login_client("harbin", "hrb_admin").get("/django-admin/configuration/tenantsettings/1/change/")
    assert form.status_code == 200 and 'name="sms_signature"' in form.content.decode()
    with tenant_schema("harbin"):
        row = TenantSettings.objects.get(pk=1)
        row.sms_signature = "冰城【数字化】"
        with pytest.raises(Exception, match="不含括号"):
            row.full_clean()
        row.sms_signature = "冰城数字化转型"
        row.save()
        sms_send("13900001111", "您的验证码为 123456。")
        row.sms_signature = ""  # cleared: the default from the short name again
        row.save()
        assert TenantSettings.objects.get(pk=1).sms_signature == "哈尔滨中小企业数字化转型"
    sms_send("13900001111", "控制台通知。")  # the console and public host
    texts = list(SmsMessage.objects.filter(mobile="13900001111").order_by("pk").values_list("text", "schema_name"))
    assert texts == [
        ("【冰城数字化转型】您的验证码为 123456。", "harbin"),
        (f"【{settings.PLATFORM_SMS_SIGNATURE}】控制台通知。", "public"),
    ]


def test_a_verification_code_sms_is_signed_and_still_readable(tenant_client, captcha, outbox_code):
    client = tenant_client("harbin")
    path = "/accounts/login/?mode=sms"
    html = client.get(path).content.decode()
    mobile = User.objects.get(username="hrb_enterprise").mobile
    client.post(path, {"mode": "sms", "action": "sms_send", "send-mobile": mobile, **captcha(html, "send")})
    latest = SmsMessage.objects.filter(mobile=mobile).latest("id")
    assert latest.text.startswith("【哈尔滨中小企业数字化转型】您的验证码为 ")
    assert re.fullmatch(r"\d{6}", outbox_code(mobile))


def test_an_assigned_expert_finds_the_review_in_the_message_centre(worker, tenant_schema, login_client):
    with tenant_schema("national"):
        provider = User.objects.get(username="nat_provider")
        with worker():
            application = workflow.application_create(kind="listing", applicant=provider, title="消息中心专家评审方案")
            workflow.application_submit(application=application, actor=provider)
        with worker():
            workflow.task_decide(
                task_id=application.tasks.get(state="open").pk, membership=member("nat_ops"), action="approve"
            )
        expert = member("zhang_expert").user
        task = application.tasks.get(state="open")
        with worker():
            workflow.task_assign_experts(task_id=task.pk, membership=member("nat_ops"), expert_user_ids=[expert.pk])
        with worker():  # choosing the same expert again tells nobody twice
            workflow.task_assign_experts(task_id=task.pk, membership=member("nat_ops"), expert_user_ids=[expert.pk])
        told = Message.objects.filter(user=expert, source_key__startswith=f"workflow-assign:{task.pk}:")
        assert [(m.category, m.title, m.link) for m in told] == [
            ("review", "请评审申请“消息中心专家评审方案”", f"/workbench/applications/{application.pk}/")
        ]
        assert SmsMessage.objects.filter(mobile=expert.mobile, text__contains="消息中心专家评审方案").count() == 1
        # The provider was told of the first stage's approval, without an SMS for their own submission.
        assert Message.objects.filter(user=provider, title__contains="已通过“运营初审”，进入下一环节").exists()
    page = login_client("national", "zhang_expert").get("/workbench/messages/").content.decode()
    assert "请评审申请“消息中心专家评审方案”" in page


def test_mark_all_read_on_the_page_and_over_the_api(login_client, tenant_schema):
    with tenant_schema("harbin"):
        for n in range(3):
            _own_message("hrb_finance", f"财务通知{n}", key=f"test-mark-all:{n}")
        others = _own_message("hrb_bureau", "局里的通知", key="test-mark-all:bureau")
    client = login_client("harbin", "hrb_finance")
    assert client.get("/workbench/messages/").context["unread_messages"] >= 3
    assert client.get("/workbench/messages/read-all/").status_code == 405
    done = client.post("/workbench/messages/read-all/", {"next": "/workbench/messages/?status=unread"})
    assert done.status_code == 302 and done["Location"] == "/workbench/messages/?status=unread"
    page = client.get(done["Location"])
    assert page.context["unread_messages"] == 0 and "暂无消息" in page.content.decode()
    with tenant_schema("harbin"):
        _own_message("hrb_finance", "又一条通知", key="test-mark-all:again")
        assert unread_count(User.objects.get(username="hrb_finance")) == 1
    answer = client.post("/api/v1/messages/read-all/", {}, content_type="application/json")
    assert answer.status_code == 200 and answer.json() == {"changed": 1, "unread": 0}
    with tenant_schema("harbin"):
        others.refresh_from_db()
        assert others.read_at is None  # another person's messages are theirs to read


def test_filters_by_category_and_read_state(login_client, tenant_schema):
    with tenant_schema("harbin"):
        review = _own_message("hrb_editor", "筛选审核通知", key="test-filter:review", category="review")
        system = _own_message("hrb_editor", "筛选系统通知", key="test-filter:system")
        Message.objects.filter(pk=system.pk).update(read_at=review.created_at)
    client = login_client("harbin", "hrb_editor")

    def shown(**query):
        return {entry.pk for entry in client.get("/workbench/messages/", query).context["page"]}

    assert {review.pk, system.pk} <= shown()
    assert review.pk in shown(category="review") and system.pk not in shown(category="review")
    assert system.pk in shown(category="system") and review.pk not in shown(category="system")
    assert review.pk in shown(status="unread") and system.pk not in shown(status="unread")
    assert shown(status="read") >= {system.pk} and review.pk not in shown(status="read")
    assert {review.pk, system.pk} <= shown(category="bogus")  # an unknown filter shows everything
    api = client.get("/api/v1/messages/", {"category": "review", "unread": "true"}).json()
    assert [row["id"] for row in api["results"]] == [review.pk]
    assert api["results"][0]["category_label"] == "审核通知" and api["results"][0]["is_read"] is False
    assert client.get("/api/v1/messages/", {"category": "bogus"}).status_code == 400


def test_another_users_message_is_404_on_the_page_and_the_api(login_client, tenant_schema):
    with tenant_schema("harbin"):
        theirs = _own_message("hrb_bureau", "仅局里可见的消息", key="test-404:bureau")
        mine = _own_message("hrb_finance", "财务自己的消息", key="test-404:finance")
    client = login_client("harbin", "hrb_finance")
    assert client.get(f"/workbench/messages/{theirs.pk}/").status_code == 404
    assert client.post(f"/workbench/messages/{theirs.pk}/").status_code == 404
    refused = client.post(f"/api/v1/messages/{theirs.pk}/read/")
    assert refused.status_code == 404 and "仅局里可见的消息" not in refused.content.decode()
    assert client.post("/api/v1/messages/999999999/read/").status_code == 404
    assert all(row["id"] != theirs.pk for row in client.get("/api/v1/messages/").json()["results"])
    assert "仅局里可见的消息" not in client.get("/workbench/messages/").content.decode()
    with tenant_schema("harbin"):
        theirs.refresh_from_db()
        assert theirs.read_at is None
    # The owner's own: marked over the API, and marking again changes nothing.
    first = client.post(f"/api/v1/messages/{mine.pk}/read/")
    assert first.status_code == 200 and first.json()["is_read"] is True
    assert client.post(f"/api/v1/messages/{mine.pk}/read/").json()["read_at"] == first.json()["read_at"]


def test_another_citys_messages_stay_in_that_city(login_client, tenant_schema):
    """One identity, members of two cities: each city's 我的消息 shows only its own messages."""
    person = User.objects.get(username="hrb_finance")
    with tenant_schema("jiangmen"):
        Membership.objects.create(user=person, roles=["enterprise"])
        elsewhere = _own_message("hrb_finance", "江门平台的消息", key="test-city:jiangmen")
    with tenant_schema("harbin"):
        assert not Message.objects.filter(user=person, pk=elsewhere.pk).exists()  # no collision of ids to confuse
    harbin = login_client("harbin", "hrb_finance")
    assert "江门平台的消息" not in harbin.get("/workbench/messages/").content.decode()
    assert harbin.get(f"/workbench/messages/{elsewhere.pk}/").status_code == 404
    assert harbin.post(f"/api/v1/messages/{elsewhere.pk}/read/").status_code == 404
    assert "江门平台的消息" not in harbin.get("/api/v1/messages/").content.decode()
    jiangmen = login_client("jiangmen", "hrb_finance")
    assert "江门平台的消息" in jiangmen.get(f"/workbench/messages/{elsewhere.pk}/").content.decode()
    # A member of another city only, with no membership here: refused.
    assert login_client("harbin", "jm_enterprise").get("/workbench/messages/").status_code == 403
    assert login_client("harbin", "jm_enterprise").get("/api/v1/messages/").status_code == 403


def test_anonymous_callers_are_sent_to_sign_in(tenant_client):
    client = tenant_client("harbin")
    for path in ("/workbench/messages/", "/workbench/messages/1/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    assert client.post("/workbench/messages/read-all/")["Location"].startswith("/accounts/login/")
    for method, path in (("get", "/api/v1/messages/"), ("post", "/api/v1/messages/1/read/")):
        answer = getattr(client, method)(path)
        assert answer.status_code in (401, 403) and answer.json()["code"] == "not_authenticated"
    bearer = client.get("/api/v1/messages/", HTTP_AUTHORIZATION="Token not-a-token")
    assert bearer.status_code in (401, 403)


def test_the_workbench_home_shows_the_latest_five(login_client, tenant_schema):
    with tenant_schema("harbin"):
        for n in range(7):
            _own_message("hrb_editor", f"首页消息第{n}条", key=f"test-home:{n}")
    html = login_client("harbin", "hrb_editor").get("/workbench/").content.decode()
    section = re.search(r'<section[^>]*id="latest-messages".*?</section>', html, re.S).group(0)
    shown = re.findall(r"首页消息第(\d)条", section)
    assert shown == ["6", "5", "4", "3", "2"]
    assert 'href="/workbench/messages/"' in section


def test_the_list_costs_the_same_queries_for_three_messages_or_thirty(
    login_client, tenant_schema, django_assert_max_num_queries
):
    with tenant_schema("harbin"):
        for n in range(3):
            _own_message("hrb_editor", f"计数消息{n}", key=f"test-count:{n}", category="review")
    client = login_client("harbin", "hrb_editor")
    # Each statement is preceded by SET search_path (django-tenants), so these bounds are about twice the reads.
    with django_assert_max_num_queries(36) as few:
        assert client.get("/workbench/messages/").status_code == 200
    with django_assert_max_num_queries(20) as few_api:
        assert client.get("/api/v1/messages/").status_code == 200
    with tenant_schema("harbin"):
        for n in range(3, 30):
            _own_message("hrb_editor", f"计数消息{n}", key=f"test-count:{n}", category="review")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/workbench/messages/")
    assert len(page.context["page"]) == 20 and page.context["page"].paginator.count >= 30
    with django_assert_max_num_queries(len(few_api.captured_queries)):
        assert len(client.get("/api/v1/messages/").json()["results"]) == 20


def test_the_demo_applicants_find_their_reviews_in_the_message_centre(login_client, tenant_schema):
    with tenant_schema("jiangmen"):
        returned = Message.objects.get(user__username="jm_returned", title__contains="退回修改")
        assert returned.category == "review" and "请补充详细地址" in returned.body and returned.link
    with tenant_schema("harbin"):
        assert Message.objects.filter(user__username="hrb_pending", title__contains="已提交，等待审核").exists()
    page = login_client("jiangmen", "jm_returned").get(f"/workbench/messages/{returned.pk}/").content.decode()
    assert "请补充详细地址" in page and f'href="{returned.link}"' in page
