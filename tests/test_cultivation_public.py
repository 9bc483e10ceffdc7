"""梯度培育's public pages (issue #16, seed 003 §一): the landing page for visitors and members, the declaration
entry (divisions with a window open today, else 暂未开放申报入口), and 企业认定查询 behind the image captcha and the
per-address budget — on the page and over the API, with one answer for every miss."""

from __future__ import annotations

import datetime
import re
from urllib.parse import quote

import pytest
from captcha.models import CaptchaStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenant_apps.configuration.models import DeclarationWindow
from tenant_apps.cultivation.models import Recognition
from tests import cultivation_factories as f

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/login/"
LANDING, LOOKUP, API_LOOKUP = "/cultivation/", "/cultivation/lookup/", "/api/v1/cultivation/lookup/"


@pytest.fixture
def nat(tenant_schema):
    with tenant_schema(f.NATIONAL):
        yield


def _no_windows():
    """Close every cultivation window the preset and the demo opened (rolled back with the test)."""
    past = timezone.localdate() - datetime.timedelta(days=400)
    DeclarationWindow.objects.filter(module="cultivation").update(opens_on=past, closes_on=past)


def recognised(n: int = 1, *, tier: str = "innovative", status=Recognition.Status.ACTIVE) -> Recognition:
    member = f.enterprise(n)
    today = timezone.localdate()
    return Recognition.objects.create(
        organisation=member.organisation,
        tier=f.tier(tier),
        region=f.region(f.PROVINCE),
        certificate_no=f"CXTEST{today.year}{n:06d}",
        valid_from=today - datetime.timedelta(days=100),
        valid_to=today + datetime.timedelta(days=900),
        status=status,
    )


def _lookup_section(html: str) -> str:
    """The result block without the form (whose captcha differs on every page)."""
    return re.search(r'<section class="card" id="lookup-result">.*?</section>', html, re.S).group(0)


# --- The landing page ---------------------------------------------------------------------------------------------
def test_landing_for_a_visitor_leads_to_sign_in_and_back(nat, tenant_client):
    _no_windows()
    f.window("innovative", region_code=f.PROVINCE)
    response = tenant_client(f.NATIONAL).get(LANDING)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/cultivation/lookup/"' in html and "部级、省级公告" in html
    assert f'href="{SIGN_IN}?next={quote("/workbench/cultivation/assessment/", safe="")}"' in html  # 去自评
    assert f'href="{SIGN_IN}?next={quote("/workbench/cultivation/declarations/", safe="")}"' in html  # 申报
    assert 'href="https://www.cnmaker.org.cn/"' in html  # the preset's maker_competition_url
    regions = re.search(r'<div id="declare-regions" data-tier="innovative">.*?</div>', html, re.S).group(0)
    assert "浙江省" in regions and "暂未开放申报入口" not in regions


def test_landing_for_an_enterprise_goes_straight_to_the_pages(nat, login_client):
    _no_windows()
    f.window("innovative", region_code=f.CITY)
    f.enterprise(1)
    html = login_client(f.NATIONAL, "cul_e1").get(LANDING).content.decode()
    assert 'href="/workbench/cultivation/declarations/" data-action="declare"' in html
    assert 'href="/workbench/cultivation/assessment/" data-action="assess"' in html
    assert SIGN_IN not in html


def test_each_tier_lists_only_divisions_with_a_window_open_today(nat, tenant_client):
    _no_windows()
    f.window("specialised", region_code=f.CITY, opens=0, closes=0)  # opens and closes today: open
    f.window("specialised", region_code="230000", opens=-20, closes=-1)  # closed yesterday
    f.window("specialised", region_code="230100", opens=1, closes=20)  # opens tomorrow
    f.window("specialised", region_code=f.CITY, opens=-5, closes=5)  # a second window of the same city: once
    client = tenant_client(f.NATIONAL)
    html = client.get(LANDING, {"tier": "specialised"}).content.decode()
    regions = re.search(r'<div id="declare-regions" data-tier="specialised">.*?</div>', html, re.S).group(0)
    assert re.findall(r'data-region="(\d+)"', regions) == [f.CITY]
    assert "黑龙江省" not in regions and "哈尔滨市" not in regions
    # A tier without an open window anywhere (FAQ 4).
    html = client.get(LANDING, {"tier": "little_giant"}).content.decode()
    regions = re.search(r'<div id="declare-regions" data-tier="little_giant">.*?</div>', html, re.S).group(0)
    assert "暂未开放申报入口" in regions and 'data-action="declare"' not in regions


def test_public_pages_do_not_exist_where_the_module_is_off(tenant_client):
    client = tenant_client("harbin")
    assert client.get(LANDING).status_code == 404
    assert client.get(LOOKUP).status_code == 404
    assert client.post(API_LOOKUP, {}, content_type="application/json").status_code == 404


# --- 企业认定查询 (page) -----------------------------------------------------------------------------------------------
def _post_lookup(client, captcha, name: str, uscc: str):
    page = client.get(LOOKUP)
    assert page.status_code == 200
    return client.post(LOOKUP, {"name": name, "uscc": uscc, **captcha(page.content.decode(), None)})


def test_lookup_finds_by_exact_name_and_uscc_and_every_miss_reads_the_same(nat, tenant_client, captcha):
    recognition = recognised(1)
    organisation = recognition.organisation
    f.enterprise(2)  # registered, never recognised
    client = tenant_client(f.NATIONAL)

    found = _post_lookup(client, captcha, organisation.name, organisation.uscc.lower())  # the USCC is normalised
    assert found.status_code == 200
    result = _lookup_section(found.content.decode())
    assert recognition.certificate_no in result and "创新型中小企业" in result and "有效" in result
    assert recognition.valid_to.isoformat() in result

    misses = [
        ("宁波培育测试企业不存在有限公司", organisation.uscc),  # unknown name
        (organisation.name, "91330212MA0CU9999X"),  # wrong USCC
        (organisation.name[:-4], organisation.uscc),  # a partial name never matches
        ("宁波培育测试企业2有限公司", "91330212MA0CU0002X"),  # registered, no recognition
    ]
    sections = set()
    for name, uscc in misses:
        response = _post_lookup(client, captcha, name, uscc)
        assert response.status_code == 200
        sections.add(_lookup_section(response.content.decode()))
    assert len(sections) == 1 and "未查询到认定信息" in sections.pop()


def test_lookup_shows_a_revoked_recognition_as_revoked(nat, tenant_client, captcha):
    recognition = recognised(3, status=Recognition.Status.REVOKED)
    response = _post_lookup(
        tenant_client(f.NATIONAL), captcha, recognition.organisation.name, recognition.organisation.uscc
    )
    assert 'data-state="revoked"' in _lookup_section(response.content.decode())


def test_a_wrong_captcha_is_refused_before_any_lookup(nat, tenant_client, captcha, settings):
    settings.PLATFORM_CULTIVATION_LOOKUPS_PER_HOUR = 1
    recognition = recognised(1)
    client = tenant_client(f.NATIONAL)
    html = client.get(LOOKUP).content.decode()
    key = re.search(r'name="captcha_0"[^>]*value="([0-9a-f]+)"', html).group(1)
    data = {"name": recognition.organisation.name, "uscc": recognition.organisation.uscc}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(LOOKUP, {**data, "captcha_0": key, "captcha_1": "wrong"})
    assert response.status_code == 400 and "图形验证码不正确" in response.content.decode()
    assert recognition.certificate_no not in response.content.decode()
    assert [q["sql"] for q in queries if "cultivation_recognition" in q["sql"]] == []
    # The captcha answers once, even the right answer after a wrong one.
    assert not CaptchaStore.objects.filter(hashkey=key).exists()
    # A refused captcha spent nothing: the budget's one lookup is still there.
    found = _post_lookup(client, captcha, data["name"], data["uscc"])
    assert found.status_code == 200 and recognition.certificate_no in found.content.decode()


def test_lookup_is_throttled_per_address(nat, tenant_client, captcha, settings):
    settings.PLATFORM_CULTIVATION_LOOKUPS_PER_HOUR = 3
    recognition = recognised(1)
    name, uscc = recognition.organisation.name, recognition.organisation.uscc
    client = tenant_client(f.NATIONAL)
    for _attempt in range(3):
        assert _post_lookup(client, captcha, name, uscc).status_code == 200
    refused = _post_lookup(client, captcha, name, uscc)
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "查询过于频繁" in html and recognition.certificate_no not in html
    # Another address has its own budget.
    other = tenant_client(f.NATIONAL, REMOTE_ADDR="10.250.0.9")
    assert _post_lookup(other, captcha, name, uscc).status_code == 200


# --- 企业认定查询 (API) ------------------------------------------------------------------------------------------------
def _captcha_fields() -> dict:
    key = CaptchaStore.generate_key()
    return {"captcha_key": key, "captcha_value": CaptchaStore.objects.get(hashkey=key).response}


def test_api_lookup_with_captcha_and_the_same_budget_as_the_page(nat, tenant_client, captcha, settings):
    settings.PLATFORM_CULTIVATION_LOOKUPS_PER_HOUR = 3
    recognition = recognised(1)
    name, uscc = recognition.organisation.name, recognition.organisation.uscc
    client = tenant_client(f.NATIONAL)

    found = client.post(API_LOOKUP, {"name": name, "uscc": uscc, **_captcha_fields()}, content_type="application/json")
    assert found.status_code == 200
    body = found.json()
    assert body["found"] is True and body["results"][0]["certificate_no"] == recognition.certificate_no
    assert body["results"][0]["status"] == "active" and body["results"][0]["tier"] == "创新型中小企业"

    missed = client.post(
        API_LOOKUP, {"name": name, "uscc": "91330212MA0CU9999X", **_captcha_fields()}, content_type="application/json"
    )
    assert missed.status_code == 200 and missed.json() == {
        "found": False,
        "message": "未查询到认定信息。",
        "results": [],
    }

    wrong = client.post(
        API_LOOKUP,
        {"name": name, "uscc": uscc, "captcha_key": _captcha_fields()["captcha_key"], "captcha_value": "x"},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "auth.captcha"

    assert _post_lookup(client, captcha, name, uscc).status_code == 200  # the page spends the third
    refused = client.post(
        API_LOOKUP, {"name": name, "uscc": uscc, **_captcha_fields()}, content_type="application/json"
    )
    assert refused.status_code == 429 and refused.json()["code"] == "cultivation.lookup_throttled"
