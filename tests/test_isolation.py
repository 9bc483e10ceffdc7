"""Tenancy is sacred: data, memberships and admin rights of one tenant never show in another."""

import pytest

from tenant_apps.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_organisation_created_in_harbin_is_invisible_from_jiangmen_and_back(tenant_schema):
    with tenant_schema("harbin"):
        Organisation.objects.create(kind="enterprise", name="哈尔滨隔离测试企业", uscc="91230100ISOLATION1")
    with tenant_schema("jiangmen"):
        Organisation.objects.create(kind="provider", name="江门隔离测试服务商", uscc="91440700ISOLATION2")
        assert not Organisation.objects.filter(name="哈尔滨隔离测试企业").exists()
        assert Organisation.objects.filter(name="江门隔离测试服务商").exists()
    with tenant_schema("harbin"):
        assert not Organisation.objects.filter(name="江门隔离测试服务商").exists()
        assert Organisation.objects.filter(name="哈尔滨隔离测试企业").exists()


def test_same_person_holds_different_roles_in_two_tenants(login_client):
    # zhang_expert is one identity with memberships in national and harbin, none in jiangmen.
    assert "专家" in login_client("harbin", "zhang_expert").get("/workbench/").content.decode()
    assert login_client("national", "zhang_expert").get("/workbench/").status_code == 200
    response = login_client("jiangmen", "zhang_expert").get("/workbench/")
    assert response.status_code == 403
    assert "尚未加入江门" in response.content.decode()


def test_workbench_shows_roles_and_organisation_of_this_tenant(login_client):
    html = login_client("harbin", "hrb_enterprise").get("/workbench/").content.decode()
    assert "企业用户" in html
    assert "哈尔滨示例电气装备有限公司" in html


def test_workbench_requires_login(tenant_client):
    response = tenant_client("harbin").get("/workbench/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_tenant_admin_reaches_own_admin_and_is_refused_in_another(login_client):
    assert login_client("harbin", "hrb_admin").get("/django-admin/").status_code == 200
    assert login_client("harbin", "hrb_admin").get("/django-admin/configuration/industry/").status_code == 200
    assert login_client("jiangmen", "hrb_admin").get("/django-admin/").status_code == 403
    assert login_client("jiangmen", "hrb_admin").get("/django-admin/configuration/industry/").status_code == 403


def test_other_roles_are_refused_in_the_tenant_admin(login_client):
    assert login_client("harbin", "hrb_enterprise").get("/django-admin/").status_code == 403
    assert login_client("harbin", "hrb_editor").get("/django-admin/").status_code == 403


def test_global_superuser_has_no_rights_inside_a_tenant(login_client, django_user_model):
    django_user_model.objects.create_superuser("root_operator", "root@example.com", "x", mobile="13900000009")
    assert login_client("harbin", "root_operator").get("/django-admin/").status_code == 403
    assert login_client(None, "root_operator").get("/django-admin/").status_code == 200


def test_editor_reaches_wagtail_only_in_own_tenant(login_client):
    assert login_client("harbin", "hrb_editor").get("/cms/").status_code == 200
    assert login_client("jiangmen", "hrb_editor").get("/cms/").status_code == 403
    assert login_client("jiangmen", "hrb_editor").get("/cms/pages/").status_code == 403
    assert login_client("harbin", "hrb_enterprise").get("/cms/").status_code == 403
    assert login_client("jiangmen", "jm_editor").get("/cms/").status_code == 200


def test_console_is_for_national_staff_only(login_client, tenant_client, national_staff):
    assert tenant_client(None).get("/").status_code == 302
    assert login_client(None, "hrb_admin").get("/").status_code == 403
    html = login_client(None, national_staff.username).get("/").content.decode()
    assert "哈尔滨市中小企业数字化转型城市试点" in html


def test_national_staff_flag_grants_no_tenant_data(login_client, national_staff):
    assert login_client("harbin", national_staff.username).get("/workbench/").status_code == 403
    assert login_client("harbin", national_staff.username).get("/django-admin/").status_code == 403


def test_object_permissions_live_in_the_tenant_that_granted_them(tenant_schema, django_user_model):
    from django.db.models import Max
    from guardian.models import UserObjectPermission
    from guardian.shortcuts import assign_perm

    user = django_user_model.objects.get(username="zhang_expert")
    free = 1
    for schema in ("jiangmen", "harbin"):  # an id neither city uses yet, so the twin below can take it in Jiangmen
        with tenant_schema(schema):
            free = max(free, (Organisation.objects.aggregate(top=Max("pk"))["top"] or 0) + 1)
    with tenant_schema("harbin"):
        organisation = Organisation.objects.create(
            pk=free, kind="enterprise", name="哈尔滨对象权限企业", uscc="91230100GUARDIAN1"
        )
        assign_perm("organisations.change_organisation", user, organisation)
        assert user.has_perm("organisations.change_organisation", organisation)
    with tenant_schema("jiangmen"):
        twin = Organisation.objects.create(pk=organisation.pk, kind="provider", name="江门同号组织")
        assert not UserObjectPermission.objects.filter(user=user).exists()
        assert not django_user_model.objects.get(pk=user.pk).has_perm("organisations.change_organisation", twin)
