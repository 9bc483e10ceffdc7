"""The admission API (/api/v1/pilots/…): start, save the five sections, upload evidence, submit, through the
engine to a pilot enterprise (its status for itself, the bureau's list); every refusal with its code and dotted
field path; isolation (a tenant without the module, another organisation, anonymous); bounded query counts; the
OpenAPI schema of these views validates."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenant_apps.configuration.models import Industry
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.pilots.models import Admission, PilotEnterprise
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Application, Task

pytestmark = pytest.mark.django_db
User = get_user_model()
HARBIN = "harbin"
API = "/api/v1/pilots"
JSON = "application/json"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
    b"0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
    b"startxref\n162\n%%EOF\n"
)

BASIC = {
    "region": "黑龙江省哈尔滨市",
    "address": "平房区示例大街8号",
    "legal_rep": "赵总",
    "contact_name": "钱经理",
    "contact_mobile": "13904519001",
    "employees": "210",
    "revenue_last_year": "12800.00",
    "main_products": "航空零部件精密加工",
}
NEEDS = [{"kind": "生产制造", "description": "加工设备数据靠人工记录", "analysis": "需要设备联网与生产数据采集"}]


def project(n: int = 1, **over) -> dict:
    row = {
        "name": f"数控加工车间设备联网改造{n}期",
        "starts_on": "2024-09-01",
        "ends_on": "2025-12-31",
        "content": "为数控加工车间 40 台设备加装采集网关，接入 MES，实现工单派发、报工与质量数据在线追溯。",
        "investment": "260.50",
        "level_before": 1,
        "level_after": 3,
        "indicators": [{"name": "设备联网率", "unit": "%", "before": "15", "after": "95"}],
    }
    row.update(over)
    return row


def enterprise(n: int, *, industry="aerospace-equipment", certified=True, kind="enterprise") -> Membership:
    organisation = Organisation.objects.create(
        kind=kind,
        name=f"哈尔滨接口测试企业{n}",
        uscc=f"91230100MA0PAPI{n:03d}",
        certification=Organisation.Certification.CERTIFIED if certified else Organisation.Certification.NONE,
        industry=Industry.objects.filter(code=industry).first(),
        region="黑龙江省哈尔滨市",
        address="平房区示例大街8号",
        contact_name="钱经理",
        contact_mobile=f"1390451{n:04d}",
    )
    user = User.objects.create_user(f"pilot_api_{n}", mobile=f"1360451{n:04d}", password="Pilot#Api2026")
    return Membership.objects.create(user=user, organisation=organisation, roles=["enterprise"])


def bureau() -> Membership:
    return Membership.objects.select_related("organisation").get(user__username="hrb_bureau")


@pytest.fixture
def world(tenant_schema, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema(HARBIN):
        yield enterprise(1)


@pytest.fixture
def as_user(login_client):
    def make(member_or_username, tenant=HARBIN):
        username = getattr(getattr(member_or_username, "user", None), "username", member_or_username)
        return login_client(tenant, username)

    return make


def put(client, path: str, body: dict):
    return client.put(path, json.dumps(body), content_type=JSON)


def post(client, path: str, body: dict | None = None):
    return client.post(path, json.dumps(body or {}), content_type=JSON)


def refusal(response) -> tuple[int, str, list[str]]:
    body = response.json()
    return response.status_code, body["code"], sorted(body["errors"])


def upload(client, pk: int, kind: str, content: bytes = PDF, name: str = "材料.pdf", **extra):
    return client.post(f"{API}/admissions/{pk}/files/{kind}/", {"file": SimpleUploadedFile(name, content), **extra})


def filled(client) -> dict:
    """An admission through the API, ready to submit: the five sections and both required reports."""
    started = post(client, f"{API}/admissions/")
    assert started.status_code in (200, 201), started.content
    pk, version = started.json()["id"], started.json()["version"]
    saved = put(
        client,
        f"{API}/admissions/{pk}/",
        {"version": version, "basic": BASIC, "needs": NEEDS, "projects": [project()], "benchmark": True},
    )
    assert saved.status_code == 200, saved.content
    for kind in ("audit_report", "credit_report"):
        assert upload(client, pk, kind).status_code == 201
    return client.get(f"{API}/admissions/{pk}/").json()


def through_review(member, admission_id: int) -> None:
    """The bureau approves, the enterprise uploads the stamped scan, the bureau approves the scan."""
    application = Admission.objects.get(pk=admission_id).application
    first = application.tasks.get(state=Task.State.OPEN)
    engine.task_decide(task_id=first.pk, membership=bureau(), action="approve")
    scan = application.tasks.get(state=Task.State.OPEN)
    engine.stage_upload(
        task_id=scan.pk, membership=member, upload=SimpleUploadedFile("盖章件.pdf", PDF, content_type="application/pdf")
    )
    last = application.tasks.get(state=Task.State.OPEN)
    engine.task_decide(task_id=last.pk, membership=bureau(), action="approve")


# --- The happy path -------------------------------------------------------------------------------------------------------
def test_an_enterprise_applies_over_the_api_and_becomes_a_pilot_enterprise(world, as_user):
    client = as_user(world)
    started = post(client, f"{API}/admissions/")
    assert started.status_code == 201
    body = started.json()
    assert body["state"] == "draft" and body["editable"] is True
    assert (
        body["basic"]["company_name"] == world.organisation.name and body["basic"]["industry"] == "航空航天设备制造业"
    )
    assert {f["code"] for f in body["basic_fields"] if f["fixed"]} == {"company_name", "uscc", "industry"}
    assert {"needs", "projects", "benchmark", "files.audit_report", "files.credit_report"} <= {
        m["field"] for m in body["missing"]
    }
    assert len(body["defects"]) == 5 and all(d["passed"] for d in body["defects"])
    again = post(client, f"{API}/admissions/")
    assert again.status_code == 200 and again.json()["id"] == body["id"]  # the one in progress, not a second

    pk = body["id"]
    saved = put(
        client,
        f"{API}/admissions/{pk}/",
        {
            "version": body["version"],
            # A fixed field sent anyway is ignored: the registered identity cannot be changed here.
            "basic": {**BASIC, "company_name": "改名企业"},
            "needs": NEEDS,
            "projects": [project(), project(2, indicators=[])],
            "benchmark": False,
        },
    )
    assert saved.status_code == 200, saved.content
    detail = saved.json()
    assert detail["version"] == body["version"] + 1
    assert detail["basic"]["company_name"] == world.organisation.name and detail["basic"]["legal_rep"] == "赵总"
    assert detail["needs"] == [NEEDS[0]]
    first = detail["projects"][0]
    assert (first["starts_on"], first["investment"], first["level_after"]) == ("2024-09-01", "260.50", 3)
    assert first["indicators"] == [{"name": "设备联网率", "unit": "%", "before": "15", "after": "95"}]
    assert detail["projects"][1]["indicators"] == [] and detail["benchmark"] is False
    # A section left out stays as it was.
    kept = put(client, f"{API}/admissions/{pk}/", {"benchmark": True}).json()
    assert kept["needs"] == [NEEDS[0]] and len(kept["projects"]) == 2 and kept["benchmark"] is True

    uploaded = upload(client, pk, "audit_report", name="2024年度审计报告.pdf", version=kept["version"])
    assert uploaded.status_code == 201
    assert [(f["kind"], f["name"]) for f in uploaded.json()["files"]] == [("audit_report", "2024年度审计报告.pdf")]
    assert upload(client, pk, "credit_report").status_code == 201
    ready = client.get(f"{API}/admissions/{pk}/").json()
    assert ready["missing"] == []

    submitted = post(client, f"{API}/admissions/{pk}/submit/", {"version": ready["version"]})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == "in_review" and submitted.json()["editable"] is False
    listed = client.get(f"{API}/admissions/").json()
    assert listed["count"] == 1 and listed["results"][0]["state"] == "in_review"
    status = client.get(f"{API}/pilot-status/").json()
    assert status["is_pilot"] is False and status["can_apply"] is False and status["admission"]["id"] == pk

    through_review(world, pk)
    status = client.get(f"{API}/pilot-status/").json()
    pilot = PilotEnterprise.objects.get(organisation=world.organisation)
    assert status["is_pilot"] is True and status["admitted_on"] == pilot.admitted_on.isoformat()
    assert status["admission"]["state"] == "approved" and status["can_apply"] is False
    names = [row["name"] for row in as_user("hrb_bureau").get(f"{API}/pilot-enterprises/").json()["results"]]
    assert world.organisation.name in names
    assert refusal(post(client, f"{API}/admissions/")) == (409, "admission.already_pilot", ["non_field_errors"])


def test_a_warning_rule_shows_but_lets_the_submission_through(world, as_user):
    """Harbin's project-content rule is a warning (blocking = false): shown in defects, submission goes on."""
    client = as_user(world)
    pk = filled(client)["id"]
    short = put(client, f"{API}/admissions/{pk}/", {"projects": [project(content="上线MES系统")]}).json()
    content_rule = next(d for d in short["defects"] if d["code"] == "project_content")
    assert content_rule["passed"] is False and content_rule["blocking"] is False
    assert content_rule["findings"][0]["field"] == "projects.0.content"
    assert post(client, f"{API}/admissions/{pk}/submit/").status_code == 200


# --- Refusals --------------------------------------------------------------------------------------------------------------
def test_who_may_start_an_admission(world, as_user, tenant_schema):
    Industry.objects.get_or_create(code="textiles-api", defaults={"name": "纺织业", "is_pilot": False})
    cases = [
        (enterprise(2, certified=False), 403, "admission.not_certified"),
        (enterprise(3, industry="textiles-api"), 403, "admission.not_pilot_industry"),
        (bureau(), 403, "admission.wrong_kind"),
    ]
    before = Admission.objects.count()
    for member, status, code in cases:
        assert refusal(post(as_user(member), f"{API}/admissions/"))[:2] == (status, code), code
    assert Admission.objects.count() == before


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"basic": {"contact_mobile": "1390451"}}, "admission.mobile", "basic.contact_mobile"),
        ({"basic": {"employees": "很多"}}, "admission.number", "basic.employees"),
        ({"basic": {"legal_rep": "长" * 31}}, "admission.too_long", "basic.legal_rep"),
        ({"needs": [{"description": "没有类型"}]}, "admission.required", "needs.0.kind"),
        ({"needs": [NEEDS[0]] * 21}, "admission.too_many", "needs"),
        ({"projects": [project(), project(2, starts_on="2025-06-01", ends_on="2025-01-01")]}, "admission.period",
         "projects.1.ends_on"),
        ({"projects": [project(starts_on="2025-13-01")]}, "admission.date", "projects.0.starts_on"),
        ({"projects": [project(investment="12.345")]}, "admission.money", "projects.0.investment"),
        ({"projects": [project(level_before=7)]}, "admission.level", "projects.0.level_before"),
        ({"projects": [project(indicators=[{"name": "指" * 31}])]}, "admission.too_long",
         "projects.0.indicators.0.name"),
        ({"projects": [project(level_after="三级")]}, "invalid", "projects.0.level_after"),
        ({"needs": "不是列表"}, "invalid", "needs.non_field_errors"),
    ],
)  # fmt: skip
def test_saving_refuses_with_the_dotted_field_path(world, as_user, body, code, field):
    client = as_user(world)
    pk = post(client, f"{API}/admissions/").json()["id"]
    before = Admission.objects.get(pk=pk).application.version
    assert refusal(put(client, f"{API}/admissions/{pk}/", body)) == (400, code, [field])
    assert Admission.objects.get(pk=pk).application.version == before  # nothing saved


def test_stale_and_locked_forms_are_refused(world, as_user):
    client = as_user(world)
    body = filled(client)
    pk = body["id"]
    stale = put(client, f"{API}/admissions/{pk}/", {"version": body["version"] - 1, "benchmark": False})
    assert refusal(stale)[:2] == (409, "workflow.stale")
    assert refusal(upload(client, pk, "audit_report", version=body["version"] - 1))[:2] == (409, "workflow.stale")
    assert refusal(post(client, f"{API}/admissions/{pk}/submit/", {"version": 0}))[:2] == (409, "workflow.stale")
    assert post(client, f"{API}/admissions/{pk}/submit/", {"version": body["version"]}).status_code == 200
    assert refusal(put(client, f"{API}/admissions/{pk}/", {"benchmark": False}))[:2] == (409, "workflow.not_editable")
    assert refusal(upload(client, pk, "audit_report"))[:2] == (409, "workflow.not_editable")
    assert refusal(post(client, f"{API}/admissions/{pk}/submit/"))[:2] == (409, "workflow.not_editable")


def test_uploads_are_checked_by_content_and_named_by_kind(world, as_user):
    client = as_user(world)
    pk = post(client, f"{API}/admissions/").json()["id"]
    fake = upload(client, pk, "audit_report", content=b"just text, named like a PDF", name="报告.pdf")
    assert refusal(fake) == (400, "upload.wrong_type", ["files.audit_report"])
    none = client.post(f"{API}/admissions/{pk}/files/credit_report/", {})
    assert refusal(none) == (400, "invalid", ["files.credit_report"])
    unknown = upload(client, pk, "business_licence")
    assert refusal(unknown)[:2] == (404, "admission.file_kind")
    assert not Admission.objects.get(pk=pk).files.exists()


def test_submission_names_what_is_missing_and_the_blocking_defect(world, as_user):
    client = as_user(world)
    pk = post(client, f"{API}/admissions/").json()["id"]
    assert refusal(post(client, f"{API}/admissions/{pk}/submit/")) == (400, "admission.incomplete", ["basic.legal_rep"])
    pk = filled(client)["id"]
    cases = [
        (project(ends_on="2026-08-31"), "admission.defect.project_period", "projects.0.ends_on"),
        (project(level_before=4, level_after=2), "admission.defect.levels", "projects.0.level_after"),
        (project(indicators=[{"unit": "%", "after": "90"}]), "admission.defect.indicator_name",
         "projects.0.indicators.0.name"),
        (project(name="MES"), "admission.defect.project_name", "projects.0.name"),
    ]  # fmt: skip
    for row, code, field in cases:
        detail = put(client, f"{API}/admissions/{pk}/", {"projects": [row]}).json()
        assert next(d for d in detail["defects"] if not d["passed"])["findings"][0]["field"] == field
        assert refusal(post(client, f"{API}/admissions/{pk}/submit/")) == (400, code, [field])
    assert Admission.objects.get(pk=pk).application.state == Application.State.DRAFT


def test_status_and_the_pilot_list_are_for_their_own_audiences(world, as_user):
    status = as_user(world).get(f"{API}/pilot-status/").json()
    assert status == {
        "organisation": world.organisation.name,
        "is_pilot": False,
        "admitted_on": None,
        "admission": None,
        "can_apply": True,
        "reason": None,
    }
    assert refusal(as_user(world).get(f"{API}/pilot-enterprises/"))[:2] == (403, "admission.not_bureau")
    assert refusal(as_user("hrb_bureau").get(f"{API}/pilot-status/"))[:2] == (403, "admission.wrong_kind")
    uncertified = as_user(enterprise(4, certified=False)).get(f"{API}/pilot-status/").json()
    assert uncertified["can_apply"] is False and "认证" in uncertified["reason"]


# --- Isolation -------------------------------------------------------------------------------------------------------------
ROUTES = [
    ("get", "admissions/"),
    ("post", "admissions/"),
    ("get", "admissions/{pk}/"),
    ("put", "admissions/{pk}/"),
    ("post", "admissions/{pk}/files/audit_report/"),
    ("post", "admissions/{pk}/submit/"),
    ("get", "pilot-enterprises/"),
    ("get", "pilot-status/"),
]


def _call(client, method: str, path: str):
    if method == "get":
        return client.get(path)
    if path.endswith("/files/audit_report/"):
        return client.post(path, {"file": SimpleUploadedFile("x.pdf", PDF)})
    return client.generic(method.upper(), path, json.dumps({"benchmark": False}), content_type=JSON)


def test_tenants_without_the_module_answer_404(as_user):
    """Jiangmen and the national platform have no admission module: every route is 404 for their members."""
    for tenant, username in (("jiangmen", "jm_enterprise"), ("national", "nat_enterprise")):
        client = as_user(username, tenant)
        for method, route in ROUTES:
            response = _call(client, method, f"{API}/{route.format(pk=1)}")
            assert response.status_code == 404, (tenant, method, route, response.status_code)


def test_other_organisations_other_tenants_and_anonymous_get_nothing(world, as_user, tenant_client):
    owner = as_user(world)
    mine = filled(owner)
    pk = mine["id"]
    other = as_user(enterprise(5))
    for method, route in ROUTES:
        if "{pk}" not in route:
            continue
        response = _call(other, method, f"{API}/{route.format(pk=pk)}")
        assert refusal(response)[:2] == (404, "admission.not_found"), (method, route)
    assert other.get(f"{API}/admissions/").json()["count"] == 0
    assert world.organisation.name not in other.get(f"{API}/pilot-status/").content.decode()
    outsiders = {"jiangmen member": as_user("jm_enterprise", HARBIN), "anonymous": tenant_client(HARBIN)}
    for who, client in outsiders.items():
        for method, route in ROUTES:
            response = _call(client, method, f"{API}/{route.format(pk=pk)}")
            assert response.status_code in (401, 403), (who, method, route, response.status_code)
            assert world.organisation.name not in response.content.decode()
    after = owner.get(f"{API}/admissions/{pk}/").json()
    assert (after["version"], after["benchmark"], after["state"]) == (mine["version"], True, "draft")


# --- Bounded queries -------------------------------------------------------------------------------------------------------
def _queries(client, path: str) -> int:
    client.get(path)  # warm: sessions, the tenant's settings
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_rows(world, as_user):
    client = as_user(world)
    pk = filled(client)["id"]
    one = _queries(client, f"{API}/admissions/{pk}/")
    many = [project(n, indicators=[{"name": f"指标{i}", "unit": "%", "before": "1", "after": "2"} for i in range(4)])
            for n in range(1, 7)]  # fmt: skip
    put(client, f"{API}/admissions/{pk}/", {"projects": many, "needs": NEEDS * 5})
    assert _queries(client, f"{API}/admissions/{pk}/") == one

    listing = _queries(client, f"{API}/admissions/")
    for _n in range(4):  # earlier rejected admissions stay in the list
        application = engine.application_create(
            kind="admission", applicant=world.user, title="旧申请", organisation=world.organisation
        )
        Admission.objects.create(organisation=world.organisation, application=application, created_by=world.user)
    assert _queries(client, f"{API}/admissions/") == listing

    officer = as_user("hrb_bureau")

    def pilot(n):
        member = enterprise(n)
        application = engine.application_create(
            kind="admission", applicant=member.user, title="入库", organisation=member.organisation
        )
        admission = Admission.objects.create(
            organisation=member.organisation, application=application, created_by=member.user
        )
        PilotEnterprise.objects.create(organisation=member.organisation, admission=admission, admitted_on="2025-05-01")

    pilot(6)
    first = _queries(officer, f"{API}/pilot-enterprises/")
    for n in range(7, 11):
        pilot(n)
    assert _queries(officer, f"{API}/pilot-enterprises/") == first
    assert officer.get(f"{API}/pilot-enterprises/").json()["count"] >= 4


# --- OpenAPI ---------------------------------------------------------------------------------------------------------------
def test_the_schema_of_these_views_validates(tenant_client):
    """drf-spectacular's `--validate` on the tenant's schema: no errors or warnings from these views."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="config.urls_tenant", patterns=None).get_schema(request=None, public=True)
    validate_schema(schema)
    ours = {path: item for path, item in schema["paths"].items() if path.startswith(f"{API}/")}
    assert len([path for path in ours if "/admissions/" in path or "/pilot-" in path]) == 6
    assert "409" in ours[f"{API}/admissions/"]["post"]["responses"]
    kinds = next(
        p for p in ours[f"{API}/admissions/{{id}}/files/{{kind}}/"]["post"]["parameters"] if p["name"] == "kind"
    )
    assert set(kinds["schema"]["enum"]) == {"audit_report", "credit_report", "industry_statement"}
    problems = [
        line
        for line in (GENERATOR_STATS._warn_cache | GENERATOR_STATS._error_cache)
        if "api_admissions" in line or "pilots" in line or "Admission" in line or "Pilot" in line
    ]
    assert not problems, problems


def test_real_answers_match_the_served_schema(world, as_user):
    """The success bodies (and a structured refusal) of these operations, validated against the schema the tenant
    serves — the fuzzer's generated ids rarely reach a real admission."""
    from tests.test_api_fuzz import CHECKS, _keeping_the_test_transaction, _schema, _target

    pk = filled(as_user(world))["id"]
    pilot = enterprise(12)
    through = filled(as_user(pilot))["id"]
    post(as_user(pilot), f"{API}/admissions/{through}/submit/")
    through_review(pilot, through)
    connection.set_schema_to_public()
    schema = _schema(HARBIN)
    owner, officer = _target(HARBIN, world.user.username), _target(HARBIN, "hrb_bureau")
    requests = [
        (owner, "GET", f"{API}/admissions/", {}, None, 200),
        (owner, "POST", f"{API}/admissions/", {}, None, 200),
        (owner, "GET", f"{API}/admissions/{{id}}/", {"id": pk}, None, 200),
        (owner, "PUT", f"{API}/admissions/{{id}}/", {"id": pk}, {"projects": [project()], "benchmark": False}, 200),
        (owner, "PUT", f"{API}/admissions/{{id}}/", {"id": pk}, {"projects": [project(level_before=9)]}, 400),
        (owner, "POST", f"{API}/admissions/{{id}}/submit/", {"id": pk}, {}, 200),
        (owner, "GET", f"{API}/pilot-status/", {}, None, 200),
        (_target(HARBIN, pilot.user.username), "POST", f"{API}/admissions/", {}, None, 409),
        (officer, "GET", f"{API}/pilot-enterprises/", {}, None, 200),
    ]
    with _keeping_the_test_transaction():
        for target, method, path, parameters, body, expected in requests:
            operation = schema[path][method]
            if body is None:
                case = operation.Case(path_parameters=parameters)
            else:
                case = operation.Case(path_parameters=parameters, body=body, media_type="application/json")
            response = target.call(case)
            assert response.status_code == expected, (method, path, response.status_code, response.content[:300])
            case.validate_response(response, checks=CHECKS)
