"""认定与补贴测算: after the on-site acceptance the city bureau records, per project, the recognised investment (and
its hardware part), the digital level reached (national SME digital-level indicators 2024, levels 1–4), whether the
project lies inside the pilot period and is proven by contract + invoice + bank slip; the subsidy is computed from
the city's policy (`subsidy.compute`) and may then be adjusted by the bureau with a reason (logged).

Choices:
- Recognition is allowed while the application is in review past its first stage (材料审核) and the acceptance is not
  in a published (or closed) publicity batch. Every project of the acceptance is recorded at once.
- The policy: the one given, else the one the acceptance already recorded (a newer version never changes an
  acceptance recognised under an older one), else the tenant's current policy.
- Re-recognising recomputes every project and resets `subsidy` to the new computed figure: earlier adjustments
  stay in the history (dated before `recognised_at`) but no longer count; the bureau adjusts again if it still
  means to.
- Already granted (for the enterprise cap) = the `subsidy` of this organisation's other recognised acceptances
  whose application was not rejected.
- Recording and adjusting lock the engine's application row first (the engine's lock order), and move its version
  on: a reviewer's page opened before the figures changed is stale (docs/conventions.md §4).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.configuration.models import SubsidyPolicy
from tenant_apps.pilots import acceptances, subsidy
from tenant_apps.pilots.acceptances import is_bureau
from tenant_apps.pilots.models import (
    Acceptance,
    AcceptanceFile,
    AcceptanceProject,
    PublicityBatch,
    PublicityItem,
    SubsidyAdjustment,
)
from tenant_apps.workflow.models import Application
from tenant_apps.workflow.registry import Check, Section, register_check
from tenants.cleaning import Cleaner
from tenants.errors import DomainError, conflict, not_found

MODULE = "acceptance"
AMOUNT_MAX = Decimal("999999999999.99")
REASON_MAX = 500
PROOF_KINDS = (AcceptanceFile.Kind.CONTRACT, AcceptanceFile.Kind.INVOICE, AcceptanceFile.Kind.BANK_SLIP)

_clean = Cleaner("recognition")


# --- Who sees what --------------------------------------------------------------------------------------------------
def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def acceptances_visible(membership):
    return acceptances.readable_acceptances(membership)


def access_acceptance(membership, pk) -> Acceptance:
    """One acceptance this person may read; 404 for missing and forbidden alike."""
    return acceptances.access_readable(membership, pk, code="recognition.not_found")


def access_for_bureau(membership, pk) -> Acceptance:
    """The bureau's way in (the workbench page, recording): anyone else gets the same 404 as a missing row."""
    if not is_bureau(membership):
        raise not_found(_("该验收申请不存在。"), code="recognition.not_found")
    return access_acceptance(membership, pk)


def projects_of(acceptance: Acceptance):
    return acceptance.projects.prefetch_related("adjustments__adjusted_by").order_by("position", "id")


# --- When -----------------------------------------------------------------------------------------------------------
def is_published(acceptance: Acceptance) -> bool:
    return PublicityItem.objects.filter(
        acceptance=acceptance,
        batch__state__in=[PublicityBatch.State.PUBLISHED, PublicityBatch.State.CLOSED],
    ).exists()


def refusal(acceptance: Acceptance, application: Application | None = None) -> DomainError | None:
    """Why the figures cannot be recorded or adjusted now (None when they can)."""
    application = application or acceptance.application
    first = application.stages[0]["position"] if application.stages else None
    if application.state != Application.State.IN_REVIEW or first is None or application.stage_position == first:
        return conflict(_("只有通过材料审核、尚在审核中的验收申请才能认定和测算补贴。"), code="recognition.wrong_stage")
    if is_published(acceptance):
        return conflict(_("该验收申请已进入公示，认定结果和补贴不能再修改。"), code="recognition.published")
    return None


def editable(acceptance: Acceptance) -> bool:
    return refusal(acceptance) is None


# --- Cleaning --------------------------------------------------------------------------------------------------------
def _money(value, *, field: str, label, required: bool = True) -> Decimal | None:
    """An amount in 元 to the fen (the forms' cleaner, with recognition's codes and its larger ceiling)."""
    if required and value in (None, ""):
        raise DomainError(_("请填写%(label)s。") % {"label": label}, code="recognition.required", field=field)
    amount = _clean.money(value, field=field, label=label, maximum=AMOUNT_MAX)
    return None if amount is None else amount.quantize(subsidy.FEN)


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes")
    return bool(value)


def _clean_projects(acceptance: Acceptance, rows) -> list[tuple[AcceptanceProject, dict]]:
    """Each row matched to a project of this acceptance (every project once), figures checked in place."""
    projects = {p.pk: p for p in acceptance.projects.all()}
    rows = list(rows or [])
    if not projects:
        raise DomainError(_("该验收申请没有可认定的项目。"), code="recognition.no_projects", field="projects")
    cleaned, seen = [], set()
    for i, row in enumerate(rows):
        path = f"projects.{i}"
        row = dict(row or {})
        project = projects.get(_pk(row.get("id")))
        if project is None or project.pk in seen:
            raise DomainError(_("项目不属于该验收申请。"), code="recognition.unknown_project", field=f"{path}.id")
        seen.add(project.pk)
        amount = _money(row.get("recognised_amount"), field=f"{path}.recognised_amount", label=_("认定投资"))
        hardware = _money(
            row.get("recognised_hardware"), field=f"{path}.recognised_hardware", label=_("其中硬件投入"), required=False
        ) or Decimal("0.00")
        if hardware > amount:
            raise DomainError(
                _("硬件投入不能超过认定投资。"), code="recognition.hardware_over", field=f"{path}.recognised_hardware"
            )
        level = row.get("level_reached")
        level = _pk(level) if level not in (None, "") else None
        if level is None or not 1 <= level <= 4:
            raise DomainError(
                _("请选择认定数字化水平（一级到四级）。"), code="recognition.level", field=f"{path}.level_reached"
            )
        cleaned.append(
            (
                project,
                {
                    "recognised_amount": amount,
                    "recognised_hardware": hardware,
                    "level_reached": level,
                    "in_period": _flag(row.get("in_period", True)),
                    "proven": _flag(row.get("proven", True)),
                },
            )
        )
    missing = [p for pk, p in projects.items() if pk not in seen]
    if missing:
        raise DomainError(
            _("请为每个项目填写认定结果（缺少：%(names)s）。") % {"names": "、".join(p.name for p in missing)},
            code="recognition.incomplete",
            field="projects",
        )
    return cleaned


def _policy(acceptance: Acceptance, policy_id) -> SubsidyPolicy:
    if policy_id not in (None, ""):
        policy = subsidy.policies_available().filter(pk=_pk(policy_id)).first()
        if policy is None and acceptance.policy_id == _pk(policy_id):
            policy = acceptance.policy  # the version recorded earlier stays usable after a newer one arrives
        if policy is None:
            raise DomainError(_("该补贴政策不存在或未启用。"), code="recognition.policy", field="policy")
        return policy
    if acceptance.policy_id is not None:
        return acceptance.policy
    policy = subsidy.current_policy()
    if policy is None:
        raise DomainError(
            _("本市尚未设置（或设置了多项）补贴政策，请选择适用的补贴政策。"),
            code="recognition.no_policy",
            field="policy",
        )
    return policy


def already_granted(acceptance: Acceptance) -> Decimal:
    """What the same enterprise's other recognised (and not rejected) acceptances were granted."""
    total = (
        AcceptanceProject.objects.filter(
            acceptance__organisation_id=acceptance.organisation_id, acceptance__recognised_at__isnull=False
        )
        .exclude(acceptance_id=acceptance.pk)
        .exclude(acceptance__application__state=Application.State.REJECTED)
        .aggregate(total=Sum("subsidy"))["total"]
    )
    return total or Decimal("0.00")


# --- Writes -----------------------------------------------------------------------------------------------------------
def _locked(membership, acceptance_id, expected_version) -> tuple[Acceptance, Application]:
    from tenant_apps.workflow import lock_objects

    if not is_bureau(membership):
        raise DomainError(_("只有市工信局可以认定项目和测算补贴。"), code="recognition.not_bureau", status=403)
    acceptance = access_acceptance(membership, acceptance_id)
    application = lock_objects.application_lock(acceptance.application_id)
    if application is None:
        raise not_found(_("该验收申请不存在。"), code="recognition.not_found")
    if expected_version not in (None, "") and _pk(expected_version) != application.version:
        raise conflict(_("该申请已有新的进展，请刷新页面后再操作。"), code="workflow.stale")
    blocked = refusal(acceptance, application)
    if blocked is not None:
        raise blocked
    acceptance.application = application
    return acceptance, application


def _bump(application: Application) -> None:
    application.version += 1
    application.save(update_fields=["version"])


@transaction.atomic
def recognise(
    *, membership, acceptance_id, projects, policy_id=None, expected_version=None
) -> tuple[Acceptance, subsidy.Result]:
    """保存并测算: record every project's recognised figures, compute the subsidies (see the module docstring)."""
    acceptance, application = _locked(membership, acceptance_id, expected_version)
    cleaned = _clean_projects(acceptance, projects)
    policy = _policy(acceptance, policy_id)
    ordered = sorted(cleaned, key=lambda item: (item[0].position, item[0].pk))
    result = subsidy.compute(
        policy,
        [
            subsidy.ProjectInput(
                key=project.pk,
                name=project.name,
                recognised_amount=figures["recognised_amount"],
                hardware=figures["recognised_hardware"],
                level_reached=figures["level_reached"],
                in_period=figures["in_period"],
                proven=figures["proven"],
            )
            for project, figures in ordered
        ],
        already_granted=already_granted(acceptance),
    )
    computed = result.by_key()
    for project, figures in ordered:
        row = computed[project.pk]
        project.recognised_amount = figures["recognised_amount"]
        project.recognised_hardware = figures["recognised_hardware"]
        project.level_reached = figures["level_reached"]
        project.in_period, project.proven = figures["in_period"], figures["proven"]
        project.subsidy_computed = row.subsidy
        project.subsidy_breakdown = row.breakdown
        project.subsidy = row.subsidy
    AcceptanceProject.objects.bulk_update(
        [project for project, _figures in ordered],
        [
            "recognised_amount",
            "recognised_hardware",
            "level_reached",
            "in_period",
            "proven",
            "subsidy_computed",
            "subsidy_breakdown",
            "subsidy",
        ],
    )
    acceptance.policy = policy
    acceptance.recognised_at = timezone.now()
    acceptance.save(update_fields=["policy", "recognised_at", "updated_at"])
    _bump(application)
    return acceptance, result


@transaction.atomic
def adjust(*, membership, project_id, amount, reason, expected_version=None) -> SubsidyAdjustment:
    """调整补贴: the bureau sets a project's subsidy to `amount` (≥ 0) with a reason; logged, append-only."""
    if not is_bureau(membership):
        raise DomainError(_("只有市工信局可以调整补贴。"), code="recognition.not_bureau", status=403)
    project = AcceptanceProject.objects.filter(
        pk=_pk(project_id), acceptance__in=acceptances_visible(membership)
    ).first()
    if project is None:
        raise not_found(_("该项目不存在。"), code="recognition.project_not_found")
    value = _money(amount, field="amount", label=_("调整后补贴"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写调整原因。"), code="recognition.reason_required", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(
            _("调整原因不能超过 %(max)s 字。") % {"max": REASON_MAX}, code="recognition.reason_too_long", field="reason"
        )
    acceptance, _application = _locked(membership, project.acceptance_id, expected_version)
    project = AcceptanceProject.objects.get(pk=project.pk)
    if project.subsidy is None:
        raise conflict(_("请先保存认定结果并测算补贴，再调整。"), code="recognition.not_recognised")
    entry = SubsidyAdjustment.objects.create(
        project=project,
        amount_before=project.subsidy,
        amount_after=value,
        reason=reason,
        adjusted_by=membership.user,
    )
    project.subsidy = value
    project.save(update_fields=["subsidy"])
    _bump(acceptance.application)
    return entry


# --- Reads for the form ------------------------------------------------------------------------------------------------
def _in_pilot_period(project: AcceptanceProject, period) -> bool:
    start, end = period
    if project.starts_on is None or project.ends_on is None:
        return False
    return (start is None or project.starts_on >= start) and (end is None or project.ends_on <= end)


def form_defaults(acceptance: Acceptance, projects) -> dict[int, dict]:
    """Per project, what the bureau's form starts from: the recorded figures once recognised, else the declared investment, the level after, the project's dates against the
    pilot period, and whether contracts, invoices and bank slips were uploaded."""
    from tenant_apps.pilots.defects import pilot_period

    period = pilot_period()
    kinds = set(acceptance.files.values_list("kind", flat=True))
    proven_by_files = all(kind in kinds for kind in PROOF_KINDS)
    defaults = {}
    for project in projects:
        if project.recognised_amount is not None:
            defaults[project.pk] = {
                "recognised_amount": project.recognised_amount,
                "recognised_hardware": project.recognised_hardware or Decimal("0.00"),
                "level_reached": project.level_reached,
                "in_period": project.in_period is not False,
                "proven": project.proven is not False,
            }
            continue
        hardware = sum(
            (
                product.amount or Decimal(0)
                for provider in project.providers.all()
                for product in provider.products.all()
                if product.kind == "hardware"
            ),
            Decimal("0.00"),
        )
        defaults[project.pk] = {
            "recognised_amount": project.investment,
            "recognised_hardware": hardware if project.investment is None or hardware <= project.investment else None,
            "level_reached": project.level_after,
            "in_period": _in_pilot_period(project, period),
            "proven": proven_by_files,
        }
    return defaults


# --- The engine's check and the reviewer's section ---------------------------------------------------------------------
def recognition_recorded(application) -> bool:
    """Every project of the acceptance has a recognised amount and level (and there is at least one project)."""
    acceptance_id = Acceptance.objects.filter(application=application).values_list("pk", flat=True).first()
    if acceptance_id is None:
        return False
    projects = AcceptanceProject.objects.filter(acceptance_id=acceptance_id)
    return (
        projects.exists()
        and not projects.filter(Q(recognised_amount__isnull=True) | Q(level_reached__isnull=True)).exists()
    )


def _recognition_url(application) -> str | None:
    from django.urls import NoReverseMatch, reverse

    acceptance_id = Acceptance.objects.filter(application=application).values_list("pk", flat=True).first()
    if acceptance_id is None:
        return None
    try:
        return reverse("recognition", args=[acceptance_id])
    except NoReverseMatch:
        return None


def register() -> None:
    """Called from `PilotsConfig.ready`: the `recognition_recorded` review check (Harbin's 盖章件审核 names it)."""
    register_check(
        Check(
            code="recognition_recorded",
            label=gettext_lazy("已认定项目投资和数字化水平"),
            passes=recognition_recorded,
            failure=gettext_lazy(
                "市工信局尚未为每个项目认定投资额和数字化水平，请先在“认定与补贴测算”中保存认定结果。"
            ),
            remedy_url=_recognition_url,
        )
    )


def section(acceptance: Acceptance) -> Section | None:
    """认定与补贴 on the reviewer's application page (None until recognised)."""
    if acceptance is None or acceptance.recognised_at is None:
        return None
    rows: list[tuple[str, str]] = []
    policy = acceptance.policy
    if policy is not None:
        rows.append((_("适用补贴政策"), f"{policy.name}（{policy.code} 第 {policy.version} 版）"))
    total = Decimal("0.00")
    for n, project in enumerate(projects_of(acceptance), start=1):
        level = subsidy.LEVEL_NAMES.get(project.level_reached, "—")
        rows.append(
            (
                _("项目%(n)s %(name)s") % {"n": n, "name": project.name},
                _("认定投资 %(amount)s 元（其中硬件 %(hardware)s 元），认定数字化水平 %(level)s")
                % {
                    "amount": subsidy.yuan(project.recognised_amount or 0),
                    "hardware": subsidy.yuan(project.recognised_hardware or 0),
                    "level": level,
                },
            )
        )
        rows.append((_("项目%(n)s 测算过程") % {"n": n}, project.subsidy_breakdown or "—"))
        for entry in project.adjustments.all():
            if entry.adjusted_at < acceptance.recognised_at:
                continue  # made before the latest recognition, which reset the subsidy
            rows.append(
                (
                    _("项目%(n)s 补贴调整") % {"n": n},
                    _("%(before)s 元 → %(after)s 元：%(reason)s（%(who)s）")
                    % {
                        "before": subsidy.yuan(entry.amount_before),
                        "after": subsidy.yuan(entry.amount_after),
                        "reason": entry.reason,
                        "who": entry.adjusted_by.get_full_name() or entry.adjusted_by.get_username(),
                    },
                )
            )
        rows.append((_("项目%(n)s 补贴金额") % {"n": n}, f"{subsidy.yuan(project.subsidy or 0)} 元"))
        total += project.subsidy or 0
    rows.append((_("补贴合计"), f"{subsidy.yuan(total)} 元"))
    return Section(_("认定与补贴"), rows)


def content(application) -> list[Section]:
    """`register_content("acceptance", content)`-ready: the section of the application's acceptance, if any."""
    acceptance = Acceptance.objects.filter(application=application).select_related("policy").first()
    found = section(acceptance) if acceptance is not None else None
    return [found] if found is not None else []
