"""The demo leaves real review work: each preset's reviewers find a certification in their inbox, an applicant
finds one returned to fix, and a restart changes none of it."""

import pytest
from django.utils import timezone

from tenant_apps.organisations.models import Membership
from tenant_apps.workflow.models import Application
from tenant_apps.workflow.selectors import my_applications, tasks_awaiting
from tenants.services import tenant_provision

pytestmark = pytest.mark.django_db


def member(username):
    return Membership.objects.select_related("organisation").get(user__username=username)


@pytest.mark.parametrize(
    ("schema", "reviewer", "applicant", "company"),
    [
        ("harbin", "hrb_bureau", "hrb_pending", "哈尔滨示例锅炉辅机有限公司"),
        ("national", "nat_ops", "nat_pending", "示例智能家居制造有限公司"),
        ("jiangmen", "jm_ops", "jm_pending", "江门示例工业软件有限公司"),
    ],
)
def test_each_reviewer_finds_a_demo_certification_in_the_inbox(tenant_schema, schema, reviewer, applicant, company):
    with tenant_schema(schema):
        waiting = [task.application for task in tasks_awaiting(member(reviewer))]
        assert any(application.organisation.name == company for application in waiting)
        mine = list(my_applications(member(applicant)))
        assert [application.state for application in mine] == ["in_review"]
        assert member(applicant).organisation.certification == "pending"


def test_an_applicant_finds_a_returned_certification_with_the_opinion(login_client, tenant_schema):
    with tenant_schema("jiangmen"):
        application = my_applications(member("jm_returned")).get()
        assert application.state == "returned"
        assert application.log.get(action="return").opinion.startswith("请补充详细地址")
    page = login_client("jiangmen", "jm_returned").get(f"/workbench/applications/{application.pk}/").content.decode()
    assert "请补充详细地址" in page and "修改后重新提交" in page


def test_a_demo_restart_keeps_the_demo_reviews_as_they_are(tenant_schema):
    with tenant_schema("harbin"):
        before = list(Application.objects.order_by("pk").values_list("pk", "state", "version"))
        organisation = member("hrb_pending").organisation_id
    tenant_provision("harbin", with_demo_data=True, update_existing=False)
    with tenant_schema("harbin"):
        assert list(Application.objects.order_by("pk").values_list("pk", "state", "version")) == before
        assert member("hrb_pending").organisation_id == organisation


def test_an_enterprise_finds_its_admission_waiting_for_the_stamped_form(login_client, tenant_schema):
    with tenant_schema("harbin"):
        enterprise = member("hrb_enterprise")
        waiting = list(tasks_awaiting(enterprise))
        assert [(task.handler, task.stage_name) for task in waiting] == [("applicant_upload", "上传盖章申报表")]
        application = waiting[0].application
        assert (application.kind, application.organisation_id) == ("admission", enterprise.organisation_id)
        assert application.log.get(action="approve").actor.username == "hrb_bureau"
    client = login_client("harbin", "hrb_enterprise")
    inbox = client.get("/workbench/inbox/").content.decode()
    assert "待我处理" in inbox and "试点企业入库申请" in inbox
    page = client.get(f"/workbench/applications/{application.pk}/").content.decode()
    assert 'id="upload"' in page and "支持 PDF 格式，单个文件不超过 100 MB" in page


def test_the_marketplace_demo_leaves_work_in_every_role_s_inbox(tenant_schema, tenant_client, login_client):
    """National: two solutions on sale (one rated), one listing waiting at each review stage (ops, the assigned
    expert, the province), a payment proof waiting for ops, and a completed order for the enterprise. (Other tests
    may have committed marketplace rows of their own, so this looks for the demo's by name.)"""
    from tenant_apps.marketplace.demo import SOLUTIONS
    from tenant_apps.marketplace.models import Listing, Order

    names = {spec[0]: spec[-1] for spec in SOLUTIONS}
    with tenant_schema("national"):
        listed = Listing.objects.filter(state=Listing.State.LISTED, live_version__name__in=names)
        assert sorted(listing.live_version.name for listing in listed) == sorted(
            name for name, end in names.items() if end == "listed"
        )
        assert listed.filter(rating_count=1, rating_sum=5).count() == 1
        for reviewer, end in (("nat_ops", "ops"), ("zhang_expert", "expert"), ("nat_province", "province")):
            titles = [task.application.title for task in tasks_awaiting(member(reviewer))]
            waiting = next(name for name, stage in names.items() if stage == end)
            assert any(waiting in title for title in titles), (reviewer, titles)
        ops_kinds = {task.application.kind for task in tasks_awaiting(member("nat_ops"))}
        assert "payment_proof" in ops_kinds
        buyer = member("nat_enterprise").organisation
        states = set(Order.objects.filter(buyer=buyer).values_list("state", flat=True))
        assert {"completed", "proof_in_review"} <= states
    catalogue = tenant_client("national").get("/market/").content.decode()
    assert "设备联网与预测性维护解决方案" in catalogue and "研发设计协同 PLM 云服务" not in catalogue  # not yet listed
    hub = login_client("national", "nat_provider").get("/workbench/market/").content.decode()
    assert "我的商品" in hub and "订单管理" in hub and "专家管理" in hub


def test_the_marketplace_demo_is_not_repeated_on_a_restart(tenant_schema):
    from tenant_apps.marketplace.demo import marketplace_demo_seed
    from tenant_apps.marketplace.models import Listing, Order

    with tenant_schema("national"):
        before = (Listing.objects.count(), Order.objects.count())
        marketplace_demo_seed()
        assert (Listing.objects.count(), Order.objects.count()) == before


def test_the_voucher_demo_leaves_a_running_and_an_upcoming_grab_and_a_partly_used_voucher(tenant_schema):
    """National: the first activity running (a grab voucher and an apply voucher), the second's grab starting in
    three days, nat_enterprise holding a 10,000.00 voucher with 8,040.00 deducted on a 26,800.00 order (30 %), the
    provider seeing it on its order, and the enterprise's request waiting in operations' inbox."""
    from decimal import Decimal

    from tenant_apps.vouchers.models import Activity, LedgerEntry, Voucher

    with tenant_schema("national"):
        running = Activity.objects.get(name="中小企业数字化转型创新服务券（第一期）")
        upcoming = Activity.objects.get(name="工业软件上云专项服务券（第二期）")
        assert running.is_published and upcoming.is_published
        assert {t.method for t in running.types.all()} == {"grab", "apply"}
        assert all(t.grab_starts_at > timezone.now() for t in upcoming.types.all())
        buyer = member("nat_enterprise").organisation
        voucher = Voucher.objects.get(organisation=buyer, claim_key="demo-first-grab")
        assert (voucher.face_value, voucher.balance) == (Decimal("10000.00"), Decimal("1960.00"))
        deduction = LedgerEntry.objects.get(voucher=voucher, kind="deduct")
        assert (deduction.amount, deduction.order.total) == (Decimal("-8040.00"), Decimal("26800.00"))
        assert deduction.order.provider == member("nat_provider").organisation
        assert (deduction.order.payment, deduction.order.state) == ("paid", "to_sign")  # ops can settle it
        titles = [task.application.title for task in tasks_awaiting(member("nat_ops"))]
        assert any("数字化诊断服务券" in title for title in titles), titles


def test_the_harbin_demo_admission_is_a_filled_in_form(tenant_schema):
    """The admission waiting for hrb_enterprise's stamped scan holds the five sections, so the form it downloads
    is real and the bureau's page shows the defect checks passed."""
    from tenant_apps.pilots import admissions
    from tenant_apps.pilots.models import Admission

    with tenant_schema("harbin"):
        admission = Admission.objects.get(organisation=member("hrb_enterprise").organisation)
        assert admission.application.current_stage["name"] == "上传盖章申报表"
        assert admission.projects.count() == 2 and admission.needs.count() == 2 and admission.benchmark is True
        assert {f.kind for f in admission.files.all()} == {"audit_report", "credit_report"}
        assert all(result.passed for result in admissions.defect_results(admission))
        assert not admissions.missing(admission)
