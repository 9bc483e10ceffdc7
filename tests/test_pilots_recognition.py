"""The bureau's recognition after the on-site acceptance (issue #14): figures per project → the subsidy computed from
the city's policy (version recorded on the acceptance), adjustments with a reason, the engine check that holds the
stamped table's review until recognition is recorded, the reviewer's section, the workbench page and the API with
isolation (anonymous, another enterprise, a tenant without the module) and bounded query counts."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.configuration.models import SubsidyPolicy
from tenant_apps.pilots import recognition
from tenant_apps.pilots.models import (
    AcceptanceProject,
    PublicityBatch,
    PublicityItem,
    SubsidyAdjustment,
)
from tenant_apps.pilots.subsidy import tranche_plan
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Application, Task
from tenant_apps.workflow.registry import checks_evaluate
from tenants.errors import DomainError
from tests.pilots_factories import acceptance_submitted, admitted_enterprise, bureau, decide, finance

pytestmark = pytest.mark.django_db
HARBIN = "harbin"
API = "/api/v1/pilots/recognition"
JSON = "application/json"


@pytest.fixture
def world(tenant_schema, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema(HARBIN):
        yield admitted_enterprise(1)


def at_onsite(member, **kwargs):
    """An acceptance past its material review (at 现场验收): recognition may be recorded."""
    acceptance = acceptance_submitted(member, **kwargs)
    decide(acceptance)
    acceptance.application.refresh_from_db()
    return acceptance


def figures(acceptance, **over) -> list[dict]:
    row = {"recognised_amount": "420000.00", "recognised_hardware": "120000.00", "level_reached": 3}
    row.update(over)
    return [{"id": p.pk, **row} for p in acceptance.projects.all()]


def record(acceptance, **over):
    return recognition.recognise(membership=bureau(), acceptance_id=acceptance.pk, projects=figures(acceptance, **over))


def refused(call) -> tuple[int, str, str | None]:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value.status, raised.value.code, raised.value.field


# --- The service ------------------------------------------------------------------------------------------------------
def test_recognition_computes_stores_and_records_the_policy(world):
    acceptance = acceptance_submitted(world)
    assert refused(lambda: record(acceptance)) == (409, "recognition.wrong_stage", None)  # still at 材料审核
    decide(acceptance)
    version = Application.objects.get(pk=acceptance.application_id).version
    saved, result = record(acceptance)
    project = AcceptanceProject.objects.get(acceptance=acceptance)
    # 420,000 with 120,000 hardware (≤ 50 % of 420,000: in full); level 3 → 50 %; below the 1M cap.
    assert (project.recognised_amount, project.recognised_hardware, project.level_reached) == (
        D("420000.00"),
        D("120000.00"),
        3,
    )
    assert project.subsidy_computed == project.subsidy == D("210000.00") == result.total
    assert project.subsidy_breakdown == (
        "认定投资 420,000.00 元，其中硬件 120,000.00 元全额计入，计补基数 420,000.00 元，"
        "比例 50%（数字化水平达到三级及以上），封顶 1,000,000.00 元 → 补贴 210,000.00 元"
    )
    saved.refresh_from_db()
    assert saved.policy == SubsidyPolicy.objects.get(code="harbin-project-subsidy", version=1)
    assert saved.recognised_at is not None
    assert Application.objects.get(pk=acceptance.application_id).version == version + 1

    # Out of the period → 0 with the reason; level 2 → the base 30 %.
    record(acceptance, in_period=False)
    out = AcceptanceProject.objects.get(acceptance=acceptance)
    assert out.subsidy == 0 and (out.in_period, out.proven) == (False, True)  # the findings are kept as recorded
    assert recognition.form_defaults(acceptance, [out])[out.pk]["in_period"] is False  # the form refills from them
    record(acceptance, level_reached=2, recognised_hardware="300000.00")  # hardware counts 210,000
    project.refresh_from_db()
    assert project.subsidy == D("99000.00")  # (120,000 + 210,000) × 30 %
    assert "其中硬件 300,000.00 元按上限 50% 计入 210,000.00 元" in project.subsidy_breakdown


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"recognised_amount": "-1"}, "recognition.money", "projects.0.recognised_amount"),
        ({"recognised_amount": ""}, "recognition.required", "projects.0.recognised_amount"),
        ({"recognised_amount": "1.234"}, "recognition.money", "projects.0.recognised_amount"),
        ({"recognised_hardware": "420000.01"}, "recognition.hardware_over", "projects.0.recognised_hardware"),
        ({"level_reached": 5}, "recognition.level", "projects.0.level_reached"),
        ({"level_reached": None}, "recognition.level", "projects.0.level_reached"),
    ],
)
def test_figures_are_refused_on_their_dotted_field(world, over, code, field):
    acceptance = at_onsite(world)
    assert refused(lambda: record(acceptance, **over)) == (400, code, field)
    assert AcceptanceProject.objects.get(acceptance=acceptance).recognised_amount is None


def test_every_project_once_and_only_the_bureau(world):
    acceptance = at_onsite(world)
    other = at_onsite(admitted_enterprise(2))
    assert refused(lambda: recognition.recognise(membership=bureau(), acceptance_id=acceptance.pk, projects=[])) == (
        400,
        "recognition.incomplete",
        "projects",
    )
    assert refused(
        lambda: recognition.recognise(membership=bureau(), acceptance_id=acceptance.pk, projects=figures(other))
    ) == (400, "recognition.unknown_project", "projects.0.id")
    for member in (world, finance()):
        assert refused(
            lambda m=member: recognition.recognise(
                membership=m, acceptance_id=acceptance.pk, projects=figures(acceptance)
            )
        )[:2] == (403, "recognition.not_bureau")
    stale = Application.objects.get(pk=acceptance.application_id).version - 1
    assert refused(
        lambda: recognition.recognise(
            membership=bureau(), acceptance_id=acceptance.pk, projects=figures(acceptance), expected_version=stale
        )
    )[:2] == (409, "workflow.stale")


def test_each_acceptance_keeps_the_policy_version_it_was_recognised_under(world):
    acceptance = at_onsite(world)
    record(acceptance)
    first = SubsidyPolicy.objects.get(code="harbin-project-subsidy", version=1)
    newer = SubsidyPolicy.objects.create(
        code=first.code, version=2, name=first.name, ratio=D("0.2000"), cap_per_project=D("1000000.00")
    )
    record(acceptance)  # re-recognised without naming a policy: still version 1
    acceptance.refresh_from_db()
    assert acceptance.policy == first
    assert AcceptanceProject.objects.get(acceptance=acceptance).subsidy == D("210000.00")

    later = at_onsite(admitted_enterprise(3))
    record(later)  # a first recognition takes the current version
    later.refresh_from_db()
    assert later.policy == newer
    assert AcceptanceProject.objects.get(acceptance=later).subsidy == D("84000.00")

    recognition.recognise(
        membership=bureau(), acceptance_id=acceptance.pk, projects=figures(acceptance), policy_id=newer.pk
    )
    acceptance.refresh_from_db()
    assert acceptance.policy == newer
    newer.is_active = False
    newer.save()
    assert refused(
        lambda: recognition.recognise(
            membership=bureau(), acceptance_id=later.pk, projects=figures(later), policy_id=9999999
        )
    ) == (400, "recognition.policy", "policy")


def test_the_enterprise_cap_counts_earlier_acceptances(world):
    earlier = at_onsite(world)
    record(earlier, recognised_amount="5000000.00", recognised_hardware="0", level_reached=4)  # 1.5M (level-4 cap)
    assert AcceptanceProject.objects.get(acceptance=earlier).subsidy == D("1500000.00")
    acceptance = at_onsite(world)
    _saved, result = record(acceptance, recognised_amount="2000000.00", recognised_hardware="0")
    project = AcceptanceProject.objects.get(acceptance=acceptance)
    assert project.subsidy == D("500000.00") == result.total  # 1,000,000 by the project, 2M − 1.5M left
    assert "（此前已获 1,500,000.00 元），本项目核减 500,000.00 元" in project.subsidy_breakdown
    # A rejected earlier acceptance no longer counts.
    Application.objects.filter(pk=earlier.application_id).update(state=Application.State.REJECTED)
    record(acceptance, recognised_amount="2000000.00", recognised_hardware="0")
    assert AcceptanceProject.objects.get(acceptance=acceptance).subsidy == D("1000000.00")


def test_adjustments_need_a_reason_are_logged_and_reset_by_a_new_recognition(world):
    acceptance = at_onsite(world)
    project = acceptance.projects.get()

    def adjust(amount="200000.00", reason="现场核减部分不合规发票", member=None):
        return recognition.adjust(membership=member or bureau(), project_id=project.pk, amount=amount, reason=reason)

    assert refused(adjust)[:2] == (409, "recognition.not_recognised")
    record(acceptance)
    assert refused(lambda: adjust(reason="  ")) == (400, "recognition.reason_required", "reason")
    assert refused(lambda: adjust(amount="-5")) == (400, "recognition.money", "amount")
    assert refused(lambda: adjust(member=world))[:2] == (403, "recognition.not_bureau")
    entry = adjust()
    project.refresh_from_db()
    assert (entry.amount_before, entry.amount_after, project.subsidy, project.subsidy_computed) == (
        D("210000.00"),
        D("200000.00"),
        D("200000.00"),
        D("210000.00"),
    )
    record(acceptance)  # recomputed: the adjustment stays in the history, no longer in effect
    project.refresh_from_db()
    assert project.subsidy == D("210000.00")
    assert SubsidyAdjustment.objects.filter(project=project).count() == 1


def test_nothing_changes_once_published(world):
    acceptance = at_onsite(world)
    record(acceptance)
    batch = PublicityBatch.objects.create(title="第一批", state="published", created_by=bureau().user)
    PublicityItem.objects.create(
        batch=batch,
        acceptance=acceptance,
        enterprise_name="x",
        projects="x",
        recognised_amount=D("420000.00"),
        subsidy=D("210000.00"),
    )
    project = acceptance.projects.get()
    assert refused(lambda: record(acceptance))[:2] == (409, "recognition.published")
    assert refused(lambda: recognition.adjust(membership=bureau(), project_id=project.pk, amount="1", reason="x"))[
        :2
    ] == (409, "recognition.published")


def _to_stamped_review(acceptance):
    """Straight to 盖章件审核 (the on-site and upload stages belong to other tests): close the open task, move the
    application on and open the stage's task as the engine does."""
    application = Application.objects.get(pk=acceptance.application_id)
    Task.objects.filter(application=application, state=Task.State.OPEN).update(state=Task.State.DONE)
    application.stage_position = next(s["position"] for s in application.stages if s["name"] == "盖章件审核")
    application.save()
    engine._open_task(application)
    return application


def test_the_stamped_table_review_waits_for_the_recognition(world):
    acceptance = at_onsite(world)
    application = _to_stamped_review(acceptance)
    assert application.current_stage["checks"] == ["recognition_recorded"]
    [result] = checks_evaluate(application, ["recognition_recorded"])
    assert not result.passed and "尚未为每个项目认定" in result.message
    assert result.remedy_url == f"/workbench/pilots/acceptance/recognition/{acceptance.pk}/"
    assert refused(lambda: decide(acceptance))[:2] == (400, "workflow.check_failed")
    record(acceptance)
    decide(acceptance)
    assert Application.objects.get(pk=acceptance.application_id).current_stage["name"] == "公示"


def test_the_reviewers_section(world):
    acceptance = at_onsite(world)
    assert recognition.section(acceptance) is None
    record(acceptance)
    recognition.adjust(
        membership=bureau(), project_id=acceptance.projects.get().pk, amount="200000", reason="核减不合规发票"
    )
    acceptance.refresh_from_db()
    found = recognition.section(acceptance)
    rows = dict(found.rows)
    assert found.title == "认定与补贴"
    assert rows["适用补贴政策"] == "数字化改造项目补贴（harbin-project-subsidy 第 1 版）"
    assert rows["项目1 测算过程"].endswith("→ 补贴 210,000.00 元")
    assert rows["项目1 补贴调整"].startswith("210,000.00 元 → 200,000.00 元：核减不合规发票")
    assert rows["补贴合计"] == "200,000.00 元"
    assert recognition.content(acceptance.application) == [found]


# --- The workbench page -----------------------------------------------------------------------------------------------
def page_post(acceptance, **over) -> dict:
    project = acceptance.projects.get()
    data = {
        "version": str(Application.objects.get(pk=acceptance.application_id).version),
        "policy": str(SubsidyPolicy.objects.get(code="harbin-project-subsidy", version=1).pk),
        f"p{project.pk}-recognised_amount": "420000.00",
        f"p{project.pk}-recognised_hardware": "120000.00",
        f"p{project.pk}-level_reached": "3",
        f"p{project.pk}-in_period": "on",
        f"p{project.pk}-proven": "on",
        "do": "recognise",
    }
    data.update({key.format(p=project.pk): value for key, value in over.items()})
    return data


def test_the_bureau_records_and_adjusts_on_the_page(world, login_client):
    acceptance = at_onsite(world)
    project = acceptance.projects.get()
    url = f"/workbench/pilots/acceptance/recognition/{acceptance.pk}/"
    client = login_client(HARBIN, "hrb_bureau")
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'name="p{project.pk}-recognised_amount"' in html and 'value="420000.00"' in html  # the declared amount
    assert "保存并测算" in html and "尚未保存认定结果" in html

    bad = client.post(url, page_post(acceptance, **{"p{p}-recognised_hardware": "500000.00"}))
    assert bad.status_code == 400
    assert "硬件投入不能超过认定投资。" in bad.content.decode()
    assert client.post(url, page_post(acceptance)).status_code == 302
    html = client.get(url).content.decode()
    assert "比例 50%（数字化水平达到三级及以上），封顶 1,000,000.00 元 → 补贴 210,000.00 元" in html
    policy = SubsidyPolicy.objects.get(code="harbin-project-subsidy", version=1)
    assert all(label in html for label, _amount in tranche_plan(policy, D("210000.00")))

    version = str(Application.objects.get(pk=acceptance.application_id).version)
    adjust = {"do": "adjust", "project": str(project.pk), f"a{project.pk}-version": version}
    missing = client.post(url, {**adjust, f"a{project.pk}-amount": "200000.00", f"a{project.pk}-reason": ""})
    assert missing.status_code == 400
    done = client.post(url, {**adjust, f"a{project.pk}-amount": "200000.00", f"a{project.pk}-reason": "核减"})
    assert done.status_code == 302
    project.refresh_from_db()
    assert project.subsidy == D("200000.00")
    assert "核减" in client.get(url).content.decode()


def test_only_the_bureau_of_this_city_opens_the_page(world, login_client, tenant_client):
    acceptance = at_onsite(world)
    url = f"/workbench/pilots/acceptance/recognition/{acceptance.pk}/"
    assert login_client(HARBIN, world.user.username).get(url).status_code in (403, 404)
    assert login_client(HARBIN, "hrb_finance").get(url).status_code == 404
    assert login_client(HARBIN, "hrb_bureau").get("/workbench/pilots/acceptance/recognition/999999/").status_code == 404
    assert tenant_client(HARBIN).get(url).status_code == 302  # to sign-in
    assert login_client("jiangmen", "jm_bureau").get(url).status_code == 404  # module off there


# --- The API ----------------------------------------------------------------------------------------------------------
def put(client, path, body):
    return client.put(path, json.dumps(body), content_type=JSON)


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type=JSON)


def test_the_api_reads_records_and_adjusts(world, login_client):
    acceptance = at_onsite(world)
    project = acceptance.projects.get()
    officer = login_client(HARBIN, "hrb_bureau")
    before = officer.get(f"{API}/{acceptance.pk}/").json()
    assert (before["editable"], before["recognised_at"], before["tranches"]) == (True, None, [])

    wrong = put(officer, f"{API}/{acceptance.pk}/", {"projects": figures(acceptance, level_reached=7)})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "recognition.level" and list(wrong.json()["errors"]) == ["projects.0.level_reached"]
    stale = put(officer, f"{API}/{acceptance.pk}/", {"version": 0, "projects": figures(acceptance)})
    assert (stale.status_code, stale.json()["code"]) == (409, "workflow.stale")

    saved = put(officer, f"{API}/{acceptance.pk}/", {"version": before["version"], "projects": figures(acceptance)})
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["policy"]["version"] == 1 and body["total_subsidy"] == "210000.00"
    plan = tranche_plan(SubsidyPolicy.objects.get(pk=body["policy"]["id"]), D("210000.00"))
    assert body["tranches"] == [{"label": label, "amount": str(amount)} for label, amount in plan]
    assert sum(D(t["amount"]) for t in body["tranches"]) == D("210000.00")
    assert body["projects"][0]["subsidy_breakdown"].endswith("→ 补贴 210,000.00 元")

    path = f"{API}/{acceptance.pk}/projects/{project.pk}/adjust/"
    no_reason = post(officer, path, {"amount": "1000.00", "reason": ""})
    assert (no_reason.status_code, list(no_reason.json()["errors"])) == (400, ["reason"])
    adjusted = post(officer, path, {"amount": "1000.00", "reason": "核减"})
    assert adjusted.status_code == 200
    assert adjusted.json()["projects"][0]["adjustments"][0]["amount_after"] == "1000.00"

    # The applicant's organisation and finance read; they may not record.
    owner = login_client(HARBIN, world.user.username)
    assert owner.get(f"{API}/{acceptance.pk}/").json()["total_subsidy"] == "1000.00"
    assert login_client(HARBIN, "hrb_finance").get(f"{API}/{acceptance.pk}/").status_code == 200
    refusal = put(owner, f"{API}/{acceptance.pk}/", {"projects": figures(acceptance)})
    assert (refusal.status_code, refusal.json()["code"]) == (403, "recognition.not_bureau")
    assert post(owner, path, {"amount": "5.00", "reason": "x"}).status_code == 403


def test_the_api_isolation(world, login_client, tenant_client):
    acceptance = at_onsite(world)
    project = acceptance.projects.get()
    routes = [
        ("get", f"{API}/{acceptance.pk}/", None),
        ("put", f"{API}/{acceptance.pk}/", {"projects": figures(acceptance)}),
        ("post", f"{API}/{acceptance.pk}/projects/{project.pk}/adjust/", {"amount": "1", "reason": "x"}),
    ]

    def call(client, method, path, body):
        if method == "get":
            return client.get(path)
        return client.generic(method.upper(), path, json.dumps(body), content_type=JSON)

    other = login_client(HARBIN, admitted_enterprise(4).user.username)
    for method, path, body in routes:
        response = call(other, method, path, body)
        assert (response.status_code, response.json()["code"]) == (404, "recognition.not_found"), (method, path)
        assert world.organisation.name not in response.content.decode()
        anonymous = call(tenant_client(HARBIN), method, path, body)
        assert anonymous.status_code in (401, 403)
        for username in ("jm_bureau", "jm_enterprise"):
            assert call(login_client("jiangmen", username), method, path, body).status_code == 404
    officer = login_client(HARBIN, "hrb_bureau")
    assert officer.get(f"{API}/999999/").status_code == 404
    misplaced = post(officer, f"{API}/{acceptance.pk}/projects/999999/adjust/", {"amount": "1", "reason": "x"})
    assert misplaced.status_code == 404
    assert AcceptanceProject.objects.get(pk=project.pk).recognised_amount is None


def _queries(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_projects(world, login_client):
    acceptance = at_onsite(world)
    record(acceptance)
    recognition.adjust(membership=bureau(), project_id=acceptance.projects.get().pk, amount="1", reason="复核")
    officer = login_client(HARBIN, "hrb_bureau")
    api_one = _queries(officer, f"{API}/{acceptance.pk}/")
    page_one = _queries(officer, f"/workbench/pilots/acceptance/recognition/{acceptance.pk}/")
    template = acceptance.projects.get()
    for n in range(4):
        AcceptanceProject.objects.create(
            acceptance=acceptance, position=n + 1, name=f"仓储物流数字化改造{n}", investment=D("100000.00")
        )
    record(acceptance)
    for project in acceptance.projects.all():
        SubsidyAdjustment.objects.create(
            project=project,
            amount_before=project.subsidy,
            amount_after=project.subsidy,
            reason="复核",
            adjusted_by=bureau().user,
        )
    assert template.pk in acceptance.projects.values_list("pk", flat=True)
    assert _queries(officer, f"{API}/{acceptance.pk}/") == api_one
    assert _queries(officer, f"/workbench/pilots/acceptance/recognition/{acceptance.pk}/") == page_one


def test_the_schema_of_these_views_validates():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="config.urls_tenant", patterns=None).get_schema(request=None, public=True)
    validate_schema(schema)
    ours = {path: item for path, item in schema["paths"].items() if path.startswith(f"{API}/")}
    assert set(ours) == {f"{API}/{{id}}/", f"{API}/{{id}}/projects/{{project_pk}}/adjust/"}
    assert set(ours[f"{API}/{{id}}/"]) >= {"get", "put"}
    problems = [
        line for line in (GENERATOR_STATS._warn_cache | GENERATOR_STATS._error_cache) if "recognition" in line.lower()
    ]
    assert not problems, problems
