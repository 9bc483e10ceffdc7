"""The richer national console (issue #17, Oversight): figures the modules roll up (backlog and overdue tasks,
vouchers, acceptance conclusions, province and batch), daily snapshots, filters, sorting, paging, XLSX export,
the city drill-down and the debounced roll-up after a decision."""

import datetime
import io
import json
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shared_apps.oversight.models import AuditEntry, TenantFigures, TenantSnapshot
from shared_apps.oversight.services import figures_rollup, figures_rollup_soon, snapshots_take
from tenants.models import Tenant

pytestmark = pytest.mark.django_db


def _figures(schema: str, **values) -> TenantFigures:
    figures, _ = TenantFigures.objects.update_or_create(
        tenant=Tenant.objects.get(schema_name=schema), defaults={"computed_at": timezone.now(), **values}
    )
    return figures


def test_the_roll_up_counts_the_backlog_by_stage_with_ages_and_overdue_tasks(tenant_schema):
    from tenant_apps.workflow.models import Task

    with tenant_schema("harbin"):
        open_tasks = Task.objects.filter(state=Task.State.OPEN)
        assert open_tasks.exists(), "the Harbin demo has applications waiting"
        late = open_tasks.order_by("pk").first()
        Task.objects.filter(pk=late.pk).update(
            due_at=timezone.now() - datetime.timedelta(days=2), created_at=timezone.now() - datetime.timedelta(days=9)
        )
        expected_open = open_tasks.count()
        expected_overdue = open_tasks.filter(due_at__lt=timezone.now()).count()
        figures = figures_rollup()
    assert figures.tasks_open == expected_open
    assert figures.tasks_overdue == expected_overdue >= 1
    assert sum(row["open"] for row in figures.backlog) == expected_open
    stage = next(row for row in figures.backlog if row["stage"] == late.stage_name and row["overdue"])
    assert stage["oldest_days"] >= 9 and stage["name"]  # the kind's Chinese name, never only its code
    assert set(figures.backlog[0]) == {"kind", "name", "stage", "position", "open", "overdue", "oldest_days"}
    assert figures.applications_submitted == sum(row["submitted"] for row in figures.applications_by_kind) > 0
    # Where the city sits: the province its organisations registered in, the batch its pilot period began.
    assert (figures.province, figures.batch) == ("黑龙江省", "2024")


def test_the_roll_up_brings_vouchers_and_acceptance_conclusions(tenant_schema):
    from django.db.models import Count, Exists, OuterRef

    from tenant_apps.vouchers.models import LedgerEntry, Voucher

    with tenant_schema("national"):
        deducted = LedgerEntry.objects.filter(voucher=OuterRef("pk"), kind="deduct")
        expected = Voucher.objects.aggregate(issued=Count("id"), redeemed=Count("id", filter=Exists(deducted)))
        figures = figures_rollup()
    assert (figures.vouchers_issued, figures.vouchers_redeemed) == (expected["issued"], expected["redeemed"])
    assert figures.vouchers_issued >= 1  # the national demo issues vouchers
    with tenant_schema("harbin"):  # vouchers off there: zeros; conclusions counted per conclusion
        figures = figures_rollup()
    assert figures.vouchers_issued == 0
    assert figures.acceptances_concluded == sum(figures.acceptance_conclusions.values())


def test_daily_snapshots_are_one_row_per_city_and_day_and_rerunning_overwrites():
    _figures("harbin", organisations=3, tasks_open=5, tasks_overdue=1, recognised_investment="12.50")
    day = datetime.date(2026, 3, 1)
    written = snapshots_take(day=day)
    assert written == TenantFigures.objects.filter(tenant__kind="tenant").count()
    _figures("harbin", organisations=4, tasks_open=2)
    snapshots_take(day=day)  # the job ran twice the same day
    rows = TenantSnapshot.objects.filter(tenant__schema_name="harbin", day=day)
    assert rows.count() == 1
    snapshot = rows.get()
    assert (snapshot.organisations, snapshot.tasks_open) == (4, 2)
    assert snapshot.figures["recognised_investment"] == "12.50" and "backlog" not in snapshot.figures
    assert not TenantSnapshot.objects.filter(tenant__kind="template").exists()


def test_the_snapshot_task_runs_in_public_and_is_scheduled_daily():
    from django.conf import settings

    from shared_apps.oversight.tasks import snapshot_figures

    _figures("jiangmen", tasks_open=1)
    assert snapshot_figures.apply().get()["snapshots"] >= 1
    assert TenantSnapshot.objects.filter(tenant__schema_name="jiangmen", day=timezone.localdate()).exists()
    entry = settings.CELERY_BEAT_SCHEDULE["snapshot-figures"]
    assert entry["tenant_schemas"] == ["public"] and entry["task"] == "oversight.snapshot_figures"


def _snapshot(schema: str, day: datetime.date) -> TenantSnapshot:
    return TenantSnapshot.objects.create(
        tenant=Tenant.objects.get(schema_name=schema), day=day, computed_at=timezone.now(), organisations=day.day
    )


def test_snapshots_past_the_retention_are_pruned_oldest_first_in_one_bounded_statement(
    settings, django_assert_num_queries
):
    from shared_apps.oversight.services import snapshots_prune

    settings.PLATFORM_SNAPSHOT_KEEP_DAYS = 30
    today = datetime.date(2026, 12, 7)
    ago = {n: today - datetime.timedelta(days=n) for n in (33, 32, 31, 30, 0)}
    for day in ago.values():
        _snapshot("harbin", day)
    _snapshot("jiangmen", ago[31])
    with django_assert_num_queries(1):  # one DELETE, however many rows are due
        assert snapshots_prune(today=today, limit=2) == 2  # the two oldest; the rest waits for the next run
    left = set(TenantSnapshot.objects.values_list("tenant__schema_name", "day"))
    assert ("harbin", ago[33]) not in left and ("harbin", ago[32]) not in left
    assert snapshots_prune(today=today) == 2  # both cities' rows of day 31
    left = set(TenantSnapshot.objects.values_list("tenant__schema_name", "day"))
    assert left == {("harbin", ago[30]), ("harbin", today)}  # exactly 30 days back is kept
    assert snapshots_prune(today=today) == 0


def test_a_retention_of_zero_keeps_every_snapshot(settings):
    from shared_apps.oversight.services import snapshots_prune

    settings.PLATFORM_SNAPSHOT_KEEP_DAYS = 0
    _snapshot("harbin", datetime.date(2020, 1, 1))
    assert snapshots_prune(today=datetime.date(2026, 12, 7)) == 0
    assert TenantSnapshot.objects.filter(day=datetime.date(2020, 1, 1)).exists()


def test_the_daily_snapshot_task_prunes_with_the_default_retention(settings):
    from shared_apps.oversight.tasks import snapshot_figures

    assert settings.PLATFORM_SNAPSHOT_KEEP_DAYS == 1830  # the documented default
    today = timezone.localdate()
    kept, gone = today - datetime.timedelta(days=1830), today - datetime.timedelta(days=1831)
    _snapshot("harbin", kept)
    _snapshot("harbin", gone)
    _figures("harbin", tasks_open=1)
    outcome = snapshot_figures.apply().get()
    assert outcome["pruned"] == 1 and outcome["snapshots"] >= 1
    days = set(TenantSnapshot.objects.filter(tenant__schema_name="harbin").values_list("day", flat=True))
    assert kept in days and today in days and gone not in days


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr[^>]*data-schema="([a-z0-9_]+)"', html)


def test_console_filters_by_province_batch_and_status_and_sorts_by_overdue(login_client, national_staff):
    _figures("harbin", province="黑龙江省", batch="2024", tasks_overdue=1)
    _figures("jiangmen", province="广东省", batch="2025", tasks_overdue=7)
    _figures("national", province="", batch="2024", tasks_overdue=0)
    client = login_client(None, national_staff.username)
    assert _rows(client.get("/?province=广东省").content.decode()) == ["jiangmen"]
    assert set(_rows(client.get("/?batch=2024").content.decode())) == {"harbin", "national"}
    assert _rows(client.get("/?sort=-overdue").content.decode())[:2] == ["jiangmen", "harbin"]
    html = client.get("/?status=suspended").content.decode()
    assert _rows(html) == [] and "还没有城市" in html
    # An unknown choice is dropped (every city), never a 500.
    response = client.get("/?province=火星&sort=drop+table")
    assert response.status_code == 200 and len(_rows(response.content.decode())) >= 3
    html = client.get("/").content.decode()
    assert 'id="console-trends"' in html and "echarts.common.min.js" in html and "<script>" not in html
    assert "广东省" in html and "2025 年批次" in html  # the filter choices come from the roll-ups


def test_console_pages_cities_with_constant_queries(login_client, national_staff, django_assert_max_num_queries):
    """300 cities would be 15 pages of 20; the query count does not depend on how many cities there are (rows
    inserted without schemas: the console reads public tables only)."""
    client = login_client(None, national_staff.username)
    client.get("/")
    with django_assert_max_num_queries(30) as before:
        client.get("/")
    baseline = len(before.captured_queries)
    tenants = Tenant.objects.bulk_create(
        [Tenant(schema_name=f"bench{n:03d}", name=f"城市{n:03d}", kind="tenant") for n in range(60)]
    )
    TenantFigures.objects.bulk_create(
        [
            TenantFigures(tenant=t, province="江苏省", tasks_open=n, computed_at=timezone.now())
            for n, t in enumerate(tenants)
        ]
    )
    snapshots_take()
    with django_assert_max_num_queries(baseline):
        html = client.get("/?page=4").content.decode()
    assert len(_rows(html)) == 3  # 63 cities, 20 a page
    with django_assert_max_num_queries(baseline):
        html = client.get("/?sort=-backlog&size=20").content.decode()
    assert _rows(html)[0] == "bench059"


def test_console_export_is_the_filtered_list_as_xlsx(login_client, national_staff):
    _figures("harbin", province="黑龙江省", tasks_open=4, subsidy_disbursed="1234.50")
    _figures("jiangmen", province="广东省")
    response = login_client(None, national_staff.username).get("/export.xlsx?province=黑龙江省")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("平台", "标识", "状态", "省份", "批次")
    assert [row[1] for row in rows[1:]] == ["harbin"]
    header = list(rows[0])
    assert rows[1][header.index("待办")] == 4
    assert float(rows[1][header.index("已拨付补贴（元）")]) == 1234.5


def test_city_page_shows_figures_funnel_backlog_trend_and_masked_activity(login_client, national_staff):
    from django.contrib.auth import get_user_model

    figures = _figures(
        "harbin",
        enterprises=10,
        certified_enterprises=6,
        pilot_enterprises=3,
        tasks_open=4,
        tasks_overdue=1,
        backlog=[
            {"kind": "acceptance", "name": "项目验收及补贴申请", "stage": "现场验收", "position": 2, "open": 3,
             "overdue": 1, "oldest_days": 12},
        ],
    )  # fmt: skip
    TenantSnapshot.objects.create(
        tenant=figures.tenant,
        day=timezone.localdate() - datetime.timedelta(days=8),
        tasks_open=1,
        figures={"enterprises": 7, "tasks_open": 1},
        computed_at=timezone.now(),
    )
    snapshots_take()
    admin = get_user_model().objects.get(username="hrb_admin")
    AuditEntry.objects.create(
        schema_name="harbin", actor=admin, action="sub_account.create", target_type="accounts.user",
        target_label="王小明", changes={"mobile": [None, "13900001234"]},
    )  # fmt: skip
    html = login_client(None, national_staff.username).get("/tenants/harbin/").content.decode()
    assert "哈尔滨市中小企业数字化转型城市试点" in html
    assert "现场验收" in html and ">12<" in html  # the backlog by stage with its oldest age
    assert "试点入库" in html and "30%" in html  # the funnel: 3 of 10 registered enterprises
    assert "+3" in html  # enterprises: 10 now, 7 a week before
    assert 'id="console-city-trends"' in html
    assert "王**" in html and "王小明" not in html and "13900001234" not in html  # PIPL: masked, no values
    assert "h*******" in html and "hrb_admin" not in html
    assert 'href="/tenants/harbin/lifecycle/"' in html  # 状态管理 (the lifecycle page, when it exists)


def test_city_page_without_a_roll_up_or_snapshots_still_answers(login_client, national_staff):
    TenantFigures.objects.filter(tenant__schema_name="jiangmen").delete()
    response = login_client(None, national_staff.username).get("/tenants/jiangmen/")
    assert response.status_code == 200 and "该城市尚未汇总指标" in response.content.decode()


@pytest.mark.parametrize("path", ["/tenants/harbin/", "/export.xlsx"])
def test_console_pages_refuse_anonymous_tenant_users_and_tenant_hosts(
    login_client, tenant_client, national_staff, path
):
    anonymous = tenant_client(None).get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert login_client(None, "hrb_admin").get(path).status_code == 403  # a city's administrator is no national staff
    assert login_client("jiangmen", "jm_admin").get(path).status_code == 404  # not on another tenant's host


@pytest.mark.parametrize("schema", ["nowhere", "public", "tenant_template"])
def test_city_page_is_404_for_what_is_no_city(login_client, national_staff, schema):
    from django.conf import settings

    schema = settings.TENANT_BASE_SCHEMA if schema == "tenant_template" else schema
    assert login_client(None, national_staff.username).get(f"/tenants/{schema}/").status_code == 404


def test_a_decision_asks_for_one_debounced_roll_up(tenant_schema, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from tenant_apps.workflow.models import Application

    with tenant_schema("harbin"):
        application = Application.objects.exclude(state="draft").first()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            application.save(update_fields=["version"])
            application.save(update_fields=["version"])
        assert cache.get("oversight:rollup-pending") == 1  # queued once; the second save found it pending
    assert len(callbacks) == 2
    assert figures_rollup_soon("harbin") is False
    assert figures_rollup_soon("jiangmen") is True


def test_charts_are_data_in_a_json_script_not_inline_code(login_client, national_staff):
    _figures("harbin")
    snapshots_take()
    html = login_client(None, national_staff.username).get("/").content.decode()
    payload = re.search(r'<script id="console-trends" type="application/json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(payload)
    assert data["kind"] == "line" and data["x"][-1] == timezone.localdate().isoformat()
    assert {series["name"] for series in data["series"]} >= {"待办", "超期待办"}


def test_the_console_benchmark_writes_figures_the_model_accepts():
    """bench/console.py (not a CI test) stays in step with TenantFigures: its generated roll-up saves."""
    import importlib.util
    import random
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "console.py"
    spec = importlib.util.spec_from_file_location("bench_console", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    figures = _figures("harbin", **bench._figures(1, random.Random(1)))
    figures.full_clean()
    assert figures.backlog and figures.province
