"""The workbench pages that draw long lists stay cheap to render (issue #17, bench/inbox.py): table rows are drawn in
Python with the markup the cell templates had, the home counts the inbox the way the inbox does (stopping at
`INBOX_COUNT_CAP`), one application's page reads its log once and the expert list only for whoever assigns, and an
empty list costs its count only."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shared_apps.ui.pagination import paginate
from tenant_apps.organisations.models import Membership
from tenant_apps.workflow import policies, selectors
from tenant_apps.workflow.models import Application, Task

pytestmark = pytest.mark.django_db
User = get_user_model()


def member(username):
    return Membership.objects.select_related("organisation").get(user__username=username)


def add_open_task(title, *, due_at=None, applicant="hrb_enterprise", role="city_bureau") -> Task:
    """One application in review with its open task at a `role` stage, newest of the inbox."""
    application = Application.objects.create(
        kind="certification",
        title=title,
        applicant=User.objects.get(username=applicant),
        organisation_id=member(applicant).organisation_id,
        state=Application.State.IN_REVIEW,
        stage_position=1,
        stages=[{"position": 1, "name": "市工信局审核", "handler": "role", "role": role}],
    )
    return Task.objects.create(
        application=application,
        stage_position=1,
        stage_name="市工信局审核",
        handler="role",
        role=role,
        actions=["approve"],
        due_at=due_at,
    )


def stat(html: str, name: str) -> str:
    return re.search(rf'id="{name}">([^<]*)</span>', html).group(1)


def test_home_counts_stop_at_the_inbox_cap_and_say_so(login_client, monkeypatch, tenant_schema):
    with tenant_schema("harbin"):
        past = timezone.now() - timedelta(days=2)
        for n in range(3):
            add_open_task(f"首页计数逾期 {n}", due_at=past)
        add_open_task("首页计数未到期", due_at=timezone.now() + timedelta(days=5))
        bureau = member("hrb_bureau")
        total = policies.tasks_awaiting(bureau).count()
        overdue = policies.tasks_awaiting(bureau).filter(due_at__lt=timezone.now()).count()
    assert total > overdue >= 3
    client = login_client("harbin", "hrb_bureau")

    monkeypatch.setattr(selectors, "INBOX_COUNT_CAP", total - 1)
    html = client.get("/workbench/").content.decode()
    assert stat(html, "awaiting-count") == f"{total - 1} 条以上"
    assert stat(html, "overdue-count") == str(overdue)  # under the cap: exact

    monkeypatch.setattr(selectors, "INBOX_COUNT_CAP", overdue - 1)
    html = client.get("/workbench/").content.decode()
    assert stat(html, "awaiting-count") == stat(html, "overdue-count") == f"{overdue - 1} 条以上"

    monkeypatch.setattr(selectors, "INBOX_COUNT_CAP", total)  # exactly at the cap: nothing more to say
    html = client.get("/workbench/").content.decode()
    assert (stat(html, "awaiting-count"), stat(html, "overdue-count")) == (str(total), str(overdue))


def test_home_count_of_an_applicants_upload_is_capped_too(login_client, monkeypatch, tenant_schema):
    with tenant_schema("harbin"):
        enterprise = member("hrb_enterprise")
        for n in range(2):
            add_open_task(f"待我处理 {n}", role="")
        Task.objects.filter(application__title__startswith="待我处理").update(handler="applicant_upload")
        todo = policies.tasks_awaiting(enterprise).count()
        assert todo >= 2 and not policies.reviews(enterprise)
    monkeypatch.setattr(selectors, "INBOX_COUNT_CAP", 1)
    html = login_client("harbin", "hrb_enterprise").get("/workbench/").content.decode()
    assert stat(html, "todo-count") == "1 条以上"


def test_inbox_rows_drawn_in_python_keep_the_cells_markup(login_client, tenant_schema):
    with tenant_schema("harbin"):
        late = add_open_task("<b>逾期</b>的申请", due_at=timezone.now() - timedelta(hours=1))
        due_at = timezone.now() + timedelta(days=3)
        soon = add_open_task("有期限的申请", due_at=due_at)
        plain = add_open_task("没有期限的申请")
    html = login_client("harbin", "hrb_bureau").get("/workbench/inbox/?tab=awaiting").content.decode()

    def row(task):
        return re.search(rf'<tr data-application="{task.application_id}">(.*?)</tr>', html).group(1)

    url = f"/workbench/applications/{late.application_id}/"
    assert (
        f'<td data-label="申请名称" class="cell-wrap cell-title cell-primary"><a href="{url}">'
        '&lt;b&gt;逾期&lt;/b&gt;的申请</a> <span class="overdue">已逾期</span></td>'
    ) in row(late)
    assert f'<td data-label="操作" class="cell-nowrap cell-actions"><a href="{url}">详情</a></td>' in row(late)
    day = timezone.localtime(due_at).strftime("%m-%d")
    assert f'有期限的申请</a> <span class="due">期限 {day}</span></td>' in row(soon)
    assert "没有期限的申请</a></td>" in row(plain)
    assert '<td data-label="当前环节" class="cell-nowrap cell-stage">市工信局审核</td>' in row(plain)
    assert "<b>" not in html.split('id="tasks"')[1]


def test_inbox_words_follow_the_language_of_each_request(login_client, tenant_schema):
    with tenant_schema("harbin"):
        task = add_open_task("语言测试", due_at=timezone.now() - timedelta(hours=1))
    client = login_client("harbin", "hrb_bureau")
    english = client.get("/workbench/inbox/?tab=awaiting", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/workbench/inbox/?tab=awaiting", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for html, words in ((english, ("Detail", "Overdue")), (chinese, ("详情", "已逾期"))):
        row = re.search(rf'<tr data-application="{task.application_id}">(.*?)</tr>', html).group(1)
        assert all(f">{word}<" in row for word in words), row


def test_template_cells_still_see_the_person_and_the_csrf_token(login_client, tenant_schema):
    with tenant_schema("harbin"):
        task = add_open_task("撤销测试")
    html = login_client("harbin", "hrb_enterprise").get("/workbench/inbox/?tab=mine").content.decode()
    row = re.search(rf'<tr data-application="{task.application_id}">(.*?)</tr>', html).group(1)
    assert '<span class="tag tag-primary" data-state="in_review">审核中</span>' in row
    actions = re.search(r'<td data-label="操作" class="cell-nowrap cell-actions">(.*?)</td>', row).group(1)
    assert 'name="do" value="withdraw"' in actions  # the applicant's own row (`user` reached the cell)
    assert re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', actions)


def test_application_page_reads_its_log_once_and_the_experts_only_for_assigning(login_client, tenant_schema):
    with tenant_schema("harbin"):
        task = add_open_task("一次读取日志")
    client = login_client("harbin", "hrb_bureau")
    client.get(f"/workbench/applications/{task.application_id}/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/workbench/applications/{task.application_id}/")
    assert response.status_code == 200 and 'id="decide"' in response.content.decode()
    sql = [query["sql"] for query in queries.captured_queries]
    assert len([q for q in sql if 'FROM "workflow_logentry"' in q]) == 1
    assert not [q for q in sql if q.startswith('SELECT "workflow_flow"')]  # the kind's name came with the row
    assert not [q for q in sql if '"organisations_membership"."roles" @>' in q]  # no expert list to choose from
    assert 'id="assign"' not in response.content.decode()


def test_an_empty_list_page_costs_its_count_only(tenant_schema):
    with tenant_schema("harbin"):
        nothing = Application.objects.filter(title="不存在的申请").select_related("applicant").order_by("-id")
        with CaptureQueriesContext(connection) as queries:
            page = paginate(RequestFactory().get("/list/"), nothing)
            rows = list(page)
    assert rows == [] and page.paginator.count == 0 and page.number == 1
    # No rows query is built at all (a queryset sliced to nothing still compiled its joins): the page is a list.
    assert page.object_list == []
    assert [q["sql"] for q in queries.captured_queries if "workflow_application" in q["sql"]] == [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")
    ]
