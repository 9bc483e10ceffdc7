"""The national demo of cultivation (issue #16): every reviewer level finds work, the enterprise has two assessments
and a declaration at its county, the recognised enterprise is near expiry with its messages, an open 创新型 window
and a closed 专精特新 one in 浙江省; the roll-up counts them for the console."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shared_apps.oversight.services import figures_rollup
from tenant_apps.configuration.models import DeclarationWindow
from tenant_apps.cultivation import common, declarations
from tenant_apps.cultivation.models import Assessment, Declaration, Message, Recognition
from tenant_apps.organisations.models import Membership
from tenant_apps.workflow import policies

pytestmark = pytest.mark.django_db


def _member(username: str) -> Membership:
    return Membership.objects.select_related("organisation", "region").get(user__username=username)


def _inbox_kinds(username: str) -> list[str]:
    tasks = policies.tasks_awaiting(_member(username)).filter(application__kind__startswith="cultivation_")
    return sorted(tasks.values_list("application__kind", flat=True))


def test_every_level_has_work_and_each_enterprise_its_story(tenant_schema):
    with tenant_schema("national"):
        assert {m.user.username: m.region.code for m in Membership.objects.filter(region__isnull=False)} == {
            "nat_county": "330212",
            "nat_city": "330200",
            "nat_province": "330000",
        }
        assert _inbox_kinds("nat_county") == ["cultivation_declaration"]
        assert _inbox_kinds("nat_city") == ["cultivation_change"]
        assert _inbox_kinds("nat_province") == ["cultivation_rereview"]

        enterprise = _member("nat_enterprise").organisation
        levels = list(Assessment.objects.filter(organisation=enterprise).values_list("level", flat=True))
        assert len(levels) == 2 and levels[0] > levels[1]  # newest first: the later, better result counts
        assert declarations.latest_assessment(enterprise).level == levels[0]
        declaration = Declaration.objects.get(organisation=enterprise)
        assert declaration.application.state == "in_review" and declaration.tier.code == "innovative"

        sme = _member("nat_sme").organisation
        recognition = Recognition.objects.get(organisation=sme)
        assert recognition.status == "active"
        assert (recognition.valid_to - timezone.localdate()).days == 25
        categories = set(Message.objects.filter(organisation=sme).values_list("category", flat=True))
        assert {"recognition", "expiring"} <= categories
        assert Message.objects.filter(organisation=enterprise, category="declaration").exists()  # the open window

        windows = DeclarationWindow.objects.filter(module="cultivation", region__code="330000")
        assert [w.kind for w in windows if common.window_is_open(w)] == ["innovative"]
        assert any(w.kind == "specialised" and not common.window_is_open(w) for w in windows)

        figures = figures_rollup()
    assert figures.cultivation_declared == 2 and figures.cultivation_recognised == 1
    tiers = {t["code"]: t for t in figures.cultivation_breakdown["tiers"]}
    assert (tiers["innovative"]["declared"], tiers["innovative"]["recognised"]) == (2, 1)
    assert figures.cultivation_breakdown["regions"] == [{"code": "330000", "name": "浙江省", "recognised": 1}]
    assert sum(figures.cultivation_breakdown["levels"].values()) == 1  # one enterprise assessed


def test_the_demo_restart_changes_nothing(tenant_schema):
    from tenant_apps.cultivation.demo import cultivation_demo_seed
    from tenants.presets import load_preset

    with tenant_schema("national"):
        before = (Declaration.objects.count(), Recognition.objects.count(), Message.objects.count())
        cultivation_demo_seed(load_preset("national").data["cultivation_demo"])
        assert (Declaration.objects.count(), Recognition.objects.count(), Message.objects.count()) == before
