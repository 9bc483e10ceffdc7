"""数字化水平评测 (issue #16, seed 003 FAQ 6): the bundled questionnaires load and score as documented, the latest
assessment counts, the pages (form refusals keep the answers, the stale-version 409, the result with its server-drawn
radar and the PDF), the tenant admin's upload of a new version, and the API with its isolation."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.cultivation import assessments
from tenant_apps.cultivation.models import Assessment, EnterpriseInfo, Questionnaire, Sector
from tenant_apps.cultivation.provisioning import QUESTIONNAIRE_DIR, questionnaires_bundled_load
from tenant_apps.cultivation.questionnaire_services import definition_errors, questionnaire_load, score
from tenants.errors import DomainError
from tests import cultivation_factories as f

pytestmark = pytest.mark.django_db

BASE = "/workbench/cultivation/assessment"
API = "/api/v1/cultivation"
BUNDLED = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in QUESTIONNAIRE_DIR.glob("*.json")}

# A concrete answer set for the bundled manufacturing questionnaire (weights 25/35/20/20, single-choice options
# 0/3/6/10 or 0/4/7/10, f2 six systems at 2 points capped at 8, f4 four measures at 3 capped at 9):
#   数字化基础  f1 c=6, f2 erp+finance+oa+crm+mes=10→8 (cap), f3 b=3, f4 backup+access=6  → 23/37 × 25 = 15.54
#   数字化经营  o1 b=3, o2 d=10, o3 c=6, o4 c=6                                            → 25/40 × 35 = 21.88
#   数字化管理  m1 c=6, m2 b=3, m3 c=6, m4 a=0                                             → 15/40 × 20 =  7.50
#   数字化成效  r1 c=7, r2 b=4, r3 b=4, r4 a=0                                             → 15/40 × 20 =  7.50
#   total 52.42 → level 2 (min 40; level 3 from 60)
MANUFACTURING_ANSWERS = {
    "f1": "c", "f2": ["erp", "finance", "oa", "crm", "mes"], "f3": "b", "f4": ["backup", "access"],
    "o1": "b", "o2": "d", "o3": "c", "o4": "c",
    "m1": "c", "m2": "b", "m3": "c", "m4": "a",
    "r1": "c", "r2": "b", "r3": "b", "r4": "a",
}  # fmt: skip
EXPECTED_SECTIONS = {"foundation": "15.54", "operations": "21.88", "management": "7.50", "results": "7.50"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def nat(tenant_schema):
    with tenant_schema(f.NATIONAL):
        yield


def bundled(sector: str = "manufacturing") -> Questionnaire:
    """The sector's active questionnaire as provisioning loaded it (the bundled file)."""
    questionnaire = Questionnaire.objects.get(sector=sector, is_active=True)
    assert questionnaire.title == BUNDLED[sector]["title"]
    return questionnaire


def best_answers(definition: dict) -> dict:
    return {
        q["code"]: max(q["options"], key=lambda o: o["score"])["code"]
        for s in definition["sections"]
        for q in s["questions"]
    }


def client_of(tenant_client, member):
    client = tenant_client(f.NATIONAL)
    client.force_login(member.user)
    return client


# --- The bundled questionnaires ------------------------------------------------------------------------------------------
def test_each_bundled_questionnaire_checks_and_is_loaded_at_provisioning(nat):
    assert set(BUNDLED) == set(Sector.values)
    for sector, definition in BUNDLED.items():
        assert definition_errors(definition) == [], sector
        assert definition["sector"] == sector
        assert [s["name"] for s in definition["sections"]] == ["数字化基础", "数字化经营", "数字化管理", "数字化成效"]
        assert all(3 <= len(s["questions"]) <= 5 for s in definition["sections"])
        assert sum(Decimal(str(s["weight"])) for s in definition["sections"]) == 100
        assert [lv["min"] for lv in definition["levels"]] == [0, 40, 60, 80]
        loaded = bundled(sector)
        assert loaded.version == 1 and loaded.definition["sections"] == definition["sections"]
    operations = {sector: d["sections"][1]["questions"][0]["text"] for sector, d in BUNDLED.items()}
    assert operations["manufacturing"].startswith("研发设计") and operations["producer_services"].startswith("服务交付")
    assert operations["other"].startswith("业务运营")
    questionnaires_bundled_load()  # re-provisioning leaves what is loaded alone
    assert Questionnaire.objects.filter(sector="manufacturing").count() == 1


def test_scoring_the_bundled_manufacturing_questionnaire(nat):
    sections, total, level = score(bundled().definition, MANUFACTURING_ANSWERS)
    assert {s["code"]: s["score"] for s in sections} == EXPECTED_SECTIONS
    assert [s["max"] for s in sections] == ["25", "35", "20", "20"]
    assert total == Decimal("52.42") and level == 2
    _sections, top, top_level = score(bundled().definition, best_answers(bundled().definition) | {"f2": ["erp", "oa"]})
    assert top == Decimal("93.24") and top_level == 4  # f2 4/8 and f4 3/9: 27/37 × 25 = 18.24, the rest full


def test_multiple_choice_points_are_capped_at_the_questions_max(nat):
    definition = bundled().definition
    four = score(definition, MANUFACTURING_ANSWERS | {"f2": ["erp", "finance", "oa", "crm"]})[0][0]["score"]
    all_six = score(definition, MANUFACTURING_ANSWERS | {"f2": ["erp", "finance", "oa", "crm", "mes", "plm"]})
    assert four == all_six[0][0]["score"] == "15.54"  # 8 points either way
    twice = score(definition, MANUFACTURING_ANSWERS | {"f2": ["erp", "erp"]})[0][0]["score"]
    assert twice == "11.49"  # erp counted once: 2 + 6 + 3 + 6 = 17/37 × 25
    with pytest.raises(DomainError) as refused:
        score(definition, MANUFACTURING_ANSWERS | {"f1": ["b", "c"]})
    assert (refused.value.code, refused.value.field) == ("cultivation.bad_option", "f1")
    with pytest.raises(DomainError) as refused:
        score(definition, MANUFACTURING_ANSWERS | {"o1": {"x": 1}})
    assert refused.value.code == "cultivation.bad_option"


def test_definition_errors_lists_every_problem_and_never_raises():
    broken = {
        "sector": "mining",
        "title": "",
        "sections": [
            {"code": "a", "name": "甲", "weight": 60, "questions": [{"code": "q 1", "text": "题", "options": [1, 2]}]},
            {"code": "b", "name": "乙", "weight": "30", "questions": [
                {"code": "q2", "text": "题", "max": 5, "options": [{"code": "x", "text": "x", "score": 1},
                                                                   {"code": "x", "text": "y", "score": "2"}]}]},
            "not a section",
        ],
        "levels": [{"level": 1, "min": 10}, {"level": 2, "min": 5}, {"level": 3, "min": 60}, {"level": 4, "min": 80}],
    }  # fmt: skip
    errors = definition_errors(broken)
    assert len(errors) >= 9, errors
    assert any("sector" in e for e in errors) and any("title" in e for e in errors)
    assert any("编码须以字母开头" in e for e in errors) and any("code 和 text" in e for e in errors)
    assert any("选项编码缺失或重复" in e for e in errors) and any("分值须为数字" in e for e in errors)
    assert any("只有多选题" in e for e in errors) and any("权重（weight）" in e for e in errors)
    assert any("权重之和" in e for e in errors) and any("最低分" in e for e in errors)
    for nonsense in (None, [], "x", {"sections": "x", "levels": "x"}, {"sections": [{"code": "a", "name": "b"}]}):
        assert definition_errors(nonsense)


# --- The latest counts ---------------------------------------------------------------------------------------------------
def test_the_latest_of_two_assessments_is_shown_on_the_landing_page(nat, tenant_client):
    member = f.enterprise(1)
    first = assessments.assessment_take(membership=member, answers=best_answers(bundled().definition))
    latest = assessments.assessment_take(membership=member, answers=MANUFACTURING_ANSWERS)
    assert (first.level, latest.level) == (4, 2)
    assert assessments.assessments_of(member.organisation).first() == latest
    html = client_of(tenant_client, member).get(f"{BASE}/").content.decode()
    assert f'id="assessment-latest" data-assessment="{latest.pk}"' in html and "二级" in html and "52.42" in html
    assert f'data-assessment="{first.pk}"' in html  # the older one stays in the history
    assert "重新评测" in html and "第 5 项指标" in html


def test_stored_answers_are_what_was_asked(nat):
    member = f.enterprise(1)
    assessment = assessments.assessment_take(membership=member, answers=MANUFACTURING_ANSWERS | {"junk": "x" * 50})
    assert set(assessment.answers) == set(MANUFACTURING_ANSWERS)


# --- Pages -------------------------------------------------------------------------------------------------------------
def test_missing_information_sends_the_enterprise_to_its_information(nat, tenant_client):
    member = f.enterprise(1, info=False)
    client = client_of(tenant_client, member)
    page = client.get(f"{BASE}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="info-missing"' in html and 'id="assessment-start"' not in html
    taking = client.get(f"{BASE}/take/")
    assert taking.status_code == 302 and taking["Location"] == f"{BASE}/"
    assert "企业信息" in client.get(taking["Location"]).content.decode()


def test_unanswered_questions_are_marked_and_the_answers_kept(nat, tenant_client):
    member = f.enterprise(1)
    questionnaire = bundled()
    client = client_of(tenant_client, member)
    form = client.get(f"{BASE}/take/")
    html = form.content.decode()
    assert form.status_code == 200 and html.count("<fieldset") == 4 and 'type="checkbox"' in html
    posted = {"questionnaire": questionnaire.pk, "f1": "c", "f2": ["erp", "mes"], "o2": "d"}
    refused = client.post(f"{BASE}/take/", posted)
    html = refused.content.decode()
    assert refused.status_code == 400 and not Assessment.objects.filter(organisation=member.organisation).exists()
    assert html.count("请作答此题。") == 13 and "还有 13 道题未作答" in html
    assert html.count("checked") == 4  # f1, two of f2, o2: as typed
    done = client.post(f"{BASE}/take/", {"questionnaire": questionnaire.pk} | MANUFACTURING_ANSWERS)
    assessment = Assessment.objects.get(organisation=member.organisation)
    assert done.status_code == 302 and done["Location"] == f"{BASE}/{assessment.pk}/"
    assert assessment.level == 2 and assessment.score == Decimal("52.42")


def test_a_form_of_an_older_version_is_refused_with_409(nat, tenant_client):
    member = f.enterprise(1)
    old = bundled()
    newer = questionnaire_load(BUNDLED["manufacturing"] | {"title": "制造业评测表（修订）"})
    client = client_of(tenant_client, member)
    response = client.post(f"{BASE}/take/", {"questionnaire": old.pk} | MANUFACTURING_ANSWERS)
    html = response.content.decode()
    assert response.status_code == 409 and "评测表已更新，请重新作答。" in html
    assert f'name="questionnaire" value="{newer.pk}"' in html and "制造业评测表（修订）" in html
    assert html.count("checked") == 21  # the answers that still apply are offered again (5 + 2 + 14 singles)
    assert not Assessment.objects.filter(organisation=member.organisation).exists()


def test_the_result_page_shows_the_level_and_an_inline_svg_radar(nat, tenant_client):
    member = f.enterprise(1)
    assessment = assessments.assessment_take(membership=member, answers=MANUFACTURING_ANSWERS)
    client = client_of(tenant_client, member)
    response = client.get(f"{BASE}/{assessment.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-level="2"' in html and "二级" in html and "52.42 / 100" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and html.count("<polygon") == 5  # 4 rings + scores
    assert 'id="assessment-counts"' in html and "第 5 项指标" in html
    assert "<script" not in html.split('id="assessment-radar"')[1].split("</svg>")[0]
    # 15.54/25, 21.88/35, 7.5/20, 7.5/20 around a centre (210, 160), radius 110, clockwise from the top
    assert 'points="210.0,91.6 278.8,160.0 210.0,201.2 168.8,160.0"' in html
    assessments.assessment_take(membership=member, answers=MANUFACTURING_ANSWERS)
    assert 'id="assessment-superseded"' in client.get(f"{BASE}/{assessment.pk}/").content.decode()


def test_section_names_from_a_loaded_file_are_escaped_in_the_svg(nat, tenant_client):
    member = f.enterprise(1)
    definition = json.loads(json.dumps(BUNDLED["manufacturing"]))
    definition["sections"][0]["name"] = "<script>alert(1)</script>"
    questionnaire_load(definition)
    assessment = assessments.assessment_take(membership=member, answers=MANUFACTURING_ANSWERS)
    html = client_of(tenant_client, member).get(f"{BASE}/{assessment.pk}/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_the_result_pdf_is_a_pdf(nat, tenant_client):
    member = f.enterprise(1)
    assessment = assessments.assessment_take(membership=member, answers=MANUFACTURING_ANSWERS)
    response = client_of(tenant_client, member).get(f"{BASE}/{assessment.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and b"PilotSansSC" in response.content
    assert "attachment" in response["Content-Disposition"]


def test_another_enterprises_result_and_pdf_are_404(nat, tenant_client):
    mine = assessments.assessment_take(membership=f.enterprise(1), answers=MANUFACTURING_ANSWERS)
    other = client_of(tenant_client, f.enterprise(2))
    assert other.get(f"{BASE}/{mine.pk}/").status_code == 404
    assert other.get(f"{BASE}/{mine.pk}/pdf/").status_code == 404
    assert other.get(f"{BASE}/{mine.pk + 1000}/").status_code == 404
    staff = client_of(tenant_client, f.staff(f.COUNTY))
    assert staff.get(f"{BASE}/").status_code == 403


def test_the_history_is_paginated_with_a_bounded_query_count(nat, tenant_client, django_assert_max_num_queries):
    member = f.enterprise(1)
    client = client_of(tenant_client, member)
    client.get(f"{BASE}/")  # warm the session and the tenant's caches
    for _n in range(3):
        assessments.assessment_take(membership=member, answers=MANUFACTURING_ANSWERS)
    with django_assert_max_num_queries(20) as few:
        client.get(f"{BASE}/")
    for _n in range(22):
        assessments.assessment_take(membership=member, answers=MANUFACTURING_ANSWERS)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(f"{BASE}/")
    html = page.content.decode()
    assert html.count("data-assessment=") == 21  # the summary's latest and 20 rows of page 1
    assert "?page=2" in html and client.get(f"{BASE}/?page=2").content.decode().count("data-assessment=") == 6


# --- The tenant admin ----------------------------------------------------------------------------------------------------
def _upload(definition, name="questionnaire.json") -> SimpleUploadedFile:
    content = definition if isinstance(definition, bytes) else json.dumps(definition, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_the_tenant_admin_loads_a_new_version_from_a_file(nat, login_client):
    admin = login_client(f.NATIONAL, "nat_admin")
    assert admin.get("/django-admin/cultivation/questionnaire/").status_code == 200
    assert admin.get("/django-admin/cultivation/questionnaire/add/").status_code == 200
    first = bundled()
    revised = BUNDLED["manufacturing"] | {"title": "制造业中小企业数字化水平评测表（2025 修订）"}
    response = admin.post("/django-admin/cultivation/questionnaire/add/", {"definition_file": _upload(revised)})
    assert response.status_code == 302, response.content.decode()[:2000]
    second = Questionnaire.objects.get(sector="manufacturing", is_active=True)
    first.refresh_from_db()
    assert (second.version, second.title, first.is_active) == (2, revised["title"], False)
    from shared_apps.oversight.models import AuditEntry

    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, target_id=str(second.pk)).exists()
    # Versions are read-only: the change page shows them and saves nothing.
    page = admin.get(f"/django-admin/cultivation/questionnaire/{first.pk}/change/")
    assert page.status_code == 200 and "数字化经营" in page.content.decode()
    admin.post(f"/django-admin/cultivation/questionnaire/{first.pk}/change/", {"title": "改名"})
    first.refresh_from_db()
    assert first.title == BUNDLED["manufacturing"]["title"]
    assert admin.get(f"/django-admin/cultivation/questionnaire/{first.pk}/delete/").status_code == 403


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", ["文件不是有效的 JSON"]),
        (b"\xff\xfe", ["文件不是有效的 JSON"]),
        (b"[]", ["评测表须为 JSON 对象。"]),
        ({"sector": "x", "title": "", "sections": [], "levels": []}, ["sector 须为", "请填写评测表名称", "sections", "levels"]),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_with_every_problem_on_the_field(nat, login_client, content, expected):
    admin = login_client(f.NATIONAL, "nat_admin")
    response = admin.post("/django-admin/cultivation/questionnaire/add/", {"definition_file": _upload(content)})
    html = response.content.decode()
    assert response.status_code == 200 and "errorlist" in html
    for message in expected:
        assert message in html
    assert Questionnaire.objects.filter(sector="manufacturing").count() == 1


def test_only_the_tenant_admin_reaches_the_questionnaire_admin(nat, tenant_client):
    enterprise = client_of(tenant_client, f.enterprise(1))
    assert enterprise.get("/django-admin/cultivation/questionnaire/").status_code == 403


# --- API ---------------------------------------------------------------------------------------------------------------
def test_api_questionnaire_list_create_and_detail(nat, tenant_client):
    member = f.enterprise(1)
    client = client_of(tenant_client, member)
    questionnaire = client.get(f"{API}/questionnaire/")
    body = questionnaire.json()
    assert questionnaire.status_code == 200 and body["id"] == bundled().pk and body["sector"] == "manufacturing"
    assert [s["code"] for s in body["sections"]][0] == "foundation" and body["levels"][1]["min"] == 40
    assert body["sections"][0]["questions"][1]["multiple"] is True and body["sections"][0]["questions"][1]["max"] == 8

    missing = client.post(
        f"{API}/assessments/", {"questionnaire": body["id"], "answers": {"f1": "c"}}, content_type="application/json"
    )
    assert missing.status_code == 400 and missing.json()["code"] == "invalid"
    assert set(missing.json()["errors"]) == {f"answers.{code}" for code in MANUFACTURING_ANSWERS if code != "f1"}
    bad = client.post(
        f"{API}/assessments/", {"answers": MANUFACTURING_ANSWERS | {"f1": "z"}}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "cultivation.bad_option"
    assert list(bad.json()["errors"]) == ["answers.f1"]
    created = client.post(
        f"{API}/assessments/",
        {"questionnaire": body["id"], "answers": MANUFACTURING_ANSWERS},
        content_type="application/json",
    )
    result = created.json()
    assert created.status_code == 201 and result["level"] == 2 and result["score"] == "52.42"
    assert result["level_label"] == "二级" and result["is_latest"] is True
    assert [s["score"] for s in result["section_scores"]] == list(EXPECTED_SECTIONS.values())

    second = assessments.assessment_take(membership=member, answers=MANUFACTURING_ANSWERS)
    listing = client.get(f"{API}/assessments/").json()
    assert listing["count"] == 2 and [r["id"] for r in listing["results"]] == [second.pk, result["id"]]
    assert [r["is_latest"] for r in listing["results"]] == [True, False]
    detail = client.get(f"{API}/assessments/{result['id']}/").json()
    assert detail["answers"]["f2"] == MANUFACTURING_ANSWERS["f2"] and detail["is_latest"] is False


def test_api_refuses_answers_to_an_older_version_with_409(nat, tenant_client):
    client = client_of(tenant_client, f.enterprise(1))
    old = bundled()
    questionnaire_load(BUNDLED["manufacturing"])
    response = client.post(
        f"{API}/assessments/", {"questionnaire": old.pk, "answers": {}}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "cultivation.questionnaire_changed"


def test_api_isolation_and_anonymous(nat, tenant_client):
    mine = assessments.assessment_take(membership=f.enterprise(1), answers=MANUFACTURING_ANSWERS)
    other = client_of(tenant_client, f.enterprise(2))
    refused = other.get(f"{API}/assessments/{mine.pk}/")
    assert refused.status_code == 404 and refused.json()["code"] == "cultivation.assessment_not_found"
    assert other.get(f"{API}/assessments/").json()["count"] == 0
    anonymous = tenant_client(f.NATIONAL)
    for path in (f"{API}/questionnaire/", f"{API}/assessments/", f"{API}/assessments/{mine.pk}/"):
        assert anonymous.get(path).status_code in (401, 403)
    staff = client_of(tenant_client, f.staff(f.COUNTY))
    assert staff.get(f"{API}/assessments/").status_code == 403
    no_info = client_of(tenant_client, f.enterprise(3, info=False))
    assert no_info.get(f"{API}/questionnaire/").json()["code"] == "cultivation.info_missing"


def test_api_list_query_count_is_bounded(nat, tenant_client, django_assert_max_num_queries):
    member = f.enterprise(1)
    client = client_of(tenant_client, member)
    client.get(f"{API}/assessments/")
    assessments.assessment_take(membership=member, answers=MANUFACTURING_ANSWERS)
    with django_assert_max_num_queries(20) as few:
        client.get(f"{API}/assessments/")
    for _n in range(15):
        assessments.assessment_take(membership=member, answers=MANUFACTURING_ANSWERS)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"{API}/assessments/").json()["count"] == 16


def test_the_schema_of_these_views_validates():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="config.urls_tenant", patterns=None).get_schema(request=None, public=True)
    validate_schema(schema)
    ours = {path for path in schema["paths"] if path.startswith(f"{API}/")}
    assert {f"{API}/questionnaire/", f"{API}/assessments/", f"{API}/assessments/{{id}}/"} <= ours
    assert "409" in schema["paths"][f"{API}/assessments/"]["post"]["responses"]
    problems = [
        line
        for line in (GENERATOR_STATS._warn_cache | GENERATOR_STATS._error_cache)
        if "Assessment" in line or "Questionnaire" in line
    ]
    assert not problems, problems


def test_real_answers_match_the_served_schema(nat):
    from django.db import connection

    from tests.test_api_fuzz import CHECKS, _keeping_the_test_transaction, _schema, _target

    member = f.enterprise(1)
    mine = assessments.assessment_take(membership=member, answers=MANUFACTURING_ANSWERS)
    connection.set_schema_to_public()
    schema = _schema(f.NATIONAL)
    owner = _target(f.NATIONAL, member.user.username)
    requests = [
        ("GET", f"{API}/questionnaire/", {}, None, 200),
        ("GET", f"{API}/assessments/", {}, None, 200),
        ("GET", f"{API}/assessments/{{id}}/", {"id": mine.pk}, None, 200),
        ("POST", f"{API}/assessments/", {}, {"answers": MANUFACTURING_ANSWERS}, 201),
        ("POST", f"{API}/assessments/", {}, {"answers": {"f1": "c"}}, 400),
    ]
    with _keeping_the_test_transaction():
        for method, path, parameters, body, expected in requests:
            operation = schema[path][method]
            if body is None:
                case = operation.Case(path_parameters=parameters)
            else:
                case = operation.Case(path_parameters=parameters, body=body, media_type="application/json")
            response = owner.call(case)
            assert response.status_code == expected, (method, path, response.status_code, response.content[:300])
            case.validate_response(response, checks=CHECKS)


def test_the_bundled_files_are_plain_utf8_json():
    for path in Path(QUESTIONNAIRE_DIR).glob("*.json"):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        assert json.load(io.StringIO(raw.decode("utf-8")))["sector"] == path.stem


def test_enterprise_info_sector_picks_the_questionnaire(nat, tenant_client):
    member = f.enterprise(1)
    EnterpriseInfo.objects.filter(organisation=member.organisation).update(sector=Sector.PRODUCER_SERVICES)
    html = client_of(tenant_client, member).get(f"{BASE}/take/").content.decode()
    assert BUNDLED["producer_services"]["title"] in html and "服务交付" in html


@pytest.mark.parametrize("username", [None, "nat_enterprise", "nat_county"])
def test_fuzzed_requests_to_these_operations_answer_as_documented(username):
    """The suite's fuzzer asks national as anonymous and nat_ops; here also as the demo enterprise (its sector's
    questionnaire, two assessments) and a county reviewer (not an enterprise: refused)."""
    from tests.test_api_fuzz import _fuzz, _keeping_the_test_transaction, _schema, _target

    target = _target(f.NATIONAL, username)
    operations = [r.ok() for r in _schema(f.NATIONAL).get_all_operations() if r.ok().path.startswith(API + "/")]
    ours = [o for o in operations if o.path in {"/questionnaire/", "/assessments/", "/assessments/{id}/"}] or [
        o for o in operations if "assessment" in o.path or "questionnaire" in o.path
    ]
    assert len(ours) == 4, [o.label for o in ours]
    failures = []
    with _keeping_the_test_transaction():
        for operation in ours:
            try:
                _fuzz(operation, target, 15)
            except Exception as error:  # noqa: BLE001 - one report for every operation that fails
                failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
