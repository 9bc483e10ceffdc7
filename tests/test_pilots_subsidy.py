"""Subsidy policies (issue #14): the calculator on a table of cases (caps, hardware limit, tiers by level and size,
period and proof, the enterprise cap with earlier grants, rounding to the fen), tranche plans adding up exactly,
policy validation (model, admin form, preset), versions and which one is current."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from tenant_apps.configuration.models import SubsidyPolicy
from tenant_apps.pilots.subsidy import ProjectInput, compute, current_policy, tier_terms, tranche_plan
from tenants.errors import DomainError


def policy(**over):
    """Harbin's preset, as numbers (base 30 %, ≥ 三级 50 %, ≥ 四级 cap 1.5M; hardware ≤ 50 %; caps 1M / 2M)."""
    values = {
        "ratio": D("0.3000"),
        "cap_per_project": D("1000000.00"),
        "cap_per_enterprise": D("2000000.00"),
        "hardware_share_limit": D("0.5000"),
        "tiers": [
            {"when": {"digital_level_after": 3}, "ratio": "0.5000"},
            {"when": {"digital_level_after": 4}, "cap_per_project": "1500000.00"},
        ],
        "tranches": [],
    }
    values.update(over)
    return SimpleNamespace(**values)


NO_CAPS = {"cap_per_project": None, "cap_per_enterprise": None, "hardware_share_limit": None, "tiers": []}
SIZE_TIERS = {"tiers": [{"when": {"enterprise_size": "small"}, "ratio": "0.4000", "cap_per_project": "200000.00"}]}


def p(key, amount, hardware="0", level=2, **over):
    return ProjectInput(key, f"项目{key}", D(amount), D(hardware), level, **over)


# (case, policy overrides, projects, compute kwargs, expected subsidies, expected fragments of the breakdowns)
CASES = [
    ("no caps, base ratio", NO_CAPS, [p(1, "100000.00")], {}, ["30000.00"], ["计补基数 100,000.00 元，比例 30%"]),
    (
        "hardware over the limit counts up to 50 %",
        {"tiers": []},
        [p(1, "800000.00", "500000.00")],
        {},
        ["210000.00"],
        ["其中硬件 500,000.00 元按上限 50% 计入 400,000.00 元，计补基数 700,000.00 元"],
    ),
    (
        "the issue's example at level 3",
        {},
        [p(1, "800000.00", "500000.00", level=3)],
        {},
        ["350000.00"],
        [
            "认定投资 800,000.00 元，其中硬件 500,000.00 元按上限 50% 计入 400,000.00 元，计补基数 700,000.00 元，"
            "比例 50%（数字化水平达到三级及以上），封顶 1,000,000.00 元 → 补贴 350,000.00 元"
        ],
    ),
    (
        "hardware within the limit counts in full",
        {},
        [p(1, "800000.00", "400000.00")],
        {},
        ["240000.00"],
        ["其中硬件 400,000.00 元全额计入，计补基数 800,000.00 元"],
    ),
    (
        "per-project cap",
        {},
        [p(1, "5000000.00", level=3)],
        {},
        ["1000000.00"],
        ["封顶 1,000,000.00 元 → 补贴 1,000,000.00 元"],
    ),
    ("level 2 stays at the base ratio", {}, [p(1, "100000.00", level=2)], {}, ["30000.00"], ["比例 30%，封顶"]),
    (
        "level 3 reaches the tier",
        {},
        [p(1, "100000.00", level=3)],
        {},
        ["50000.00"],
        ["比例 50%（数字化水平达到三级及以上）"],
    ),
    (
        "level 4: the ratio of ≥3 and the cap of ≥4",
        {},
        [p(1, "5000000.00", level=4)],
        {},
        ["1500000.00"],
        ["比例 50%（数字化水平达到三级及以上），封顶 1,500,000.00 元（数字化水平达到四级及以上）"],
    ),
    ("no level recorded: base terms", {}, [p(1, "100000.00", level=None)], {}, ["30000.00"], ["比例 30%"]),
    (
        "enterprise cap across projects, later ones reduced",
        {},
        [p(1, "5000000.00", level=4), p(2, "3000000.00", level=4), p(3, "100000.00", level=3)],
        {},
        ["1500000.00", "500000.00", "0.00"],
        [
            "→ 补贴 1,500,000.00 元",
            "→ 补贴 1,500,000.00 元；企业累计上限 2,000,000.00 元，本项目核减 1,000,000.00 元，实际补贴 500,000.00 元",
            "本项目核减 50,000.00 元，实际补贴 0.00 元",
        ],
    ),
    (
        "enterprise cap counting earlier acceptances",
        {},
        [p(1, "1000000.00", level=3)],
        {"already_granted": D("1800000.00")},
        ["200000.00"],
        ["（此前已获 1,800,000.00 元），本项目核减 300,000.00 元，实际补贴 200,000.00 元"],
    ),
    (
        "enterprise cap already used up",
        {},
        [p(1, "100000.00", level=3)],
        {"already_granted": D("2000000.00")},
        ["0.00"],
        ["本项目核减 50,000.00 元"],
    ),
    (
        "size tier without a size never applies",
        SIZE_TIERS,
        [p(1, "1000000.00")],
        {},
        ["300000.00"],
        ["比例 30%，封顶 1,000,000.00 元 →"],
    ),
    (
        "size tier with the size: its ratio and cap",
        SIZE_TIERS,
        [p(1, "1000000.00")],
        {"enterprise_size": "small"},
        ["200000.00"],
        ["比例 40%（小型企业），封顶 200,000.00 元（小型企业）"],
    ),
    ("another size does not match", SIZE_TIERS, [p(1, "100000.00")], {"enterprise_size": "medium"}, ["30000.00"], []),
    (
        "out of the pilot period",
        {},
        [p(1, "800000.00", level=3, in_period=False), p(2, "100000.00", level=3)],
        {},
        ["0.00", "50000.00"],
        ["认定投资 800,000.00 元，项目不在试点期内，不予补贴 → 补贴 0.00 元"],
    ),
    (
        "not proven by contract, invoice and bank slip",
        {},
        [p(1, "800000.00", level=3, proven=False)],
        {},
        ["0.00"],
        ["未提供合同、发票、银行回单完整证明，不予补贴"],
    ),
    ("rounding down to the fen", NO_CAPS, [p(1, "33333.33")], {}, ["9999.99"], ["→ 补贴 9,999.99 元"]),
    (
        "rounding of the hardware limit",
        {"tiers": [], "hardware_share_limit": D("0.3333")},
        [p(1, "100.01", "100.01")],
        {},
        ["9.99"],
        ["按上限 33.33% 计入 33.33 元，计补基数 33.33 元"],
    ),
    ("a zero amount", {}, [p(1, "0.00", level=3)], {}, ["0.00"], ["→ 补贴 0.00 元"]),
]


@pytest.mark.parametrize(
    ("case", "over", "projects", "kwargs", "subsidies", "fragments"), CASES, ids=[c[0] for c in CASES]
)
def test_the_calculator(case, over, projects, kwargs, subsidies, fragments):
    result = compute(policy(**over), projects, **kwargs)
    assert [str(row.subsidy) for row in result.projects] == subsidies
    assert result.total == sum(D(s) for s in subsidies)
    for row, fragment in zip(result.projects, fragments, strict=False):
        assert fragment in row.breakdown, row.breakdown


def test_the_tier_with_the_highest_threshold_wins_whatever_the_order():
    shuffled = policy(
        tiers=[
            {"when": {"digital_level_after": 4}, "ratio": "0.6000"},
            {"when": {"digital_level_after": 2}, "ratio": "0.4000"},
            {"when": {"digital_level_after": 3}, "ratio": "0.5000"},
        ]
    )
    ratios = [tier_terms(shuffled, level=level)[0] for level in (1, 2, 3, 4)]
    assert ratios == [D("0.3000"), D("0.4000"), D("0.5000"), D("0.6000")]


@pytest.mark.parametrize(
    ("tranches", "total", "expected"),
    [
        (
            [{"after": "signing", "share": "0.30"}, {"after": "acceptance", "share": "0.70"}],
            "1000000.01",
            [("签约后拨付 30%", "300000.00"), ("验收后拨付 70%", "700000.01")],
        ),
        (
            [{"after": "signing", "share": "0.3333"}, {"after": "acceptance", "share": "0.6667"}],
            "100.00",
            [("签约后拨付 33.33%", "33.33"), ("验收后拨付 66.67%", "66.67")],
        ),
        (
            [
                {"after": "signing", "share": "0.3333"},
                {"after": "acceptance", "share": "0.3333"},
                {"after": "publicity", "share": "0.3334"},
            ],
            "0.10",
            [("签约后拨付 33.33%", "0.03"), ("验收后拨付 33.33%", "0.03"), ("公示后拨付 33.34%", "0.04")],
        ),
        ([], "350000.00", [("一次性拨付", "350000.00")]),
    ],
)
def test_tranche_plans_add_up_exactly(tranches, total, expected):
    plan = tranche_plan(SimpleNamespace(tranches=tranches), D(total))
    assert [(label, str(amount)) for label, amount in plan] == expected
    assert sum(amount for _label, amount in plan) == D(total)


def test_no_policy_pays_in_one_go():
    assert tranche_plan(None, D("12.34")) == [("一次性拨付", D("12.34"))]


# --- Validation --------------------------------------------------------------------------------------------------
def _row(**over) -> SubsidyPolicy:
    values = {"code": "p", "name": "政策", "ratio": D("0.3000")}
    values.update(over)
    return SubsidyPolicy(**values)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tiers", {"when": {}}, "分档规则应为列表"),
        (
            "tiers",
            [{"when": {"digital_level_after": 5}, "ratio": "0.5"}],
            "第 1 档：digital_level_after 应为 1–4 的整数",
        ),
        ("tiers", [{"when": {"digital_level_after": "3"}, "ratio": "0.5"}], "digital_level_after 应为 1–4 的整数"),
        ("tiers", [{"when": {"revenue": 3}, "ratio": "0.5"}], "第 1 档：未知的条件 revenue"),
        ("tiers", [{"when": {"enterprise_size": "tiny"}, "ratio": "0.5"}], "enterprise_size 应为 micro、small"),
        ("tiers", [{"when": {"digital_level_after": 3}}], "至少设置比例 ratio 或单个项目上限 cap_per_project"),
        ("tiers", [{"when": {"digital_level_after": 3}, "ratio": "1.2"}], "比例 ratio 应在 0 到 1 之间"),
        ("tiers", [{"when": {"digital_level_after": 3}, "ratio": "abc"}], "比例 ratio 应在 0 到 1 之间"),
        ("tiers", [{"when": {"digital_level_after": 3}, "cap_per_project": "-1"}], "cap_per_project 应为不小于 0"),
        ("tiers", [{"when": {"digital_level_after": 3}, "ratio": "0.5", "note": "x"}], "第 1 档：未知的键 note"),
        ("tiers", [{"ratio": "0.5"}], "缺少适用条件 when"),
        (
            "tranches",
            [{"after": "signing", "share": "0.30"}, {"after": "acceptance", "share": "0.60"}],
            "各期比例之和应为 1",
        ),
        (
            "tranches",
            [{"after": "signing", "share": "0"}, {"after": "acceptance", "share": "1"}],
            "第 1 期：比例 share 应大于 0",
        ),
        (
            "tranches",
            [{"after": "someday", "share": "1"}],
            "第 1 期：拨付时点 after 应为 signing、acceptance、publicity",
        ),
        ("tranches", [{"after": "signing", "share": "1.5"}], "比例 share 应大于 0 且不超过 1"),
    ],
)
def test_policy_json_is_checked_with_a_message_on_its_field(field, value, message):
    with pytest.raises(ValidationError) as raised:
        _row(**{field: value}).clean()
    errors = raised.value.message_dict
    assert list(errors) == [field]
    assert any(message in line for line in errors[field]), errors


def test_valid_json_passes():
    _row(
        tiers=[
            {"when": {"digital_level_after": 3, "enterprise_size": "small"}, "ratio": "0.5", "cap_per_project": 200000},
            {"when": {"enterprise_size": "micro"}, "cap_per_project": "100000.00"},
        ],
        tranches=[{"after": "signing", "share": "0.3"}, {"after": "acceptance", "share": "0.7"}],
    ).clean()
    _row().clean()


@pytest.mark.parametrize(
    ("field", "value"),
    [("hardware_share_limit", D("1.5")), ("cap_per_project", D("-1")), ("cap_per_enterprise", D("-1")), ("version", 0)],
)
def test_caps_limits_and_version_are_checked_on_their_fields(field, value):
    with pytest.raises(ValidationError) as raised:
        _row(**{field: value}).full_clean(validate_unique=False, validate_constraints=False)
    assert field in raised.value.message_dict


def test_the_preset_schema_checks_tiers_and_tranches(tmp_path):
    from tenants import preset_schema
    from tenants.presets import PRESET_DIR, load_preset

    for old, new, expected in [
        (
            '{ when = { digital_level_after = 3 }, ratio = "0.5000" }',
            '{ when = { level = 3 }, ratio = "0.5000" }',
            "when.level",
        ),
        (
            '{ when = { digital_level_after = 3 }, ratio = "0.5000" }',
            "{ when = { digital_level_after = 3 } }",
            "分档至少设置",
        ),
        (
            '{ when = { digital_level_after = 3 }, ratio = "0.5000" }',
            '{ when = { digital_level_after = 5 }, ratio = "0.5" }',
            "digital_level_after",
        ),
    ]:
        directory = tmp_path / str(abs(hash(new)))
        directory.mkdir()
        for source in PRESET_DIR.iterdir():
            if source.suffix == ".toml":
                (directory / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        text = (directory / "harbin.toml").read_text(encoding="utf-8")
        assert old in text
        (directory / "harbin.toml").write_text(text.replace(old, new), encoding="utf-8")
        with pytest.raises(DomainError) as raised:
            load_preset("harbin", directory)
        assert "subsidy_policies[0].tiers[0]" in raised.value.message and expected in raised.value.message
    from tenant_apps.configuration.models import ENTERPRISE_SIZES, TRANCHE_AFTER

    assert preset_schema.ENTERPRISE_SIZES == tuple(ENTERPRISE_SIZES)
    assert preset_schema.TRANCHE_AFTER == tuple(TRANCHE_AFTER)


# --- Versions -------------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_versions_and_the_current_policy(tenant_schema):
    from django.db import IntegrityError, transaction

    with tenant_schema("harbin"):
        first = SubsidyPolicy.objects.get(code="harbin-project-subsidy", version=1)
        assert current_policy() == first == current_policy("harbin-project-subsidy")
        second = SubsidyPolicy.objects.create(code=first.code, version=2, name=first.name, ratio=D("0.4000"))
        assert current_policy() == second
        later = datetime.date.today() + datetime.timedelta(days=10)
        SubsidyPolicy.objects.create(code=first.code, version=3, name=first.name, ratio=D("0.6"), effective_from=later)
        SubsidyPolicy.objects.create(code=first.code, version=4, name=first.name, ratio=D("0.6"), is_active=False)
        assert current_policy() == second  # v3 not yet in effect, v4 switched off
        with pytest.raises(IntegrityError), transaction.atomic():
            SubsidyPolicy.objects.create(code=first.code, version=2, name="重复", ratio=D("0.1"))
        other = SubsidyPolicy.objects.create(code="harbin-other", name="另一项政策", ratio=D("0.2"))
        assert current_policy() is None  # two codes and none named
        assert current_policy("harbin-other") == other
    with tenant_schema("jiangmen"):
        assert current_policy().code == "jiangmen-special-fund"


@pytest.mark.django_db
def test_the_city_admin_sees_the_json_mistake_on_the_field(login_client, tenant_schema):
    admin = login_client("harbin", "hrb_admin")
    with tenant_schema("harbin"):
        pk = SubsidyPolicy.objects.get(code="harbin-project-subsidy").pk
    url = f"/django-admin/configuration/subsidypolicy/{pk}/change/"
    page = admin.get(url)
    assert page.status_code == 200
    form = {
        "code": "harbin-project-subsidy",
        "version": "1",
        "name": "数字化改造项目补贴",
        "ratio": "0.3000",
        "cap_per_project": "1000000.00",
        "cap_per_enterprise": "2000000.00",
        "hardware_share_limit": "0.5000",
        "tiers": '[{"when": {"digital_level_after": 3}, "ratio": "1.5"}]',
        "tranches": '[{"after": "signing", "share": "0.3"}]',
        "description": "",
        "is_active": "on",
    }
    response = admin.post(url, form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 1 档：比例 ratio 应在 0 到 1 之间。" in html
    assert "各期比例之和应为 1（现为 0.3）。" in html
    with tenant_schema("harbin"):
        assert SubsidyPolicy.objects.get(pk=pk).tiers[0]["ratio"] == "0.5000"
    form["tiers"] = '[{"when": {"digital_level_after": 3}, "ratio": "0.45"}]'
    form["tranches"] = "[]"
    assert admin.post(url, form).status_code == 302
    with tenant_schema("harbin"):
        assert SubsidyPolicy.objects.get(pk=pk).tiers[0]["ratio"] == "0.45"
