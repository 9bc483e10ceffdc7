"""The national platform publishes through Wagtail's moderation: an editor submits, a content approver publishes,
and approving a nationwide notice first confirms how many city portals will show it. Cities keep publishing
themselves."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cms.models import ArticlePage, ColumnIndexPage, PortalHomePage, PublishApprovalTask
from shared_apps.broadcasts.models import NationwideNotice
from tenants.models import Tenant

pytestmark = pytest.mark.django_db
User = get_user_model()

BLOCK = {"key": "a", "type": "unstyled", "depth": 0, "text": "请各地认真组织实施。", "inlineStyleRanges": []}
BODY = json.dumps({"blocks": [{**BLOCK, "entityRanges": []}], "entityMap": {}})


def _form(title: str, slug: str, *, nationwide: bool = True, **extra) -> dict:
    data = {
        "title": title,
        "slug": slug,
        "date": "2026-12-01",
        "issuer": "工业和信息化部办公厅",
        "kind": "text",
        "summary": "",
        "body": BODY,
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        **extra,
    }
    if nationwide:
        data["nationwide"] = "on"
    return data


def _notices(tenant_schema) -> ColumnIndexPage:
    with tenant_schema("national"):
        return ColumnIndexPage.objects.get(column="notices")


def _cities() -> int:
    return Tenant.objects.serving().exclude(schema_name="national").count()


def _submitted(login_client, tenant_schema, title: str, slug: str, *, nationwide: bool = True) -> ArticlePage:
    """A notice the national editor created and submitted for moderation."""
    index = _notices(tenant_schema)
    response = login_client("national", "nat_editor").post(
        f"/cms/pages/add/cms/articlepage/{index.pk}/",
        _form(title, slug, nationwide=nationwide, **{"action-submit": "1"}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_schema("national"):
        return ArticlePage.objects.get(slug=slug)


def test_national_provisioning_sets_up_the_moderation(tenant_schema):
    with tenant_schema("national"):
        home = PortalHomePage.objects.get()
        workflow = home.get_workflow()
        assert workflow.name == "国家平台内容发布审核"
        [task] = [task.specific for task in workflow.tasks]
        assert isinstance(task, PublishApprovalTask) and task.name == "内容审核发布"
        assert list(task.groups.values_list("name", flat=True)) == ["national·approvers"]
        from wagtail.models import GroupPagePermission

        rights = set(GroupPagePermission.objects.values_list("group__name", "permission__codename"))
        assert ("national·approvers", "publish_page") in rights
        assert ("national·editors", "change_page") in rights and ("national·editors", "publish_page") not in rights
    assert set(User.objects.get(username="nat_approver").groups.values_list("name", flat=True)) == {
        "national·approvers"
    }
    # Cities have no moderation: their editors publish, and no moderation is offered that nobody could decide.
    with tenant_schema("harbin"):
        assert PortalHomePage.objects.get().get_workflow() is None


def test_provisioning_again_keeps_one_workflow(tenant_schema):
    from wagtail.models import Workflow

    from tenants.services import tenant_provision

    tenant_provision("national")
    tenant_provision("national", with_demo_data=True, update_existing=False)
    with tenant_schema("national"):
        assert Workflow.objects.filter(name="国家平台内容发布审核").count() == 1
        assert PublishApprovalTask.objects.count() == 1


def test_a_national_editor_can_only_submit_and_the_approver_publishes_after_confirming_the_reach(
    login_client, tenant_schema, tenant_client
):
    title = "关于开展2027年中小企业数字化转型试点城市申报工作的通知"
    index = _notices(tenant_schema)
    editor = login_client("national", "nat_editor")

    # The editor is offered “submit”, never “publish”, and a publish request only saves a draft.
    add_form = editor.get(f"/cms/pages/add/cms/articlepage/{index.pk}/").content.decode()
    assert 'name="action-submit"' in add_form and 'name="action-publish"' not in add_form
    editor.post(f"/cms/pages/add/cms/articlepage/{index.pk}/", _form(title, "pilot-2027", **{"action-publish": "1"}))
    with tenant_schema("national"):
        page = ArticlePage.objects.get(slug="pilot-2027")
        assert not page.live and page.current_workflow_state is None
    edit_form = editor.get(f"/cms/pages/{page.pk}/edit/").content.decode()
    assert 'name="action-submit"' in edit_form and 'name="action-publish"' not in edit_form

    # Submitting starts the workflow at the approvers' task.
    response = editor.post(f"/cms/pages/{page.pk}/edit/", _form(title, "pilot-2027", **{"action-submit": "1"}))
    assert response.status_code == 302
    with tenant_schema("national"):
        page = ArticlePage.objects.get(pk=page.pk)
        state = page.current_workflow_state
        assert state.status == "in_progress" and state.requested_by.username == "nat_editor"
        task_state = page.current_workflow_task_state
        assert not page.live
    assert not NationwideNotice.objects.filter(source__schema_name="national", source_page_id=page.pk).exists()

    # The approver finds it on the dashboard; the only approve action is the one that confirms the reach.
    approver = login_client("national", "nat_approver")
    assert title in approver.get("/cms/").content.decode()
    edit_view = approver.get(f"/cms/pages/{page.pk}/edit/").content.decode()
    assert 'data-workflow-action-name="approve_nationwide"' in edit_view
    assert 'data-workflow-action-name="approve"' not in edit_view and 'name="action-publish"' not in edit_view
    modal = approver.get(
        reverse("wagtailadmin_pages:collect_workflow_action_data", args=[page.pk, "approve_nationwide", task_state.pk])
    )
    modal_html = modal.json()["html"]
    cities = _cities()
    assert cities >= 2
    assert f"并在 {cities} 个城市门户的通知公告中显示" in modal_html
    assert f"我已确认：发布后将在 {cities} 个城市门户显示" in modal_html

    # Without the confirmation nothing is approved; the plain approve is not on offer for a nationwide notice.
    action_url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve_nationwide", task_state.pk])
    approver.post(action_url, {"comment": ""})
    plain_approve = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    assert approver.post(plain_approve, HTTP_X_REQUESTED_WITH="XMLHttpRequest").status_code == 403
    with tenant_schema("national"):
        assert not ArticlePage.objects.get(pk=page.pk).live

    # Approving in the edit view, with what the modal collected: live, and rolled out to every city.
    response = approver.post(
        f"/cms/pages/{page.pk}/edit/",
        _form(
            title,
            "pilot-2027",
            **{
                "action-workflow-action": "true",
                "workflow-action-name": "approve_nationwide",
                "workflow-action-extra-data": json.dumps({"comment": "同意发布。", "confirm_reach": True}),
            },
        ),
    )
    assert response.status_code == 302
    with tenant_schema("national"):
        page = ArticlePage.objects.get(pk=page.pk)
        assert page.live and page.current_workflow_state is None
        assert page.workflow_states.get().status == "approved"
    assert NationwideNotice.objects.filter(source__schema_name="national", source_page_id=page.pk).exists()
    for city in ("harbin", "jiangmen"):
        assert title in tenant_client(city).get("/notices/").content.decode()


def test_the_confirmation_counts_the_cities_that_serve(login_client, tenant_schema):
    page = _submitted(login_client, tenant_schema, "关于试点城市年度总结的通知", "annual-summary")
    with tenant_schema("national"):
        task_state = page.current_workflow_task_state
    url = reverse(
        "wagtailadmin_pages:collect_workflow_action_data", args=[page.pk, "approve_nationwide", task_state.pk]
    )
    approver = login_client("national", "nat_approver")
    serving = _cities()
    assert f"并在 {serving} 个城市门户" in approver.get(url).json()["html"]
    # A suspended city serves nobody, so it shows nothing: the number drops.
    Tenant.objects.filter(schema_name="jiangmen").update(status=Tenant.Status.SUSPENDED)
    assert f"并在 {serving - 1} 个城市门户" in approver.get(url).json()["html"]


def test_the_approver_approves_through_the_modal_with_the_confirmation(login_client, tenant_schema, tenant_client):
    title = "关于做好数字化转型服务券兑付工作的通知"
    page = _submitted(login_client, tenant_schema, title, "voucher-payments")
    with tenant_schema("national"):
        task_state = page.current_workflow_task_state
    approver = login_client("national", "nat_approver")
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve_nationwide", task_state.pk])
    response = approver.post(url, {"comment": "", "confirm_reach": "on"}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.json()["step"] == "success"
    with tenant_schema("national"):
        assert ArticlePage.objects.get(pk=page.pk).live
    assert title in tenant_client("harbin").get("/notices/").content.decode()


def test_the_approver_cannot_publish_a_nationwide_notice_directly(login_client, tenant_schema):
    page = _submitted(login_client, tenant_schema, "关于直接发布的全国性通知", "direct-publish")
    approver = login_client("national", "nat_approver")
    response = approver.post(
        f"/cms/pages/{page.pk}/edit/", _form("关于直接发布的全国性通知", "direct-publish", **{"action-publish": "1"})
    )
    assert response.status_code == 302
    with tenant_schema("national"):
        assert not ArticlePage.objects.get(pk=page.pk).live
    assert "全国性通知须经审核发布" in approver.get(response["Location"]).content.decode()
    assert not NationwideNotice.objects.filter(source__schema_name="national", source_page_id=page.pk).exists()


def test_an_ordinary_national_page_is_approved_without_the_reach_confirmation(login_client, tenant_schema):
    page = _submitted(login_client, tenant_schema, "国家平台新闻稿", "plain-news", nationwide=False)
    with tenant_schema("national"):
        task_state = page.current_workflow_task_state
    approver = login_client("national", "nat_approver")
    edit_view = approver.get(f"/cms/pages/{page.pk}/edit/").content.decode()
    assert 'data-workflow-action-name="approve"' in edit_view and "approve_nationwide" not in edit_view
    approver.post(reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]))
    with tenant_schema("national"):
        assert ArticlePage.objects.get(pk=page.pk).live
    assert not NationwideNotice.objects.filter(source__schema_name="national", source_page_id=page.pk).exists()


def test_a_city_editor_publishes_without_moderation(login_client, tenant_schema):
    with tenant_schema("harbin"):
        index = ColumnIndexPage.objects.get(column="notices")
    html = login_client("harbin", "hrb_editor").get(f"/cms/pages/add/cms/articlepage/{index.pk}/").content.decode()
    assert 'name="action-publish"' in html and 'name="action-submit"' not in html


def test_losing_the_approver_role_leaves_the_approver_group(tenant_schema):
    from tenant_apps.organisations.models import Membership

    user = User.objects.create_user("nat_temp_approver", mobile="13966660078", password="x")
    with tenant_schema("national"):
        membership = Membership.objects.create(user=user, roles=["content_approver"])
        assert set(user.groups.values_list("name", flat=True)) == {"national·approvers"}
        membership.roles = ["editor"]
        membership.save()
        assert set(user.groups.values_list("name", flat=True)) == {"national·editors"}
        membership.delete()
    assert not user.groups.exists()


def test_bulk_publish_and_published_copies_cannot_skip_the_confirmation(login_client, tenant_schema):
    index = _notices(tenant_schema)
    login_client("national", "nat_editor").post(
        f"/cms/pages/add/cms/articlepage/{index.pk}/", _form("关于批量发布的全国性通知", "bulk-draft")
    )
    with tenant_schema("national"):
        draft = ArticlePage.objects.get(slug="bulk-draft")
        seeded = ArticlePage.objects.live().filter(nationwide=True).first()
    approver = login_client("national", "nat_approver")

    response = approver.post(
        f"/cms/bulk/wagtailcore/page/publish/?id={draft.pk}&next=/cms/pages/{index.pk}/", {"include_descendants": ""}
    )
    assert response.status_code == 302
    assert "全国性通知须经审核发布" in approver.get(response["Location"]).content.decode()
    with tenant_schema("national"):
        assert not ArticlePage.objects.get(pk=draft.pk).live

    copy = {
        "new_title": "复制的全国性通知",
        "new_slug": "copied-nationwide",
        "new_parent_page": str(index.pk),
        "publish_copies": "on",
    }
    response = approver.post(f"/cms/pages/{seeded.pk}/copy/", copy)
    assert response.status_code == 302
    assert "全国性通知须经审核发布" in approver.get(response["Location"]).content.decode()
    with tenant_schema("national"):
        assert not ArticlePage.objects.filter(slug="copied-nationwide").exists()
    # Ordinary bulk publishing still works for the approver.
    with tenant_schema("national"):
        plain = index.add_child(instance=ArticlePage(title="国家平台普通草稿", slug="plain-draft", live=False))
        plain.save_revision()
    approver.post(f"/cms/bulk/wagtailcore/page/publish/?id={plain.pk}", {"include_descendants": ""})
    with tenant_schema("national"):
        assert ArticlePage.objects.get(pk=plain.pk).live
