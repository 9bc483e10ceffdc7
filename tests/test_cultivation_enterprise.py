"""企业信息, 信息更新, 企业重大变更, 认证到期管理 (seed 003 §三 (一)(四)(五), issue #16): the info is edited freely
until the enterprise is recognised and then only through the annual update (inside its window, both days included)
or a major change; each change type applies on approval; a deleted draft takes its application with it; re-reviews
open 90 days before the last day of validity and close 90 days after it, and renew the recognition; pages show
refusals on their fields; the API keeps to the enterprise's own rows; lists cost a bounded number of queries."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from tenant_apps.configuration.models import DeclarationWindow
from tenant_apps.cultivation import common, enterprise
from tenant_apps.cultivation.models import EnterpriseInfo, InfoUpdate, MajorChange, Message, Recognition, ReReview
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError
from tests import cultivation_factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/cultivation"
JSON = "application/json"
INFO = {
    "region": f.COUNTY,
    "sector": "manufacturing",
    "main_business": "精密模具设计与制造",
    "legal_rep": "李某",
    "ownership": "民营",
    "founded_on": "2015-03-18",
    "employees": "120",
    "revenue": "8200.50",
    "rd_expense": "410",
    "contact_name": "李经理",
    "contact_mobile": "13905740001",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def nat(tenant_schema):
    with tenant_schema(f.NATIONAL):
        yield


def recognise(member) -> Recognition:
    """Push a declaration through the three levels: the enterprise is then recognised."""
    county, city, province = f.levels()
    declaration = f.declaration(member)
    for level in (county, city, province):
        f.decide(declaration.application, level)
    return Recognition.objects.get(declaration=declaration)


def valid_uscc(n: int) -> str:
    stem = f"91330212MA2B{n:05d}"
    return stem + stdnum_uscc.calc_check_digit(stem)


def update_window(*, opens: int = -10, closes: int = 30) -> DeclarationWindow:
    DeclarationWindow.objects.filter(module="cultivation", kind="info_update").delete()
    return f.window("info_update", region_code=None, opens=opens, closes=closes)


def client_of(login_client, member):
    return login_client(f.NATIONAL, member.user.username)


def send(client, method: str, path: str, body: dict | None = None):
    return client.generic(method, path, json.dumps(body or {}), content_type=JSON)


# --- 企业信息 ---------------------------------------------------------------------------------------------------------
def test_info_is_edited_freely_until_recognised_then_refused(nat, login_client):
    member = f.enterprise(1, info=False)
    info = enterprise.info_save(membership=member, data=INFO)
    assert info.region.code == f.COUNTY and info.employees == 120 and str(info.revenue) == "8200.50"
    client = client_of(login_client, member)
    page = client.get("/workbench/cultivation/info/")
    assert (
        page.status_code == 200
        and 'id="info-edit"' in page.content.decode()
        and "精密模具设计与制造" in page.content.decode()
    )
    edit = client.get("/workbench/cultivation/info/edit/")
    assert "浙江省 / 宁波市 / 鄞州区" in edit.content.decode()  # the grouped county select
    saved = client.post("/workbench/cultivation/info/edit/", {**INFO, "main_business": "汽车模具"})
    assert saved.status_code == 302
    assert EnterpriseInfo.objects.get(organisation=member.organisation).main_business == "汽车模具"

    recognise(member)
    with pytest.raises(DomainError) as locked:
        enterprise.info_save(membership=member, data=INFO)
    assert locked.value.code == "cultivation.info_locked" and locked.value.status == 409
    page = client.get("/workbench/cultivation/info/").content.decode()
    assert 'id="info-edit"' not in page
    refused = client.post("/workbench/cultivation/info/edit/", {**INFO, "main_business": "改不了"})
    assert refused.status_code == 409
    assert EnterpriseInfo.objects.get(organisation=member.organisation).main_business == "汽车模具"


def test_info_form_errors_land_on_their_fields_with_the_values_kept(nat, login_client):
    member = f.enterprise(1, info=False)
    client = client_of(login_client, member)
    bad_region = client.post("/workbench/cultivation/info/edit/", {**INFO, "region": f.CITY})
    assert bad_region.status_code == 400
    assert bad_region.context["form"].errors["region"]  # a city is not among the county-level choices
    assert "精密模具设计与制造" in bad_region.content.decode()
    bad_number = client.post("/workbench/cultivation/info/edit/", {**INFO, "revenue": "很多"})
    assert bad_number.status_code == 400 and "revenue" in bad_number.context["form"].errors
    bad_date = client.post("/workbench/cultivation/info/edit/", {**INFO, "founded_on": "2015-13-40"})
    assert bad_date.status_code == 400 and "founded_on" in bad_date.context["form"].errors
    missing = client.post("/workbench/cultivation/info/edit/", {**INFO, "legal_rep": ""})
    assert missing.status_code == 400 and missing.context["form"].errors["legal_rep"]
    assert not EnterpriseInfo.objects.filter(organisation=member.organisation).exists()


# --- 信息更新 ---------------------------------------------------------------------------------------------------------
def test_update_window_last_day_open_day_after_closed(nat, login_client):
    member = f.enterprise(1)
    recognise(member)
    window = update_window(opens=-30, closes=0)
    client = client_of(login_client, member)
    assert 'id="info-update"' in client.get("/workbench/cultivation/info/").content.decode()
    data = {**enterprise.snapshot(common.info_of(member.organisation), enterprise.UPDATE_FIELDS), "employees": "150"}
    update = enterprise.update_submit(membership=member, data=data)  # the last day is open
    assert update.application.state == Application.State.IN_REVIEW and update.application.region.code == f.COUNTY
    with pytest.raises(DomainError) as twice:
        enterprise.update_submit(membership=member, data=data)
    assert twice.value.code == "cultivation.update_open"

    window.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    window.opens_on = window.closes_on - datetime.timedelta(days=30)
    window.save()
    other = f.enterprise(2)
    recognise(other)
    with pytest.raises(DomainError) as closed:
        enterprise.update_submit(membership=other, data=data)
    assert closed.value.code == "cultivation.update_closed" and closed.value.status == 409
    other_client = client_of(login_client, other)
    page = other_client.get("/workbench/cultivation/info/").content.decode()
    assert 'id="info-update"' not in page and "信息更新每年" in page
    assert other_client.get("/workbench/cultivation/info/update/").status_code == 409


def test_the_note_names_the_configured_dates_outside_the_window(nat, login_client):
    member = f.enterprise(1)
    recognise(member)
    DeclarationWindow.objects.filter(module="cultivation", kind="info_update").delete()
    today = timezone.localdate()
    # A window of this year that is closed today (before it in the first half of the year, after it in the second).
    opens, closes = (
        (datetime.date(today.year, 1, 2), datetime.date(today.year, 3, 3))
        if today.month >= 6
        else (datetime.date(today.year, 11, 2), datetime.date(today.year, 12, 3))
    )
    DeclarationWindow.objects.create(
        module="cultivation", kind="info_update", name="本年度信息更新", opens_on=opens, closes_on=closes
    )
    assert not common.open_windows("info_update")
    page = client_of(login_client, member).get("/workbench/cultivation/info/").content.decode()
    assert f"信息更新每年{opens.month}月{opens.day}日—{closes.month}月{closes.day}日开放" in page


def test_an_approved_update_applies_and_shows_before_and_after(nat, login_client):
    member = f.enterprise(1)
    recognise(member)
    update_window()
    county = f.staff(f.COUNTY)
    client = client_of(login_client, member)
    form = client.get("/workbench/cultivation/info/update/")
    assert form.status_code == 200 and "region" not in form.context["form"].fields
    current = enterprise.snapshot(common.info_of(member.organisation), enterprise.UPDATE_FIELDS)
    posted = client.post("/workbench/cultivation/info/update/", {**current, "employees": "oops"})
    assert posted.status_code == 400 and posted.context["form"].errors["employees"]
    posted = client.post("/workbench/cultivation/info/update/", {**current, "employees": "260", "legal_rep": "赵某"})
    assert posted.status_code == 302
    update = InfoUpdate.objects.get(organisation=member.organisation)
    assert update.before["legal_rep"] == "王某" and update.after["legal_rep"] == "赵某"
    assert common.info_of(member.organisation).legal_rep == "王某"  # nothing applies before approval
    f.decide(update.application, county)
    info = common.info_of(member.organisation)
    assert (info.legal_rep, info.employees) == ("赵某", 260)
    assert Message.objects.filter(organisation=member.organisation, category="info_update").count() == 1
    page = client.get("/workbench/cultivation/info/").content.decode()
    assert "王某 → 赵某" in page and "— → 260" in page


def test_a_returned_update_is_resubmitted_on_the_same_page(nat, login_client):
    member = f.enterprise(1)
    recognise(member)
    update_window()
    county = f.staff(f.COUNTY)
    data = {**enterprise.snapshot(common.info_of(member.organisation), enterprise.UPDATE_FIELDS), "employees": "9"}
    update = enterprise.update_submit(membership=member, data=data)
    f.decide(update.application, county, "return", "从业人数有误")
    client = client_of(login_client, member)
    form = client.get("/workbench/cultivation/info/update/")
    assert "从业人数有误" in form.content.decode() and form.context["form"]["employees"].value() == "9"
    resubmitted = enterprise.update_submit(
        membership=member, data={**data, "employees": "90"}, expected_version=form.context["form"]["version"].value()
    )
    assert resubmitted.pk == update.pk and resubmitted.application.state == Application.State.IN_REVIEW


def test_an_unrecognised_enterprise_has_no_update(nat):
    member = f.enterprise(1)
    update_window()
    with pytest.raises(DomainError) as refused:
        enterprise.update_submit(membership=member, data=INFO)
    assert refused.value.code == "cultivation.update_not_recognised"


# --- 企业重大变更 -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change_type", "after", "check"),
    [
        ("name", "宁波新名称科技有限公司", lambda m, i: m.organisation.name == "宁波新名称科技有限公司"),
        ("uscc", valid_uscc(7), lambda m, i: m.organisation.uscc == valid_uscc(7)),
        ("region", "330203", lambda m, i: i.region.code == "330203"),
        ("main_business", "工业机器人集成", lambda m, i: i.main_business == "工业机器人集成"),
        ("ownership", "国有控股", lambda m, i: i.ownership == ""),  # recorded only
        ("other", "新设研发中心", lambda m, i: True),
    ],
)
def test_each_change_type_applies_on_approval(nat, change_type, after, check):
    member = f.enterprise(1)
    county, city, _province = f.levels()
    before_name, before_region = member.organisation.name, common.info_of(member.organisation).region.code
    change = enterprise.change_save(
        membership=member,
        data={"change_type": change_type, "before": "民营", "after": after, "reason": "工商登记已变更"},
        submit=True,
    )
    expected_before = {"name": before_name, "region": before_region, "main_business": "汽车线束连接器研发与制造"}
    assert change.before == expected_before.get(change_type, change.before)
    assert change.application.state == Application.State.IN_REVIEW
    f.decide(change.application, county)
    member.organisation.refresh_from_db()
    assert member.organisation.name == before_name  # nothing applies before the last level
    f.decide(change.application, city)
    member.organisation.refresh_from_db()
    assert Application.objects.get(pk=change.application_id).state == Application.State.APPROVED
    assert check(member, common.info_of(member.organisation))


def test_change_values_are_checked_for_their_type(nat, login_client):
    member = f.enterprise(1)
    taken = f.enterprise(2)
    taken.organisation.uscc = valid_uscc(8)
    taken.organisation.save()
    cases = [
        ({"change_type": "uscc", "after": "91330212MA2B00000X"}, "cultivation.uscc"),
        ({"change_type": "uscc", "after": valid_uscc(8)}, "cultivation.uscc_taken"),
        ({"change_type": "region", "after": f.CITY}, "cultivation.region"),
        ({"change_type": "name", "after": member.organisation.name, "reason": "同名"}, "cultivation.nothing_changed"),
        ({"change_type": "bogus", "after": "x"}, "cultivation.change_type"),
    ]
    for data, code in cases:
        with pytest.raises(DomainError) as refused:
            enterprise.change_save(membership=member, data=data, submit=True)
        assert refused.value.code == code, data
    client = client_of(login_client, member)
    page = client.post(
        "/workbench/cultivation/changes/new/",
        {"change_type": "uscc", "after": "91330212MA2B00000X", "reason": "换证", "do": "submit"},
    )
    assert page.status_code == 400 and page.context["form"].errors["after"]
    assert "换证" in page.content.decode()
    region = client.post(
        "/workbench/cultivation/changes/new/",
        {"change_type": "region", "after_region": "", "reason": "迁址", "do": "submit"},
    )
    assert region.status_code == 400 and region.context["form"].errors["after_region"]
    assert not MajorChange.objects.filter(organisation=member.organisation).exists()


def test_a_draft_change_is_edited_then_deleted_with_its_application(nat, login_client):
    member = f.enterprise(1)
    client = client_of(login_client, member)
    prefilled = client.get("/workbench/cultivation/changes/new/?type=main_business")
    assert prefilled.context["form"]["before"].value() == "汽车线束连接器研发与制造"
    saved = client.post("/workbench/cultivation/changes/new/", {"change_type": "main_business", "do": "save"})
    assert saved.status_code == 302
    change = MajorChange.objects.get(organisation=member.organisation)
    assert change.application.state == Application.State.DRAFT
    with pytest.raises(DomainError) as twice:
        enterprise.change_save(membership=member, data={"change_type": "main_business"})
    assert twice.value.code == "cultivation.change_open"
    edited = client.post(
        f"/workbench/cultivation/changes/{change.pk}/",
        {"change_type": "main_business", "after": "智能装备", "do": "save", "version": change.application.version},
    )
    assert edited.status_code == 302
    change.refresh_from_db()
    assert change.after == "智能装备"
    listing = client.get("/workbench/cultivation/changes/").content.decode()
    assert 'data-action="delete"' in listing and 'data-action="edit"' in listing
    application_id = change.application_id
    assert client.post(f"/workbench/cultivation/changes/{change.pk}/delete/").status_code == 302
    assert not MajorChange.objects.filter(pk=change.pk).exists()
    assert not Application.objects.filter(pk=application_id).exists()

    submitted = enterprise.change_save(
        membership=member,
        data={"change_type": "other", "before": "无", "after": "新设子公司", "reason": "扩张"},
        submit=True,
    )
    with pytest.raises(DomainError) as kept:
        enterprise.change_delete(membership=member, change=submitted)
    assert kept.value.code == "cultivation.not_deletable"


def test_changes_are_filtered_by_type_in_bounded_queries(nat, login_client, django_assert_max_num_queries):
    member = f.enterprise(1)
    for n in range(15):
        change_type = ("other", "ownership", "main_business")[n % 3]
        change = enterprise.change_save(
            membership=member,
            data={"change_type": change_type, "before": "旧", "after": f"新{n}", "reason": "原因"},
            submit=True,
        )
        if change_type == "main_business":  # one open change per type: close it (rejected) before the next
            county = f.staff(f.COUNTY)
            f.decide(change.application, county, "reject", "不予变更")
        else:
            MajorChange.objects.filter(pk=change.pk).update(change_type=change_type)
            Application.objects.filter(pk=change.application_id).update(decided_at=timezone.now(), state="approved")
    client = client_of(login_client, member)
    with django_assert_max_num_queries(25):
        page = client.get("/workbench/cultivation/changes/?change_type=other")
    assert page.status_code == 200 and len(page.context["page"].object_list) == 5
    with django_assert_max_num_queries(25):
        full = client.get("/workbench/cultivation/changes/?size=20")
    assert len(full.context["page"].object_list) == 15
    with django_assert_max_num_queries(20):
        api = client.get(f"{API}/changes/?change_type=main_business")
    assert api.status_code == 200 and api.json()["count"] == 5


# --- 认证到期管理 -----------------------------------------------------------------------------------------------------
def test_rereview_window_opens_90_days_before_and_closes_90_days_after(nat):
    member = f.enterprise(1)
    recognition = recognise(member)
    today = timezone.localdate()

    def refusal(valid_to_days: int, status: str = "active") -> str:
        recognition.valid_to, recognition.status = today + datetime.timedelta(days=valid_to_days), status
        return enterprise.rereview_refusal(recognition, today=today)

    assert "届满前 90 天内" in refusal(91)
    assert refusal(90) == "" and refusal(0) == ""
    assert refusal(-90, "expired") == ""
    assert "超过 90 天" in refusal(-91, "expired")
    assert "已撤销" in refusal(10, "revoked")
    Recognition.objects.filter(pk=recognition.pk).update(valid_to=today + datetime.timedelta(days=120))
    recognition.refresh_from_db()
    with pytest.raises(DomainError) as early:
        enterprise.rereview_submit(membership=member, statement="继续符合条件", recognition=recognition)
    assert early.value.code == "cultivation.rereview_closed"
    Recognition.objects.filter(pk=recognition.pk).update(valid_to=today + datetime.timedelta(days=30))
    recognition.refresh_from_db()
    with pytest.raises(DomainError) as empty:
        enterprise.rereview_submit(membership=member, statement=" ", recognition=recognition)
    assert empty.value.field == "statement"
    with pytest.raises(DomainError) as long:
        enterprise.rereview_submit(membership=member, statement="长" * 2001, recognition=recognition)
    assert long.value.field == "statement"
    enterprise.rereview_submit(membership=member, statement="继续符合条件", recognition=recognition)
    with pytest.raises(DomainError) as twice:
        enterprise.rereview_submit(membership=member, statement="再来一次", recognition=recognition)
    assert twice.value.code == "cultivation.rereview_closed" and "正在办理" in twice.value.message


def test_an_approved_rereview_renews_the_validity(nat, login_client):
    member = f.enterprise(1)
    recognition = recognise(member)
    county, city, province = f.levels()
    old_end = timezone.localdate() + datetime.timedelta(days=20)
    Recognition.objects.filter(pk=recognition.pk).update(valid_to=old_end)
    client = client_of(login_client, member)
    listing = client.get("/workbench/cultivation/rereviews/").content.decode()
    assert f"/workbench/cultivation/rereviews/new/{recognition.pk}/" in listing
    empty = client.post(f"/workbench/cultivation/rereviews/new/{recognition.pk}/", {"statement": ""})
    assert empty.status_code == 400 and empty.context["form"].errors["statement"]
    posted = client.post(f"/workbench/cultivation/rereviews/new/{recognition.pk}/", {"statement": "近三年营收稳定增长"})
    assert posted.status_code == 302
    rereview = ReReview.objects.get(recognition=recognition)
    f.decide(rereview.application, county, "return", "请补充研发投入")
    edit = client.get(f"/workbench/cultivation/rereviews/{rereview.pk}/")
    assert "请补充研发投入" in edit.content.decode()
    again = client.post(
        f"/workbench/cultivation/rereviews/{rereview.pk}/",
        {"statement": "近三年营收稳定增长，研发投入占比 5%", "version": edit.context["form"]["version"].value()},
    )
    assert again.status_code == 302
    for level in (county, city, province):
        f.decide(rereview.application, level)
    recognition.refresh_from_db()
    start = old_end + datetime.timedelta(days=1)
    assert recognition.status == "active"
    assert recognition.valid_to == start.replace(year=start.year + 3) - datetime.timedelta(days=1)
    history = client.get("/workbench/cultivation/rereviews/").content.decode()
    assert (
        f'data-rereview="{rereview.pk}"' in history and f"/workbench/applications/{rereview.application_id}/" in history
    )


def test_an_enterprise_without_recognitions_gets_an_explanation(nat, login_client):
    member = f.enterprise(1)
    page = client_of(login_client, member).get("/workbench/cultivation/rereviews/")
    assert page.status_code == 200 and "未认定的企业不提供复核功能" in page.content.decode()


# --- API and isolation -----------------------------------------------------------------------------------------------
def test_api_info_update_changes_and_rereviews(nat, login_client):
    member = f.enterprise(1, info=False)
    client = client_of(login_client, member)
    assert client.get(f"{API}/info/").json()["info"] is None
    bad = send(client, "PUT", f"{API}/info/", {**INFO, "region": "999999"})
    assert bad.status_code == 400 and bad.json()["code"] == "cultivation.region" and "region" in bad.json()["errors"]
    put = send(client, "PUT", f"{API}/info/", INFO)
    assert put.status_code == 200 and put.json()["info"]["region"] == f.COUNTY and put.json()["editable"]

    created = send(client, "POST", f"{API}/changes/", {"change_type": "main_business", "after": "模具"})
    assert created.status_code == 201 and created.json()["deletable"]
    pk = created.json()["id"]
    patched = send(client, "PATCH", f"{API}/changes/{pk}/", {"reason": "业务转型"})
    assert patched.status_code == 200 and patched.json()["reason"] == "业务转型"
    submitted = send(
        client, "POST", f"{API}/changes/{pk}/submit/", {"version": patched.json()["application"]["version"]}
    )
    assert submitted.status_code == 200 and submitted.json()["application"]["state"] == "in_review"
    assert send(client, "DELETE", f"{API}/changes/{pk}/").status_code == 409
    draft = send(client, "POST", f"{API}/changes/", {"change_type": "other"}).json()["id"]
    assert send(client, "DELETE", f"{API}/changes/{draft}/").status_code == 204

    recognition = recognise(member)
    locked = send(client, "PUT", f"{API}/info/", INFO)
    assert locked.status_code == 409 and locked.json()["code"] == "cultivation.info_locked"
    DeclarationWindow.objects.filter(module="cultivation", kind="info_update").delete()
    update_data = {k: v for k, v in INFO.items() if k not in ("region", "main_business")}
    closed = send(client, "POST", f"{API}/info/updates/", update_data)
    assert closed.status_code == 409 and closed.json()["code"] == "cultivation.update_closed"
    update_window()
    opened = send(client, "POST", f"{API}/info/updates/", update_data)
    assert opened.status_code == 201 and opened.json()["after"]["employees"] == "120"
    assert client.get(f"{API}/info/updates/").json()["count"] == 1

    mine = client.get(f"{API}/rereviews/recognitions/").json()
    assert mine["results"][0]["id"] == recognition.pk and "届满前" in mine["results"][0]["rereview_refusal"]
    early = send(client, "POST", f"{API}/rereviews/", {"recognition": recognition.pk, "statement": "申请复核"})
    assert early.status_code == 409 and early.json()["code"] == "cultivation.rereview_closed"
    Recognition.objects.filter(pk=recognition.pk).update(valid_to=timezone.localdate() + datetime.timedelta(days=5))
    filed = send(client, "POST", f"{API}/rereviews/", {"recognition": recognition.pk, "statement": "申请复核"})
    assert filed.status_code == 201 and filed.json()["application"]["state"] == "in_review"
    assert client.get(f"{API}/rereviews/{filed.json()['id']}/").status_code == 200


def test_api_isolation(nat, login_client, tenant_client):
    owner = f.enterprise(1)
    change = enterprise.change_save(membership=owner, data={"change_type": "other", "after": "甲方私有变更"})
    recognition = recognise(owner)
    Recognition.objects.filter(pk=recognition.pk).update(valid_to=timezone.localdate() + datetime.timedelta(days=5))
    recognition.refresh_from_db()
    rereview = enterprise.rereview_submit(membership=owner, statement="甲方复核说明", recognition=recognition)
    other = client_of(login_client, f.enterprise(2))
    for method, path in (
        ("GET", f"{API}/changes/{change.pk}/"),
        ("PATCH", f"{API}/changes/{change.pk}/"),
        ("DELETE", f"{API}/changes/{change.pk}/"),
        ("POST", f"{API}/changes/{change.pk}/submit/"),
        ("GET", f"{API}/rereviews/{rereview.pk}/"),
        ("POST", f"{API}/rereviews/{rereview.pk}/"),
    ):
        assert send(other, method, path, {"statement": "x"}).status_code == 404, (method, path)
    stolen = send(other, "POST", f"{API}/rereviews/", {"recognition": recognition.pk, "statement": "冒名复核"})
    assert stolen.status_code == 404
    assert "甲方私有变更" not in other.get(f"{API}/changes/").content.decode()
    assert other.get(f"{API}/rereviews/recognitions/").json()["count"] == 0
    assert other.get(f"/workbench/cultivation/changes/{change.pk}/").status_code == 404
    assert other.post(f"/workbench/cultivation/changes/{change.pk}/delete/").status_code == 404
    assert other.get(f"/workbench/cultivation/rereviews/new/{recognition.pk}/").status_code == 404
    assert MajorChange.objects.filter(pk=change.pk).exists()
    staff = login_client(f.NATIONAL, f.staff(f.COUNTY).user.username)
    assert staff.get(f"{API}/changes/").status_code == 403
    anonymous = tenant_client(f.NATIONAL)
    assert anonymous.get(f"{API}/info/").status_code in (401, 403)
    assert anonymous.get("/workbench/cultivation/info/").status_code == 302
    harbin = login_client("harbin", "hrb_enterprise")
    assert harbin.get(f"{API}/info/").status_code == 404
    assert harbin.get("/workbench/cultivation/changes/").status_code == 404


def test_the_schema_of_these_views_validates_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="config.urls_tenant", patterns=None).get_schema(request=None, public=True)
    validate_schema(schema)
    ours = [f"{API}/info/", f"{API}/info/updates/", f"{API}/changes/{{id}}/", f"{API}/rereviews/recognitions/"]
    assert all(path in schema["paths"] for path in ours)
    assert "put" in schema["paths"][f"{API}/info/"] and "delete" in schema["paths"][f"{API}/changes/{{id}}/"]
    problems = [
        line
        for line in (GENERATOR_STATS._warn_cache | GENERATOR_STATS._error_cache)
        if "api_enterprise" in line or "Cul" in line
    ]
    assert not problems, problems
