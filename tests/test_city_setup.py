"""A new city from the console: its own names, its first administrator's one-time link, and the setup checklist.

Creating a city clones a schema (seconds): two tests create one each, the others use the preset cities."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from shared_apps.accounts.models import SecurityEvent, SmsMessage
from shared_apps.oversight.models import AuditEntry
from tenants.invitations import invitation_issue
from tenants.models import AdminInvitation, Tenant
from tenants.presets import load_preset
from tenants.services import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

HARBIN_BUREAU = "哈尔滨市工业和信息化局"
CITY = {
    "name": "七台河市中小企业数字化转型城市试点",
    "schema_name": "qitaihe",
    "preset": "harbin",
    "authority": "七台河市工业和信息化局",
    "pilot_start": "2026-03-01",
    "pilot_end": "2028-02-29",
    "admin_name": "七台河管理员",
    "admin_mobile": "13700002001",
}
NEW_PASSWORD = "Qth#Admin2026"


def _link_path(mobile: str) -> str:
    text = SmsMessage.objects.filter(mobile=mobile).order_by("-created_at", "-id").first().text
    return re.search(r"https?://[^/\s]+(/accounts/invitation/[^/\s]+/)", text).group(1)


def _password_login(client, captcha, identifier, password):
    html = client.get("/accounts/login/").content.decode()
    data = {"mode": "password", "action": "password", "pw-identifier": identifier, "pw-password": password}
    return client.post("/accounts/login/", {**data, **captcha(html, "pw")})


def test_another_city_gets_the_presets_defaults_without_the_presets_city_names():
    harbin, jiangmen = load_preset("harbin"), load_preset("jiangmen")
    assert harbin.data_for("harbin")["identity"]["authority"] == HARBIN_BUREAU
    assert "identity" not in harbin.data_for("qitaihe")
    assert len(jiangmen.data_for("jiangmen")["anchor_units"]) == 3
    assert "anchor_units" not in jiangmen.data_for("zhuhai")
    assert jiangmen.data_for("zhuhai")["industries"] == jiangmen.data["industries"]  # defaults stay


def test_console_city_gets_its_own_authority_and_its_new_administrator_a_one_time_link(
    login_client, national_staff, tenant_client, tenant_schema, captcha
):
    console = login_client(None, national_staff.username)
    response = console.post("/tenants/new/", CITY)
    assert response.status_code == 302
    assert "设置密码的一次性链接" in console.get("/").content.decode()

    # Its own authority on its portal, never Harbin's bureau.
    tenant = Tenant.objects.get(schema_name="qitaihe")
    portal = tenant_client("qitaihe").get("/").content.decode()
    assert CITY["authority"] in portal and HARBIN_BUREAU not in portal
    from tenant_apps.configuration.models import AnchorUnit, TenantSettings
    from tenant_apps.organisations.models import Membership

    with tenant_schema("qitaihe"):
        row = TenantSettings.current()
        assert (row.authority_name, str(row.pilot_start), str(row.pilot_end)) == (
            CITY["authority"],
            "2026-03-01",
            "2028-02-29",
        )
        assert not AnchorUnit.objects.exists()
        membership = Membership.objects.select_related("user").get(user__mobile=CITY["admin_mobile"])
        assert membership.roles == ["tenant_admin"]
    admin = membership.user
    assert (admin.username, admin.first_name, admin.has_usable_password()) == ("13700002001", "七台河管理员", False)

    # The creation is audited under the new city, by the staff member who did it.
    entry = AuditEntry.objects.get(schema_name="qitaihe", action=AuditEntry.Action.CREATE, target_type="tenants.tenant")
    assert entry.actor == national_staff
    assert entry.changes["authority"] == [None, CITY["authority"]]
    assert entry.changes["administrator"] == [None, "七台河管理员 137****2001"]

    # The SMS carries a link to the city's own host; only the token's hash is stored.
    message = SmsMessage.objects.get(mobile=CITY["admin_mobile"])
    assert message.schema_name == "qitaihe" and "http://qitaihe.localhost:8000/accounts/invitation/" in message.text
    path = _link_path(CITY["admin_mobile"])
    token = path.rstrip("/").rsplit("/", 1)[1]
    invitation = AdminInvitation.objects.get(tenant=tenant, user=admin)
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert timedelta(hours=71) < invitation.expires_at - timezone.now() <= timedelta(hours=72)

    # The link is the city's: another city's host does not know it.
    assert tenant_client("harbin").get(path).status_code == 404

    # A password outside the policy is refused next to the field, the link stays usable.
    client = tenant_client("qitaihe")
    page = client.get(path)
    assert page.status_code == 200 and "13700002001" in page.content.decode()
    weak = client.post(path, {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 400 and "密码长度须为 8–18 位" in weak.content.decode()
    mismatch = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "两次输入的密码不一致" in mismatch.content.decode()

    # Set once: signed in, on the setup checklist with what is missing.
    done = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/workbench/setup/"
    checklist = client.get("/workbench/setup/")
    html = checklist.content.decode()
    assert checklist.status_code == 200
    assert re.search(r'data-item="branding" data-state="missing"', html)
    assert "缺少：标志、联系方式、ICP 备案号" in html  # the authority came from the console
    assert re.search(r'data-item="industries" data-state="done"', html)  # the preset's default industries
    assert 'href="/django-admin/configuration/tenantsettings/1/change/"' in html
    assert 'id="setup-card"' in client.get("/workbench/").content.decode()
    admin.refresh_from_db()
    assert admin.check_password(NEW_PASSWORD)
    assert SecurityEvent.objects.filter(user=admin, kind="password_changed", detail="invitation").exists()

    # The second use is refused, and the new password signs in.
    again = tenant_client("qitaihe").post(path, {"new_password1": "Other#Pass2026", "new_password2": "Other#Pass2026"})
    assert again.status_code == 409 and "已使用" in again.content.decode()
    admin.refresh_from_db()
    assert admin.check_password(NEW_PASSWORD)
    signed_in = _password_login(tenant_client("qitaihe"), captcha, CITY["admin_mobile"], NEW_PASSWORD)
    assert signed_in.status_code == 302 and signed_in["Location"] == "/workbench/"


def test_an_existing_identity_is_made_administrator_and_notified_instead(
    login_client, national_staff, tenant_client, tenant_schema
):
    # hrb_enterprise: an enterprise in Harbin with a password. One identity: the same account runs the new city.
    person = get_user_model().objects.get(username="hrb_enterprise")
    data = {**CITY, "schema_name": "jixi", "name": "鸡西市中小企业数字化转型城市试点", "authority": "鸡西市工信局"}
    data["admin_mobile"] = person.mobile
    response = login_client(None, national_staff.username).post("/tenants/new/", data)
    assert response.status_code == 302
    assert get_user_model().objects.filter(mobile=person.mobile).count() == 1
    from tenant_apps.organisations.models import Membership

    with tenant_schema("jixi"):
        assert Membership.objects.get(user=person).roles == ["tenant_admin"]
    with tenant_schema("harbin"):
        assert Membership.objects.get(user=person).roles == ["enterprise"]  # untouched
    message = SmsMessage.objects.filter(mobile=person.mobile).latest("id")
    assert "鸡西市中小企业数字化转型城市试点的城市管理员" in message.text
    assert "http://jixi.localhost:8000/accounts/login/" in message.text and "invitation" not in message.text
    assert not AdminInvitation.objects.filter(user=person).exists()
    person.refresh_from_db()
    assert person.check_password(DEMO_PASSWORD)
    client = login_client("jixi", person.username)
    assert client.get("/workbench/setup/").status_code == 200


def test_an_expired_or_replaced_link_is_refused(tenant_client):
    harbin = Tenant.objects.get(schema_name="harbin")
    person = get_user_model().objects.create_user("invited_late", mobile="13700003001")
    person.set_unusable_password()
    person.save()
    _first, first_token = invitation_issue(tenant=harbin, user=person)
    second, second_token = invitation_issue(tenant=harbin, user=person)
    client = tenant_client("harbin")
    replaced = client.get(f"/accounts/invitation/{first_token}/")
    assert replaced.status_code == 409 and "已过期" in replaced.content.decode()
    AdminInvitation.objects.filter(pk=second.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.post(
        f"/accounts/invitation/{second_token}/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert expired.status_code == 409 and "已过期" in expired.content.decode()
    person.refresh_from_db()
    assert not person.has_usable_password()
    assert tenant_client(None).get(f"/accounts/invitation/{second_token}/").status_code == 404  # console host


def test_the_checklist_follows_the_citys_data_and_is_for_its_administrators_only(login_client):
    html = login_client("harbin", "hrb_admin").get("/workbench/setup/").content.decode()
    states = dict(re.findall(r'data-item="(\w+)" data-state="(\w+)"', html))
    # Harbin: acceptance needs subsidy policies (it has one); nothing uses anchor units or windows.
    assert states == {
        "industries": "done",
        "anchor_units": "optional",
        "flows": "done",
        "subsidy_policies": "done",
        "windows": "optional",
        "branding": "missing",
    }
    assert "缺少：标志、联系方式、ICP 备案号" in html
    assert 'href="/django-admin/configuration/subsidypolicy/"' in html
    jiangmen = dict(
        re.findall(
            r'data-item="(\w+)" data-state="(\w+)"',
            login_client("jiangmen", "jm_admin").get("/workbench/setup/").content.decode(),
        )
    )
    assert jiangmen["anchor_units"] == "done"  # ecosystem needs them, and Jiangmen has its own
    for username in ("hrb_enterprise", "hrb_bureau"):
        client = login_client("harbin", username)
        assert client.get("/workbench/setup/").status_code == 403
        assert 'id="setup-card"' not in client.get("/workbench/").content.decode()
    assert login_client("jiangmen", "hrb_admin").get("/workbench/setup/").status_code == 403
