"""City lifecycle from the national console: suspend, resume, archive, restore — audited, data kept, and a closed
city's host answering every path (portal, sign-in, workbench, API, admin, CMS) with its notice."""

import pytest
from django.contrib.auth import get_user_model

from shared_apps.oversight.lifecycle import (
    tenant_archive,
    tenant_restore,
    tenant_resume,
    tenant_suspend,
    tenant_transition,
)
from shared_apps.oversight.models import AuditEntry
from tenant_apps.organisations.models import Organisation
from tenants.errors import DomainError
from tenants.models import Tenant
from tenants.scheduler import ServingTenantsScheduler
from tenants.services import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

URL = "/tenants/{}/lifecycle/"
REASON = "数据核查期间暂停服务"


def city(schema="jiangmen") -> Tenant:
    return Tenant.objects.get(schema_name=schema)


def change(client, transition, reason="", schema="jiangmen", confirm=True):
    data = {"transition": transition, "reason": reason}
    if confirm:
        data["confirm"] = "on"
    return client.post(URL.format(schema), data)


def status_changes(schema="jiangmen"):
    return AuditEntry.objects.filter(schema_name=schema, target_type="tenants.tenant", changes__has_key="status")


@pytest.fixture
def console(login_client, national_staff):
    return login_client(None, national_staff.username)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_user("center_root", mobile="13800009998", is_superuser=True)


# --- The console page -----------------------------------------------------------------------------------------------
def test_suspend_from_the_console_closes_the_city_and_is_audited(console, national_staff):
    trail = status_changes().count()
    response = change(console, "suspend", REASON)
    assert response.status_code == 302 and response["Location"] == URL.format("jiangmen")
    jiangmen = city()
    assert jiangmen.status == Tenant.Status.SUSPENDED and jiangmen.status_reason == REASON
    assert jiangmen.status_changed_at is not None
    entry = status_changes().order_by("-id").first()
    assert status_changes().count() == trail + 1
    assert entry.action == AuditEntry.Action.UPDATE and entry.actor == national_staff
    assert entry.target_id == str(jiangmen.pk) and entry.ip and entry.ip.startswith("10.200.")
    assert entry.changes == {"status": ["运行中", "已暂停"], "status_reason": ["", REASON]}
    html = console.get(URL.format("jiangmen")).content.decode()
    assert 'data-status="suspended"' in html and REASON in html
    assert 'id="lifecycle-resume"' in html and 'id="lifecycle-archive"' in html
    assert 'id="lifecycle-suspend"' not in html and 'id="lifecycle-restore"' not in html
    assert "已暂停" in html.split('id="lifecycle-history"')[1]  # the history shows the change


def test_the_page_refuses_a_missing_reason_or_confirmation_on_their_fields(console):
    response = change(console, "suspend", "")
    assert response.status_code == 400
    assert "请填写原因" in response.content.decode()
    response = change(console, "archive", REASON, confirm=False)
    assert response.status_code == 400 and "请勾选确认" in response.content.decode()
    assert city().status == Tenant.Status.ACTIVE
    assert not status_changes().filter(changes__status__1="已暂停", changes__status_reason__1="").exists()


def test_a_change_the_city_has_moved_past_is_refused_on_the_page(console):
    assert change(console, "suspend", REASON).status_code == 302
    response = change(console, "suspend", "再次暂停")  # a second tab still showing the active city
    assert response.status_code == 400
    assert "已是“已暂停”" in response.content.decode()
    assert city().status_reason == REASON


def test_the_page_is_for_national_staff_only(tenant_client, login_client):
    response = tenant_client(None).get(URL.format("jiangmen"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert login_client(None, "hrb_admin").post(URL.format("jiangmen"), {"transition": "suspend"}).status_code == 403
    assert login_client(None, "hrb_admin").get(URL.format("jiangmen")).status_code == 403
    # On a city's host the console's path is just a portal path: no lifecycle page there.
    assert login_client("harbin", "hrb_admin").get(URL.format("jiangmen")).status_code == 404
    assert city().status == Tenant.Status.ACTIVE


@pytest.mark.parametrize("schema", ["public", "tenant_template", "nowhere"])
def test_only_cities_have_a_lifecycle(console, schema):
    assert console.get(URL.format(schema)).status_code == 404


def test_the_page_reads_its_history_in_a_bounded_number_of_queries(
    console, national_staff, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as few:
        console.get(URL.format("harbin"))
    harbin = city("harbin")
    for _round in range(4):
        tenant_suspend(tenant=harbin, actor=national_staff, reason=REASON)
        tenant_resume(tenant=harbin, actor=national_staff)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = console.get(URL.format("harbin")).content.decode()
    assert html.count("center_staff") >= 8


# --- The services ---------------------------------------------------------------------------------------------------
def test_every_legal_transition(national_staff, superuser):
    jiangmen = city()
    assert tenant_suspend(tenant=jiangmen, actor=national_staff, reason=REASON).status == Tenant.Status.SUSPENDED
    resumed = tenant_resume(tenant=jiangmen, actor=national_staff, reason="核查完毕")
    assert resumed.status == Tenant.Status.ACTIVE and resumed.status_reason == ""
    assert tenant_archive(tenant=jiangmen, actor=national_staff, reason="试点结束").status == Tenant.Status.ARCHIVED
    assert tenant_restore(tenant=jiangmen, actor=superuser, reason="误操作").status == Tenant.Status.ACTIVE
    tenant_suspend(tenant=jiangmen, actor=national_staff, reason=REASON)
    archived = tenant_archive(tenant=jiangmen, actor=national_staff, reason="试点结束")  # suspended → archived
    assert archived.status == Tenant.Status.ARCHIVED and archived.status_reason == "试点结束"
    trail = list(status_changes().order_by("id").values_list("changes", flat=True))[-6:]
    assert [c["status"] for c in trail] == [
        ["运行中", "已暂停"],
        ["已暂停", "运行中"],
        ["运行中", "已归档"],
        ["已归档", "运行中"],
        ["运行中", "已暂停"],
        ["已暂停", "已归档"],
    ]
    assert trail[1]["note"] == ["", "核查完毕"] and trail[3]["note"] == ["", "误操作"]


@pytest.mark.parametrize(
    ("setup", "transition", "code", "status"),
    [
        ([], "resume", "lifecycle.illegal_transition", 409),
        ([], "restore", "lifecycle.superuser_only", 403),
        (["suspend"], "suspend", "lifecycle.illegal_transition", 409),
        (["archive"], "archive", "lifecycle.illegal_transition", 409),
        (["archive"], "resume", "lifecycle.illegal_transition", 409),
        (["archive"], "suspend", "lifecycle.illegal_transition", 409),
        ([], "delete", "lifecycle.unknown_transition", 400),
    ],
)
def test_illegal_transitions_are_refused_and_leave_no_trail(national_staff, setup, transition, code, status):
    jiangmen = city()
    for step in setup:
        tenant_transition(tenant=jiangmen, transition=step, actor=national_staff, reason=REASON)
    before, trail = city().status, status_changes().count()
    with pytest.raises(DomainError) as refused:
        tenant_transition(tenant=jiangmen, transition=transition, actor=national_staff, reason=REASON)
    assert (refused.value.code, refused.value.status) == (code, status)
    assert city().status == before and status_changes().count() == trail


def test_an_archived_city_is_restored_by_a_superuser_only(national_staff, superuser):
    jiangmen = tenant_archive(tenant=city(), actor=national_staff, reason="试点结束")
    with pytest.raises(DomainError) as refused:
        tenant_restore(tenant=jiangmen, actor=national_staff)
    assert refused.value.code == "lifecycle.superuser_only" and "超级管理员" in refused.value.message
    assert tenant_restore(tenant=jiangmen, actor=superuser).status == Tenant.Status.ACTIVE


def test_reasons_are_required_for_suspend_and_archive_and_only_staff_may_change(national_staff):
    for transition in ("suspend", "archive"):
        with pytest.raises(DomainError) as refused:
            tenant_transition(tenant=city(), transition=transition, actor=national_staff, reason="   ")
        assert (refused.value.code, refused.value.field) == ("lifecycle.reason_required", "reason")
    city_admin = get_user_model().objects.get(username="jm_admin")
    with pytest.raises(DomainError) as refused:
        tenant_suspend(tenant=city(), actor=city_admin, reason=REASON)
    assert refused.value.status == 403
    assert city().status == Tenant.Status.ACTIVE


def test_beat_sends_nothing_into_closed_cities(national_staff):
    tenant_suspend(tenant=city("jiangmen"), actor=national_staff, reason=REASON)
    tenant_archive(tenant=city("harbin"), actor=national_staff, reason="试点结束")
    scheduled = set(ServingTenantsScheduler.get_queryset().values_list("schema_name", flat=True))
    assert "national" in scheduled and not scheduled & {"jiangmen", "harbin"}


# --- The closed city's host -----------------------------------------------------------------------------------------
CLOSED_PATHS = ["/", "/accounts/login/", "/workbench/", "/django-admin/", "/cms/", "/register/", "/notices/"]


@pytest.mark.parametrize(("transition", "status"), [("suspend", 503), ("archive", 410)])
def test_a_closed_city_answers_every_page_with_its_notice(tenant_client, national_staff, transition, status):
    tenant_transition(tenant=city(), transition=transition, actor=national_staff, reason=REASON)
    client = tenant_client("jiangmen")
    for path in CLOSED_PATHS:
        response = client.get(path)
        assert response.status_code == status, path
        html = response.content.decode()
        assert REASON in html and city().get_status_display() in html and city().name in html, path
        assert response["Cache-Control"] == "no-store"
        assert 'name="pw-password"' not in html and "工作台" not in html
    assert tenant_client("harbin").get("/").status_code == 200  # other cities unaffected
    assert tenant_client("harbin").get("/accounts/login/").status_code == 200


def test_sign_in_is_refused_even_with_the_form_already_open(tenant_client, captcha, national_staff):
    client = tenant_client("jiangmen")
    html = client.get("/accounts/login/").content.decode()
    data = {"mode": "password", "action": "password", "pw-identifier": "jm_admin", "pw-password": DEMO_PASSWORD}
    tenant_suspend(tenant=city(), actor=national_staff, reason=REASON)
    response = client.post("/accounts/login/", {**data, **captcha(html, "pw")})
    assert response.status_code == 503 and REASON in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("transition", "status"), [("suspend", 503), ("archive", 410)])
def test_the_api_of_a_closed_city_refuses_in_the_api_shape(login_client, national_staff, transition, status):
    member = login_client("jiangmen", "jm_admin")
    assert member.get("/api/v1/me/").status_code == 200
    tenant_transition(tenant=city(), transition=transition, actor=national_staff, reason=REASON)
    for method, path in [("get", "/api/v1/me/"), ("get", "/api/v1/tasks/"), ("post", "/api/v1/applications/")]:
        response = getattr(member, method)(path)
        assert response.status_code == status, path
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["code"] == f"tenant.{city().status}" and body["errors"]["reason"] == [REASON]
        assert body["message"] in body["errors"]["non_field_errors"]
    assert member.get("/workbench/").status_code == status  # a session from before is no way in either
    assert login_client("harbin", "hrb_admin").get("/api/v1/me/").status_code == 200


def test_resume_opens_the_city_again_with_all_its_data(tenant_schema, login_client, national_staff, tenant_client):
    with tenant_schema("jiangmen"):
        organisations = sorted(Organisation.objects.values_list("pk", flat=True))
    tenant_suspend(tenant=city(), actor=national_staff, reason=REASON)
    tenant_archive(tenant=city(), actor=national_staff, reason="试点结束")
    with tenant_schema("jiangmen"):
        assert sorted(Organisation.objects.values_list("pk", flat=True)) == organisations
    tenant_restore(tenant=city(), actor=get_user_model().objects.create_user("root2", is_superuser=True))
    assert tenant_client("jiangmen").get("/").status_code == 200
    member = login_client("jiangmen", "jm_admin")
    assert member.get("/workbench/").status_code == 200
    assert member.get("/api/v1/me/").status_code == 200
    with tenant_schema("jiangmen"):
        assert sorted(Organisation.objects.values_list("pk", flat=True)) == organisations


def test_the_benchmark_script_measures_a_closed_city(national_staff, monkeypatch):
    """bench/lifecycle.py's measurement on the test cities (its own preparation provisions a city of its own)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "lifecycle.py"
    spec = importlib.util.spec_from_file_location("bench_lifecycle", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, "CLOSED", "jiangmen")
    tenant_suspend(tenant=city(), actor=national_staff, reason=REASON)
    results = bench.measure(2)
    assert [len(timings) for _label, timings in results] == [2] * 5
    assert len(bench.changes(national_staff, 1)) == 1 and city("harbin").status == Tenant.Status.ACTIVE
