"""A city admin adds a person by the exact mobile or username they were given, never by browsing the national list
of identities: no user list, lookup popup or autocomplete answers in the tenant admin, and the add form has no
user selector whose labels would reveal who exists."""

import pytest
from django.contrib.auth import get_user_model

from shared_apps.oversight.models import AuditEntry
from tenant_apps.organisations.models import Membership

pytestmark = pytest.mark.django_db
User = get_user_model()
ADD = "/django-admin/organisations/membership/add/"


@pytest.fixture
def outsider():
    """An identity that exists nationally and belongs to no harbin organisation."""
    return User.objects.create_user("elsewhere_person", mobile="13912340001", password="x")


@pytest.mark.parametrize(
    "url",
    [
        "/django-admin/accounts/user/?_to_field=id&_popup=1",
        "/django-admin/accounts/user/",
        "/django-admin/autocomplete/?app_label=organisations&model_name=membership&field_name=user&term=e",
        "/django-admin/autocomplete/?app_label=organisations&model_name=membership&field_name=user",
    ],
)
def test_city_admin_cannot_list_identities(login_client, outsider, url):
    response = login_client("harbin", "hrb_admin").get(url)
    assert response.status_code in (403, 404)
    assert "elsewhere_person" not in response.content.decode()


@pytest.mark.parametrize("username", ["hrb_admin", "hrb_editor"])
def test_wagtail_user_admin_is_closed_in_a_city(login_client, outsider, username):
    """Wagtail's own user management would list the national identities too."""
    for url in ("/cms/users/", "/cms/users/?q=elsewhere"):
        response = login_client("harbin", username).get(url)
        assert response.status_code in (302, 403, 404)
        assert "elsewhere_person" not in response.content.decode()


def test_add_form_has_no_user_selector_and_ignores_a_posted_user_id(login_client, outsider, tenant_schema):
    admin = login_client("harbin", "hrb_admin")
    form = admin.get(ADD).content.decode()
    assert 'name="user"' not in form and 'name="identity"' in form
    assert "accounts/user/" not in form

    # A raw id typed into the request (the old raw-id widget) neither creates a membership nor echoes a label.
    response = admin.post(ADD, {"user": str(outsider.pk), "roles": "expert", "is_active": "on"})
    assert response.status_code == 200
    assert "elsewhere_person" not in response.content.decode()
    with tenant_schema("harbin"):
        assert not Membership.objects.filter(user=outsider).exists()


def test_city_admin_adds_an_existing_identity_by_exact_mobile(login_client, outsider, tenant_schema):
    admin = login_client("harbin", "hrb_admin")
    # A prefix is not a match.
    response = admin.post(ADD, {"identity": "1391234", "roles": "expert", "is_active": "on"})
    assert response.status_code == 200
    with tenant_schema("harbin"):
        assert not Membership.objects.filter(user=outsider).exists()

    assert admin.post(ADD, {"identity": "13912340001", "roles": "expert", "is_active": "on"}).status_code == 302
    with tenant_schema("harbin"):
        membership = Membership.objects.get(user=outsider)
        assert membership.roles == ["expert"]
    entry = AuditEntry.objects.get(schema_name="harbin", action=AuditEntry.Action.CREATE, target_id=str(membership.pk))
    assert "13912340001" not in str(entry.changes) and "identity" not in entry.changes

    # The same person twice is refused.
    response = admin.post(ADD, {"identity": "elsewhere_person", "roles": "expert", "is_active": "on"})
    assert response.status_code == 200
    with tenant_schema("harbin"):
        assert Membership.objects.filter(user=outsider).count() == 1


def test_city_admin_adds_by_exact_username(login_client, outsider, tenant_schema):
    admin = login_client("harbin", "hrb_admin")
    assert admin.post(ADD, {"identity": "elsewhere_person", "roles": "expert", "is_active": "on"}).status_code == 302
    with tenant_schema("harbin"):
        assert Membership.objects.get(user=outsider).roles == ["expert"]
