"""The Jiangmen ecosystem demo (issue #15) leaves real work in every reviewer's inbox and two products in the
hardware pool, a restart changes nothing, the preset's `[ecosystem_demo]` is checked at load and stays with its own
city; the national console rolls up the ecosystem figures."""

from __future__ import annotations

import re
import tomllib

import pytest

from tenant_apps.configuration.models import AnchorUnit
from tenant_apps.ecosystem import alliances
from tenant_apps.ecosystem.demo import NEWCOMER_PRODUCT, PRODUCTS
from tenant_apps.ecosystem.models import AllianceMember, Declaration, PoolEntry, Product, ProviderChange, Status
from tenant_apps.organisations.models import Membership
from tenant_apps.workflow import policies
from tenant_apps.workflow.models import Application, Task
from tenants.errors import DomainError
from tenants.presets import PRESET_DIR, load_preset

pytestmark = pytest.mark.django_db
KINDS = ("provider_declaration", "product_declaration", "provider_change")
POOLED = sorted(spec["name"] for spec, end in PRODUCTS if end == "approved")


def member(username: str) -> Membership:
    return Membership.objects.select_related("organisation").get(user__username=username)


def ecosystem_tasks(username: str):
    return policies.tasks_awaiting(member(username)).filter(application__kind__in=KINDS).select_related("application")


def snapshot():
    """What the demo made, as rows that any change would alter."""
    return (
        list(Declaration.objects.order_by("pk").values_list("pk", "status", "anchor_unit_id", "updated_at")),
        list(Product.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        list(Application.objects.order_by("pk").values_list("pk", "state", "version")),
        list(Task.objects.order_by("pk").values_list("pk", "state")),
        list(AllianceMember.objects.order_by("pk").values_list("pk", "left_at")),
        list(PoolEntry.objects.order_by("pk").values_list("pk", "removed_at")),
        list(ProviderChange.objects.order_by("pk").values_list("pk", "status")),
        list(AnchorUnit.objects.order_by("pk").values_list("pk", "organisation_id")),
    )


def test_the_demo_links_both_anchor_units_to_their_demo_organisations(tenant_schema):
    with tenant_schema("jiangmen"):
        units = {unit.code: unit for unit in AnchorUnit.objects.select_related("organisation")}
        assert units["jm-hardware"].organisation_id == member("jm_anchor").organisation_id
        assert units["jm-food"].organisation_id == member("jm_anchor2").organisation_id
        assert units["jm-food"].organisation.name == units["jm-food"].name == "江门示例食品产业数字化牵引单位"
        assert units["jm-food"].organisation.kind == "anchor_unit"
        assert units["jm-electromech"].organisation_id is None  # not in the demo: the city admin links it


def test_every_ecosystem_reviewer_finds_a_task_in_the_inbox(tenant_schema):
    """jm_anchor: jm_provider2's first declaration and a product at the unit's stage; jm_anchor2: the repeat
    declaration; jm_ops: a product at pre-review and the 信息变更; jm_bureau: a product at re-review."""
    with tenant_schema("jiangmen"):
        provider, newcomer = member("jm_provider").organisation, member("jm_provider2").organisation

        def waiting(username):
            return {
                (t.application.kind, t.application.organisation_id, t.stage_name) for t in ecosystem_tasks(username)
            }

        assert {
            ("provider_declaration", newcomer.pk, "牵引单位确认"),
            ("product_declaration", provider.pk, "牵引单位审核"),
        } <= waiting("jm_anchor")
        assert ("provider_declaration", provider.pk, "牵引单位确认") in waiting("jm_anchor2")
        assert {("product_declaration", provider.pk, "预审"), ("provider_change", provider.pk, "运营审核")} <= waiting(
            "jm_ops"
        )
        assert ("product_declaration", provider.pk, "市工信局复审") in waiting("jm_bureau")
        # Each unit sees only what names it: the repeat declaration is not jm_anchor's, the newcomer's not jm_anchor2's.
        repeat = Declaration.objects.get(organisation=provider, is_first=False)
        assert repeat.anchor_unit.code == "jm-food" and repeat.status == Status.IN_REVIEW
        assert not ecosystem_tasks("jm_anchor").filter(application=repeat.application).exists()
        assert not ecosystem_tasks("jm_anchor2").filter(application__organisation=newcomer).exists()


def test_the_hardware_pool_holds_the_provider_s_two_approved_products(tenant_schema):
    with tenant_schema("jiangmen"):
        provider = member("jm_provider").organisation
        hardware = AnchorUnit.objects.get(code="jm-hardware")
        pool = alliances.pool_of(hardware).filter(product__organisation=provider)
        assert sorted(entry.product.name for entry in pool) == POOLED
        for entry in pool:
            assert entry.product.status == Status.APPROVED and entry.product.cases.count() == 3
            assert all(case.contract for case in entry.product.cases.all())
        assert [m.organisation_id for m in alliances.members_of(hardware)].count(provider.pk) == 1
        # Not yet in the food unit's alliance: its repeat declaration waits there.
        assert not AllianceMember.objects.filter(anchor_unit__code="jm-food", organisation=provider).exists()
        first = Declaration.objects.get(organisation=provider, is_first=True)
        assert first.status == Status.APPROVED and first.files.count() == 4
        # The three others wait at the unit, at pre-review and at re-review; none is pooled.
        waiting = Product.objects.filter(organisation=provider, status=Status.IN_REVIEW)
        assert sorted(p.application.current_stage["name"] for p in waiting) == ["市工信局复审", "牵引单位审核", "预审"]
        assert not PoolEntry.objects.filter(product__in=waiting).exists()
        # The newcomer's product waits (holding its name) until the unit confirms its declaration.
        newcomer = Product.objects.get(organisation=member("jm_provider2").organisation)
        assert (newcomer.name, newcomer.status) == (NEWCOMER_PRODUCT["name"], Status.PENDING)


def test_the_demo_change_keeps_what_it_replaces(tenant_schema):
    with tenant_schema("jiangmen"):
        change = ProviderChange.objects.get(organisation=member("jm_provider").organisation)
        assert change.status == Status.IN_REVIEW
        assert change.data["contact_name"] == "周经理" and change.previous["contact_name"] != "周经理"


def test_running_the_demo_step_again_changes_nothing(tenant_schema):
    from tenant_apps.ecosystem.demo import ecosystem_demo_seed
    from tenants.services import tenant_provision

    spec = load_preset("jiangmen").data["ecosystem_demo"]
    with tenant_schema("jiangmen"):
        before = snapshot()
        ecosystem_demo_seed(spec)
        assert snapshot() == before
    tenant_provision("jiangmen", with_demo_data=True, update_existing=False)  # the demo's restart
    with tenant_schema("jiangmen"):
        assert snapshot() == before


def test_the_demo_plays_only_on_units_its_accounts_confirm_for(tenant_schema, settings, tmp_path):
    """A unit the city admin linked to another organisation is kept, and the demo then does nothing; linked back,
    a newcomer without declarations gets its first declaration waiting for the first unit."""
    from tenant_apps.ecosystem.demo import ecosystem_demo_seed
    from tenant_apps.organisations.models import Organisation
    from tests import ecosystem_factories as f

    settings.MEDIA_ROOT = str(tmp_path)
    with tenant_schema("jiangmen"):
        fresh = f.provider(73, name="江门演示复跑测试服务商")
        spec = {**load_preset("jiangmen").data["ecosystem_demo"], "newcomer": fresh.user.username}
        other = Organisation.objects.create(kind="anchor_unit", name="江门另一家食品牵引单位")
        AnchorUnit.objects.filter(code="jm-food").update(organisation=other)
        ecosystem_demo_seed(spec)
        assert AnchorUnit.objects.get(code="jm-food").organisation_id == other.pk
        assert not Declaration.objects.filter(organisation=fresh.organisation).exists()

        AnchorUnit.objects.filter(code="jm-food").update(organisation=member("jm_anchor2").organisation)
        ecosystem_demo_seed(spec)
        declaration = Declaration.objects.get(organisation=fresh.organisation)
        assert (declaration.anchor_unit.code, declaration.status) == ("jm-hardware", Status.IN_REVIEW)
        assert [(p.name, p.status) for p in declaration.products.all()] == [(NEWCOMER_PRODUCT["name"], "pending")]
        assert ecosystem_tasks("jm_anchor").filter(application=declaration.application).exists()


def test_the_ecosystem_demo_stays_with_its_own_city():
    jiangmen = load_preset("jiangmen")
    assert [unit["account"] for unit in jiangmen.data_for("jiangmen")["ecosystem_demo"]["units"]] == [
        "jm_anchor",
        "jm_anchor2",
    ]
    assert "ecosystem_demo" not in jiangmen.data_for("zhuhai")  # a city from this preset: no Jiangmen units to play
    accounts = {account["username"]: account for account in jiangmen.demo_accounts}
    assert accounts["jm_anchor2"]["mobile"] == "13800000310" and accounts["jm_anchor2"]["roles"] == ["anchor_unit"]
    assert accounts["jm_provider2"]["mobile"] == "13800000311" and accounts["jm_provider2"]["roles"] == ["provider"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("jm-food", "jm-nowhere"), "ecosystem_demo 引用了未声明的牵引单位 jm-nowhere"),
        (('newcomer = "jm_provider2"', 'newcomer = "jm_nobody"'), "ecosystem_demo 引用了未声明的演示账号 jm_nobody"),
        (('reviewers = { ops = "jm_ops"', 'reviewers = { wizard = "jm_ops"'), "reviewers.wizard"),
    ],
)
def test_a_wrong_ecosystem_demo_is_refused_at_load(tmp_path, change, message):
    from tenants.presets import _read

    text = (PRESET_DIR / "jiangmen.toml").read_text(encoding="utf-8")
    old, new = change
    start = text.index("[ecosystem_demo]")
    assert old in text[start:]
    text = text[:start] + text[start:].replace(old, new, 1)
    tomllib.loads(text)  # still TOML: the schema refuses it
    (tmp_path / "jiangmen.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        _read("jiangmen", tmp_path)
    assert message in caught.value.message


def test_the_new_demo_accounts_sign_in_with_the_demo_password(tenant_schema):
    """`manage.py demo` prints every preset demo account with the demo password; the new ones are among them."""
    from django.contrib.auth import get_user_model

    from tenants.services import DEMO_PASSWORD

    usernames = [account["username"] for account in load_preset("jiangmen").demo_accounts]
    assert {"jm_anchor2", "jm_provider2"} <= set(usernames)
    for username, mobile in (("jm_anchor2", "13800000310"), ("jm_provider2", "13800000311")):
        user = get_user_model().objects.get(username=username)
        assert user.mobile == mobile and user.check_password(DEMO_PASSWORD)
    with tenant_schema("jiangmen"):
        assert member("jm_provider2").organisation.certification == "certified"
        assert member("jm_provider2").organisation.name == "江门示例智造软件有限公司"


# --- The national console -------------------------------------------------------------------------------------------
def _cells(html: str, schema: str) -> dict[str, str]:
    row = html[html.index(f'data-schema="{schema}"') :]
    row = row[: row.index("</tr>")]
    return dict(re.findall(r'<td [^>]*class="[^"]*\bcell-([a-z_]+)\b[^"]*">([^<]*)</td>', row))


ECOSYSTEM_CELLS = ("ecosystem_providers_declared", "ecosystem_providers_approved", "ecosystem_products_approved")


def test_the_roll_up_brings_the_ecosystem_figures_to_the_console(
    login_client, national_staff, tenant_schema, settings, tmp_path
):
    """Jiangmen's demo: two providers declared (jm_provider, jm_provider2), one in an alliance, two products
    approved. A third provider then joins (and its product is approved), a fourth only starts a draft (not
    declared), and the first leaves the hardware alliance while still in none other: the roll-up follows, Harbin
    (module off) shows zeros."""
    from shared_apps.oversight.models import TenantFigures
    from shared_apps.oversight.services import figures_rollup
    from tenant_apps.ecosystem import declarations
    from tenant_apps.ecosystem.figures import console_figures
    from tests import ecosystem_factories as f

    settings.MEDIA_ROOT = str(tmp_path)
    with tenant_schema("jiangmen"):
        demo = console_figures()
        assert demo["ecosystem_providers_declared"] >= 2 and demo["ecosystem_providers_approved"] >= 1
        assert demo["ecosystem_products_approved"] >= 2
        joined = f.provider(71, name="江门汇总测试服务商甲")
        declaration = f.joined(joined, product_names=("汇总测试质量追溯平台",))
        f.approve_product(declaration.products.get())
        drafting = f.provider(72, name="江门汇总测试服务商乙")
        declarations.declaration_start(membership=drafting)  # a draft is not a declaration yet
        leaving = AllianceMember.objects.get(
            organisation=member("jm_provider").organisation, anchor_unit__code="jm-hardware", left_at__isnull=True
        )
        alliances.member_leave(membership=f.city("jm_admin"), member_pk=leaving.pk, reason="合作协议到期")
        figures = figures_rollup()
    with tenant_schema("harbin"):
        harbin = figures_rollup()

    expected = (
        demo["ecosystem_providers_declared"] + 1,
        demo["ecosystem_providers_approved"] + 1 - 1,
        demo["ecosystem_products_approved"] + 1,  # leaving takes products out of a pool, not their approval
    )
    figures.refresh_from_db()
    assert tuple(getattr(figures, name) for name in ECOSYSTEM_CELLS) == expected
    harbin.refresh_from_db()
    assert tuple(getattr(harbin, name) for name in ECOSYSTEM_CELLS) == (0, 0, 0)
    assert TenantFigures.objects.get(tenant__schema_name="jiangmen").ecosystem_products_approved == expected[2]

    html = login_client(None, national_staff.username).get("/").content.decode()
    assert tuple(_cells(html, "jiangmen")[name] for name in ECOSYSTEM_CELLS) == tuple(str(n) for n in expected)
    assert tuple(_cells(html, "harbin")[name] for name in ECOSYSTEM_CELLS) == ("0", "0", "0")
    for label in ("申报服务商", "入盟服务商", "通过产品"):
        assert f">{label}</th>" in html, label
