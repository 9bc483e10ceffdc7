"""梯度培育 pages of the national tenant (issue #16, seed 003 §二–三): the enterprise home; 企业申报信息 with open
windows, a region without one, 专精特新 blocked without an assessment (with the link); the declaration form in each
state (draft, in review, returned with its opinion, approved with the recognition), a bad upload and an incomplete
submission on their fields, a closed window; the engine's application page with the declaration's content and
evidence downloads through the policy, and its 退回 refused at a closed window; the administrators' lists scoped to
their division's subtree with bounded queries; 撤销 refused to county staff."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tenant_apps.cultivation import messages
from tenant_apps.cultivation.models import Assessment, Declaration, Message, Recognition
from tenant_apps.organisations.models import Membership
from tenant_apps.workflow.models import Application
from tests import cultivation_factories as f

pytestmark = pytest.mark.django_db
BASE = "/workbench/cultivation"
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


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def near(html: str, name: str) -> str:
    start = html.index(f'id="field-{name}"')
    following = html.find('class="eco-field"', start + 1)
    return html[start : following if following != -1 else len(html)]


def version_of(html: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', html).group(1)


def assessment(member, level: int = 3) -> Assessment:
    return Assessment.objects.create(
        organisation=member.organisation,
        questionnaire=f.questionnaire(),
        answers={},
        section_scores=[],
        score=71.5,
        level=level,
        created_by=member.user,
    )


def tenant_admin() -> Membership:
    user = get_user_model().objects.create_user("cul_admin", mobile="13600000001", password=f.PASSWORD)
    return Membership.objects.create(user=user, roles=["tenant_admin"])


def approved(member, tier: str = "innovative"):
    declaration = f.declaration(member, tier)
    for staff in f.levels():
        f.decide(declaration.application, staff)
    declaration.refresh_from_db()
    return declaration


# --- Home and 企业申报信息 ----------------------------------------------------------------------------------------------
def test_home_shows_the_latest_messages_the_level_and_the_entry(nat, client_of):
    member = f.enterprise(1)
    messages.message_send(organisation=member.organisation, category=Message.Category.DECLARATION,
                          title="创新型中小企业申报开始", body="…")  # fmt: skip
    html = client_of(member).get(f"{BASE}/enterprise/").content.decode()
    assert "创新型中小企业申报开始" in html and f'href="{reverse("cultivation-messages")}"' in html
    assert 'id="assessment-none"' in html and f'href="{reverse("cultivation-assessment")}"' in html
    assert f'href="{reverse("cultivation-declarations")}"' in html and 'id="info-missing"' not in html
    assessment(member, level=3)
    html = client_of(member).get(f"{BASE}/enterprise/").content.decode()
    assert "3 级" in text(html) and "71.5" in html
    # The module's home sends the enterprise here.
    assert client_of(member).get(f"{BASE}/").url == reverse("cultivation-enterprise-home")


def test_without_info_the_home_and_list_point_to_the_enterprise_info(nat, client_of):
    member = f.enterprise(1, info=False)
    f.window("innovative")
    for path in ("enterprise/", "declarations/"):
        html = client_of(member).get(f"{BASE}/{path}").content.decode()
        assert 'id="info-missing"' in html and f'href="{reverse("cultivation-info")}"' in html, path


def test_each_tier_shows_its_windows_a_closed_region_and_the_blocked_specialised(nat, client_of):
    member = f.enterprise(1)
    open_window = f.window("innovative", name="2026 年第一批创新型中小企业")
    f.window("innovative", opens=-30, closes=-1, name="已截止批次")
    f.window("specialised")
    f.window("little_giant", region_code="230000")  # 黑龙江省: not for an enterprise in 鄞州区
    html = client_of(member).get(f"{BASE}/declarations/").content.decode()
    start = html[html.index('data-start="innovative"') :]
    assert f'value="{open_window.pk}"' in start[: start.index("</form>")] and "已截止批次" not in html
    blocked = html[html.index('data-blocked="specialised"') :][:400]
    assert "须先完成数字化水平评测" in blocked and f'href="{reverse("cultivation-assessment")}"' in blocked
    assert "所在地区暂未开放专精特新“小巨人”企业申报" in html[html.index('data-closed="little_giant"') :][:300]
    assessment(member)
    html = client_of(member).get(f"{BASE}/declarations/").content.decode()
    assert 'data-start="specialised"' in html and 'data-blocked="specialised"' not in html
    assert 'data-closed="little_giant"' in html and 'data-start="little_giant"' not in html


# --- The form through its states -------------------------------------------------------------------------------------
def test_apply_fill_a_bad_upload_an_incomplete_submission_and_submit(nat, client_of):
    member = f.enterprise(1)
    window = f.window("innovative")
    client = client_of(member)
    response = client.post(f"{BASE}/declarations/start/", {"tier": "innovative", "window": window.pk})
    declaration = Declaration.objects.get(organisation=member.organisation)
    assert response.status_code == 302 and response.url == reverse(
        "cultivation-declaration-edit", args=[declaration.pk]
    )
    page = client.get(response.url).content.decode()
    assert "0/500" in near(page, "innovation_input") and 'id="id_evidence_ip"' in page
    # A number that is not one, and a "PDF" that is text: each refused on its own field, what was typed kept.
    bad = client.post(response.url, {"version": version_of(page), "do": "save", "growth": "增长 18%",
                                      "specialisation": "很多"})  # fmt: skip
    assert bad.status_code == 400 and "请填写数字" in near(bad.content.decode(), "specialisation")
    assert "增长 18%" in bad.content.decode()
    fake = SimpleUploadedFile("proof.pdf", b"just text", content_type="application/pdf")
    bad = client.post(response.url, {"version": version_of(page), "do": "save", "evidence_ip": fake})
    assert bad.status_code == 400 and "PDF、JPG 或 PNG" in near(bad.content.decode(), "evidence_ip")
    assert not declaration.evidence.exists()
    # Submitting what is incomplete: every problem on its field, nothing submitted.
    incomplete = client.post(response.url, {"version": version_of(page), "do": "submit", "growth": "增长 18%"})
    html = incomplete.content.decode()
    assert incomplete.status_code == 400
    assert "请填写“创新投入" in near(html, "innovation_input") and "证明材料" in near(html, "innovation_input")
    assert "请上传“知识产权" in html and "增长 18%" in html
    declaration.refresh_from_db()
    assert declaration.application.state == Application.State.DRAFT and declaration.data == {"growth": "增长 18%"}
    # Everything filled: submitted, the list shows it in review at the county.
    page = client.get(response.url).content.decode()
    done = client.post(response.url, {"version": version_of(page), "do": "submit", **f.INNOVATIVE_DATA,
                                      "evidence_innovation_input": f.pdf("投入.pdf"), "evidence_ip": f.pdf("专利.pdf")})  # fmt: skip
    assert done.status_code == 302, done.content.decode()[:2000]
    declaration.refresh_from_db()
    assert declaration.application.state == Application.State.IN_REVIEW
    listed = client.get(f"{BASE}/declarations/").content.decode()
    row = listed[listed.index(f'data-declaration="{declaration.pk}"') :][:3000]
    assert "审核中" in row and "区县审核" in row and 'data-action="delete"' not in row
    assert 'data-action="detail"' in row and 'data-action="download"' in row
    # In review the form is not editable: it leads to the engine's page.
    assert client.get(response.url).url == reverse("application-detail", args=[declaration.application_id])


def test_evidence_is_removed_and_a_never_submitted_draft_deleted(nat, client_of):
    member = f.enterprise(1)
    declaration = f.declaration(member, submit=False)
    client = client_of(member)
    url = reverse("cultivation-declaration-edit", args=[declaration.pk])
    page = client.get(url).content.decode()
    evidence = declaration.evidence.get(indicator="ip")
    assert f'name="remove_evidence" value="{evidence.pk}"' in page
    response = client.post(url, {"version": version_of(page), "remove_evidence": evidence.pk, **f.INNOVATIVE_DATA})
    assert response.status_code == 302 and not declaration.evidence.filter(pk=evidence.pk).exists()
    listed = client.get(f"{BASE}/declarations/").content.decode()
    assert 'data-action="continue"' in listed and 'data-action="delete"' in listed
    assert client.post(f"{BASE}/declarations/{declaration.pk}/delete/").status_code == 302
    assert not Declaration.objects.filter(pk=declaration.pk).exists()


def test_returned_shows_the_opinion_and_is_resubmitted(nat, client_of):
    member = f.enterprise(1)
    declaration = f.declaration(member)
    county, _city, _province = f.levels()
    f.decide(declaration.application, county, "return", "请补充近两年研发费用明细")
    client = client_of(member)
    listed = client.get(f"{BASE}/declarations/?state=returned").content.decode()
    row = listed[listed.index(f'data-declaration="{declaration.pk}"') :][:3000]
    assert "已退回" in row and "请补充近两年研发费用明细" in row and 'data-action="edit"' in row
    assert 'data-action="delete"' not in row  # submitted once: kept as history
    url = reverse("cultivation-declaration-edit", args=[declaration.pk])
    page = client.get(url).content.decode()
    assert "请补充近两年研发费用明细" in page[page.index('id="returned-opinion"') :][:600]
    response = client.post(url, {"version": version_of(page), "do": "submit", **f.INNOVATIVE_DATA})
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.application.state == Application.State.IN_REVIEW


def test_approved_shows_the_recognition_and_the_pdf_downloads(nat, client_of):
    member = f.enterprise(1)
    declaration = approved(member)
    recognition = Recognition.objects.get(declaration=declaration)
    client = client_of(member)
    listed = client.get(f"{BASE}/declarations/").content.decode()
    assert "已通过" in listed[listed.index(f'data-declaration="{declaration.pk}"') :][:3000]
    home = client.get(f"{BASE}/enterprise/").content.decode()
    assert "您的企业已被认定为创新型中小企业" in home
    pdf = client.get(f"{BASE}/declarations/{declaration.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client_of(f.enterprise(2)).get(f"{BASE}/declarations/{declaration.pk}/pdf/").status_code == 404
    admin = client_of(f.staff(f.PROVINCE, roles=("province",))).get(f"{BASE}/admin/recognitions/")
    assert recognition.certificate_no in admin.content.decode()


def test_a_closed_window_refuses_submission_and_the_engines_return(nat, client_of):
    member = f.enterprise(1)
    window = f.window("innovative")
    declaration = f.declaration(member, win=window, submit=False)
    window.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    window.save()
    client = client_of(member)
    url = reverse("cultivation-declaration-edit", args=[declaration.pk])
    page = client.get(url).content.decode()
    assert 'id="window-closed"' in page
    refused = client.post(url, {"version": version_of(page), "do": "submit", **f.INNOVATIVE_DATA})
    assert refused.status_code == 400 and "本批次申报已截止" in refused.content.decode()
    # Submitted while open, then the window closes: the county may approve or reject, not send back.
    other = f.enterprise(2)
    window2 = f.window("innovative")
    submitted = f.declaration(other, win=window2)
    window2.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    window2.save()
    county = f.staff(f.COUNTY)
    detail = reverse("application-detail", args=[submitted.application_id])
    page = client_of(county).get(detail).content.decode()
    response = client_of(county).post(
        detail, {"do": "decide", "action": "return", "opinion": "补充", "version": version_of(page)}
    )
    assert response.status_code == 400 and "申报开放时间已过，不能退回修改" in response.content.decode()
    submitted.application.refresh_from_db()
    assert submitted.application.state == Application.State.IN_REVIEW


# --- The engine's page and the evidence downloads ---------------------------------------------------------------------
def test_the_application_page_shows_the_declaration_and_evidence_follows_the_policy(nat, client_of):
    member = f.enterprise(1)
    assessment(member, level=2)
    declaration = f.declaration(member)
    evidence = declaration.evidence.get(indicator="ip")
    detail = reverse("application-detail", args=[declaration.application_id])
    file_url = reverse("cultivation-evidence-file", args=[declaration.pk, evidence.pk])
    county = f.staff(f.COUNTY)
    for who in (member, county):
        html = client_of(who).get(detail).content.decode()
        assert "创新型中小企业" in html and "汽车线束连接器研发与制造" in html and "鄞州区" in html
        assert "研发费用 320 万元" in html and f'href="{file_url}"' in html and "2 级" in text(html)
    assert client_of(member).get(file_url).status_code == 200
    for who in (county, f.staff(f.CITY), tenant_admin()):
        assert client_of(who).get(file_url).status_code == 200
    for who in (f.staff(HAISHU), f.enterprise(2), f.staff("230000", roles=("province",))):
        assert client_of(who).get(file_url).status_code == 404


# --- Administrators by level ---------------------------------------------------------------------------------------------
def _two_places():
    yinzhou = f.declaration(f.enterprise(1, name="鄞州申报企业有限公司"))
    haishu = f.declaration(f.enterprise(2, name="海曙申报企业有限公司", region_code=HAISHU))
    draft = f.declaration(f.enterprise(3, name="未提交企业有限公司"), submit=False)
    return yinzhou, haishu, draft


def test_admin_lists_follow_the_division_subtree(nat, client_of):
    yinzhou, haishu, draft = _two_places()
    seen = {}
    for code, roles in ((HAISHU, ("city_bureau",)), (f.COUNTY, ("city_bureau",)), (f.CITY, ("city_bureau",)),
                        ("230000", ("province",))):  # fmt: skip
        html = client_of(f.staff(code, roles=roles)).get(f"{BASE}/admin/").content.decode()
        seen[code] = {d.pk for d in (yinzhou, haishu, draft) if f'data-declaration="{d.pk}"' in html}
    assert seen == {HAISHU: {haishu.pk}, f.COUNTY: {yinzhou.pk}, f.CITY: {yinzhou.pk, haishu.pk}, "230000": set()}
    admin = client_of(tenant_admin())
    html = admin.get(f"{BASE}/admin/").content.decode()
    submitted = Declaration.objects.filter(tier__code="innovative", application__submitted_at__isnull=False)
    assert f'data-total="innovative">{submitted.count()}<' in html and submitted.count() >= 2
    assert f'data-declaration="{draft.pk}"' not in html  # the draft is the enterprise's own until submitted
    html = admin.get(f"{BASE}/admin/", {"region": HAISHU}).content.decode()
    assert f'data-declaration="{haishu.pk}"' in html and f'data-declaration="{yinzhou.pk}"' not in html
    html = admin.get(f"{BASE}/admin/", {"q": "鄞州"}).content.decode()
    assert f'data-declaration="{yinzhou.pk}"' in html and f'data-declaration="{haishu.pk}"' not in html
    # A level above the one holding it reads it on the administrators' detail page; another county does not.
    city = client_of(f.staff(f.CITY))
    assert "研发费用 320 万元" in city.get(f"{BASE}/admin/declarations/{yinzhou.pk}/").content.decode()
    assert client_of(f.staff(HAISHU)).get(f"{BASE}/admin/declarations/{yinzhou.pk}/").status_code == 404
    assert client_of(f.enterprise(4)).get(f"{BASE}/admin/").status_code == 403


def test_revoke_is_for_the_province_level_with_a_reason(nat, client_of):
    member = f.enterprise(1)
    recognition = Recognition.objects.get(declaration=approved(member))
    url = f"{BASE}/admin/recognitions/{recognition.pk}/revoke/"
    county = client_of(f.staff(f.COUNTY))
    listed = county.get(f"{BASE}/admin/recognitions/").content.decode()
    assert recognition.certificate_no in listed and 'data-action="revoke"' not in listed
    assert county.post(url, {"reason": "弄虚作假"}).status_code == 403
    assert client_of(f.staff(f.CITY)).post(url, {"reason": "弄虚作假"}).status_code == 403
    assert client_of(f.staff(HAISHU)).post(url, {"reason": "弄虚作假"}).status_code == 404
    recognition.refresh_from_db()
    assert recognition.status == Recognition.Status.ACTIVE
    province = client_of(f.staff(f.PROVINCE, roles=("province",)))
    listed = province.get(f"{BASE}/admin/recognitions/", {"revoke": recognition.pk}).content.decode()
    assert 'data-action="revoke"' in listed and 'id="revoke-form"' in listed
    empty = province.post(url, {"reason": ""})
    assert empty.status_code == 400 and "请填写撤销原因" in empty.content.decode()
    assert province.post(url, {"reason": "申报材料弄虚作假"}).status_code == 302
    recognition.refresh_from_db()
    assert recognition.status == Recognition.Status.REVOKED and recognition.revoked_reason == "申报材料弄虚作假"
    assert Message.objects.filter(organisation=member.organisation, category=Message.Category.REVOCATION).exists()


def test_lists_cost_the_same_queries_for_one_and_many_rows(nat, client_of, django_assert_max_num_queries):
    member = f.enterprise(1)
    window = f.window("innovative")
    first = f.declaration(member, win=window)
    client, admin = client_of(member), client_of(tenant_admin())
    # Warm up (sessions, the tenant's settings), then measure with one row.
    client.get(f"{BASE}/declarations/")
    admin.get(f"{BASE}/admin/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_enterprise:
        client.get(f"{BASE}/declarations/")
    with CaptureQueriesContext(connection) as one_admin:
        admin.get(f"{BASE}/admin/")
    for n in range(2, 14):
        f.declaration(f.enterprise(n), win=window)
    # More declarations of the enterprise itself: each submitted one in another tier is refused, so use drafts of
    # other enterprises for the admin and returned/resubmitted history for the enterprise.
    f.decide(first.application, f.staff(f.COUNTY), "reject", "不符合条件")
    for _ in range(5):
        f.decide(f.declaration(member, win=window).application, f.staff(f.COUNTY), "reject", "不符合条件")
    with django_assert_max_num_queries(len(one_enterprise.captured_queries)):
        html = client.get(f"{BASE}/declarations/").content.decode()
    assert html.count("data-declaration=") == 6
    with django_assert_max_num_queries(len(one_admin.captured_queries)):
        html = admin.get(f"{BASE}/admin/").content.decode()
    shown = Declaration.objects.filter(application__submitted_at__isnull=False).count()  # with the demo's
    assert html.count("data-declaration=") == min(shown, 20) and shown >= 18
    with django_assert_max_num_queries(len(one_admin.captured_queries)):
        admin.get(f"{BASE}/admin/recognitions/")


def test_anonymous_callers_sign_in(nat, tenant_client):
    declaration = f.declaration(f.enterprise(1))
    for path in ("enterprise/", "declarations/", f"declarations/{declaration.pk}/", "admin/", "admin/recognitions/"):
        response = tenant_client(f.NATIONAL).get(f"{BASE}/{path}")
        assert response.status_code == 302 and "login" in response.url, path


def test_harbin_has_no_cultivation(login_client):
    harbin = login_client("harbin", "hrb_bureau")
    assert harbin.get(f"{BASE}/declarations/").status_code == 404
    assert harbin.get(f"{BASE}/admin/").status_code == 404


def test_the_home_shows_the_recognitions_in_force(login_client, tenant_schema):
    """nat_sme (the demo) holds a 创新型 recognition: its home names it with the certificate and validity."""
    from tenant_apps.cultivation.models import Recognition

    with tenant_schema("national"):
        recognition = Recognition.objects.get(organisation__memberships__user__username="nat_sme", status="active")
        html = login_client("national", "nat_sme").get("/workbench/cultivation/enterprise/").content.decode()
    assert 'id="home-recognitions"' in html and recognition.certificate_no in html
    assert recognition.valid_to.isoformat() in html
