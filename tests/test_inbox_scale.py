"""The inbox, the task API and opening one application as they stay fast at tens of thousands of open tasks
(issue #17, ADR 0026): the pager counts up to a cap and skips over ids only, a page's rows load by id, and one
application is authorised on its own row. Rows other tests committed are counted first, never assumed absent."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from shared_apps.ui.pagination import KeyedPaginator, count_capped
from tenant_apps.organisations.models import Membership
from tenant_apps.workflow import api, policies, selectors, views
from tenant_apps.workflow.models import Application, Task

pytestmark = pytest.mark.django_db
User = get_user_model()
EXTRA = 30


def member(username):
    return Membership.objects.select_related("organisation").get(user__username=username)


def add_open_tasks(count, *, applicant="hrb_enterprise", role="city_bureau"):
    """`count` applications in review with their open task at a `role` stage (bulk, as a busy city has them)."""
    user = User.objects.get(username=applicant)
    organisation_id = member(applicant).organisation_id
    applications = Application.objects.bulk_create(
        Application(
            kind="certification",
            title=f"规模测试 {n}",
            applicant=user,
            organisation_id=organisation_id,
            state=Application.State.IN_REVIEW,
            stage_position=1,
            stages=[{"position": 1, "name": "市工信局审核", "handler": "role", "role": role}],
        )
        for n in range(count)
    )
    Task.objects.bulk_create(
        Task(application=a, stage_position=1, stage_name="市工信局审核", handler="role", role=role, actions=["approve"])
        for a in applications
    )
    return [a.pk for a in applications]


@pytest.fixture
def busy_harbin(tenant_schema):
    """harbin with EXTRA more open tasks for the city bureau; returns how many the bureau's inbox holds now."""
    with tenant_schema("harbin"):
        add_open_tasks(EXTRA)
        return policies.tasks_awaiting(member("hrb_bureau")).count()


def expected_order(tenant_schema):
    with tenant_schema("harbin"):
        return list(selectors.tasks_awaiting(member("hrb_bureau")).values_list("pk", flat=True))


def test_keyed_paginator_counts_to_its_cap_and_pages_over_ids(busy_harbin, tenant_schema):
    order = expected_order(tenant_schema)
    with tenant_schema("harbin"):
        keys = selectors.tasks_awaiting_keys(member("hrb_bureau"))
        exact = KeyedPaginator(keys, 10, rows=selectors.task_rows)
        assert exact.count == busy_harbin and not exact.capped
        cap = busy_harbin - 5
        capped = KeyedPaginator(keys, 10, rows=selectors.task_rows, count_cap=cap)
        assert capped.count == cap and capped.capped
        last = capped.get_page(10_000)  # out of range: the last page inside the cap
        assert last.number == capped.num_pages
        assert [task.pk for task in last.object_list] == order[(last.number - 1) * 10 : cap]
        second = capped.page(2)
        assert [task.pk for task in second.object_list] == order[10:20]
        assert all(task.flow_name is not None or task.application.kind for task in second.object_list)
        roomy = KeyedPaginator(keys, 10, rows=selectors.task_rows, count_cap=busy_harbin)
        assert roomy.count == busy_harbin and not roomy.capped


def test_a_capped_count_is_remembered_for_a_while_and_an_exact_one_never(busy_harbin, tenant_schema):
    """Counting cap + 1 rows is most of a very long inbox's page, and a list that long stays that long: the capped
    answer is cached under the query's SQL and the tenant; a count under the cap is exact on every request."""
    cap = busy_harbin - 5
    with tenant_schema("harbin"):
        keys = selectors.tasks_awaiting_keys(member("hrb_bureau"))
        with CaptureQueriesContext(connection) as first:
            assert count_capped(keys, cap) == (cap, True)
        with CaptureQueriesContext(connection) as again:
            assert count_capped(keys, cap) == (cap, True)
        assert (len(first), len(again)) == (1, 0)
        # Another person's inbox (other parameters) and another cap are other queries: counted, not recalled.
        enterprise = selectors.tasks_awaiting_keys(member("hrb_enterprise"))
        theirs = enterprise.count()
        with CaptureQueriesContext(connection) as other:
            assert count_capped(enterprise, cap) == (theirs, False) and theirs < cap
            assert count_capped(keys, busy_harbin) == (busy_harbin, False)
        assert len(other) == 2
        add_open_tasks(1)
        with CaptureQueriesContext(connection) as exact:
            assert count_capped(keys, busy_harbin) == (busy_harbin, True)  # never cached while exact: sees the new row
        assert len(exact) == 1
    assert count_capped(Task.objects.none(), cap) == count_capped(Task.objects.filter(pk__in=[]), cap) == (0, False)
    # The same SQL in another city counts that city's rows: cache keys carry the schema.
    every_open = Task.objects.filter(state=Task.State.OPEN)
    with tenant_schema("harbin"):
        assert count_capped(every_open, cap) == (cap, True)
    with tenant_schema("jiangmen"):
        theirs = every_open.count()
        assert theirs < cap and count_capped(every_open, cap) == (theirs, False)


def test_inbox_page_says_when_the_count_stopped_at_the_cap(busy_harbin, login_client, monkeypatch, tenant_schema):
    order = expected_order(tenant_schema)
    monkeypatch.setattr(views, "INBOX_COUNT_CAP", busy_harbin - 5)
    client = login_client("harbin", "hrb_bureau")
    page = client.get("/workbench/inbox/", {"tab": "awaiting", "size": 10})
    assert page.status_code == 200
    text = page.content.decode()
    assert f"{busy_harbin - 5} 条以上" in text
    shown = [int(pk) for pk in re.findall(r'data-application="(\d+)"', text)]
    with tenant_schema("harbin"):
        first_ten = list(Task.objects.filter(pk__in=order[:10]).values_list("application_id", flat=True))
    assert sorted(shown) == sorted(first_ten) and len(shown) == 10
    monkeypatch.setattr(views, "INBOX_COUNT_CAP", 10 * busy_harbin)
    assert f"共 {busy_harbin} 条" in client.get("/workbench/inbox/", {"tab": "awaiting"}).content.decode()


def test_inbox_queries_do_not_grow_with_page_number_or_size(busy_harbin, login_client, django_assert_max_num_queries):
    client = login_client("harbin", "hrb_bureau")
    client.get("/workbench/inbox/", {"tab": "awaiting"})
    with django_assert_max_num_queries(40) as first:
        assert client.get("/workbench/inbox/", {"tab": "awaiting", "size": 10}).status_code == 200
    last = -(-busy_harbin // 100)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get("/workbench/inbox/", {"tab": "awaiting", "size": 100, "page": last}).status_code == 200


def test_task_api_pages_with_a_capped_count(busy_harbin, login_client, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(api, "INBOX_COUNT_CAP", busy_harbin - 5)
    client = login_client("harbin", "hrb_bureau")
    body = client.get("/api/v1/tasks/").json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (busy_harbin - 5, True, 20)
    with django_assert_max_num_queries(15) as first:
        client.get("/api/v1/tasks/")
    with django_assert_max_num_queries(len(first.captured_queries)):
        last = client.get("/api/v1/tasks/", {"page": "last"}).json()
    assert last["next"] is None and 0 < len(last["results"]) <= 20
    monkeypatch.setattr(api, "INBOX_COUNT_CAP", 10 * busy_harbin)
    body = client.get("/api/v1/tasks/").json()
    assert (body["count"], body["count_capped"]) == (busy_harbin, False)


def test_task_api_and_inbox_show_nothing_of_other_parties(busy_harbin, login_client, tenant_client):
    # another organisation in the same city (an enterprise), another city's bureau, and anonymous
    assert login_client("harbin", "hrb_enterprise").get("/api/v1/tasks/").json()["count"] < busy_harbin
    assert login_client("harbin", "hrb_finance").get("/api/v1/tasks/").json()["count"] < EXTRA
    assert login_client("harbin", "jm_bureau").get("/api/v1/tasks/").status_code == 403  # not a member here
    assert "规模测试" not in login_client("jiangmen", "jm_bureau").get("/api/v1/tasks/").content.decode()
    assert tenant_client("harbin").get("/api/v1/tasks/").status_code in (401, 403)
    assert tenant_client("harbin").get("/workbench/inbox/").status_code == 302


def test_one_application_is_authorised_on_its_own_row(login_client, tenant_client, tenant_schema):
    with tenant_schema("harbin"):
        (pk,) = add_open_tasks(1)
    for username in ("hrb_bureau", "hrb_enterprise"):  # the deciding role, the applicant
        assert login_client("harbin", username).get(f"/api/v1/applications/{pk}/").status_code == 200
        assert login_client("harbin", username).get(f"/workbench/applications/{pk}/").status_code == 200
    # another organisation of the same city, a member of another city, anonymous: 404 / 404 / sign-in
    assert login_client("harbin", "hrb_pilot").get(f"/api/v1/applications/{pk}/").status_code == 404
    assert login_client("harbin", "hrb_pilot").get(f"/workbench/applications/{pk}/").status_code == 404
    assert login_client("harbin", "jm_bureau").get(f"/api/v1/applications/{pk}/").status_code == 403
    assert login_client("harbin", "jm_bureau").get(f"/workbench/applications/{pk}/").status_code == 403
    assert tenant_client("harbin").get(f"/api/v1/applications/{pk}/").status_code in (401, 403)
    assert tenant_client("harbin").get(f"/workbench/applications/{pk}/").status_code == 302


def test_opening_one_application_runs_a_few_small_queries(login_client, tenant_schema, django_assert_max_num_queries):
    with tenant_schema("harbin"):
        (pk,) = add_open_tasks(1)
    client = login_client("harbin", "hrb_bureau")
    client.get(f"/api/v1/applications/{pk}/")
    with django_assert_max_num_queries(12) as done:
        assert client.get(f"/api/v1/applications/{pk}/").status_code == 200
    authorising = [q["sql"] for q in done.captured_queries if '"workflow_task"' in q["sql"]]
    assert len(authorising) == 1 and f'"application_id" = {pk}' in authorising[0]
    # The page: the reviewer's open task, asked with `may_decide`, is the one task query that authorises them.
    client.get(f"/workbench/applications/{pk}/")
    with django_assert_max_num_queries(16) as page:
        assert client.get(f"/workbench/applications/{pk}/").status_code == 200
    tasks = [q["sql"] for q in page.captured_queries if 'FROM "workflow_task"' in q["sql"]]
    assert len(tasks) == 1 and f'"application_id" = {pk}' in tasks[0] and "EXISTS" in tasks[0], tasks


def test_single_row_check_agrees_with_the_list_policy(tenant_schema):
    """`application_visible` (one row) and `applications_visible` (the list) answer alike for every member."""
    for schema in ("harbin", "national"):
        with tenant_schema(schema):
            applications = list(Application.objects.all())
            for membership in Membership.objects.select_related("organisation"):
                visible = set(policies.applications_visible(membership).values_list("pk", flat=True))
                for application in applications:
                    where = (schema, membership.user_id, application.pk)
                    assert policies.application_visible(membership, application) == (application.pk in visible), where
                    # The page's door, which lets whoever may decide the open task in on that query, agrees too.
                    try:
                        selectors.access_application_and_task(membership, application.pk)
                    except Http404:
                        assert application.pk not in visible, where
                    else:
                        assert application.pk in visible, where


def test_bench_script_runs_on_a_small_inbox(tenant_schema, capsys):
    """bench/inbox.py's data and measurement, on 40 tasks and 2 rounds (the figures are the script's job)."""
    spec = importlib.util.spec_from_file_location("bench_inbox", Path(__file__).parent.parent / "bench" / "inbox.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    with tenant_schema("harbin"), connection.cursor() as cursor:
        bench._add_tasks(cursor, 0, 40)
    bench.report(bench.measure(2))
    out = capsys.readouterr().out
    assert "/api/v1/me/ (baseline)" in out and "open one application (API)" in out
