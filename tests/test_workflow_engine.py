"""The review engine: chains from configuration, every action and illegal transition, races, the log."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tenant_apps.organisations.models import Membership
from tenant_apps.workflow import services
from tenant_apps.workflow.models import Application, Flow, LogEntry, Stage, Task
from tenant_apps.workflow.selectors import tasks_awaiting
from tenants.errors import DomainError
from tests.threads import in_thread

pytestmark = pytest.mark.django_db
User = get_user_model()


def member(username):
    return Membership.objects.select_related("organisation").get(user__username=username)


def submitted(kind="certification", applicant="hrb_enterprise", title="认证申请"):
    user = User.objects.get(username=applicant)
    application = services.application_create(kind=kind, applicant=user, title=title)
    return services.application_submit(application=application, actor=user)


def open_task(application):
    return application.tasks.get(state=Task.State.OPEN)


def actions(application):
    return list(application.log.values_list("action", flat=True))


ONE_PAGE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF"
)


def upload_scan(application, username="hrb_enterprise"):
    """The applicant completes an upload stage the only way it completes: with the stamped scan."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    scan = SimpleUploadedFile("盖章件.pdf", ONE_PAGE_PDF, content_type="application/pdf")
    return services.stage_upload(task_id=open_task(application).pk, membership=member(username), upload=scan)


def test_harbin_certification_goes_to_the_city_bureau_and_is_approved(tenant_schema):
    with tenant_schema("harbin"):
        application = submitted()
        task = open_task(application)
        assert (task.handler, task.role, task.stage_name) == ("role", "city_bureau", "市工信局审核")
        assert task in tasks_awaiting(member("hrb_bureau"))
        assert task not in tasks_awaiting(member("hrb_finance"))
        application = services.task_decide(task_id=task.pk, membership=member("hrb_bureau"), action="approve")
        assert application.state == "approved" and application.decided_at is not None
        assert actions(application) == ["submit", "approve"]


def test_acceptance_runs_all_six_harbin_stages_in_order_each_through_its_step(
    tenant_schema, settings, tmp_path, monkeypatch
):
    """Harbin's acceptance chain: a stage that carries a step's check (on-site, recognition, publicity) is approved
    by that step (or refused until it is done); the others by the reviewer; the last tranche ends the chain."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from tenant_apps.pilots import disbursement, onsite, publicity, recognition
    from tests.pilots_factories import PDF, acceptance_submitted, admitted_enterprise, bureau, finance

    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("harbin"):
        enterprise = admitted_enterprise(61)
        acceptance = acceptance_submitted(enterprise)
        application = acceptance.application
        names = [open_task(application).stage_name]
        services.task_decide(task_id=open_task(application).pk, membership=bureau(), action="approve")
        names.append(open_task(application).stage_name)
        with pytest.raises(DomainError) as refused:  # 现场验收 is the visit's to approve
            services.task_decide(task_id=open_task(application).pk, membership=bureau(), action="approve")
        assert refused.value.code == "workflow.check_failed"
        onsite.visit_book(
            membership=bureau(),
            acceptance_id=acceptance.pk,
            scheduled_at=timezone.now() + datetime.timedelta(days=2),
            place="车间",
            contact_name="王处长",
            contact_phone="0451-86660200",
        )
        onsite.visit_conclude(membership=bureau(), acceptance_id=acceptance.pk, conclusion="pass", note="达标")
        names.append(open_task(application).stage_name)
        scan = SimpleUploadedFile("盖章验收表.pdf", PDF, content_type="application/pdf")
        services.stage_upload(task_id=open_task(application).pk, membership=enterprise, upload=scan)
        names.append(open_task(application).stage_name)
        project = acceptance.projects.get()
        recognition.recognise(
            membership=bureau(),
            acceptance_id=acceptance.pk,
            projects=[
                {
                    "id": project.pk,
                    "recognised_amount": "400000.00",
                    "recognised_hardware": "120000.00",
                    "level_reached": 3,
                    "in_period": True,
                    "proven": True,
                }  # fmt: skip
            ],
        )
        services.task_decide(task_id=open_task(application).pk, membership=bureau(), action="approve")
        names.append(open_task(application).stage_name)
        batch = publicity.batch_create(membership=bureau(), title="公示", days=1, acceptance_ids=[acceptance.pk])
        publicity.batch_publish(membership=bureau(), batch_id=batch.pk)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: tomorrow)
        publicity.batch_close(membership=bureau(), batch_id=batch.pk)
        names.append(open_task(application).stage_name)
        for tranche in acceptance.tranches.order_by("position"):
            disbursement.tranche_pay(
                membership=finance(), tranche_id=tranche.pk, paid_on=tomorrow, voucher_number=f"CZ-{tranche.pk}"
            )
        assert names == ["材料审核", "现场验收", "上传盖章验收表", "盖章件审核", "公示", "资金拨付"]
        application.refresh_from_db()
        assert application.state == "approved"
        assert sum(t.amount for t in acceptance.tranches.all()) == project.__class__.objects.get(pk=project.pk).subsidy


@pytest.mark.parametrize(
    ("who", "action", "opinion", "message"),
    [
        ("hrb_enterprise", "approve", "", "您不是该环节的审核人"),
        ("hrb_finance", "approve", "", "您不是该环节的审核人"),
        ("hrb_bureau", "return", "", "请填写审核意见"),
        ("hrb_bureau", "reject", "  ", "请填写审核意见"),
        ("hrb_bureau", "escalate", "", "该环节不允许此操作"),
    ],
)
def test_illegal_decisions_are_refused(tenant_schema, who, action, opinion, message):
    with tenant_schema("harbin"):
        task = open_task(submitted())
        with pytest.raises(DomainError, match=message):
            services.task_decide(task_id=task.pk, membership=member(who), action=action, opinion=opinion)
        task.refresh_from_db()
        assert task.state == "open"


def test_upload_stage_completes_only_with_the_file(tenant_schema, login_client):
    with tenant_schema("harbin"):
        application = submitted(kind="admission", title="入库申请")
        services.task_decide(task_id=open_task(application).pk, membership=member("hrb_bureau"), action="approve")
        upload = open_task(application)
        assert (upload.handler, upload.actions) == ("applicant_upload", ["approve"])
        for action in ("approve", "return"):
            with pytest.raises(DomainError) as refused:
                services.task_decide(task_id=upload.pk, membership=member("hrb_enterprise"), action=action, opinion="x")
            assert refused.value.code == "workflow.upload_required"
    enterprise = login_client("harbin", "hrb_enterprise")
    api = enterprise.post(f"/api/v1/tasks/{upload.pk}/decide/", {"action": "approve"}, content_type="application/json")
    page = enterprise.post(f"/workbench/applications/{application.pk}/", {"do": "decide", "action": "approve"})
    assert api.status_code == 400 and api.json()["code"] == "workflow.upload_required"
    assert page.status_code == 400
    with tenant_schema("harbin"):
        assert open_task(application).pk == upload.pk and not application.attachments.exists()


def test_return_then_resubmit_starts_again_at_the_first_stage(tenant_schema, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("harbin"):
        application = submitted(kind="admission", title="入库申请")
        services.task_decide(task_id=open_task(application).pk, membership=member("hrb_bureau"), action="approve")
        upload_scan(application)
        application = services.task_decide(
            task_id=open_task(application).pk, membership=member("hrb_bureau"), action="return", opinion="盖章不清晰"
        )
        assert application.state == "returned" and not application.tasks.filter(state="open").exists()
        application = services.application_submit(application=application, actor=application.applicant)
        assert application.state == "in_review" and open_task(application).stage_position == 1
        assert actions(application) == ["submit", "approve", "upload", "approve", "return", "resubmit"]
        assert application.log.get(action="return").opinion == "盖章不清晰"


def test_withdraw_while_pending_cancels_the_task(tenant_schema):
    with tenant_schema("harbin"):
        application = submitted()
        task = open_task(application)
        application = services.application_withdraw(application=application, actor=application.applicant)
        assert application.state == "withdrawn"
        with pytest.raises(DomainError, match="已由他人处理或已撤销"):
            services.task_decide(task_id=task.pk, membership=member("hrb_bureau"), action="approve")
        with pytest.raises(DomainError, match="只有审核中的申请可以撤销"):
            services.application_withdraw(application=application, actor=application.applicant)
        bureau = User.objects.get(username="hrb_bureau")
        with pytest.raises(DomainError, match="只有申请人"):
            services.application_submit(application=application, actor=bureau)
        assert services.application_submit(application=application, actor=application.applicant).state == "in_review"


def test_rejected_and_approved_applications_are_final(tenant_schema):
    with tenant_schema("harbin"):
        application = submitted()
        application = services.task_decide(
            task_id=open_task(application).pk, membership=member("hrb_bureau"), action="reject", opinion="非试点行业"
        )
        assert application.state == "rejected"
        with pytest.raises(DomainError):
            services.application_submit(application=application, actor=application.applicant)


def test_chain_configuration_changes_behaviour_and_running_applications_keep_theirs(tenant_schema):
    with tenant_schema("harbin"):
        running = submitted(title="配置修改前提交")
        flow = Flow.objects.get(kind="certification")
        Stage.objects.create(flow=flow, position=2, name="专家复核", handler="experts", actions=["approve", "return"])
        fresh = submitted(title="配置修改后提交")
        services.task_decide(task_id=open_task(fresh).pk, membership=member("hrb_bureau"), action="approve")
        assert Application.objects.get(pk=fresh.pk).state == "in_review"
        assert open_task(fresh).handler == "experts"
        running = services.task_decide(task_id=open_task(running).pk, membership=member("hrb_bureau"), action="approve")
        assert running.state == "approved"  # it started with the one-stage chain


def test_a_kind_without_a_flow_cannot_be_created(tenant_schema):
    with tenant_schema("jiangmen"):
        with pytest.raises(DomainError, match="未配置"):
            services.application_create(
                kind="acceptance", applicant=User.objects.get(username="jm_enterprise"), title="x"
            )


def test_two_reviewers_at_once_make_exactly_one_decision(tenant_schema):
    """Real PostgreSQL, two connections: each thread commits on its own, outside the test's transaction."""

    def prepare():
        user = User.objects.get(username="hrb_enterprise")
        app = services.application_create(kind="certification", applicant=user, title="并发审核测试")
        app = services.application_submit(application=app, actor=user)
        return app.pk, open_task(app).pk

    thread, prepared = in_thread(prepare)
    thread.join()
    application_id, task_id = prepared["value"]
    barrier = threading.Barrier(2)

    def decide(action, opinion):
        def run():
            reviewer = member("hrb_bureau")
            barrier.wait()
            return services.task_decide(task_id=task_id, membership=reviewer, action=action, opinion=opinion).state

        return run

    runs = [in_thread(decide("approve", "")), in_thread(decide("reject", "重复"))]
    for thread, _outcome in runs:
        thread.join()
    results = [outcome for _thread, outcome in runs]
    winners = [r["value"] for r in results if "value" in r]
    losers = [r["error"] for r in results if "error" in r]
    assert len(winners) == 1 and len(losers) == 1
    assert "已由他人处理" in str(losers[0])
    with tenant_schema("harbin"):
        decisions = LogEntry.objects.filter(application_id=application_id).exclude(action="submit")
        assert decisions.count() == 1 and Application.objects.get(pk=application_id).state == winners[0]
    assert connection.schema_name == "public"


def test_upload_stage_takes_a_pdf_by_content_stores_it_privately_and_proceeds(
    login_client, tenant_schema, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("harbin"):
        application = submitted(kind="admission", title="入库申请 盖章件")
        services.task_decide(task_id=open_task(application).pk, membership=member("hrb_bureau"), action="approve")
    enterprise = login_client("harbin", "hrb_enterprise")
    url = f"/workbench/applications/{application.pk}/"
    assert 'id="upload"' in enterprise.get(url).content.decode()
    fake = SimpleUploadedFile("盖章件.pdf", b"\x89PNG\r\n\x1a\n not a pdf at all", content_type="application/pdf")
    refused = enterprise.post(url, {"do": "upload", "file": fake})
    assert refused.status_code == 400 and "请上传 PDF 格式的扫描件" in refused.content.decode()
    one_page = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF"
    )  # parsed on upload (tenants/uploads.py): a PDF with a page, not just a header
    scan = SimpleUploadedFile("盖章件.pdf", one_page, content_type="text/plain")
    assert enterprise.post(url, {"do": "upload", "file": scan}).status_code == 302
    with tenant_schema("harbin"):
        application.refresh_from_db()
        attachment = application.attachments.get()
        assert attachment.file.name.startswith("workflow/") and attachment.content_type == "application/pdf"
        assert open_task(application).stage_name == "盖章件审核"
        assert actions(application)[-2:] == ["upload", "approve"]
    assert (tmp_path / "harbin" / attachment.file.name).exists()  # under the tenant's prefix
    download = f"{url}files/{attachment.pk}/"
    assert b"".join(login_client("harbin", "hrb_bureau").get(download).streaming_content).startswith(b"%PDF")
    assert login_client("harbin", "hrb_finance").get(download).status_code == 404
    assert login_client("jiangmen", "jm_bureau").get(download).status_code == 404


def test_generated_form_opens_with_the_data_and_ticks_that_survive_printing(login_client, tenant_schema):
    import io

    from docx import Document
    from pypdf import PdfReader

    with tenant_schema("harbin"):
        application = submitted(kind="admission", title="入库申请 生成表单")
        application.organisation = member("hrb_enterprise").organisation
        application.save()
    client = login_client("harbin", "hrb_enterprise")
    docx = client.get(f"/workbench/applications/{application.pk}/form.docx")
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.content))
    cells = [cell.text for row in document.tables[0].rows for cell in row.cells]
    assert "哈尔滨示例电气装备有限公司" in cells and "91230100MA00002014" in cells
    paragraphs = [p.text for p in document.paragraphs]
    assert any(text.startswith("☑ 本单位承诺") for text in paragraphs)
    pdf = client.get(f"/workbench/applications/{application.pk}/form.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", "")
    assert "☑" in text and "哈尔滨示例电气装备有限公司" in text and "单位（盖章）" in text
    assert client.get(f"/workbench/applications/{application.pk}/form.exe").status_code == 404
    assert (
        login_client("jiangmen", "jm_provider").get(f"/workbench/applications/{application.pk}/form.pdf").status_code
        == 404
    )


def test_national_listing_chain_with_experts_assigned_by_operations(login_client, tenant_schema):
    with tenant_schema("national"):
        application = submitted(kind="listing", applicant="nat_provider", title="工业设备上云方案 上架")
        services.task_decide(task_id=open_task(application).pk, membership=member("nat_ops"), action="approve")
        expert_task = open_task(application)
        assert expert_task.handler == "experts" and expert_task in tasks_awaiting(member("nat_ops"))
        assert expert_task not in tasks_awaiting(member("zhang_expert"))
        with pytest.raises(DomainError, match="您不是该环节的审核人"):
            services.task_decide(task_id=expert_task.pk, membership=member("zhang_expert"), action="approve")
        with pytest.raises(DomainError, match="请选择本平台的专家"):
            services.task_assign_experts(
                task_id=expert_task.pk, membership=member("nat_ops"), expert_user_ids=[member("nat_enterprise").user_id]
            )
    ops = login_client("national", "nat_ops")
    expert_id = User.objects.get(username="zhang_expert").pk
    assert (
        ops.post(f"/workbench/applications/{application.pk}/", {"do": "assign", "experts": [expert_id]}).status_code
        == 302
    )
    expert = login_client("national", "zhang_expert")
    assert "工业设备上云方案 上架" in expert.get("/workbench/inbox/").content.decode()
    expert.post(f"/workbench/applications/{application.pk}/", {"do": "decide", "action": "approve"})
    with tenant_schema("national"):
        assert open_task(application).role == "province"
        assert expert_task not in tasks_awaiting(member("nat_ops"))


def test_stage_due_time_is_copied_to_the_task_and_shown_when_overdue(login_client, tenant_schema):
    from datetime import timedelta

    from django.utils import timezone

    with tenant_schema("harbin"):
        application = submitted(kind="acceptance", title="验收申请 时限")
        task = open_task(application)
        assert task.due_at is not None
        assert timedelta(days=14, hours=23) < task.due_at - task.created_at <= timedelta(days=15)
        assert not task.is_overdue
    bureau = login_client("harbin", "hrb_bureau")
    assert "已逾期" not in bureau.get("/workbench/inbox/", {"name": "时限"}).content.decode()
    with tenant_schema("harbin"):
        Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert "已逾期" in bureau.get("/workbench/inbox/", {"name": "时限"}).content.decode()
