"""The national console per anchor unit: the roll-up keeps, for every active unit of a city, its alliance members and
pooled products now (`TenantFigures.ecosystem_units`), and the console draws them in one compact cell per city —
Jiangmen's demo unit of jm_anchor with its one member and two pooled products; Harbin (module off) an empty cell; the
cell costs no query."""

from __future__ import annotations

import re

import pytest

from shared_apps.oversight.models import TenantFigures
from shared_apps.oversight.services import figures_rollup
from tenant_apps.configuration.models import AnchorUnit
from tenant_apps.ecosystem import alliances
from tenant_apps.ecosystem.figures import console_figures
from tenant_apps.ecosystem.models import AllianceMember, PoolEntry
from tenant_apps.organisations.models import Membership

pytestmark = pytest.mark.django_db


def _units_cell(html: str, schema: str) -> str:
    row = html[html.index(f'data-schema="{schema}"') :]
    row = row[: row.index("</tr>")]
    return re.search(r'<td [^>]*class="[^"]*\bcell-ecosystem_units\b[^"]*">(.*?)</td>', row, re.S).group(1)


def test_the_roll_up_keeps_each_units_members_and_pooled_products(tenant_schema):
    with tenant_schema("jiangmen"):
        anchor = Membership.objects.get(user__username="jm_anchor")
        unit = AnchorUnit.objects.get(organisation=anchor.organisation)
        provider = Membership.objects.get(user__username="jm_provider").organisation
        # The demo: jm_provider joined jm_anchor's unit with two approved products in its pool (a browser journey
        # that ran earlier in the session may have added its own provider: the counts are read, not assumed).
        members = AllianceMember.objects.filter(anchor_unit=unit, left_at__isnull=True)
        pool = PoolEntry.objects.filter(anchor_unit=unit, removed_at__isnull=True)
        ours = pool.filter(product__organisation=provider).count()
        assert provider.pk in set(members.values_list("organisation_id", flat=True)) and ours == 2
        n_members, n_pool = members.count(), pool.count()
        figures = console_figures()
        units = {entry["code"]: entry for entry in figures["ecosystem_units"]}
        assert units[unit.code] == {"code": unit.code, "name": unit.name, "members": n_members, "products": n_pool}
        assert list(units) == list(
            AnchorUnit.objects.filter(is_active=True).order_by("code").values_list("code", flat=True)
        )

        # Leaving takes the provider and its products out of this unit's alliance and pool; the roll-up follows.
        alliances.member_leave(
            membership=anchor, member_pk=members.get(organisation=provider).pk, reason="合作协议到期"
        )
        stored = figures_rollup()
    stored.refresh_from_db()
    entry = next(entry for entry in stored.ecosystem_units if entry["code"] == unit.code)
    assert (entry["members"], entry["products"]) == (n_members - 1, n_pool - ours)
    with tenant_schema("harbin"):
        assert figures_rollup().ecosystem_units == []  # module off, no units: nothing, and no error


def test_the_console_shows_each_citys_units_in_one_cell(
    login_client, national_staff, tenant_schema, django_assert_max_num_queries
):
    client = login_client(None, national_staff.username)
    TenantFigures.objects.all().delete()
    with django_assert_max_num_queries(20) as unrolled:
        client.get("/")
    with tenant_schema("jiangmen"):
        unit = AnchorUnit.objects.get(organisation__memberships__user__username="jm_anchor")
        n_members = AllianceMember.objects.filter(anchor_unit=unit, left_at__isnull=True).count()
        n_pool = PoolEntry.objects.filter(anchor_unit=unit, removed_at__isnull=True).count()
        assert n_members >= 1 and n_pool >= 2  # the demo's, at least
        figures_rollup()
    with tenant_schema("harbin"):
        figures_rollup()

    with django_assert_max_num_queries(len(unrolled.captured_queries)):  # the figures come in the tenants' join
        html = client.get("/").content.decode()
    jiangmen = _units_cell(html, "jiangmen")
    shown = re.search(rf'<div data-unit="{unit.code}">([^<]*)</div>', jiangmen).group(1)
    assert shown == f"{unit.name} · 成员 {n_members} · 产品 {n_pool}"
    assert _units_cell(html, "harbin").strip() == ""
    assert "牵引单位（成员 · 产品）" in html
