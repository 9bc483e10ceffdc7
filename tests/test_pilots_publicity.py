"""公示与拨付 (issue #14, seed 002 §七): publicity batches on the portal, objections, closing after the period (the
engine's 公示 stage approved, tranches created from the policy's plan), finance paying the tranches until the
application is approved, the XLSX exports, the console roll-up; isolation (anonymous, another organisation, jiangmen
where the module is off) and bounded query counts.

Acceptances are put at the 公示 stage directly (the stage that names the `publicity_done` check), with their
recognition set on the rows, so these tests do not depend on the earlier stages' pages or checks."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tenant_apps.configuration.models import SubsidyPolicy, TenantSettings
from tenant_apps.pilots import disbursement, figures, publicity
from tenant_apps.pilots.models import (
    Acceptance,
    AcceptanceProject,
    PublicityBatch,
    PublicityItem,
    Tranche,
)
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Application, LogEntry, Task
from tenants.errors import DomainError
from tests.pilots_factories import acceptance_submitted, admitted_enterprise, bureau, decide, finance, open_task

pytestmark = pytest.mark.django_db
HARBIN = "harbin"
API = "/api/v1/pilots/publicity"
PAGES = "/workbench/pilots/acceptance/publicity"
JSON = "application/json"
CONTACT_PHONE = "0451-86661234"
# 30% then the rest: 123,456.79 × 0.30 = 37,037.037 → 37,037.03 (cut down to the fen), the last takes 86,419.76.
SPLIT = [{"after": "signing", "share": "0.30"}, {"after": "acceptance", "share": "0.70"}]


# --- Rows --------------------------------------------------------------------------------------------------------------
def policy() -> SubsidyPolicy:
    row = SubsidyPolicy.objects.filter(code="harbin-project-subsidy").order_by("-pk").first()
    row.tranches = SPLIT
    row.save(update_fields=["tranches"])
    return row


def move_to_publicity(acceptance: Acceptance) -> None:
    """Put the application at the stage naming `publicity_done`, with its open task, as the engine would."""
    application = Application.objects.get(pk=acceptance.application_id)
    stage = next(s for s in application.stages if publicity.CHECK in s.get("checks", []))
    Task.objects.filter(application=application, state=Task.State.OPEN).update(state=Task.State.CANCELLED)
    Application.objects.filter(pk=application.pk).update(stage_position=stage["position"])
    Task.objects.create(
        application=application,
        stage_position=stage["position"],
        stage_name=stage["name"],
        handler=stage["handler"],
        role=stage["role"],
        actions=stage["actions"],
    )


def recognised(acceptance: Acceptance, *figures_: tuple[str, str]) -> Acceptance:
    """Recognition as the bureau records it: (recognised amount, subsidy) per project, extra projects as needed."""
    projects = list(acceptance.projects.all())
    for index, (amount, subsidy) in enumerate(figures_):
        if index < len(projects):
            project = projects[index]
        else:
            project = AcceptanceProject.objects.create(
                acceptance=acceptance, position=index, name=f"仓储物流数字化改造{index}期"
            )
        project.recognised_amount, project.subsidy = Decimal(amount), Decimal(subsidy)
        project.save(update_fields=["recognised_amount", "subsidy"])
    acceptance.policy = policy()
    acceptance.recognised_at = timezone.now()
    acceptance.save(update_fields=["policy", "recognised_at"])
    return acceptance


def at_publicity(n: int, *figures_: tuple[str, str], name: str | None = None) -> Acceptance:
    member = admitted_enterprise(n, name=name)
    acceptance = acceptance_submitted(member)
    move_to_publicity(acceptance)
    return recognised(acceptance, *figures_) if figures_ else acceptance


def stage_of(acceptance: Acceptance) -> str:
    application = Application.objects.get(pk=acceptance.application_id)
    return (application.current_stage or {}).get("name", "") if application.state == "in_review" else ""


@pytest.fixture
def world(tenant_schema, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema(HARBIN):
        TenantSettings.objects.filter(pk=1).update(contact_phone=CONTACT_PHONE)
        yield


@pytest.fixture
def as_user(login_client):
    def make(username, tenant=HARBIN):
        return login_client(tenant, getattr(getattr(username, "user", None), "username", username))

    return make


@pytest.fixture
def later(monkeypatch):
    """Move today's date `days` ahead for everything that asks django.utils.timezone.localdate."""

    def move(days: int):
        moved = timezone.localdate() + datetime.timedelta(days=days)
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: moved)
        return moved

    return move


def post(client, path: str, body: dict | None = None):
    return client.post(path, json.dumps(body or {}), content_type=JSON)


def refusal(response) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


# --- Publicity ------------------------------------------------------------------------------------------------------
def test_publish_shows_the_rows_on_the_portal_and_closing_waits_for_the_period(world, as_user, tenant_client, later):
    a = at_publicity(1, ("246913.58", "100000.00"), ("50000.00", "23456.79"), name="哈尔滨公示测试电气有限公司")
    b = at_publicity(2, ("100000.00", "50000.00"), name="哈尔滨公示测试锅炉有限公司")
    officer = as_user("hrb_bureau")
    assert {x.pk for x in publicity.candidates(bureau())} >= {a.pk, b.pk}

    created = post(officer, f"{API}/batches/", {"title": "验收项目公示测试批次甲", "days": 5,
                                                "acceptances": [a.pk, b.pk]})  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body["state"] == "draft" and body["item_count"] == 2 and body["subsidy_total"] == "173456.79"
    assert not {a.pk, b.pk} & {x.pk for x in publicity.candidates(bureau())}  # in a batch: not offered again
    anonymous = tenant_client(HARBIN)
    assert anonymous.get(f"/publicity/{pk}/").status_code == 404  # a draft is not public
    assert "验收项目公示测试批次甲" not in anonymous.get("/publicity/").content.decode()

    published = officer.post(f"{PAGES}/{pk}/", {"do": "publish"})
    assert published.status_code == 302
    batch = PublicityBatch.objects.get(pk=pk)
    today = timezone.localdate()
    assert (batch.state, batch.starts_on, batch.ends_on) == ("published", today, today + datetime.timedelta(days=4))

    listing = anonymous.get("/publicity/")
    assert listing.status_code == 200 and "验收项目公示测试批次甲" in listing.content.decode()
    page = anonymous.get(f"/publicity/{pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    for text in ("哈尔滨公示测试电气有限公司", "装配车间设备联网与数据采集改造、仓储物流数字化改造1期", "296,913.58",
                 "123,456.79", "哈尔滨公示测试锅炉有限公司", "50,000.00", CONTACT_PHONE,
                 f"{today:%Y-%m-%d} 至 {today + datetime.timedelta(days=4):%Y-%m-%d}"):  # fmt: skip
        assert text in html, text
    public = anonymous.get(f"{API}/public/").json()
    mine = next(x for x in public["results"] if x["id"] == pk)
    assert [(i["enterprise_name"], i["subsidy"]) for i in mine["items"]] == [
        ("哈尔滨公示测试电气有限公司", "123456.79"),
        ("哈尔滨公示测试锅炉有限公司", "50000.00"),
    ]

    # An objection against B, during the period.
    item_b = PublicityItem.objects.get(batch_id=pk, acceptance=b)
    objected = post(officer, f"{API}/objections/", {"item": item_b.pk, "received_on": today.isoformat(),
                                                    "content": "该企业项目实际投资与公示不符。"})  # fmt: skip
    assert objected.status_code == 201, objected.content
    late = post(officer, f"{API}/objections/", {"item": item_b.pk, "received_on": "2020-01-01", "content": "x"})
    assert refusal(late) == (400, "publicity.received_on")

    # Before the end: refused, with the date it may close.
    early = post(officer, f"{API}/batches/{pk}/close/")
    assert refusal(early) == (409, "publicity.not_ended")
    assert (today + datetime.timedelta(days=5)).isoformat() in early.json()["message"]
    later(4)  # the last day of the period: still refused
    assert refusal(post(officer, f"{API}/batches/{pk}/close/")) == (409, "publicity.not_ended")
    assert stage_of(a) == "公示"

    later(5)
    closed = post(officer, f"{API}/batches/{pk}/close/")
    assert closed.status_code == 200, closed.content
    assert (closed.json()["approved"], closed.json()["kept"]) == ([a.pk], [b.pk])
    assert stage_of(a) == "资金拨付" and stage_of(b) == "公示"
    entry = LogEntry.objects.filter(application_id=a.application_id, stage_name="公示").latest("pk")
    assert (entry.action, entry.opinion, entry.actor.username) == ("approve", "公示期满无异议", "hrb_bureau")
    tranches = list(Tranche.objects.filter(acceptance=a).order_by("position"))
    assert [(t.label, t.amount) for t in tranches] == [
        ("签约后拨付 30%", Decimal("37037.03")),
        ("验收后拨付 70%", Decimal("86419.76")),
    ]
    assert sum(t.amount for t in tranches) == Decimal("123456.79")
    assert not Tranche.objects.filter(acceptance=b).exists()

    # B's objection is open: the engine refuses publicity until it is resolved, then the bureau approves as usual.
    with pytest.raises(DomainError) as refused:
        decide(b)
    assert refused.value.code == "workflow.check_failed"
    objection = item_b.objections.get()
    resolved = post(officer, f"{API}/objections/{objection.pk}/resolve/", {"resolution": "经核实，投资额与合同一致。"})
    assert resolved.status_code == 200 and resolved.json()["resolved"] is True
    again = post(officer, f"{API}/objections/{objection.pk}/resolve/", {"resolution": "再次处理"})
    assert refusal(again) == (409, "publicity.already_resolved")
    application = decide(b)
    publicity.tranches_on_outcome(application)  # what the acceptance kind's outcome handler calls
    assert stage_of(b) == "资金拨付"
    assert [t.amount for t in Tranche.objects.filter(acceptance=b).order_by("position")] == [
        Decimal("15000.00"),
        Decimal("35000.00"),
    ]
    assert publicity.public_batches().get(pk=pk).state == "closed"
    assert anonymous.get(f"/publicity/{pk}/").status_code == 200  # a closed batch stays public


def test_only_acceptances_at_publicity_and_fully_recognised_go_into_a_batch(world, as_user):
    officer = as_user("hrb_bureau")
    earlier = acceptance_submitted(admitted_enterprise(11))  # still at 材料审核
    recognised(earlier, ("100000.00", "30000.00"))
    unrecognised = at_publicity(12)  # subsidy not set yet
    ready = at_publicity(13, ("80000.00", "24000.00"))
    cases = [
        ({"acceptances": [earlier.pk]}, 409, "publicity.not_at_stage"),
        ({"acceptances": [unrecognised.pk]}, 400, "publicity.not_recognised"),
        ({"acceptances": [ready.pk], "days": 0}, 400, "invalid"),
        ({"acceptances": [ready.pk], "title": "  "}, 400, "invalid"),
        ({"acceptances": [999999]}, 404, "publicity.acceptance_not_found"),
    ]
    batches = PublicityBatch.objects.count()
    for over, status, code in cases:
        body = {"title": "公示", "days": 5, **over}
        assert refusal(post(officer, f"{API}/batches/", body)) == (status, code), over
    assert PublicityBatch.objects.count() == batches
    first = post(officer, f"{API}/batches/", {"title": "第一批", "days": 5, "acceptances": [ready.pk]})
    assert first.status_code == 201
    second = post(officer, f"{API}/batches/", {"title": "第二批", "days": 5, "acceptances": [ready.pk]})
    assert refusal(second) == (409, "publicity.already_in_batch")
    # The page: the choice lists the candidates with their subsidy; a refusal keeps the form as typed.
    other = at_publicity(14, ("90000.00", "27000.00"))
    form = officer.get(f"{PAGES}/new/").content.decode()
    assert "27,000.00" in form and f'value="{other.pk}"' in form and f'value="{unrecognised.pk}"' not in form
    refused = officer.post(f"{PAGES}/new/", {"title": "第三批", "days": 99, "acceptances": [str(other.pk)]})
    assert refused.status_code == 400 and 'value="第三批"' in refused.content.decode()
    made = officer.post(f"{PAGES}/new/", {"title": "第三批", "days": 7, "acceptances": [str(other.pk)]})
    batch = PublicityBatch.objects.get(title="第三批")
    assert made.status_code == 302 and made.url.endswith(f"/publicity/{batch.pk}/")
    assert list(batch.items.values_list("acceptance_id", "subsidy")) == [(other.pk, Decimal("27000.00"))]


# --- Disbursement --------------------------------------------------------------------------------------------------------
def _closed(n: int, later, *, subsidy="123456.79") -> Acceptance:
    acceptance = at_publicity(n, ("300000.00", subsidy))
    batch = publicity.batch_create(membership=bureau(), title="公示", days=3, acceptance_ids=[acceptance.pk])
    publicity.batch_publish(membership=bureau(), batch_id=batch.pk)
    later(3)
    assert publicity.batch_close(membership=bureau(), batch_id=batch.pk)["approved"] == [acceptance.pk]
    return acceptance


def test_finance_pays_the_tranches_and_the_application_ends_approved(world, as_user, later):
    acceptance = _closed(21, later)
    member = acceptance.organisation.memberships.get()
    first, last = Tranche.objects.filter(acceptance=acceptance).order_by("position")
    payer = as_user("hrb_finance")
    today = timezone.localdate()

    assert refusal(post(as_user(member), f"{API}/tranches/{first.pk}/pay/",
                        {"paid_on": today.isoformat(), "voucher_number": "CZ-1"})) == (403, "disbursement.not_finance")  # fmt: skip
    assert refusal(post(as_user("hrb_bureau"), f"{API}/tranches/{first.pk}/pay/",
                        {"paid_on": today.isoformat(), "voucher_number": "CZ-1"}))[0] == 403  # fmt: skip
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    invalid = [
        ({"paid_on": tomorrow, "voucher_number": "CZ-1"}, "disbursement.future"),
        ({"paid_on": today.isoformat(), "voucher_number": "   "}, "invalid"),
        ({"paid_on": today.isoformat(), "voucher_number": "C" * 41}, "invalid"),
    ]
    for body, code in invalid:
        assert refusal(post(payer, f"{API}/tranches/{first.pk}/pay/", body)) == (400, code), body
    with pytest.raises(DomainError) as blank:
        disbursement.tranche_pay(membership=finance(), tranche_id=first.pk, paid_on=today, voucher_number="  ")
    assert (blank.value.code, blank.value.field) == ("disbursement.voucher_required", "voucher_number")
    assert Tranche.objects.get(pk=first.pk).paid_on is None
    # The policy's order: the 70 % after acceptance waits for the 30 % after signing.
    early = post(payer, f"{API}/tranches/{last.pk}/pay/", {"paid_on": today.isoformat(), "voucher_number": "CZ-0"})
    assert refusal(early) == (409, "disbursement.out_of_order")
    assert "签约后拨付 30%" in early.json()["message"]

    paid = post(
        payer, f"{API}/tranches/{first.pk}/pay/", {"paid_on": today.isoformat(), "voucher_number": "CZ-2026-001"}
    )
    assert paid.status_code == 200, paid.content
    assert (paid.json()["paid"], paid.json()["amount"]) == (True, "37037.03")
    assert Application.objects.get(pk=acceptance.application_id).state == "in_review"
    twice = post(payer, f"{API}/tranches/{first.pk}/pay/", {"paid_on": today.isoformat(), "voucher_number": "CZ-X"})
    assert refusal(twice) == (409, "disbursement.already_paid")
    assert Tranche.objects.get(pk=first.pk).voucher_number == "CZ-2026-001"

    section = disbursement.payments_section(acceptance)
    assert section.rows == [
        ("签约后拨付 30%（37,037.03 元）", f"已拨付：{today.isoformat()}，凭证号 CZ-2026-001"),
        ("验收后拨付 70%（86,419.76 元）", "待拨付"),
    ]
    pending = payer.get(f"{PAGES}/payments/?state=pending")
    assert pending.status_code == 200 and f'data-tranche="{last.pk}"' in pending.content.decode()
    assert f'data-tranche="{first.pk}"' not in pending.content.decode()
    # The last tranche through the page: the engine's 资金拨付 task is approved by finance, the application ends.
    done = payer.post(f"{PAGES}/payments/?state=pending",
                      {"tranche": last.pk, "paid_on": today.isoformat(), "voucher_number": "CZ-2026-002"})  # fmt: skip
    assert done.status_code == 302
    application = Application.objects.get(pk=acceptance.application_id)
    assert application.state == "approved"
    entry = LogEntry.objects.filter(application=application).latest("pk")
    assert (entry.stage_name, entry.action, entry.actor.username) == ("资金拨付", "approve", "hrb_finance")
    assert refusal(post(payer, f"{API}/tranches/{last.pk}/pay/",
                        {"paid_on": today.isoformat(), "voucher_number": "CZ-3"})) == (409, "disbursement.already_paid")  # fmt: skip

    # The enterprise sees its own payments; another enterprise sees none.
    own = as_user(member).get(f"{API}/tranches/").json()
    assert [(t["amount"], t["voucher_number"]) for t in own["results"]] == [
        ("37037.03", "CZ-2026-001"),
        ("86419.76", "CZ-2026-002"),
    ]
    stranger = admitted_enterprise(22)
    assert as_user(stranger).get(f"{API}/tranches/").json()["count"] == 0
    # A page-level refusal lands on the form with the service's status.
    again = payer.post(f"{PAGES}/payments/?state=paid",
                       {"tranche": last.pk, "paid_on": today.isoformat(), "voucher_number": "CZ-9"})  # fmt: skip
    assert again.status_code == 409


# --- Exports ---------------------------------------------------------------------------------------------------------------
def _sheet(response, title: str) -> list[tuple]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return list(book[title].iter_rows(values_only=True))


def test_exports_open_and_carry_the_numbers(world, as_user, later):
    hostile = '=HYPERLINK("http://evil.example","点我")'
    acceptance = _closed(31, later)
    other = at_publicity(32, ("88000.00", "26400.00"), name=hostile)
    batch = publicity.batch_create(membership=bureau(), title="第二批公示", days=5, acceptance_ids=[other.pk])
    publicity.batch_publish(membership=bureau(), batch_id=batch.pk)
    first = Tranche.objects.filter(acceptance=acceptance).order_by("position").first()
    disbursement.tranche_pay(
        membership=finance(), tranche_id=first.pk, paid_on=timezone.localdate(), voucher_number="CZ-7"
    )
    officer = as_user("hrb_bureau")

    rows = _sheet(officer.get(f"{PAGES}/exports/acceptances.xlsx"), "验收及补贴申请")
    assert rows[0][:3] == ("企业名称", "验收项目", "状态")
    by_name = {row[0]: row for row in rows[1:]}
    mine = by_name[acceptance.organisation.name]
    assert mine[3:] == ("资金拨付", 300000, 123456.79, 37037.03)
    assert by_name[hostile][3:] == ("公示", 88000, 26400, 0)  # the name is text, not a formula
    book = load_workbook(io.BytesIO(officer.get(f"{PAGES}/exports/acceptances.xlsx").content))
    cell = next(c for c in book["验收及补贴申请"]["A"] if c.value == hostile)
    assert cell.data_type == "s"

    admissions = _sheet(officer.get(f"{PAGES}/exports/admissions.xlsx"), "入库申请")
    assert admissions[0] == ("企业名称", "统一社会信用代码", "所属行业", "状态", "提交时间", "入库日期")

    items = _sheet(officer.get(f"{PAGES}/{batch.pk}/export.xlsx"), "公示名单")
    assert items[1][:5] == (1, hostile, "装配车间设备联网与数据采集改造", 88000, 26400)
    assert items[-1][:5] == ("合计", None, None, 88000, 26400)

    assert as_user("hrb_finance").get(f"{PAGES}/exports/acceptances.xlsx").status_code == 200
    enterprise = acceptance.organisation.memberships.get()
    for path in ("exports/acceptances.xlsx", "exports/admissions.xlsx", f"{batch.pk}/export.xlsx"):
        assert as_user(enterprise).get(f"{PAGES}/{path}").status_code == 403, path
    assert as_user("hrb_finance").get(f"{PAGES}/{batch.pk}/export.xlsx").status_code == 403


# --- Console roll-up ---------------------------------------------------------------------------------------------------------
def test_console_figures_count_the_pilots_money(world, later, django_assert_max_num_queries):
    before = figures.console_figures()
    acceptance = _closed(41, later, subsidy="60000.00")  # recognised 300,000.00, published and closed
    draft_only = at_publicity(42, ("50000.00", "15000.00"))
    publicity.batch_create(membership=bureau(), title="草稿", days=5, acceptance_ids=[draft_only.pk])  # not published
    first = Tranche.objects.filter(acceptance=acceptance).order_by("position").first()  # 30%: 18,000.00
    disbursement.tranche_pay(
        membership=finance(), tranche_id=first.pk, paid_on=timezone.localdate(), voucher_number="CZ-41"
    )
    with django_assert_max_num_queries(5):
        after = figures.console_figures()
    assert after["pilot_enterprises"] - before["pilot_enterprises"] == 2
    assert after["acceptances_accepted"] - before["acceptances_accepted"] == 2
    assert after["recognised_investment"] - before["recognised_investment"] == Decimal("350000.00")
    assert after["subsidy_published"] - before["subsidy_published"] == Decimal("60000.00")
    assert after["subsidy_disbursed"] - before["subsidy_disbursed"] == Decimal("18000.00")


# --- Isolation ---------------------------------------------------------------------------------------------------------------
def test_jiangmen_has_no_publicity(as_user, tenant_client):
    client = tenant_client("jiangmen")
    assert client.get("/publicity/").status_code == 404
    assert client.get("/publicity/1/").status_code == 404
    assert client.get(f"{API}/public/").status_code == 404
    member = as_user("jm_enterprise", "jiangmen")
    for path in (f"{API}/batches/", f"{API}/tranches/", f"{PAGES}/", f"{PAGES}/payments/",
                 f"{PAGES}/exports/acceptances.xlsx"):  # fmt: skip
        assert member.get(path).status_code == 404, path


def test_outsiders_get_nothing(world, as_user, tenant_client, later):
    acceptance = _closed(51, later)
    batch = PublicityBatch.objects.get(items__acceptance=acceptance)
    tranche = Tranche.objects.filter(acceptance=acceptance).first()
    objection_item = PublicityItem.objects.get(acceptance=acceptance)
    routes = [
        ("get", f"{API}/batches/"),
        ("post", f"{API}/batches/"),
        ("get", f"{API}/batches/{batch.pk}/"),
        ("post", f"{API}/batches/{batch.pk}/publish/"),
        ("post", f"{API}/batches/{batch.pk}/close/"),
        ("post", f"{API}/objections/"),
        ("post", f"{API}/tranches/{tranche.pk}/pay/"),
    ]
    body = {"title": "x", "days": 5, "acceptances": [acceptance.pk], "item": objection_item.pk,
            "received_on": timezone.localdate().isoformat(), "content": "x", "paid_on": "2026-01-01",
            "voucher_number": "X"}  # fmt: skip
    enterprise = as_user(admitted_enterprise(52))
    outsiders = {"anonymous": tenant_client(HARBIN), "jiangmen member": as_user("jm_enterprise", HARBIN)}
    for method, path in routes:
        response = enterprise.generic(method.upper(), path, json.dumps(body), content_type=JSON)
        assert response.status_code == 403, (method, path, response.status_code)
        for who, client in outsiders.items():
            response = client.generic(method.upper(), path, json.dumps(body), content_type=JSON)
            assert response.status_code in (401, 403), (who, method, path, response.status_code)
    assert tenant_client(HARBIN).get(f"{API}/tranches/").status_code in (401, 403)
    assert as_user("jm_enterprise", HARBIN).get(f"{API}/tranches/").status_code in (401, 403)
    assert Tranche.objects.get(pk=tranche.pk).paid_on is None
    # Pages: anonymous to sign-in, an enterprise refused, finance sent to its payments.
    assert tenant_client(HARBIN).get(f"{PAGES}/").status_code == 302
    assert enterprise.get(f"{PAGES}/").status_code == 403
    assert enterprise.get(f"{PAGES}/{batch.pk}/").status_code == 403
    assert enterprise.get(f"{PAGES}/payments/").status_code == 403
    assert as_user("hrb_finance").get(f"{PAGES}/").url.endswith("/payments/")
    assert as_user("hrb_bureau").get(f"{PAGES}/999999/").status_code == 404


# --- Bounded lists ---------------------------------------------------------------------------------------------------------
def _queries(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_lists_do_not_grow_with_rows(world, as_user, later):
    officer, payer = as_user("hrb_bureau"), as_user("hrb_finance")
    _closed(61, later)
    at_publicity(60, ("1000.00", "300.00"))  # one candidate for the new-batch page
    counts = {
        "batches": _queries(officer, f"{PAGES}/"),
        "payments": _queries(payer, f"{PAGES}/payments/?state=all"),
        "api-batches": _queries(officer, f"{API}/batches/"),
        "api-tranches": _queries(payer, f"{API}/tranches/"),
        "public": _queries(officer, f"{API}/public/"),
        "new": _queries(officer, f"{PAGES}/new/"),
    }
    for n in range(62, 65):
        _closed(n, later)  # each batch is closed a few days later still
        at_publicity(n + 10, ("1000.00", "300.00"))
    assert _queries(officer, f"{PAGES}/") == counts["batches"]
    assert _queries(payer, f"{PAGES}/payments/?state=all") == counts["payments"]
    assert _queries(officer, f"{API}/batches/") == counts["api-batches"]
    assert _queries(payer, f"{API}/tranches/") == counts["api-tranches"]
    assert _queries(officer, f"{API}/public/") == counts["public"]
    assert _queries(officer, f"{PAGES}/new/") == counts["new"]
    batch = PublicityBatch.objects.order_by("-pk").first()
    assert officer.get(f"{PAGES}/{batch.pk}/").status_code == 200


# --- OpenAPI ----------------------------------------------------------------------------------------------------------------
def test_the_schema_of_these_views_validates():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="config.urls_tenant", patterns=None).get_schema(request=None, public=True)
    validate_schema(schema)
    ours = {path for path in schema["paths"] if path.startswith(f"{API}/")}
    assert len(ours) == 9
    problems = [
        line
        for line in (GENERATOR_STATS._warn_cache | GENERATOR_STATS._error_cache)
        if "publicity" in line.lower() or "Tranche" in line or "Batch" in line or "Objection" in line
    ]
    assert not problems, problems


def test_open_task_helper_is_the_publicity_task(world):
    """The rows these tests build are what the engine would hold: one open task, at 公示, for the city bureau."""
    acceptance = at_publicity(71, ("1000.00", "300.00"))
    task = open_task(acceptance)
    assert (task.stage_name, task.role, sorted(task.actions)) == ("公示", "city_bureau", ["approve", "reject"])
    assert publicity.stage_carries_publicity(Application.objects.get(pk=acceptance.application_id))
    assert engine.stage_checks(Application.objects.get(pk=acceptance.application_id))[0].passed is False


def test_the_bureau_handles_objections_and_closing_on_the_batch_page(world, as_user, later):
    acceptance = at_publicity(81, ("200000.00", "60000.00"))
    batch = publicity.batch_create(membership=bureau(), title="第四批公示", days=2, acceptance_ids=[acceptance.pk])
    officer = as_user("hrb_bureau")
    page = f"{PAGES}/{batch.pk}/"
    assert 'id="batch-publish"' in officer.get(page).content.decode()
    assert officer.post(page, {"do": "publish"}).status_code == 302
    item = batch.items.get()
    today = timezone.localdate().isoformat()
    blank = officer.post(page, {"do": "object", "item": item.pk, "received_on": today, "content": ""})
    assert blank.status_code == 400 and not item.objections.exists()
    recorded = officer.post(page, {"do": "object", "item": item.pk, "received_on": today, "content": "投资额存疑"})
    assert recorded.status_code == 302
    objection = item.objections.get()
    shown = officer.get(page).content.decode()
    assert "投资额存疑" in shown and f'id="resolve-{objection.pk}"' in shown and 'id="batch-close"' not in shown
    early = officer.post(page, {"do": "close"})
    assert early.status_code == 409 and 'id="batch-error"' in early.content.decode()
    assert officer.post(page, {"do": "resolve", "objection": objection.pk, "resolution": "已核实"}).status_code == 302
    later(2)
    assert 'id="batch-close"' in officer.get(page).content.decode()
    assert officer.post(page, {"do": "close"}).status_code == 302
    assert stage_of(acceptance) == "资金拨付"
    entry = LogEntry.objects.filter(application_id=acceptance.application_id, stage_name="公示").latest("pk")
    assert entry.opinion == "异议已处理"
    assert Tranche.objects.filter(acceptance=acceptance).aggregate(total=Sum("amount"))["total"] == Decimal("60000.00")
