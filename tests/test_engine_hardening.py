"""The engine's shapes: one re-edit path per kind, one lock order, stale forms refused, one permission source."""

import re
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.workflow import policies, services
from tenant_apps.workflow.models import Application, LogEntry, Task
from tenant_apps.workflow.selectors import tasks_awaiting
from tenants.errors import DomainError
from tests.threads import in_thread

pytestmark = pytest.mark.django_db
User = get_user_model()


def member(username):
    return Membership.objects.select_related("organisation").get(user__username=username)


def open_task(application):
    return application.tasks.get(state=Task.State.OPEN)


# --- 1. A returned registration is re-edited where it was entered, prefilled, with the opinion on top ----------------
def _national_registration(tenant_schema):
    from tenant_apps.onboarding.services import registration_profile_submit

    user = User.objects.create_user("nat_return_user", mobile="13966661001", password="Return#2026x")
    core = {
        "name": "国家退回测试企业",
        "uscc": "91110000MA0000H015",
        "industry": None,
        "region": "北京市海淀区",
        "address": "示例路1号",
        "contact_name": "孙经理",
        "contact_mobile": "13966661001",
        "email": "",
    }
    with tenant_schema("national"):
        membership = Membership.objects.create(user=user, roles=["enterprise"])
        registration_profile_submit(membership=membership, core=core, profile={})
        application = Application.objects.get(applicant=user)
        services.task_decide(
            task_id=open_task(application).pk, membership=member("nat_ops"), action="return", opinion="请补充详细地址"
        )
    return user, application


def test_returned_national_registration_reopens_its_profile_prefilled_not_an_empty_form(login_client, tenant_schema):
    user, application = _national_registration(tenant_schema)
    client = login_client("national", user.username)
    page = client.get("/workbench/enterprise/").content.decode()
    assert "已退回修改" in page and "请补充详细地址" in page
    assert 'id="certification-form"' not in page  # no second, empty form competing with the profile
    assert 'href="/register/profile/"' in page
    # The old crash: posting the Harbin-style form for a registration-based application.
    assert client.post("/workbench/enterprise/", {"cert-company_name": "x"}).status_code == 200
    profile = client.get("/register/profile/").content.decode()
    assert "请补充详细地址" in profile and 'value="国家退回测试企业"' in profile and "重新提交认证" in profile
    detail = client.get(f"/workbench/applications/{application.pk}/").content.decode()
    assert "已退回修改" in detail and 'href="/register/profile/"' in detail
    with tenant_schema("national"):
        assert Organisation.objects.get(uscc="91110000MA0000H015").certification == "returned"
        from tenant_apps.certification.services import certification_submit

        with pytest.raises(DomainError) as refused:
            certification_submit(membership=member(user.username), data={"uscc": "91110000MA0000H015"})
        assert refused.value.code == "certification.edit_profile"


def test_jiangmen_registration_returned_is_resubmitted_from_its_profile(login_client, tenant_schema):
    from tenant_apps.onboarding.services import registration_account_create
    from tests.registration import mobile_code_for

    with tenant_schema("jiangmen"):
        user, membership = registration_account_create(
            role="provider",
            username=None,
            mobile="13966661002",
            mobile_code=mobile_code_for("13966661002"),
            password="Jiangmen#2026x",
            agreed=True,
            company={
                "name": "江门退回测试服务商",
                "uscc": "91440700MA0000H02W",
                "region": "江门市蓬江区",
                "contact_name": "陈经理",
            },
        )
        application = Application.objects.get(applicant=user)
        reviewer = next(m for m in Membership.objects.all() if policies.may_decide(m, open_task(application)))
        services.task_decide(
            task_id=open_task(application).pk, membership=reviewer, action="return", opinion="请填写联系人"
        )
    client = login_client("jiangmen", user.username)
    page = client.get("/register/profile/").content.decode()
    assert "请填写联系人" in page and 'value="江门退回测试服务商"' in page
    form = {
        "name": "江门退回测试服务商",
        "uscc": "91440700MA0000H02W",
        "region": "江门市蓬江区",
        "address": "蓬江区示例路2号",
        "contact_name": "梁经理",
        "contact_mobile": "13966661002",
        "email": "",
    }
    assert client.post("/register/profile/", form).status_code == 302
    with tenant_schema("jiangmen"):
        application.refresh_from_db()
        assert application.state == "in_review"
        assert list(application.log.values_list("action", flat=True)) == ["submit", "return", "resubmit"]
        assert Organisation.objects.get(uscc="91440700MA0000H02W").contact_name == "梁经理"
    # While it is under review the profile cannot be changed behind the reviewers' backs.
    assert "审核期间不能修改" in client.get("/register/profile/").content.decode()


def test_workbench_offers_to_continue_an_unfinished_registration(login_client, tenant_schema):
    user = User.objects.create_user("nat_unfinished", mobile="13966661003", password="Draft#2026x")
    with tenant_schema("national"):
        Membership.objects.create(user=user, roles=["enterprise"])
        from tenant_apps.onboarding.services import registration_draft_save

        registration_draft_save(user=user, data={"name": "未完成企业"})
    page = login_client("national", user.username).get("/workbench/").content.decode()
    assert "继续填写" in page and 'href="/register/profile/"' in page
    assert "继续填写" not in login_client("national", "nat_enterprise").get("/workbench/").content.decode()


# --- 2. One lock order: withdraw racing a decision ends cleanly either way -------------------------------------------


@pytest.mark.parametrize("round_", range(8))
def test_withdraw_racing_a_decision_has_one_clean_outcome(tenant_schema, round_):
    def prepare():
        user = User.objects.get(username="hrb_enterprise")
        app = services.application_create(kind="certification", applicant=user, title=f"撤销与审核并发 {round_}")
        app = services.application_submit(application=app, actor=user)
        return app.pk, open_task(app).pk

    thread, prepared = in_thread(prepare)
    thread.join()
    application_id, task_id = prepared["value"]
    barrier = threading.Barrier(2, timeout=20)  # a thread failing early breaks the barrier, never hangs the suite

    def decide():
        reviewer = member("hrb_bureau")
        barrier.wait()
        return services.task_decide(task_id=task_id, membership=reviewer, action="approve").state

    def withdraw():
        applicant = User.objects.get(username="hrb_enterprise")
        application = Application.objects.get(pk=application_id)
        barrier.wait()
        return services.application_withdraw(application=application, actor=applicant).state

    runs = [in_thread(decide), in_thread(withdraw)]
    for thread, _outcome in runs:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a transition hung: locks taken out of order?"
    results = [outcome for _thread, outcome in runs]
    errors = [r["error"] for r in results if "error" in r]
    assert len(errors) == 1 and isinstance(errors[0], DomainError), errors  # never a deadlock, never a 500
    with tenant_schema("harbin"):
        application = Application.objects.get(pk=application_id)
        logged = list(application.log.values_list("action", flat=True))
        if application.state == "withdrawn":
            assert logged == ["submit", "withdraw"] and errors[0].code == "workflow.already_decided"
        else:
            assert application.state == "approved" and logged == ["submit", "approve"]
            assert errors[0].code == "workflow.not_pending"
        assert not application.tasks.filter(state=Task.State.OPEN).exists()
    assert connection.schema_name == "public"


# --- 3. The version: a decision or withdrawal from a stale page is refused -------------------------------------------
def test_decision_from_a_stale_page_is_refused_in_the_workbench_and_the_api(login_client, tenant_schema):
    with tenant_schema("harbin"):
        user = User.objects.get(username="hrb_enterprise")
        application = services.application_create(kind="certification", applicant=user, title="陈旧页面测试")
        application = services.application_submit(application=application, actor=user)
    bureau = login_client("harbin", "hrb_bureau")
    page = bureau.get(f"/workbench/applications/{application.pk}/").content.decode()
    version = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    with tenant_schema("harbin"):  # meanwhile the applicant withdraws and resubmits changed data
        services.application_withdraw(application=application, actor=user)
        services.application_submit(application=application, actor=user)
    stale = bureau.post(
        f"/workbench/applications/{application.pk}/", {"do": "decide", "action": "approve", "version": version}
    )
    assert stale.status_code == 400 and "已有新的进展" in stale.content.decode()
    with tenant_schema("harbin"):
        application.refresh_from_db()
        assert application.state == "in_review"
        task_id = open_task(application).pk
    body = {"action": "approve", "version": version}
    api = bureau.post(f"/api/v1/tasks/{task_id}/decide/", body, content_type="application/json")
    assert api.status_code == 409 and api.json()["code"] == "workflow.stale"
    fresh = bureau.post(
        f"/api/v1/tasks/{task_id}/decide/",
        {"action": "approve", "version": application.version},
        content_type="application/json",
    )
    assert fresh.status_code == 200 and fresh.json()["state"] == "approved"


def test_api_refusals_have_one_shape(login_client, tenant_schema):
    with tenant_schema("harbin"):
        user = User.objects.get(username="hrb_enterprise")
        application = services.application_create(kind="certification", applicant=user, title="错误格式测试")
        application = services.application_submit(application=application, actor=user)
        services.application_withdraw(application=application, actor=user)
    refused = login_client("harbin", "hrb_enterprise").post(f"/api/v1/applications/{application.pk}/withdraw/")
    assert refused.status_code == 409
    assert refused.json() == {
        "code": "workflow.not_pending",
        "message": "只有审核中的申请可以撤销。",
        "errors": {"non_field_errors": ["只有审核中的申请可以撤销。"]},
    }
    missing = login_client("harbin", "hrb_enterprise").get("/api/v1/applications/999999/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


# --- 4. One permission source: inbox, detail and decision agree; expert grants are guardian's --------------------------
def test_inbox_detail_and_decision_come_from_one_policy(tenant_schema):
    with tenant_schema("harbin"):
        user = User.objects.get(username="hrb_enterprise")
        for title in ("策略一致 1", "策略一致 2"):
            app = services.application_create(kind="acceptance", applicant=user, title=title)
            services.application_submit(application=app, actor=user)
        members = list(Membership.objects.select_related("organisation"))
        tasks = list(Task.objects.filter(state=Task.State.OPEN))
        assert members and tasks
        for membership in members:
            inbox = set(tasks_awaiting(membership).values_list("pk", flat=True))
            visible = set(policies.applications_visible(membership).values_list("pk", flat=True))
            for task in tasks:
                decides = policies.may_decide(membership, task)
                assert decides == (task.pk in policies.tasks_to_decide(membership).values_list("pk", flat=True))
                if decides:
                    assert task.pk in inbox and task.application_id in visible


def test_inbox_query_uses_uncorrelated_semi_joins_without_distinct(tenant_schema):
    with tenant_schema("national"):
        # IN (subquery) run once and hashed; a correlated EXISTS in the OR made PostgreSQL JIT-compile (ADR 0026)
        sql = str(tasks_awaiting(member("nat_ops")).query).upper()
        assert "DISTINCT" not in sql and "EXISTS" not in sql and " IN (SELECT" in sql
        sql = str(policies.applications_visible(member("zhang_expert")).query).upper()
        assert "DISTINCT" not in sql


def test_expert_assignment_is_a_guardian_object_permission_on_that_task_only(tenant_schema):
    from guardian.shortcuts import get_users_with_perms

    with tenant_schema("national"):
        provider = User.objects.get(username="nat_provider")
        first, second = (
            services.application_submit(
                application=services.application_create(kind="listing", applicant=provider, title=title),
                actor=provider,
            )
            for title in ("专家授权 A", "专家授权 B")
        )
        expert_tasks = []
        for application in (first, second):
            services.task_decide(task_id=open_task(application).pk, membership=member("nat_ops"), action="approve")
            expert_tasks.append(open_task(application))
        expert = User.objects.get(username="zhang_expert")
        services.task_assign_experts(
            task_id=expert_tasks[0].pk, membership=member("nat_ops"), expert_user_ids=[expert.pk]
        )
        assert expert.has_perm("workflow.decide_task", expert_tasks[0])
        assert not User.objects.get(pk=expert.pk).has_perm("workflow.decide_task", expert_tasks[1])
        assert list(get_users_with_perms(expert_tasks[0], only_with_perms_in=["decide_task"])) == [expert]
        inbox = list(tasks_awaiting(member("zhang_expert")))
        assert expert_tasks[0] in inbox and expert_tasks[1] not in inbox
        # The expert still reads the application after deciding; the other one stays hidden.
        services.task_decide(task_id=expert_tasks[0].pk, membership=member("zhang_expert"), action="approve")
        visible = policies.applications_visible(member("zhang_expert"))
        assert visible.filter(pk=first.pk).exists() and not visible.filter(pk=second.pk).exists()
        assert LogEntry.objects.filter(application=first, action="approve", actor=expert).exists()


def test_opening_one_application_costs_the_same_queries_however_long_its_history(login_client, tenant_schema):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    with tenant_schema("harbin"):
        user = User.objects.get(username="hrb_enterprise")
        short = services.application_create(kind="certification", applicant=user, title="查询次数 短")
        short = services.application_submit(application=short, actor=user)
        long = services.application_create(kind="certification", applicant=user, title="查询次数 长")
        for _round in range(6):  # a long history: submitted, returned, resubmitted …
            long = services.application_submit(application=long, actor=user)
            services.task_decide(
                task_id=open_task(long).pk, membership=member("hrb_bureau"), action="return", opinion="补充"
            )
        long = services.application_submit(application=long, actor=user)
    bureau = login_client("harbin", "hrb_bureau")
    bureau.get("/workbench/")  # session and menus warmed as in real use

    def counted(path):
        with CaptureQueriesContext(db) as captured:
            assert bureau.get(path).status_code == 200
        # django-tenants sets the search path before each query; count the queries themselves.
        return len([q for q in captured.captured_queries if not q["sql"].startswith("SET search_path")])

    for prefix, ceiling in (("/workbench/applications/", 22), ("/api/v1/applications/", 10)):
        assert counted(f"{prefix}{short.pk}/") == counted(f"{prefix}{long.pk}/") <= ceiling


# --- Found in review: one edit path per organisation, data kept, roles required, clashes refused -------------------
def test_a_harbin_certification_is_never_re_edited_through_the_profile(login_client, tenant_schema):
    from tenant_apps.certification.services import certification_submit
    from tenant_apps.configuration.models import Industry
    from tenant_apps.onboarding.services import registration_profile_submit

    user = User.objects.create_user("hrb_form_user", mobile="13966661005", password="Form#2026x")
    data = {
        "company_name": "哈尔滨表单认证企业",
        "founded_on": "2015-03-18",
        "uscc": "91230100MA0000N052",
        "contact_name": "刘经理",
        "contact_phone": "0451-88886666",
        "registered_capital": "500.00",
        "email": "liu@example.com",
        "headcount": 120,
        "region": "哈尔滨市松北区",
        "address": "示例路9号",
        "website": "",
        "introduction": "电气装备制造企业。",
    }
    with tenant_schema("harbin"):
        membership = Membership.objects.create(user=user, roles=["enterprise"])
        data["industry"] = Industry.objects.get(code="electrical-equipment")
        request = certification_submit(membership=membership, data=data)
        services.task_decide(
            task_id=open_task(request.application).pk, membership=member("hrb_bureau"), action="return", opinion="补"
        )
        with pytest.raises(DomainError) as refused:
            core = {"name": "改名企业", "uscc": "91230100MA0000N052", "industry": None, "region": "", "address": ""}
            registration_profile_submit(
                membership=member(user.username),
                core={**core, "contact_name": "x", "contact_mobile": "", "email": ""},
                profile={},
            )
        assert refused.value.code == "registration.edit_form"
    client = login_client("harbin", user.username)
    assert client.get("/register/profile/")["Location"] == "/workbench/enterprise/"
    assert client.post("/register/profile/", {"name": "改名企业"})["Location"] == "/workbench/enterprise/"
    assert "继续填写" not in client.get("/workbench/").content.decode()
    with tenant_schema("harbin"):
        assert Organisation.objects.get(uscc="91230100MA0000N052").name == "哈尔滨表单认证企业"


def test_re_editing_a_profile_keeps_what_registration_collected(tenant_schema):
    from tenant_apps.onboarding.services import registration_profile_submit

    with tenant_schema("jiangmen"):
        user = User.objects.create_user("jm_keep_user", mobile="13966661006", password="Keep#2026x")
        organisation = Organisation.objects.create(
            kind="provider",
            name="江门保留档案服务商",
            uscc="91440700MA0000N06M",
            profile={"registration": {"industry_section": "制造业"}},
        )
        membership = Membership.objects.create(user=user, roles=["provider"], organisation=organisation)
        core = {
            "name": "江门保留档案服务商",
            "uscc": "91440700MA0000N06M",
            "industry": None,
            "region": "江门市",
            "address": "示例路6号",
            "contact_name": "何经理",
            "contact_mobile": "13966661006",
            "email": "",
        }
        registration_profile_submit(membership=membership, core=core, profile={})
        organisation.refresh_from_db()
        assert organisation.profile == {"registration": {"industry_section": "制造业"}}
        assert organisation.address == "示例路6号"


def test_anchor_unit_tasks_need_the_anchor_unit_role(tenant_schema):
    from tenant_apps.configuration.models import AnchorUnit

    with tenant_schema("jiangmen"):
        anchor = member("jm_anchor")
        # The demo links jm_anchor to its unit; another unit may be linked to another demo organisation.
        unit = (
            AnchorUnit.objects.filter(organisation=anchor.organisation).first()
            or AnchorUnit.objects.filter(organisation=None).first()
        )
        if unit.organisation_id != anchor.organisation_id:
            unit.organisation = anchor.organisation
            unit.save(update_fields=["organisation"])
        provider = User.objects.get(username="jm_provider")
        application = services.application_create(
            kind="provider_declaration", applicant=provider, title="牵引单位确认测试", anchor_unit=unit
        )
        task = open_task(services.application_submit(application=application, actor=provider))
        assert policies.may_decide(anchor, task)
        colleague_user = User.objects.create_user("jm_anchor_clerk", mobile="13966661007")
        colleague = Membership.objects.create(user=colleague_user, roles=[], organisation=anchor.organisation)
        assert not policies.may_decide(colleague, task)
        assert task not in tasks_awaiting(colleague)


def test_approving_a_certification_whose_uscc_was_taken_meanwhile_is_refused_cleanly(tenant_schema):
    from tenant_apps.certification.services import certification_submit
    from tenant_apps.configuration.models import Industry

    user = User.objects.create_user("hrb_clash_user", mobile="13966661008", password="Clash#2026x")
    with tenant_schema("harbin"):
        membership = Membership.objects.create(user=user, roles=["enterprise"])
        request = certification_submit(
            membership=membership,
            data={
                "company_name": "哈尔滨撞码企业",
                "founded_on": "2016-01-01",
                "uscc": "91230100MA0000N078",
                "industry": Industry.objects.get(code="food"),
                "contact_name": "赵",
                "contact_phone": "0451-1234567",
                "registered_capital": "100.00",
                "email": "z@example.com",
                "headcount": 10,
                "region": "哈尔滨",
                "address": "路1号",
                "website": "",
                "introduction": "食品。",
            },
        )
        Organisation.objects.filter(pk=request.organisation_id).update(uscc=None)  # as before approval copies it
        Organisation.objects.create(kind="enterprise", name="先注册的企业", uscc="91230100MA0000N078")
        with pytest.raises(DomainError) as refused:
            services.task_decide(
                task_id=open_task(request.application).pk, membership=member("hrb_bureau"), action="approve"
            )
        assert refused.value.code == "certification.uscc_taken" and refused.value.status == 409
        assert open_task(request.application).state == "open"
