"""The seed's password rules as a table: each rule failing alone, and passing — under each tenant's knobs."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db


def codes(password, *, schema, tenant_schema, user=None):
    with tenant_schema(schema):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return sorted({e.code for e in error.error_list}), " ".join(error.messages)
    return [], ""


@pytest.mark.parametrize(
    ("password", "expected", "message"),
    [
        ("Abcd1234", [], ""),  # 8 long, 3 classes
        ("abcd#123", [], ""),  # lower + digit + special
        ("Ab1#", ["length"], "8–18"),
        ("Abcdefgh1234567890x", ["length"], "8–18"),  # 19 characters: over national's 18
        ("abcdefgh", ["classes"], "3 类"),
        ("abcdefg1", ["classes"], "3 类"),
        ("ABCDEFG1", ["classes"], "3 类"),
        ("Abc 12345", ["characters"], "只能包含"),  # space is outside the allowed set
        ("Abc中文12345", ["characters"], "只能包含"),
        ("Abc、123`./", [], ""),  # the seed's special set includes 、 ` . /
    ],
)
def test_national_policy_rules_one_at_a_time(password, expected, message, tenant_schema):
    found, text = codes(password, schema="national", tenant_schema=tenant_schema)
    assert found == expected
    assert message in text


def test_jiangmen_allows_up_to_20_characters_where_national_stops_at_18(tenant_schema):
    password = "Abcdefgh1234567890xy"  # 20
    assert codes(password, schema="jiangmen", tenant_schema=tenant_schema)[0] == []
    assert codes(password, schema="national", tenant_schema=tenant_schema)[0] == ["length"]
    assert codes(password + "z", schema="jiangmen", tenant_schema=tenant_schema)[0] == ["length"]


def test_password_must_not_contain_username_or_mobile(tenant_schema, django_user_model):
    user = django_user_model(username="zhangsan", mobile="13812345678")
    assert codes("ZhangSan#2026", schema="harbin", tenant_schema=tenant_schema, user=user)[0] == ["username"]
    assert codes("Ab#13812345678", schema="harbin", tenant_schema=tenant_schema, user=user)[0] == ["mobile"]
    assert codes("Ab#138123456", schema="harbin", tenant_schema=tenant_schema, user=user)[0] == []


def test_password_must_differ_from_current_and_last_five(tenant_schema, django_user_model):
    user = django_user_model.objects.create_user("history_user", mobile="13700000001", password="Start#0001")
    for n in range(2, 8):  # Start#0002 … Start#0007; history keeps every change
        with tenant_schema("harbin"):
            validate_password(f"Start#{n:04d}", user)
        user.set_password(f"Start#{n:04d}")
        user.save()
    assert codes("Start#0007", schema="harbin", tenant_schema=tenant_schema, user=user)[0] == ["history"]  # current
    assert codes("Start#0002", schema="harbin", tenant_schema=tenant_schema, user=user)[0] == ["history"]  # 5th back
    assert codes("Start#0001", schema="harbin", tenant_schema=tenant_schema, user=user)[0] == []  # 6th back: allowed
    assert user.password_history.count() == 7  # one row per password, the one set at creation included
    assert all(row.password.startswith(("md5$", "pbkdf2")) for row in user.password_history.all())  # hashes only


def test_policy_knobs_are_tenant_data(tenant_schema):
    from tenant_apps.configuration.models import TenantSettings

    with tenant_schema("harbin"):
        TenantSettings.objects.update(password_min_length=12, password_min_classes=4)
    found, text = codes("Abcd#1234", schema="harbin", tenant_schema=tenant_schema)
    assert found == ["length"] and "12–18" in text
    assert codes("abcd#1234efg", schema="harbin", tenant_schema=tenant_schema)[0] == ["classes"]  # 3 of 4 now too few
    assert codes("Abcd#1234efg", schema="harbin", tenant_schema=tenant_schema)[0] == []
