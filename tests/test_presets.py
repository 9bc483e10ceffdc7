"""Presets are checked against a schema at load: a typo, an unknown value or a wrong type names file, key and what
is allowed; the defaults consumers relied on come from the schema."""

import shutil
import tomllib

import pytest
from django.core.management import CommandError, call_command

from tenants import preset_schema
from tenants.errors import DomainError
from tenants.presets import PRESET_DIR, _shown, load_preset, tenant_preset_codes

ROLES = (
    "enterprise, provider, anchor_unit, ops, expert, city_bureau, province, finance, editor, content_approver, "
    "tenant_admin"
)
HANDLERS = "role, anchor_unit, experts, applicant_upload"
STAGE_KEYS = "name, handler, role, actions, due_days, checks"


def test_every_shipped_preset_loads():
    files = sorted(PRESET_DIR.glob("*.toml"))
    assert {path.stem for path in files} >= {"national", "harbin", "jiangmen", "cultivation"}
    for path in files:  # module sets too, on their own
        data = tomllib.loads(path.read_text("utf-8"))
        preset_schema.KINDS[data["kind"]].model_validate(data)
    assert tenant_preset_codes() == ["harbin", "jiangmen", "national"]
    national = load_preset("national")
    assert "cultivation" in national.modules and "cultivation_declaration" in national.data["flows"]
    assert len(national.data["windows"]) == 2


def test_defaults_come_from_the_schema(tmp_path):
    (tmp_path / "mini.toml").write_text(
        'code = "mini"\nkind = "tenant"\nname = "迷你试点"\n'
        '[flows.certification]\nname = "认证"\nstages = [{ name = "审核", role = "ops" }]\n',
        "utf-8",
    )
    preset = load_preset("mini", tmp_path)
    assert (preset.short_name, preset.schema_name, preset.subdomain) == ("迷你试点", "mini", "mini")
    assert preset.data["password_policy"] == {"min_length": 8, "max_length": 18, "min_classes": 3, "history": 5}
    assert preset.data["branding"] == {"primary_color": "#1d4ed8", "tagline": ""}
    assert preset.data["registration"]["roles"] == [] and preset.data["registration"]["company_step"] is False
    assert preset.data["flows"]["certification"]["stages"] == [
        {"name": "审核", "handler": "role", "role": "ops", "actions": ["approve"], "checks": []}
    ]
    assert preset.data["portal"] == {"banner_text": "", "nationwide_notices": False, "articles": []}


def _broken(tmp_path, file: str, old: str, new: str):
    directory = tmp_path / "presets"
    shutil.copytree(PRESET_DIR, directory)
    path = directory / f"{file}.toml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    return directory


@pytest.mark.parametrize(
    ("code", "file", "old", "new", "expected"),
    [
        # A misspelt key: named with its path and the keys that table allows.
        (
            "harbin",
            "harbin",
            '{ name = "市工信局审核", handler = "role"',
            '{ name = "市工信局审核", handlr = "role"',
            f"harbin.toml: flows.certification.stages[0].handlr: 未知的键；允许：{STAGE_KEYS}",
        ),
        (
            "harbin",
            "harbin",
            "[password_policy]\nmin_length = 8",
            "[password_policy]\nmin_lenght = 8",
            "harbin.toml: password_policy.min_lenght: 未知的键；允许：min_length, max_length, min_classes, history",
        ),
        # A wrong value of a vocabulary: the allowed values are listed.
        (
            "harbin",
            "harbin",
            'roles = ["finance"]',
            'roles = ["financ"]',
            f"harbin.toml: demo_accounts[3].roles[0]: 取值 'financ' 无效；允许：{ROLES}",
        ),
        (
            "jiangmen",
            "jiangmen",
            '{ name = "牵引单位确认", handler = "anchor_unit"',
            '{ name = "牵引单位确认", handler = "anchor"',
            f"jiangmen.toml: flows.provider_declaration.stages[0].handler: 取值 'anchor' 无效；允许：{HANDLERS}",
        ),
        (
            "national",
            "national",
            '"vouchers", "experts"',
            '"voucher", "experts"',
            "national.toml: modules[3]: 取值 'voucher' 无效；允许：survey, certification, marketplace, vouchers,",
        ),
        # A module set is checked as the tenant that includes it loads, under its own file name.
        (
            "national",
            "cultivation",
            'level = "province"',
            'level = "provence"',
            "cultivation.toml: flows.cultivation_declaration.stages[2].level: 取值 'provence' 无效；允许：province, city",
        ),
        # A wrong type.
        (
            "harbin",
            "harbin",
            "due_days = 15",
            'due_days = "15"',
            "harbin.toml: flows.acceptance.stages[0].due_days: 应为整数，实际是 str '15'",
        ),
        (
            "jiangmen",
            "jiangmen",
            'code = "hardware-sanitary"\nname = "五金卫浴"\npilot = true',
            'code = "hardware-sanitary"\nname = "五金卫浴"\npilot = "yes"',
            "jiangmen.toml: industries[0].pilot: 应为布尔值（true 或 false），实际是 str 'yes'",
        ),
        # Rules across values.
        (
            "harbin",
            "harbin",
            '{ name = "资金拨付", handler = "role", role = "finance"',
            '{ name = "资金拨付", handler = "role"',
            f'harbin.toml: flows.acceptance.stages[5]: handler = "role" 的环节须写明 role；允许：{ROLES}',
        ),
        (
            "harbin",
            "harbin",
            'uscc = "91230100MA00002014"',
            'uscc = "91230100MA00002015"',
            "harbin.toml: demo_accounts[0].organisation.uscc: 统一社会信用代码校验位不正确，请核对。",
        ),
        (
            "harbin",
            "harbin",
            'decisions = [{ by = "hrb_bureau", action = "approve", opinion = "符合入库条件',
            'decisions = [{ by = "hrb_bureaux", action = "approve", opinion = "符合入库条件',
            "harbin.toml: (整个文件): 演示申请 hrb_enterprise 的 decisions 引用了未声明的演示账号 hrb_bureaux",
        ),
        (
            "national",
            "national",
            'module_sets = ["cultivation"]',
            'module_sets = ["cultivaton"]',
            "national.toml: module_sets[0]: 没有名为 cultivaton 的模块组合；可用：cultivation",
        ),
    ],
)
def test_a_broken_preset_is_refused_naming_file_key_and_allowed_values(tmp_path, code, file, old, new, expected):
    directory = _broken(tmp_path, file, old, new)
    with pytest.raises(DomainError) as raised:
        load_preset(code, directory)
    assert raised.value.code == "preset.invalid"
    assert f"{directory}/{expected}" in raised.value.message, raised.value.message


def test_every_problem_of_a_file_is_listed_one_per_line(tmp_path):
    directory = _broken(tmp_path, "harbin", "due_days = 15", 'due_days = "15", reviewer = "x"')
    with pytest.raises(DomainError) as raised:
        load_preset("harbin", directory)
    lines = raised.value.message.splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "flows.acceptance.stages[0].due_days",
        "flows.acceptance.stages[0].reviewer",
    ]


def test_unknown_presets_and_module_sets_are_not_tenants():
    with pytest.raises(DomainError, match="没有名为 nowhere 的预设") as raised:
        load_preset("nowhere")
    assert raised.value.code == "preset.unknown"
    with pytest.raises(DomainError, match="是模块组合") as raised:
        load_preset("cultivation")
    assert raised.value.code == "preset.unknown"
    with pytest.raises(CommandError, match="没有名为 nowhere 的预设"):
        call_command("provision_tenant", "nowhere")


def test_files_are_named_as_people_know_them():
    assert _shown(PRESET_DIR / "harbin.toml") == "tenants/presets/harbin.toml"


def test_schema_vocabularies_equal_the_apps_choices():
    """`tenants` may not import the apps above it, so the schema keeps their vocabularies; they must not drift."""
    from wagtail.contrib.forms.models import FORM_FIELD_CHOICES

    from cms.models import Column, SurveyField
    from tenant_apps.configuration.models import TenantSettings
    from tenant_apps.onboarding.models import ROLE_CHOICES, ProfileField
    from tenant_apps.organisations.models import Organisation
    from tenant_apps.organisations.roles import Role
    from tenant_apps.workflow.models import Stage
    from tenant_apps.workflow.registry import check_choices

    registration_roles = TenantSettings._meta.get_field("registration_roles").base_field.choices
    assert preset_schema.ROLES == tuple(Role.values)
    assert preset_schema.REGISTRATION_ROLES == tuple(code for code, _ in registration_roles)
    assert preset_schema.REGISTRATION_ROLES == tuple(code for code, _ in ROLE_CHOICES)
    assert preset_schema.ORGANISATION_KINDS == tuple(Organisation.Kind.values)
    assert preset_schema.STAGE_HANDLERS == tuple(Stage.Handler.values)
    assert preset_schema.STAGE_ACTIONS == tuple(Stage.Action.values)
    assert set(preset_schema.STAGE_CHECKS) == {code for code, _ in check_choices()}
    assert preset_schema.PROFILE_FIELD_KINDS == tuple(ProfileField.Kind.values)
    assert preset_schema.PORTAL_COLUMNS == tuple(Column.values)
    assert preset_schema.SURVEY_BINDS == tuple(SurveyField.Binds.values)
    assert preset_schema.SURVEY_FIELD_TYPES == tuple(code for code, _ in FORM_FIELD_CHOICES)
