"""梯度培育 declarations and recognitions over /api/v1/cultivation/ (issue #16): tiers with my open windows, a
declaration created, saved (merged), its problems, evidence uploaded and removed, submitted; another enterprise and
the staff of another county get 404, anonymous callers 401/403, Harbin (module off) 404; recognitions scoped by
division, 撤销 refused to county staff and done by the province; lists with bounded queries."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from tenant_apps.cultivation.models import Declaration, Recognition
from tenant_apps.organisations.models import Membership
from tests import cultivation_factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/cultivation"
HAISHU = "330203"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def nat(tenant_schema):
    with tenant_schema(f.NATIONAL):
        yield


@pytest.fixture
def client_of(tenant_client):
    def make(member):
        client = tenant_client(f.NATIONAL)
        client.force_login(member.user)
        return client

    return make


def test_an_enterprise_declares_through_the_api(nat, client_of):
    member = f.enterprise(1)
    window = f.window("innovative")
    client = client_of(member)
    tiers = {t["code"]: t for t in client.get(f"{API}/tiers/").json()}
    assert window.pk in [w["id"] for w in tiers["innovative"]["windows"]]  # (with the demo's open window)
    assert "数字化水平评测" in tiers["specialised"]["blocked"]
    created = client.post(f"{API}/declarations/", {"tier": "innovative", "window": window.pk},
                          content_type="application/json")  # fmt: skip
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    url = f"{API}/declarations/{pk}/"
    saved = client.patch(url, {"data": {"growth": "增长 18%"}}, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["data"] == {"growth": "增长 18%"}
    saved = client.patch(url, {"data": {"specialisation": "86"}}, content_type="application/json")
    assert saved.json()["data"] == {"growth": "增长 18%", "specialisation": "86"}  # merged, not replaced
    bad = client.patch(url, {"data": {"ip": "很多"}}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "cultivation.invalid" and "ip" in bad.json()["errors"]
    problems = {p["field"] for p in client.get(f"{url}problems/").json()}
    assert {"innovation_input", "ip"} <= problems
    refused = client.post(f"{url}submit/", {}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "cultivation.incomplete"
    client.patch(url, {"data": f.INNOVATIVE_DATA}, content_type="application/json")
    text_file = client.post(f"{url}evidence/", {"indicator": "ip", "file": SimpleUploadedFile("x.pdf", b"no")})
    assert text_file.status_code == 400 and "ip" in text_file.json()["errors"]
    for code in ("innovation_input", "ip"):
        uploaded = client.post(f"{url}evidence/", {"indicator": code, "file": f.pdf(f"{code}.pdf")})
        assert uploaded.status_code == 201
    evidence = uploaded.json()["evidence"]
    assert len(evidence) == 2 and client.get(evidence[0]["url"]).status_code == 200
    extra = client.post(f"{url}evidence/", {"indicator": "ip", "file": f.pdf("extra.pdf")}).json()["evidence"]
    assert client.delete(f"{url}evidence/{extra[-1]['id']}/").status_code == 204
    assert len(client.get(url).json()["evidence"]) == 2
    submitted = client.post(f"{url}submit/", {}, content_type="application/json")
    assert submitted.status_code == 200 and submitted.json()["state"] == "in_review"
    assert submitted.json()["stage"] == "区县审核"
    assert client.delete(url).status_code == 409  # submitted: kept as history


def test_isolation_another_enterprise_another_county_anonymous_harbin(nat, client_of, tenant_client):
    declaration = f.declaration(f.enterprise(1))
    url = f"{API}/declarations/{declaration.pk}/"
    other = client_of(f.enterprise(2))
    assert other.get(url).status_code == 404
    assert other.patch(url, {"data": {}}, content_type="application/json").status_code == 404
    assert other.get(f"{url}problems/").status_code == 404
    assert other.post(f"{url}submit/", {}, content_type="application/json").status_code == 404
    assert declaration.pk not in [d["id"] for d in other.get(f"{API}/declarations/").json()["results"]]
    haishu = client_of(f.staff(HAISHU))
    assert haishu.get(url).status_code == 404
    assert declaration.pk not in [d["id"] for d in haishu.get(f"{API}/declarations/").json()["results"]]
    county = client_of(f.staff(f.COUNTY))
    assert county.get(url).status_code == 200
    assert declaration.pk in [d["id"] for d in county.get(f"{API}/declarations/").json()["results"]]
    assert county.patch(url, {"data": {}}, content_type="application/json").status_code == 403  # not an enterprise
    assert tenant_client(f.NATIONAL).get(url).status_code in (401, 403)
    assert tenant_client(f.NATIONAL).get(f"{API}/declarations/").status_code in (401, 403)


def test_harbin_has_no_cultivation_api(login_client):
    harbin = login_client("harbin", "hrb_bureau")
    assert harbin.get(f"{API}/declarations/").status_code == 404
    assert harbin.get(f"{API}/recognitions/").status_code == 404


def test_recognitions_by_division_and_revocation_by_the_province(nat, client_of):
    member = f.enterprise(1)
    declaration = f.declaration(member)
    for staff in f.levels():
        f.decide(declaration.application, staff)
    recognition = Recognition.objects.get(declaration=declaration)
    mine = client_of(member).get(f"{API}/recognitions/").json()["results"]
    assert [r["certificate_no"] for r in mine] == [recognition.certificate_no]
    assert client_of(f.enterprise(2)).get(f"{API}/recognitions/").json()["count"] == 0
    haishu = client_of(f.staff(HAISHU)).get(f"{API}/recognitions/").json()["results"]
    assert recognition.pk not in [r["id"] for r in haishu]
    city = client_of(f.staff(f.CITY)).get(f"{API}/recognitions/").json()["results"]
    assert recognition.pk in [r["id"] for r in city]
    url = f"{API}/recognitions/{recognition.pk}/revoke/"
    county = client_of(f.staff(f.COUNTY))
    refused = county.post(url, {"reason": "弄虚作假"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "cultivation.revoke_not_allowed"
    assert client_of(f.staff(HAISHU)).post(url, {"reason": "x"}, content_type="application/json").status_code == 404
    province = client_of(f.staff(f.PROVINCE, roles=("province",)))
    empty = province.post(url, {"reason": ""}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["code"] == "cultivation.reason_required"
    done = province.post(url, {"reason": "申报材料弄虚作假"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "revoked"
    again = province.post(url, {"reason": "再次"}, content_type="application/json")
    assert again.status_code == 409
    recognition.refresh_from_db()
    assert recognition.status == Recognition.Status.REVOKED


def test_lists_have_bounded_queries(nat, client_of, django_assert_max_num_queries):
    user = get_user_model().objects.create_user("cul_api_admin", mobile="13600000002", password=f.PASSWORD)
    admin = client_of(Membership.objects.create(user=user, roles=["tenant_admin"]))
    window = f.window("innovative")
    before = Declaration.objects.filter(application__submitted_at__isnull=False).count()  # the demo's
    f.declaration(f.enterprise(1), win=window)
    admin.get(f"{API}/declarations/")
    for n in range(2, 12):
        f.declaration(f.enterprise(n), win=window)
    with django_assert_max_num_queries(12):
        body = admin.get(f"{API}/declarations/").json()
    assert body["count"] == before + 11 and len(body["results"]) == min(before + 11, 20)
    with django_assert_max_num_queries(12):
        assert admin.get(f"{API}/recognitions/").status_code == 200
