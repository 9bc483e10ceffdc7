"""The audit trail: role, sub-account and configuration changes recorded with before/after, read by the city
admin (own city only, read-only) and by the national center (every city, paginated); engine-owned fields are
not editable in the city admin."""

import pytest
from django.contrib.auth import get_user_model

from shared_apps.oversight.models import AuditEntry
from shared_apps.oversight.services import audit_record
from tenant_apps.configuration.models import Industry
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.workflow.models import Flow

pytestmark = pytest.mark.django_db
User = get_user_model()


def entries(schema: str, **filters):
    return AuditEntry.objects.filter(schema_name=schema, **filters).select_related("actor").order_by("id")


def test_role_change_in_the_city_admin_is_recorded_with_before_and_after(login_client, tenant_schema):
    with tenant_schema("harbin"):
        membership = Membership.objects.get(user__username="hrb_finance")
    admin = login_client("harbin", "hrb_admin")
    url = f"/django-admin/organisations/membership/{membership.pk}/change/"
    form = admin.get(url).content.decode()
    assert 'name="roles"' in form
    for owned in ("menu_permissions", "is_sub_account", "user"):
        assert f'name="{owned}"' not in form, owned
    data = {"organisation": str(membership.organisation_id), "roles": "finance,expert", "is_active": "on"}
    assert admin.post(url, {**data, "user": "1", "menu_permissions": "anything"}).status_code == 302

    with tenant_schema("harbin"):
        membership.refresh_from_db()
        assert membership.roles == ["finance", "expert"] and membership.menu_permissions == []
    entry = entries("harbin", action=AuditEntry.Action.ROLES, target_id=str(membership.pk)).get()
    assert entry.changes == {"roles": [["finance"], ["finance", "expert"]]}
    assert entry.actor.username == "hrb_admin" and entry.target_type == "organisations.membership"
    assert entry.ip and entry.ip.startswith("10.200.")
    assert "hrb_finance" in entry.target_label

    # Saving again without a change leaves no entry.
    recorded = AuditEntry.objects.count()
    assert admin.post(url, data).status_code == 302
    assert AuditEntry.objects.count() == recorded


def test_certification_cannot_be_set_in_the_city_admin(login_client, tenant_schema):
    with tenant_schema("harbin"):
        bureau = Organisation.objects.get(name="哈尔滨市工业和信息化局")
    assert bureau.certification == Organisation.Certification.CERTIFIED  # as the demo seed made it
    admin = login_client("harbin", "hrb_admin")
    url = f"/django-admin/organisations/organisation/{bureau.pk}/change/"
    form = admin.get(url).content.decode()
    assert 'name="certification"' not in form and "已认证" in form
    posted = {
        "kind": bureau.kind,
        "name": "哈尔滨市工业和信息化局（更名）",
        "uscc": "",
        "industry": "",
        "region": bureau.region,
        "address": bureau.address,
        "contact_name": bureau.contact_name,
        "contact_mobile": bureau.contact_mobile,
        "email": bureau.email,
        "profile": "{}",
        "certification": Organisation.Certification.REJECTED,
    }
    assert admin.post(url, posted).status_code == 302
    with tenant_schema("harbin"):
        bureau.refresh_from_db()
    assert bureau.certification == Organisation.Certification.CERTIFIED
    assert bureau.name == "哈尔滨市工业和信息化局（更名）"
    entry = entries("harbin", target_type="organisations.organisation", target_id=str(bureau.pk)).get()
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.changes == {"name": ["哈尔滨市工业和信息化局", "哈尔滨市工业和信息化局（更名）"]}


def test_engine_records_are_not_in_the_city_admin(login_client):
    admin = login_client("harbin", "hrb_admin")
    for model in ("application", "task", "logentry"):
        assert admin.get(f"/django-admin/workflow/{model}/").status_code == 404


def test_configuration_changes_are_recorded_including_inline_stages(login_client, tenant_schema):
    admin = login_client("harbin", "hrb_admin")
    with tenant_schema("harbin"):
        food = Industry.objects.get(code="food")
        flow = Flow.objects.get(kind="certification")
        stages = list(flow.stages.order_by("position"))
    industry = {"code": "food", "name": "食品制造业", "is_pilot": "on", "position": str(food.position)}
    assert admin.post(f"/django-admin/configuration/industry/{food.pk}/change/", industry).status_code == 302
    entry = entries("harbin", target_type="configuration.industry", target_id=str(food.pk)).get()
    assert (entry.action, entry.changes) == ("update", {"name": ["食品精深加工及食品制造业", "食品制造业"]})

    data = {
        "kind": flow.kind,
        "name": flow.name,
        "is_active": "on",
        "stages-TOTAL_FORMS": str(len(stages)),
        "stages-INITIAL_FORMS": str(len(stages)),
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "1000",
    }
    for i, stage in enumerate(stages):
        data |= {
            f"stages-{i}-id": str(stage.pk),
            f"stages-{i}-flow": str(flow.pk),
            f"stages-{i}-position": str(stage.position),
            f"stages-{i}-name": stage.name,
            f"stages-{i}-handler": stage.handler,
            f"stages-{i}-role": stage.role,
            f"stages-{i}-actions": ",".join(stage.actions),
            f"stages-{i}-due_days": "" if stage.due_days is None else str(stage.due_days),
            f"stages-{i}-checks": ",".join(stage.checks),
        }
    data["stages-0-actions"] = "approve,return"
    response = admin.post(f"/django-admin/workflow/flow/{flow.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = entries("harbin", target_type="workflow.stage", target_id=str(stages[0].pk)).get()
    assert entry.action == "update" and entry.changes == {"actions": [stages[0].actions, ["approve", "return"]]}
    assert not entries("harbin", target_type="workflow.flow", target_id=str(flow.pk)).exists()  # flow unchanged


def test_sub_account_changes_by_the_main_account_are_recorded(login_client, tenant_schema, captcha):
    main = login_client("national", "nat_enterprise")
    new = {
        "username": "audit_sub_user",
        "name": "审计子账号",
        "mobile": "13822225678",
        "email": "",
        "new_password1": "Audit#2026x",
        "new_password2": "Audit#2026x",
        "menu_permissions": ["marketplace"],
    }
    new |= captcha(main.get("/workbench/accounts/").content.decode(), None)
    assert main.post("/workbench/accounts/", new).status_code == 302
    with tenant_schema("national"):
        pk = Membership.objects.get(user__username="audit_sub_user").pk
    created = entries("national", action=AuditEntry.Action.SUB_ACCOUNT_CREATE, target_id=str(pk)).get()
    assert created.actor.username == "nat_enterprise"
    assert created.changes["menu_permissions"] == [None, ["marketplace"]]
    assert created.changes["mobile"] == [None, "138****5678"]  # masked: the trail is read widely
    assert created.changes["roles"] == [None, ["enterprise"]]

    edit = {"action": "edit", "mobile": "13822225678", "email": "", "menu_permissions": ["marketplace", "vouchers"]}
    assert main.post(f"/workbench/accounts/{pk}/", edit).status_code == 302
    updated = entries("national", action=AuditEntry.Action.SUB_ACCOUNT_UPDATE, target_id=str(pk)).get()
    assert updated.changes == {"menu_permissions": [["marketplace"], ["marketplace", "vouchers"]]}

    password = {"action": "password", "new_password1": "Audit#2027y", "new_password2": "Audit#2027y"}
    assert main.post(f"/workbench/accounts/{pk}/", password).status_code == 302
    reset = entries("national", action=AuditEntry.Action.SUB_ACCOUNT_PASSWORD, target_id=str(pk)).get()
    assert reset.changes == {} and "Audit#2027y" not in str(reset.__dict__)

    assert main.post(f"/workbench/accounts/{pk}/", {"action": "delete"}).status_code == 302
    deleted = entries("national", action=AuditEntry.Action.SUB_ACCOUNT_DELETE, target_id=str(pk)).get()
    assert deleted.changes == {"is_active": [True, False]} and "audit_sub_user" in deleted.target_label

    api = main.post(
        "/api/v1/organisation/sub-accounts/",
        {"username": "audit_api_user", "name": "接口", "mobile": "13822225679", "password": "ApiAud#2026"},
        content_type="application/json",
    )
    assert api.status_code == 201
    assert entries("national", action=AuditEntry.Action.SUB_ACCOUNT_CREATE, target_id=str(api.json()["id"])).exists()


def test_a_failed_change_leaves_no_entry(login_client, captcha):
    before = AuditEntry.objects.count()
    main = login_client("national", "nat_enterprise")
    refused = main.post(
        "/workbench/accounts/",
        {
            **captcha(main.get("/workbench/accounts/").content.decode(), None),
            "username": "audit_fail_user",
            "name": "x",
            "mobile": "13800000101",  # the main account's own number
            "email": "",
            "new_password1": "Audit#2026x",
            "new_password2": "Audit#2026x",
            "menu_permissions": ["marketplace"],
        },
    )
    assert refused.status_code == 400
    assert AuditEntry.objects.count() == before


@pytest.fixture
def two_cities_entries(tenant_schema):
    """One recognisable entry in Harbin and one in Jiangmen."""
    with tenant_schema("harbin"):
        harbin = audit_record(action="update", target_label="哈尔滨审计标记", changes={"name": ["a", "b"]})
    with tenant_schema("jiangmen"):
        jiangmen = audit_record(action="update", target_label="江门审计标记", changes={"name": ["c", "d"]})
    assert (harbin.schema_name, jiangmen.schema_name) == ("harbin", "jiangmen")
    return harbin, jiangmen


def test_city_admin_reads_only_its_own_trail_and_cannot_change_it(login_client, two_cities_entries):
    harbin, jiangmen = two_cities_entries
    admin = login_client("harbin", "hrb_admin")
    listing = admin.get("/django-admin/oversight/auditentry/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "哈尔滨审计标记" in html and "江门审计标记" not in html
    assert "审计日志" in admin.get("/django-admin/").content.decode()
    assert admin.get(f"/django-admin/oversight/auditentry/{harbin.pk}/change/").status_code == 200
    assert admin.get(f"/django-admin/oversight/auditentry/{jiangmen.pk}/change/").status_code == 302  # not found
    assert admin.get("/django-admin/oversight/auditentry/add/").status_code == 403
    assert admin.post(f"/django-admin/oversight/auditentry/{harbin.pk}/delete/", {"post": "yes"}).status_code == 403
    admin.post(f"/django-admin/oversight/auditentry/{harbin.pk}/change/", {"target_label": "改写"})
    harbin.refresh_from_db()
    assert harbin.target_label == "哈尔滨审计标记"
    assert login_client("harbin", "hrb_bureau").get("/django-admin/oversight/auditentry/").status_code == 403


def test_national_console_lists_every_citys_trail_with_a_filter(login_client, national_staff, two_cities_entries):
    client = login_client(None, national_staff.username)
    assert 'href="/audit/"' in client.get("/").content.decode()
    html = client.get("/audit/").content.decode()
    assert "哈尔滨审计标记" in html and "江门审计标记" in html
    only_jiangmen = client.get("/audit/", {"tenant": "jiangmen"}).content.decode()
    assert "江门审计标记" in only_jiangmen and "哈尔滨审计标记" not in only_jiangmen
    assert "哈尔滨审计标记" in client.get("/audit/", {"tenant": "nowhere"}).content.decode()  # unknown = all


def test_console_trail_is_for_national_staff_only(login_client, tenant_client):
    assert login_client(None, "hrb_admin").get("/audit/").status_code == 403
    anonymous = tenant_client(None).get("/audit/")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_console_trail_query_count_does_not_grow_with_rows(
    login_client, national_staff, tenant_schema, django_assert_max_num_queries
):
    client = login_client(None, national_staff.username)
    with django_assert_max_num_queries(20) as few:  # SET search_path doubles every statement
        client.get("/audit/")
    actors = list(User.objects.filter(username__in=["hrb_admin", "jm_admin", "nat_enterprise"]))
    rows = [
        AuditEntry(
            schema_name=("harbin", "jiangmen")[n % 2],
            actor=actors[n % len(actors)],
            action=AuditEntry.Action.UPDATE,
            target_type="configuration.industry",
            target_id=str(n),
            target_label=f"批量{n}",
            changes={"name": [f"旧{n}", f"新{n}"]},
        )
        for n in range(130)
    ]
    AuditEntry.objects.bulk_create(rows)
    with django_assert_max_num_queries(len(few.captured_queries)):
        full = client.get("/audit/").content.decode()
    assert full.count("<tr data-schema=") == 50 and 'rel="next"' in full
    assert "批量129" in full and "行业" in full  # newest first, the target's kind by its verbose name
    with django_assert_max_num_queries(len(few.captured_queries)):
        last = client.get("/audit/", {"tenant": "harbin", "page": "2"}).content.decode()
    assert 'data-schema="jiangmen"' not in last and "tenant=harbin" in last
