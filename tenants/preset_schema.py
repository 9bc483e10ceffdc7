"""The shape of a preset TOML, checked when it is loaded: a misspelt key, an unknown role or a wrong type is an
error naming the file, the key and what is allowed, instead of a value the consumers' `.get()` silently ignore.

Every table forbids keys it does not declare, and the defaults the consumers relied on live here, so the dict a
`Preset` carries always has them. `tenants` is the base layer and imports none of the apps whose vocabularies a
preset uses (roles, stage handlers, profile field kinds, portal columns …); they are listed below and
`tests/test_presets.py` asserts each list equals the app's choices, so the two cannot drift apart silently.
"""

from __future__ import annotations

import datetime
import re
import types
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal, Union, get_args, get_origin

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from tenants.modules import MODULES
from tenants.validators import MOBILE_FORMAT, uscc_normalise, uscc_validator

# --- Vocabularies of the apps above `tenants` (kept equal to their choices by tests/test_presets.py) -------------
ROLES = (
    "enterprise",
    "provider",
    "anchor_unit",
    "ops",
    "expert",
    "city_bureau",
    "province",
    "finance",
    "editor",
    "content_approver",
    "tenant_admin",
)  # tenant_apps.organisations.roles.Role
REGISTRATION_ROLES = ("enterprise", "provider")  # TenantSettings.registration_roles, ProfileFieldGroup.role
ORGANISATION_KINDS = ("enterprise", "provider", "anchor_unit", "authority", "operator")  # Organisation.Kind
STAGE_HANDLERS = ("role", "anchor_unit", "experts", "applicant_upload", "region")  # workflow Stage.Handler
REGION_LEVELS = ("province", "city", "county")  # configuration Region.Level
STAGE_ACTIONS = ("approve", "return", "reject")  # workflow Stage.Action
STAGE_CHECKS = (
    "needs_survey",
    "onsite_concluded",
    "publicity_done",
    "recognition_recorded",
)  # workflow registry: register_check(...)
ENTERPRISE_SIZES = ("micro", "small", "medium", "large")  # configuration.models.ENTERPRISE_SIZES
TRANCHE_AFTER = ("signing", "acceptance", "publicity")  # configuration.models.TRANCHE_AFTER
PROFILE_FIELD_KINDS = (
    "text",
    "textarea",
    "integer",
    "decimal",
    "date",
    "boolean",
    "choice",
    "multichoice",
    "email",
    "phone",
)  # onboarding ProfileField.Kind
PORTAL_COLUMNS = ("notices", "policy_news", "news", "sme", "interpretations")  # cms Column
SURVEY_FIELD_TYPES = (
    "singleline",
    "multiline",
    "email",
    "number",
    "url",
    "checkbox",
    "checkboxes",
    "dropdown",
    "multiselect",
    "radio",
    "date",
    "datetime",
    "hidden",
)  # wagtail.contrib.forms FORM_FIELD_CHOICES
SURVEY_BINDS = ("", "company_name", "uscc")  # cms SurveyField.Binds
CHOICE_FIELD_KINDS = ("choice", "multichoice")


# --- Value types --------------------------------------------------------------------------------------------------
def one_of(values: tuple[str, ...]):
    """A string from a fixed vocabulary; the error lists the allowed values."""

    def check(value: str) -> str:
        if value not in values:
            allowed = ", ".join(repr(v) if v == "" else v for v in values)
            raise PydanticCustomError(
                "not_allowed", "取值 '{value}' 无效；允许：{allowed}", {"value": value, "allowed": allowed}
            )
        return value

    return AfterValidator(check)


def _decimal(low: Decimal | None = None, high: Decimal | None = None):
    """A decimal written as a string (TOML has no decimals, floats would round), within [low, high]."""

    def check(value: str) -> str:
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise PydanticCustomError("decimal_text", '应为写成字符串的数字，例如 "0.5000"') from None
        if not number.is_finite() or (low is not None and number < low) or (high is not None and number > high):
            bounds = f"{low} – {high}" if high is not None else f"≥ {low}"
            raise PydanticCustomError("decimal_range", "数值应在 {bounds} 之间", {"bounds": bounds})
        return value

    return AfterValidator(check)


def _uscc(value: str) -> str:
    try:
        uscc_validator(value)
    except DjangoValidationError as error:
        with translation.override(None):  # preset errors are for the people editing the TOML: untranslated
            message = str(error.messages[0])
        raise PydanticCustomError("uscc", "{message}", {"message": message}) from None
    return uscc_normalise(value)


def _mobile(value: str) -> str:
    if not MOBILE_FORMAT.fullmatch(value):
        raise PydanticCustomError("mobile", "应为以 1 开头的 11 位手机号码（第二位为 3–9）")
    return value


Text = Annotated[str, Field(min_length=1)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)]
Role = Annotated[str, one_of(ROLES)]
RegistrationRole = Annotated[str, one_of(REGISTRATION_ROLES)]
ModuleCode = Annotated[str, one_of(tuple(MODULES))]
Ratio = Annotated[str, _decimal(Decimal(0), Decimal(1))]
Money = Annotated[str, _decimal(Decimal(0))]
USCC = Annotated[str, AfterValidator(_uscc)]
Mobile = Annotated[str, AfterValidator(_mobile)]


class Table(BaseModel):
    """A TOML table: only declared keys, no coercion (a quoted number is a string, not an int)."""

    model_config = ConfigDict(extra="forbid", strict=True)


# --- Tables -------------------------------------------------------------------------------------------------------
class Stage(Table):
    name: Text
    handler: Annotated[str, one_of(STAGE_HANDLERS)] = "role"
    role: Annotated[str, one_of(("", *ROLES))] = ""
    actions: Annotated[list[Annotated[str, one_of(STAGE_ACTIONS)]], Field(min_length=1)] = ["approve"]
    due_days: Annotated[int, Field(ge=1)] | None = None
    checks: list[Annotated[str, one_of(STAGE_CHECKS)]] = []
    level: Annotated[str, one_of(REGION_LEVELS)] | None = None  # handler "region": which level decides

    @model_validator(mode="after")
    def _role_matches_handler(self):
        if (self.handler == "region") != bool(self.level):
            raise PydanticCustomError(
                "level_required",
                'handler = "region" 的环节须写明 level（且只有它可写）；允许：{allowed}',
                {"allowed": ", ".join(REGION_LEVELS)},
            )
        if self.handler == "role" and not self.role:
            raise PydanticCustomError(
                "role_required", 'handler = "role" 的环节须写明 role；允许：{allowed}', {"allowed": ", ".join(ROLES)}
            )
        if self.handler != "role" and self.role:
            raise PydanticCustomError(
                "role_unused",
                'role 只用于 handler = "role" 的环节（此处 handler = "{handler}"）',
                {"handler": self.handler},
            )
        return self


class FlowSpec(Table):
    name: Text
    stages: Annotated[list[Stage], Field(min_length=1)]


class Window(Table):
    module: ModuleCode
    name: Text
    opens_on: datetime.date
    closes_on: datetime.date
    kind: Annotated[str, Field(pattern=r"^[a-z0-9_-]{0,40}$")] = ""  # a cultivation tier code or info_update
    region: Annotated[str, Field(pattern=r"^(\d{6})?$")] = ""  # a [[regions]] code; empty = the whole tenant

    @model_validator(mode="after")
    def _ordered(self):
        if self.closes_on < self.opens_on:
            raise PydanticCustomError("window_order", "closes_on 早于 opens_on")
        return self


def _flow_kinds(flows: dict[str, FlowSpec]) -> dict[str, FlowSpec]:
    bad = [kind for kind in flows if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", kind)]
    if bad:
        raise PydanticCustomError("flow_kind", "流程代码 {kinds} 须为小写字母、数字和下划线", {"kinds": ", ".join(bad)})
    return flows


Flows = Annotated[dict[str, FlowSpec], AfterValidator(_flow_kinds)]


class Branding(Table):
    primary_color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] = "#1d4ed8"
    tagline: str = ""


class Identity(Table):
    """Who runs the city's platform, as its portal footer names them: 主办单位, 承办单位, contact, 备案 numbers.
    These are the preset's own city's names: see OWN_CITY_TABLES."""

    authority: str = ""  # 主办单位
    organiser: str = ""  # 承办单位
    contact_phone: str = ""
    contact_email: str = ""
    contact_address: str = ""
    icp_number: str = ""  # ICP 备案号
    police_record_number: str = ""  # 公安机关备案号
    site_code: str = ""  # 政府网站标识码


# Tables that name the preset's own city (its bureau, its anchor units and their contacts, the ecosystem demo played
# on those units). They are applied only when provisioning the tenant whose schema is the preset's `schema_name`; a
# city created from the preset under another name starts without them and gets its names from the console form.
# The names themselves stay data in the preset file; no code asks which city it is provisioning.
OWN_CITY_TABLES = ("identity", "anchor_units", "ecosystem_demo", "cultivation_demo")


class PilotPeriod(Table):
    start: datetime.date | None = None
    end: datetime.date | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.start and self.end and self.end < self.start:
            raise PydanticCustomError("period_order", "end 早于 start")
        return self


class PasswordPolicy(Table):
    min_length: Annotated[int, Field(ge=6, le=64)] = 8
    max_length: Annotated[int, Field(ge=8, le=128)] = 18
    min_classes: Annotated[int, Field(ge=1, le=4)] = 3
    history: Annotated[int, Field(ge=0, le=24)] = 5

    @model_validator(mode="after")
    def _ordered(self):
        if self.min_length > self.max_length:
            raise PydanticCustomError("password_range", "min_length 大于 max_length")
        return self


class Registration(Table):
    roles: list[RegistrationRole] = []
    mobile_as_username: bool = False
    company_step: bool = False
    profile_step: bool = False
    service_agreement: str = ""
    privacy_notice: str = ""


class ProfileFieldSpec(Table):
    code: Slug
    label: Text
    kind: Annotated[str, one_of(PROFILE_FIELD_KINDS)] = "text"
    required: bool = False
    max_length: Annotated[int, Field(ge=1)] | None = None
    choices: list[Text] = []
    help_text: str = ""

    @model_validator(mode="after")
    def _choices_match_kind(self):
        if (self.kind in CHOICE_FIELD_KINDS) != bool(self.choices):
            raise PydanticCustomError("choices", "choices 只用于且必须用于 kind = choice / multichoice 的字段")
        return self


class ProfileGroup(Table):
    role: RegistrationRole
    code: Slug
    name: Text
    fields: list[ProfileFieldSpec] = []


class IndustrySpec(Table):
    code: Slug
    name: Text
    pilot: bool = False


class AnchorUnitSpec(Table):
    code: Slug
    name: Text
    industries: list[Slug] = []
    uscc: USCC | None = None
    description: str = ""
    contact_name: str = ""
    contact_phone: str = ""


class TierWhen(Table):
    """When a tier applies (semantics: tenant_apps.pilots.subsidy): a digital level reached at least N, a size."""

    digital_level_after: Annotated[int, Field(ge=1, le=4)] | None = None
    enterprise_size: Annotated[str, one_of(ENTERPRISE_SIZES)] | None = None

    @model_validator(mode="after")
    def _some_condition(self):
        if self.digital_level_after is None and self.enterprise_size is None:
            raise PydanticCustomError("tier_when", "when 至少需要 digital_level_after 或 enterprise_size")
        return self


class Tier(Table):
    when: TierWhen
    ratio: Ratio | None = None
    cap_per_project: Money | None = None

    @model_validator(mode="after")
    def _ratio_or_cap(self):
        if self.ratio is None and self.cap_per_project is None:
            raise PydanticCustomError("tier_effect", "分档至少设置 ratio 或 cap_per_project")
        return self


class Tranche(Table):
    after: Annotated[str, one_of(TRANCHE_AFTER)]
    share: Ratio

    @model_validator(mode="after")
    def _positive(self):
        if Decimal(self.share) == 0:
            raise PydanticCustomError("tranche_share", "share 应大于 0")
        return self


class SubsidyPolicySpec(Table):
    code: Slug
    version: Annotated[int, Field(ge=1)] = 1
    effective_from: datetime.date | None = None
    name: Text
    ratio: Ratio
    cap_per_project: Money | None = None
    cap_per_enterprise: Money | None = None
    hardware_share_limit: Ratio | None = None
    description: str = ""
    tiers: list[Tier] = []
    tranches: list[Tranche] = []

    @model_validator(mode="after")
    def _tranches_add_up(self):
        if self.tranches and sum(Decimal(t.share) for t in self.tranches) != 1:
            raise PydanticCustomError("tranches", "tranches 的 share 之和应为 1")
        return self


class DemoOrganisation(Table):
    kind: Annotated[str, one_of(ORGANISATION_KINDS)]
    name: Text
    uscc: USCC | None = None
    industry: Slug | None = None  # one of the preset's industries
    region: str = ""


class DemoDecision(Table):
    by: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{3,30}$")]  # a demo account of this preset
    action: Annotated[str, one_of(STAGE_ACTIONS)]
    opinion: str = ""


class DemoCertification(Table):
    """A certification the demo account has submitted, so reviewers find real work in their inbox. `via = "form"`
    submits the certification form (tenants that certify after registration), `"profile"` the registration
    profile (tenants whose registration collects the organisation's data)."""

    via: Literal["form", "profile"]
    company_name: Text
    uscc: USCC
    industry: Slug | None = None  # an industry code of this preset
    founded_on: datetime.date = datetime.date(2015, 1, 1)
    registered_capital: Money = "100.00"
    headcount: Annotated[int, Field(ge=1)] = 50
    region: str = ""
    address: str = ""
    contact_name: Text
    contact_phone: str = ""
    email: str = ""
    introduction: str = ""
    decisions: list[DemoDecision] = []

    @model_validator(mode="after")
    def _form_names_its_industry(self):
        if self.via == "form" and not self.industry:
            raise PydanticCustomError("demo_certification", 'via = "form" 时须填写 industry（认证表的所属行业必填）')
        return self


class DemoApplication(Table):
    """An application of one of this preset's flows that the demo account has submitted, taken through the named
    decisions, so the demo holds work at a later stage too (e.g. waiting for the applicant's stamped scan)."""

    kind: Slug  # a flow of this preset or of a module set it includes
    title: Text
    decisions: list[DemoDecision] = []


class DemoAccount(Table):
    username: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{3,30}$")]
    mobile: Mobile | None = None
    roles: Annotated[list[Role], Field(min_length=1)]
    organisation: DemoOrganisation | None = None
    certification: DemoCertification | None = None
    applications: list[DemoApplication] = []

    @model_validator(mode="after")
    def _certifies_its_own_organisation(self):
        if self.certification is not None and self.organisation is not None:
            raise PydanticCustomError(
                "demo_certification", "certification 与 organisation 不能同时填写：认证会创建组织"
            )
        return self


class Article(Table):
    column: Annotated[str, one_of(PORTAL_COLUMNS)] = "notices"
    title: Text
    slug: str = ""
    date: datetime.date | None = None
    issuer: str = ""
    summary: str = ""
    body: str = ""
    nationwide: bool = False


class FaqItem(Table):
    question: Text
    answer: Text


class Faq(Table):
    title: Text | None = None  # None: the translated default title
    slug: Slug = "faq"
    intro: str = ""
    items: Annotated[list[FaqItem], Field(min_length=1)]


class SurveyFieldSpec(Table):
    label: Text
    field_type: Annotated[str, one_of(SURVEY_FIELD_TYPES)] = "singleline"
    required: bool = True
    choices: list[Text] = []
    help_text: str = ""
    binds: Annotated[str, one_of(SURVEY_BINDS)] = ""


class Survey(Table):
    title: Text
    slug: Slug = "survey"
    intro: str = ""
    thank_you_text: str = ""
    fields: list[SurveyFieldSpec] = []


class Moderation(Table):
    """Pages go live through a Wagtail workflow: editors submit, content approvers (role `content_approver`)
    approve and publish; approving a nationwide notice first confirms how many cities will show it (cms)."""

    workflow: Text | None = None  # None: the translated default name
    task: Text | None = None


class Portal(Table):
    banner_text: str = ""
    nationwide_notices: bool = False
    moderation: Moderation | None = None  # None: editors publish themselves
    articles: list[Article] = []
    faq: Faq | None = None
    survey: Survey | None = None


class Marketplace(Table):
    """The marketplace's starting taxonomy (ops edit it in the workbench afterwards; names are unique per list)."""

    catalogues: list[Annotated[str, Field(min_length=1, max_length=40)]] = []
    categories: list[Annotated[str, Field(min_length=1, max_length=40)]] = []
    tags: list[Annotated[str, Field(min_length=1, max_length=20)]] = []

    @model_validator(mode="after")
    def _unique(self):
        for label, names in (("catalogues", self.catalogues), ("categories", self.categories), ("tags", self.tags)):
            repeated = sorted({name for name in names if names.count(name) > 1})
            if repeated:
                raise PydanticCustomError(
                    "duplicate", "marketplace.{label} 重复：{names}", {"label": label, "names": ", ".join(repeated)}
                )
        return self


class DefectSpec(Table):
    """One of the admission form's defect rules (tenant_apps/pilots/defects.py): on/off, blocking or a warning, and
    the minimum length for the name and content rules."""

    code: Annotated[str, one_of(("project_period", "levels", "indicator_name", "project_name", "project_content"))]
    enabled: bool = True
    blocking: bool = True
    threshold: Annotated[int, Field(ge=1, le=500)] | None = None


class PilotDemo(Table):
    """Whose enterprise the acceptance demo (tenant_apps/pilots/acceptance_demo.py) admits and takes to the on-site
    acceptance: a demo account of this preset."""

    username: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{3,30}$")]


DemoUsername = Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{3,30}$")]


class EcosystemDemoUnit(Table):
    code: Slug  # an [[anchor_units]] code
    account: DemoUsername  # the demo account whose organisation confirms for this unit (linked by the demo)


class EcosystemDemo(Table):
    """Who plays the ecosystem demo (tenant_apps/ecosystem/demo.py), all demo accounts of this preset: the first
    unit's alliance gets `provider` with its approved products and a second provider (`newcomer`) asking to join;
    the second unit gets `provider`'s repeat declaration. `reviewers` maps a role of the review chains (ops,
    city_bureau, …) to the demo account that decides its stages."""

    units: Annotated[list[EcosystemDemoUnit], Field(min_length=2)]
    provider: DemoUsername
    newcomer: DemoUsername
    reviewers: dict[Role, DemoUsername] = {}


class Vouchers(Table):
    """The deduction rule: the share of an order a service voucher may cover (0.30 national; 1 = full deduction),
    and the grab throttle per account."""

    cap_ratio: Annotated[str, _decimal(Decimal("0.0001"), Decimal(1))] = "0.30"
    grab_per_minute: Annotated[int, Field(ge=1, le=600)] = 20


class RegionSpec(Table):
    """An administrative division (configuration.Region): provinces first, then their cities and counties."""

    code: Annotated[str, Field(pattern=r"^\d{6}$")]
    name: Text
    level: Annotated[str, one_of(REGION_LEVELS)]
    parent: Annotated[str, Field(pattern=r"^(\d{6})?$")] = ""


class TierIndicator(Table):
    """One criterion of a tier's declaration form, with its evidence (cultivation.Tier.indicators)."""

    code: Slug
    label: Text
    kind: Annotated[str, one_of(("text", "textarea", "number", "choice"))] = "textarea"
    required: bool = True
    choices: list[str] = []
    help: str = ""
    evidence: bool = False  # an evidence upload (PDF/JPG/PNG) belongs to this criterion
    max_length: Annotated[int, Field(ge=1, le=5000)] | None = None


class TierSpec(Table):
    code: Slug
    name: Text
    requires_assessment: bool = False  # 专精特新: a completed digital-level self-assessment first
    valid_years: Annotated[int, Field(ge=1, le=10)] = 3
    certificate_prefix: Annotated[str, Field(pattern=r"^[A-Z]{2,8}$")]
    indicators: Annotated[list[TierIndicator], Field(min_length=1)]


class Cultivation(Table):
    """The cultivation module's data (tenant_apps/cultivation): tiers and their forms, when expiry is announced,
    the maker-competition link."""

    tiers: Annotated[list[TierSpec], Field(min_length=1)]
    expiry_notice_days: list[Annotated[int, Field(ge=1, le=365)]] = [90, 30]
    maker_competition_url: str = ""


class CultivationDemoStaff(Table):
    account: DemoUsername
    region: Annotated[str, Field(pattern=r"^\d{6}$")]


class CultivationDemo(Table):
    """Who plays the cultivation demo (tenant_apps/cultivation/demo.py): `staff` are the reviewers of each level
    (a demo account and the division it administers), `enterprise` assesses twice and declares, `recognised` holds
    a recognition near its expiry; both enterprises are registered in `region`."""

    region: Annotated[str, Field(pattern=r"^\d{6}$")]
    staff: Annotated[list[CultivationDemoStaff], Field(min_length=1)]
    enterprise: DemoUsername
    recognised: DemoUsername


# --- Files --------------------------------------------------------------------------------------------------------
class ModuleSet(Table):
    """A file any tenant preset can include through `module_sets`: modules with their flows, windows and data."""

    code: Slug
    kind: Literal["module_set"]
    modules: list[ModuleCode] = []
    flows: Flows = {}
    windows: list[Window] = []
    regions: list[RegionSpec] = []
    cultivation: Cultivation | None = None


class TenantPreset(Table):
    code: Slug
    kind: Literal["tenant"]
    name: Text
    short_name: Annotated[str, Field(min_length=1, max_length=30)] | None = None  # default: name
    schema_name: Slug | None = None  # default: code
    subdomain: Slug | None = None  # default: code
    modules: list[ModuleCode] = []
    module_sets: list[Slug] = []
    branding: Branding = Branding()
    identity: Identity = Identity()
    pilot_period: PilotPeriod = PilotPeriod()
    password_policy: PasswordPolicy = PasswordPolicy()
    registration: Registration = Registration()
    profile_groups: list[ProfileGroup] = []
    industries: list[IndustrySpec] = []
    anchor_units: list[AnchorUnitSpec] = []
    flows: Flows = {}
    windows: list[Window] = []
    subsidy_policies: list[SubsidyPolicySpec] = []
    demo_accounts: list[DemoAccount] = []
    portal: Portal = Portal()
    marketplace: Marketplace = Marketplace()
    vouchers: Vouchers = Vouchers()
    admission_defects: list[DefectSpec] = []
    pilot_demo: PilotDemo | None = None
    ecosystem_demo: EcosystemDemo | None = None
    regions: list[RegionSpec] = []
    cultivation: Cultivation | None = None
    cultivation_demo: CultivationDemo | None = None

    @model_validator(mode="after")
    def _defaults_and_references(self):
        self.short_name = self.short_name or self.name[:30]
        self.schema_name = self.schema_name or self.code
        self.subdomain = self.subdomain or self.code
        industries = {industry.code for industry in self.industries}
        for unit in self.anchor_units:
            unknown = [code for code in unit.industries if code not in industries]
            if unknown:
                raise PydanticCustomError(
                    "industry_reference",
                    "牵引单位 {unit} 引用了未声明的行业 {unknown}；已声明：{allowed}",
                    {"unit": unit.code, "unknown": ", ".join(unknown), "allowed": ", ".join(sorted(industries))},
                )
        accounts = {account.username for account in self.demo_accounts}
        for account in self.demo_accounts:
            for application in account.applications:  # its kind may be a module set's flow: checked at seeding
                unknown = sorted({d.by for d in application.decisions} - accounts)
                if unknown:
                    raise PydanticCustomError(
                        "account_reference",
                        "演示申请 {user} 的 decisions 引用了未声明的演示账号 {unknown}",
                        {"user": account.username, "unknown": ", ".join(unknown)},
                    )
            certification = account.certification
            if certification is None:
                continue
            if certification.industry and certification.industry not in industries:
                raise PydanticCustomError(
                    "industry_reference",
                    "演示认证 {user} 引用了未声明的行业 {code}",
                    {"user": account.username, "code": certification.industry},
                )
            unknown = sorted({d.by for d in certification.decisions} - accounts)
            if unknown:
                raise PydanticCustomError(
                    "account_reference",
                    "演示认证 {user} 的 decisions 引用了未声明的演示账号 {unknown}",
                    {"user": account.username, "unknown": ", ".join(unknown)},
                )
        if self.ecosystem_demo is not None:
            self._ecosystem_demo_references(accounts)
        for label, codes in (
            ("industries.code", [i.code for i in self.industries]),
            ("anchor_units.code", [u.code for u in self.anchor_units]),
            ("subsidy_policies.(code, version)", [f"{p.code}/{p.version}" for p in self.subsidy_policies]),
            ("demo_accounts.username", [a.username for a in self.demo_accounts]),
            ("profile_groups.(role, code)", [f"{g.role}/{g.code}" for g in self.profile_groups]),
        ):
            repeated = sorted({code for code in codes if codes.count(code) > 1})
            if repeated:
                raise PydanticCustomError(
                    "duplicate", "{label} 重复：{codes}", {"label": label, "codes": ", ".join(repeated)}
                )
        return self

    def _ecosystem_demo_references(self, accounts: set[str]) -> None:
        demo = self.ecosystem_demo
        units = {unit.code for unit in self.anchor_units}
        unknown = sorted({unit.code for unit in demo.units} - units)
        if unknown:
            raise PydanticCustomError(
                "unit_reference",
                "ecosystem_demo 引用了未声明的牵引单位 {unknown}；已声明：{allowed}",
                {"unknown": ", ".join(unknown), "allowed": ", ".join(sorted(units))},
            )
        named = [unit.account for unit in demo.units] + [demo.provider, demo.newcomer, *demo.reviewers.values()]
        unknown = sorted(set(named) - accounts)
        if unknown:
            raise PydanticCustomError(
                "account_reference",
                "ecosystem_demo 引用了未声明的演示账号 {unknown}",
                {"unknown": ", ".join(unknown)},
            )


KINDS: dict[str, type[Table]] = {"tenant": TenantPreset, "module_set": ModuleSet}


# --- Reading errors -----------------------------------------------------------------------------------------------
def _bare(annotation):
    """The type under Annotated[...] and `X | None`."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _table_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The table class a location in the file points into (to list its allowed keys)."""
    current = model
    for part in loc:
        current = _bare(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if part not in current.model_fields:
                return None
            current = current.model_fields[part].annotation
        elif get_origin(current) is list:
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _bare(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def key_path(loc: tuple) -> str:
    """`("flows", "certification", "stages", 0, "handlr")` → `flows.certification.stages[0].handlr`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(整个文件)"


TYPE_NAMES = {
    "string_type": "字符串",
    "int_type": "整数",
    "bool_type": "布尔值（true 或 false）",
    "list_type": "数组",
    "dict_type": "表",
    "model_type": "表",
    "model_attributes_type": "表",
    "date_type": "日期（如 2026-01-01，不加引号）",
}


def _describe(error: dict, model: type[BaseModel]) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "extra_forbidden":
        table = _table_at(model, error["loc"][:-1])
        allowed = ", ".join(table.model_fields) if table else "?"
        return f"未知的键；允许：{allowed}"
    if kind == "missing":
        return "缺少必填的键"
    if kind == "literal_error":
        return f"取值 {error['input']!r} 无效；允许：{ctx.get('expected', '')}"
    if TYPE_NAMES.get(kind):
        value = error["input"]
        return f"应为{TYPE_NAMES[kind]}，实际是 {type(value).__name__} {value!r}"
    if kind == "string_pattern_mismatch":
        return f"取值 {error['input']!r} 格式不符（应匹配 {ctx.get('pattern')}）"
    if kind in ("too_short", "string_too_short"):
        return "不能为空" if not error["input"] else f"至少 {ctx.get('min_length')} 项"
    if kind in ("too_long", "string_too_long"):
        return f"过长（最多 {ctx.get('max_length')}）"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        return f"取值 {error['input']!r} 超出范围（{'≥' if kind == 'greater_than_equal' else '≤'} {bound}）"
    return error["msg"]


def schema_errors(error: ValidationError, model: type[BaseModel]) -> list[tuple[str, str]]:
    """(key path, message) per problem, in file order, messages in Chinese with the allowed keys or values."""
    return [(key_path(e["loc"]), _describe(e, model)) for e in error.errors(include_url=False)]
