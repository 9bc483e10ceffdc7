"""Subsidy arithmetic: the policy's tranche plan and the calculator that turns recognised amounts into subsidies.

Pure functions over a `SubsidyPolicy` row (or anything with the same attributes) and Decimals; only
`current_policy` queries. Money is cut DOWN to the fen wherever a share is taken, so no rule ever pays a fen more
than it grants.

How a policy reads (`configuration.SubsidyPolicy`):

- Only projects inside the pilot period and proven by contract + invoice + bank slip count; others get 0.
- Hardware counts up to `hardware_share_limit × recognised amount` (no limit when empty); the rest of the hardware
  does not count. Base = recognised amount − hardware + counted hardware (software and services count in full).
- Tiers: `{"when": {"digital_level_after": N}}` applies when the level reached is **at least** N;
  `{"when": {"enterprise_size": "small"}}` when the enterprise's size is that one (no size given: never); several
  conditions in one `when` must all hold. For the ratio and for the per-project cap separately, the applicable tier
  that sets it with the **highest level threshold** wins (a size-only tier has threshold 0; equal thresholds: the
  later tier in the list); without one, the policy's base ratio / cap applies. So Harbin's "0.30, ≥3 → 0.50, ≥4 →
  cap 1.5M" gives level 2 → 30 %, level 3 → 50 %, level 4 → 50 % with the higher cap.
- Subsidy per project = min(base × ratio cut down to the fen, cap). Then the enterprise cap, across the projects in
  the given order and counting what the enterprise was already granted (earlier acceptances): later projects are
  reduced, down to 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}

# Where a tranche is paid, as the policy's `after` key names it (configuration.models.TRANCHE_AFTER).
TRANCHE_AFTER_LABELS = {
    "signing": "签约后拨付",
    "acceptance": "验收后拨付",
    "publicity": "公示后拨付",
}
# What a breakdown says for a project that gets nothing.
OUT_OF_PERIOD = "项目不在试点期内"
UNPROVEN = "未提供合同、发票、银行回单完整证明"


def to_fen(amount) -> Decimal:
    """Cut DOWN to the fen: a subsidy never rounds up past what the rule gives."""
    return Decimal(amount).quantize(FEN, rounding=ROUND_DOWN)


def yuan(amount) -> str:
    """800000 → "800,000.00"."""
    return f"{Decimal(amount).quantize(FEN):,.2f}"


def percent(share) -> str:
    """0.5 → "50%", 0.3333 → "33.33%"."""
    value = (Decimal(share) * 100).normalize()
    return f"{value:f}%"


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value))


# --- Tranches ---------------------------------------------------------------------------------------------------------
def tranche_plan(policy, total: Decimal) -> list[tuple[str, Decimal]]:
    """The policy's tranches as (label, amount); the last tranche takes the remainder so they add up to `total`.

    Each tranche but the last is `total × share` cut down to the fen; a policy without tranches pays in one go.
    """
    total = Decimal(total).quantize(FEN)
    tranches = list(getattr(policy, "tranches", None) or []) if policy is not None else []
    if not tranches:
        return [("一次性拨付", total)]
    plan: list[tuple[str, Decimal]] = []
    paid = ZERO
    for index, tranche in enumerate(tranches):
        share = Decimal(str(tranche.get("share", "0")))
        after = str(tranche.get("after", ""))
        label = f"{TRANCHE_AFTER_LABELS.get(after, after or '分期拨付')} {percent(share)}"
        if index == len(tranches) - 1:
            amount = total - paid
        else:
            amount = to_fen(total * share)
            paid += amount
        plan.append((label, amount))
    return plan


# --- Tiers ------------------------------------------------------------------------------------------------------------
def _tier_applies(when: dict, *, level, enterprise_size) -> bool:
    if not when:
        return False
    if "digital_level_after" in when and (level is None or int(level) < int(when["digital_level_after"])):
        return False
    return not ("enterprise_size" in when and (enterprise_size is None or enterprise_size != when["enterprise_size"]))


def _tier_describe(when: dict) -> str:
    parts = []
    if "digital_level_after" in when:
        parts.append(f"数字化水平达到{LEVEL_NAMES.get(int(when['digital_level_after']), '')}及以上")
    if "enterprise_size" in when:
        sizes = {"micro": "微型企业", "small": "小型企业", "medium": "中型企业", "large": "大型企业"}
        parts.append(sizes.get(when["enterprise_size"], str(when["enterprise_size"])))
    return "、".join(parts)


def tier_terms(policy, *, level=None, enterprise_size=None) -> tuple[Decimal, Decimal | None, str, str]:
    """(ratio, cap per project, why the ratio, why the cap) for one project: each from the applicable tier with the
    highest level threshold that sets it (later tier on a tie), else the policy's own."""
    ratio, cap = Decimal(policy.ratio), _decimal(policy.cap_per_project)
    ratio_rank = cap_rank = None
    ratio_why = cap_why = ""
    for index, tier in enumerate(getattr(policy, "tiers", None) or []):
        when = tier.get("when") or {}
        if not _tier_applies(when, level=level, enterprise_size=enterprise_size):
            continue
        rank = (int(when.get("digital_level_after", 0)), index)
        if tier.get("ratio") not in (None, "") and (ratio_rank is None or rank > ratio_rank):
            ratio, ratio_rank, ratio_why = Decimal(str(tier["ratio"])), rank, _tier_describe(when)
        if tier.get("cap_per_project") not in (None, "") and (cap_rank is None or rank > cap_rank):
            cap, cap_rank, cap_why = Decimal(str(tier["cap_per_project"])), rank, _tier_describe(when)
    return ratio, cap, ratio_why, cap_why


# --- The calculator ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProjectInput:
    key: object
    name: str
    recognised_amount: Decimal
    hardware: Decimal = ZERO
    level_reached: int | None = None
    in_period: bool = True
    proven: bool = True


@dataclass
class ProjectResult:
    key: object
    name: str
    eligible: bool
    base: Decimal  # 计补基数 (0 when not eligible)
    counted_hardware: Decimal
    ratio: Decimal | None
    cap: Decimal | None
    by_project: Decimal  # the subsidy before the enterprise cap
    reduced_by: Decimal  # what the enterprise cap took off
    subsidy: Decimal
    breakdown: str


@dataclass
class Result:
    projects: list[ProjectResult] = field(default_factory=list)
    already_granted: Decimal = ZERO
    cap_per_enterprise: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return sum((p.subsidy for p in self.projects), ZERO)

    def by_key(self) -> dict:
        return {p.key: p for p in self.projects}


def _project(policy, project: ProjectInput, *, enterprise_size) -> ProjectResult:
    amount = Decimal(project.recognised_amount).quantize(FEN)
    hardware = Decimal(project.hardware or 0).quantize(FEN)
    head = f"认定投资 {yuan(amount)} 元"
    if not project.in_period or not project.proven:
        reason = OUT_OF_PERIOD if not project.in_period else UNPROVEN
        if not project.in_period and not project.proven:
            reason = f"{OUT_OF_PERIOD}，且{UNPROVEN}"
        return ProjectResult(
            project.key, project.name, False, ZERO, ZERO, None, None, ZERO, ZERO, ZERO,
            f"{head}，{reason}，不予补贴 → 补贴 0.00 元",
        )  # fmt: skip
    limit = _decimal(policy.hardware_share_limit)
    parts = [head]
    counted = hardware
    if hardware > 0:
        if limit is not None and hardware > to_fen(amount * limit):
            counted = to_fen(amount * limit)
            parts.append(f"其中硬件 {yuan(hardware)} 元按上限 {percent(limit)} 计入 {yuan(counted)} 元")
        else:
            parts.append(f"其中硬件 {yuan(hardware)} 元全额计入")
    base = amount - hardware + counted
    ratio, cap, ratio_why, cap_why = tier_terms(policy, level=project.level_reached, enterprise_size=enterprise_size)
    parts.append(f"计补基数 {yuan(base)} 元")
    parts.append(f"比例 {percent(ratio)}" + (f"（{ratio_why}）" if ratio_why else ""))
    by_ratio = to_fen(base * ratio)
    subsidy = by_ratio if cap is None else min(by_ratio, cap)
    if cap is not None:
        parts.append(f"封顶 {yuan(cap)} 元" + (f"（{cap_why}）" if cap_why else ""))
    breakdown = "，".join(parts) + f" → 补贴 {yuan(subsidy)} 元"
    return ProjectResult(project.key, project.name, True, base, counted, ratio, cap, subsidy, ZERO, subsidy, breakdown)


def compute(
    policy, projects: list[ProjectInput], *, enterprise_size: str | None = None, already_granted=ZERO
) -> Result:
    """Each project's subsidy under `policy`, then the enterprise cap across them in the given order, counting what
    earlier acceptances of the same enterprise were granted (`already_granted`). See the module docstring."""
    already = Decimal(already_granted or 0).quantize(FEN)
    enterprise_cap = _decimal(policy.cap_per_enterprise)
    result = Result(already_granted=already, cap_per_enterprise=enterprise_cap)
    granted = already
    for project in projects:
        row = _project(policy, project, enterprise_size=enterprise_size)
        if enterprise_cap is not None and row.subsidy > 0:
            room = max(enterprise_cap - granted, ZERO)
            if row.subsidy > room:
                row.reduced_by = row.subsidy - room
                row.subsidy = room
                row.breakdown += (
                    f"；企业累计上限 {yuan(enterprise_cap)} 元"
                    + (f"（此前已获 {yuan(already)} 元）" if already > 0 else "")
                    + f"，本项目核减 {yuan(row.reduced_by)} 元，实际补贴 {yuan(row.subsidy)} 元"
                )
        granted += row.subsidy
        result.projects.append(row)
    return result


# --- Which policy applies ---------------------------------------------------------------------------------------------
def policies_available():
    """Active policy rows already in effect, newest version of each code first."""
    from django.db.models import Q
    from django.utils import timezone

    from tenant_apps.configuration.models import SubsidyPolicy

    today = timezone.localdate()
    return (
        SubsidyPolicy.objects.filter(is_active=True)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=today))
        .order_by("code", "-version")
    )


def current_policy(code: str | None = None):
    """The active, in-effect policy with the highest version of `code`; without a code, of the tenant's only policy
    code (None when the tenant has none, or several codes and none was named)."""
    rows = policies_available()
    if code is not None:
        return rows.filter(code=code).first()
    codes = list(rows.order_by("code").values_list("code", flat=True).distinct()[:2])
    if len(codes) != 1:
        return None
    return rows.filter(code=codes[0]).first()
