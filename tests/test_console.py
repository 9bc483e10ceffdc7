"""The national center console: every city with its figures, and new cities from presets."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from shared_apps.oversight.models import TenantFigures
from tenants.models import Tenant
from tenants.services import tenant_provision

pytestmark = pytest.mark.django_db


def test_console_lists_serving_cities_with_figures_and_links(login_client, national_staff):
    harbin = Tenant.objects.get(schema_name="harbin")
    TenantFigures.objects.filter(tenant__schema_name="jiangmen").delete()
    TenantFigures.objects.update_or_create(
        tenant=harbin,
        defaults={
            "organisations": 7,
            "enterprises": 5,
            "certified_enterprises": 4,
            "providers": 1,
            "members": 9,
            "computed_at": timezone.now(),
        },
    )
    html = login_client(None, national_staff.username).get("/").content.decode()
    assert 'href="http://harbin.localhost:8000/"' in html
    assert "5（4）" in html
    assert "tenant_template" not in html
    assert "尚未汇总" in html  # jiangmen has no roll-up in this test


def test_console_list_query_count_does_not_grow_with_cities(
    login_client, national_staff, django_assert_max_num_queries
):
    client = login_client(None, national_staff.username)
    with django_assert_max_num_queries(20) as before:
        client.get("/")
    queries_for_three = len(before.captured_queries)
    tenant_provision("harbin", schema_name="qiqihar", name="齐齐哈尔市中小企业数字化转型城市试点")
    tenant_provision("harbin", schema_name="mudanjiang", name="牡丹江市中小企业数字化转型城市试点")
    with django_assert_max_num_queries(queries_for_three):
        html = client.get("/").content.decode()
    assert "牡丹江市" in html


CITY = {
    "name": "珠海市中小企业数字化转型城市试点",
    "schema_name": "zhuhai",
    "preset": "jiangmen",
    "authority": "珠海市工业和信息化局",
    "pilot_start": "2026-01-01",
    "pilot_end": "2027-12-31",
    "admin_name": "珠海管理员",
    "admin_mobile": "13700001001",
}


def test_create_city_from_preset_in_the_console(login_client, national_staff, tenant_client):
    client = login_client(None, national_staff.username)
    response = client.post("/tenants/new/", CITY)
    assert response.status_code == 302
    tenant = Tenant.objects.get(schema_name="zhuhai")
    assert tenant.preset == "jiangmen" and "ecosystem" in tenant.modules
    html = tenant_client("zhuhai").get("/").content.decode()
    assert "珠海市中小企业数字化转型城市试点" in html and "珠海市工业和信息化局" in html
    assert "江门" not in html  # neither Jiangmen's bureau nor its anchor units came along with its preset
    assert "已创建" in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("change", "field", "field_message"),
    [
        ({"schema_name": "Bad Name"}, "schema_name", "小写字母开头"),
        ({"schema_name": "harbin"}, "schema_name", "该标识已被使用"),
        ({"schema_name": "public"}, "schema_name", "保留标识"),
        ({"preset": "cultivation"}, "preset", "选择一个有效的选项"),
        ({"name": ""}, "name", "该字段是必填项"),
        ({"authority": ""}, "authority", "该字段是必填项"),
        ({"pilot_start": "2027-01-01", "pilot_end": "2026-12-31"}, "pilot_end", "结束日期不能早于开始日期"),
        ({"pilot_start": "2026-02-30"}, "pilot_start", "输入一个有效的日期"),
        ({"admin_mobile": "12345678901"}, "admin_mobile", "11 位手机号码"),
        ({"admin_name": ""}, "admin_name", "该字段是必填项"),
    ],
)
def test_bad_console_input_gets_a_field_message_not_a_500(login_client, national_staff, change, field, field_message):
    data = {**CITY, "schema_name": "abc", **change}
    response = login_client(None, national_staff.username).post("/tenants/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    field_html = re.search(rf'<div class="field has-error" data-field="{field}">(.*?)</div>', html, re.S).group(1)
    assert field_message in field_html
    for name, value in data.items():  # nothing typed is lost
        if value and name not in ("preset", *change):
            assert f'value="{value}"' in html, name
    assert not Tenant.objects.filter(schema_name="abc").exists()


@pytest.mark.parametrize("who", ["hrb_admin", None])
def test_only_national_staff_may_create_cities(login_client, tenant_client, who):
    client = login_client(None, who) if who else tenant_client(None)
    response = client.post("/tenants/new/", {**CITY, "schema_name": "sneaky"})
    assert response.status_code == (403 if who else 302)
    if not who:
        assert response["Location"].startswith("/accounts/login/")
    assert not Tenant.objects.filter(schema_name="sneaky").exists()
    assert not get_user_model().objects.filter(mobile=CITY["admin_mobile"]).exists()


def test_the_roll_up_brings_the_marketplace_figures_to_the_console(login_client, national_staff, tenant_schema):
    """Products on sale, orders that are not cancelled and the amount paid, counted in the city; the demo's national
    marketplace has at least its two products on sale and its paid 标准版 order (39,800.00)."""
    from decimal import Decimal

    from django.db.models import Sum

    from shared_apps.oversight.services import figures_rollup
    from tenant_apps.marketplace.models import Listing, Order

    with tenant_schema("national"):
        Order.objects.filter(payment="unpaid").update(state="cancelled")  # a cancelled order counts for nothing
        figures = figures_rollup()
        paid = Order.objects.filter(payment="paid").exclude(state="cancelled").aggregate(s=Sum("payable"))["s"]
        expected = (
            Listing.objects.filter(state="listed").count(),
            Order.objects.exclude(state="cancelled").count(),
            paid,
        )
    assert (figures.listed_products, figures.orders, figures.paid_amount) == expected
    assert figures.listed_products >= 2 and figures.paid_amount >= Decimal("39800.00")
    with tenant_schema("harbin"):  # the module is off there: zeros, no error
        assert (figures_rollup().listed_products, figures_rollup().orders) == (0, 0)
    row = login_client(None, national_staff.username).get("/").content.decode()
    row = row[row.index('data-schema="national"') :]
    assert f"{figures.paid_amount:,.2f}" in row[: row.index("</tr>")]


def _cells(html: str, schema: str) -> dict[str, str]:
    """The console row of one city: `{cell name: text}` from the `cell-<name>` classes the table draws."""
    row = html[html.index(f'data-schema="{schema}"') :]
    row = row[: row.index("</tr>")]
    return dict(re.findall(r'<td [^>]*class="[^"]*\bcell-([a-z_]+)\b[^"]*">([^<]*)</td>', row))


PILOT_CELLS = ("pilot_enterprises", "acceptances_accepted", "recognised_investment", "subsidy_published",
               "subsidy_disbursed")  # fmt: skip


def test_the_roll_up_brings_the_pilots_figures_to_the_console(
    login_client, national_staff, tenant_schema, settings, tmp_path, django_assert_max_num_queries
):
    """Harbin gains two pilot enterprises, one acceptance recognised at 296,913.58 with a 123,456.79 subsidy in a
    closed publicity batch whose first tranche (37,037.03) is paid, and one acceptance still in review; the console
    shows Harbin's demo figures plus exactly those, and zeros for Jiangmen (the module is off, no pilots there)."""
    import datetime
    from decimal import Decimal

    from shared_apps.oversight.services import figures_rollup
    from tenant_apps.pilots.figures import console_figures
    from tenant_apps.pilots.models import AcceptanceProject, PublicityBatch, PublicityItem, Tranche
    from tests.pilots_factories import acceptance_submitted, admitted_enterprise, bureau, finance

    settings.MEDIA_ROOT = tmp_path
    client = login_client(None, national_staff.username)
    TenantFigures.objects.all().delete()
    with django_assert_max_num_queries(20) as unrolled:
        client.get("/")

    with tenant_schema("harbin"):
        demo = console_figures()  # the demo's own acceptances, before this test's rows
        member = admitted_enterprise(61, name="哈尔滨汇总测试机电有限公司")
        acceptance = acceptance_submitted(member)
        acceptance_submitted(admitted_enterprise(62))  # in review, no recognition: a pilot, not an acceptance
        first = acceptance.projects.get()
        second = AcceptanceProject.objects.create(acceptance=acceptance, position=1, name="仓储物流数字化改造")
        for project, amount, subsidy in ((first, "246913.58", "100000.00"), (second, "50000.00", "23456.79")):
            project.recognised_amount, project.subsidy = Decimal(amount), Decimal(subsidy)
            project.save(update_fields=["recognised_amount", "subsidy"])
        acceptance.recognised_at = timezone.now()
        acceptance.save(update_fields=["recognised_at"])
        today = timezone.localdate()
        batch = PublicityBatch.objects.create(
            title="验收项目公示汇总测试",
            state=PublicityBatch.State.CLOSED,
            days=5,
            starts_on=today - datetime.timedelta(days=6),
            ends_on=today - datetime.timedelta(days=2),
            created_by=bureau().user,
            published_at=timezone.now() - datetime.timedelta(days=6),
        )
        PublicityItem.objects.create(
            batch=batch,
            acceptance=acceptance,
            enterprise_name=member.organisation.name,
            projects="装配车间设备联网与数据采集改造、仓储物流数字化改造",
            recognised_amount=Decimal("296913.58"),
            subsidy=Decimal("123456.79"),
        )
        Tranche.objects.create(
            acceptance=acceptance, position=0, label="签约后", amount=Decimal("37037.03"),
            paid_on=today, voucher_number="CZ-61", paid_by=finance().user, paid_at=timezone.now(),
        )  # fmt: skip
        Tranche.objects.create(acceptance=acceptance, position=1, label="验收后", amount=Decimal("86419.76"))
        harbin = figures_rollup()
    with tenant_schema("jiangmen"):
        jiangmen = figures_rollup()

    expected = (
        demo["pilot_enterprises"] + 2,
        demo["acceptances_accepted"] + 1,
        demo["recognised_investment"] + Decimal("296913.58"),
        demo["subsidy_published"] + Decimal("123456.79"),
        demo["subsidy_disbursed"] + Decimal("37037.03"),
    )
    harbin.refresh_from_db()  # what the console reads back from `public`, not the instance just saved
    assert tuple(getattr(harbin, name) for name in PILOT_CELLS) == expected
    jiangmen.refresh_from_db()
    assert tuple(getattr(jiangmen, name) for name in PILOT_CELLS) == (0, 0, 0, 0, 0)

    with django_assert_max_num_queries(len(unrolled.captured_queries)):  # the figures come in the tenants' join
        html = client.get("/").content.decode()
    shown = _cells(html, "harbin")
    assert tuple(shown[name] for name in PILOT_CELLS) == (
        str(expected[0]),
        str(expected[1]),
        *(f"{amount:,.2f}" for amount in expected[2:]),
    )
    assert tuple(_cells(html, "jiangmen")[name] for name in PILOT_CELLS) == ("0", "0", "0.00", "0.00", "0.00")
    for label in ("试点企业", "验收通过", "认定投资（元）", "公示补贴（元）", "已拨付（元）"):
        assert f">{label}</th>" in html, label
