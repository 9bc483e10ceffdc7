"""What admission brings to the review engine: its name, the page where the applicant re-edits it, what reviewers
read (the five sections and the defect rules as ✔/✘), the generated form to stamp, and what approval does."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.pilots import admissions, scans
from tenant_apps.pilots.models import Admission
from tenant_apps.workflow.registry import Section, on_outcome, register_content, register_edit_url, register_form
from tenant_apps.workflow.registry import register_kind as engine_register_kind

LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def _admission(application) -> Admission | None:
    return (
        Admission.objects.select_related("organisation")
        .prefetch_related("needs", "projects__indicators", "files")
        .filter(application=application)
        .first()
    )


def _level(value) -> str:
    return LEVEL_NAMES.get(value, "—") if value else "—"


def _project_rows(admission: Admission) -> list[tuple[str, str]]:
    rows = []
    for n, p in enumerate(admission.projects.all(), start=1):
        period = f"{p.starts_on or '—'} 至 {p.ends_on or '—'}"
        rows += [
            (_("项目%(n)s 名称") % {"n": n}, p.name),
            (_("项目%(n)s 周期") % {"n": n}, period),
            (_("项目%(n)s 投资（万元）") % {"n": n}, str(p.investment if p.investment is not None else "—")),
            (_("项目%(n)s 数字化水平") % {"n": n}, f"{_level(p.level_before)} → {_level(p.level_after)}"),
            (_("项目%(n)s 改造内容") % {"n": n}, p.content),
        ]
        for indicator in p.indicators.all():
            unit = f"（{indicator.unit}）" if indicator.unit else ""
            rows.append(
                (
                    _("项目%(n)s 成效指标") % {"n": n},
                    f"{indicator.name or '—'}{unit}：{indicator.before} → {indicator.after}",
                )
            )
    return rows


def _basic_rows(admission: Admission) -> list[tuple[str, str]]:
    return [(str(label), str(admission.basic.get(code, ""))) for code, label, *_rest in admissions.BASIC_FIELDS]


def _need_rows(admission: Admission) -> list[tuple[str, str]]:
    return [
        (f"{n}. {need.kind}", need.description + (f"；{need.analysis}" if need.analysis else ""))
        for n, need in enumerate(admission.needs.all(), start=1)
    ]


def _benchmark(admission: Admission) -> str:
    return {True: _("是"), False: _("否")}.get(admission.benchmark, "—")


def content(application) -> list[Section]:
    admission = _admission(application)
    if admission is None:
        return []
    checks = [
        (
            ("✔ " if result.passed else "✘ ") + result.label,
            "；".join(f.message for f in result.findings) or _("未发现问题"),
        )
        for result in admissions.defect_results(admission)
    ]
    files = [(str(f.get_kind_display()), f.original_name) for f in admission.files.all()]
    scan = scans.section(application)  # 盖章件预审: once the stamped scan is in (computed once, cached)
    return [
        *([scan] if scan is not None else []),
        Section(_("形式审查"), checks),
        Section(_("一、基本情况"), _basic_rows(admission)),
        Section(_("二、数字化改造需求"), _need_rows(admission)),
        Section(_("三、数字化改造情况及成效"), _project_rows(admission)),
        Section(_("四、其他情况"), [(_("愿意参与标杆样板打造"), _benchmark(admission))]),
        Section(_("五、相关佐证材料"), files or [(_("材料"), "—")]),
    ]


def form_rows(application) -> list[tuple[str, str]] | None:
    admission = _admission(application)
    if admission is None:
        return None
    rows = [(_("一、基本情况"), "")] + _basic_rows(admission)
    rows += [(_("二、数字化改造需求"), "")] + _need_rows(admission)
    rows += [(_("三、数字化改造情况及成效"), "")] + _project_rows(admission)
    return rows


def form_pledges(application) -> list[tuple[bool, str]] | None:
    admission = _admission(application)
    if admission is None:
        return None
    benchmark = admission.benchmark
    return [
        (benchmark is True, _("四、其他情况：愿意参与标杆样板打造 — 是")),
        (benchmark is False, _("四、其他情况：愿意参与标杆样板打造 — 否")),
        (True, _("本单位承诺所填报信息及所附材料真实、准确、完整。")),
    ]


def edit_url(application) -> str | None:
    admission_id = Admission.objects.filter(application=application).values_list("pk", flat=True).first()
    if admission_id is None:
        return None
    try:
        return reverse("admission-edit", args=[admission_id])
    except NoReverseMatch:
        return None


# --- 验收申请 (acceptance) ------------------------------------------------------------------------------------------------
def _acceptance(application):
    from tenant_apps.pilots.models import Acceptance

    return (
        Acceptance.objects.select_related("organisation")
        .prefetch_related("needs", "projects__indicators", "projects__providers__products", "files")
        .filter(application=application)
        .first()
    )


def _money(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _acceptance_project_rows(acceptance) -> list[tuple[str, str]]:
    rows = []
    for n, p in enumerate(acceptance.projects.all(), start=1):
        rows += [
            (_("项目%(n)s 名称") % {"n": n}, p.name),
            (_("项目%(n)s 周期") % {"n": n}, f"{p.starts_on or '—'} 至 {p.ends_on or '—'}"),
            (_("项目%(n)s 总投资（元）") % {"n": n}, _money(p.investment)),
            (_("项目%(n)s 数字化水平") % {"n": n}, f"{_level(p.level_before)} → {_level(p.level_after)}"),
            (_("项目%(n)s 改造内容") % {"n": n}, p.content),
        ]
        for provider in p.providers.all():
            products = "；".join(
                f"{x.name}（{x.get_kind_display()}）{_money(x.amount)} 元" for x in provider.products.all()
            )
            uscc = f"（{provider.uscc}）" if provider.uscc else ""
            contract = _("合同 %(amount)s 元") % {"amount": _money(provider.contract_amount)}
            rows.append((_("项目%(n)s 服务商") % {"n": n}, f"{provider.name}{uscc}，{contract}：{products or '—'}"))
        for indicator in p.indicators.all():
            unit = f"（{indicator.unit}）" if indicator.unit else ""
            rows.append(
                (
                    _("项目%(n)s 成效指标") % {"n": n},
                    f"{indicator.name or '—'}{unit}：{indicator.before} → {indicator.after}",
                )
            )
    return rows


def acceptance_sections(acceptance) -> list[Section]:
    """The form's own sections (both the reviewers' page and the applicant's read-only view)."""
    from tenant_apps.pilots import acceptances

    checks = [
        (
            ("✔ " if result.passed else "✘ ") + result.label,
            "；".join(f.message for f in result.findings) or _("未发现问题"),
        )
        for result in acceptances.defect_results(acceptance)
    ]
    files = [(str(f.get_kind_display()), f.original_name) for f in acceptance.files.all()]
    needs = [
        (f"{n}. {need.kind}", need.description + (f"；{need.analysis}" if need.analysis else ""))
        for n, need in enumerate(acceptance.needs.all(), start=1)
    ]
    return [
        Section(_("形式审查"), checks),
        Section(
            _("一、基本情况"),
            [(str(label), str(acceptance.basic.get(code, ""))) for code, label, *_rest in admissions.BASIC_FIELDS],
        ),
        Section(_("二、数字化转型基础"), needs or [(_("需求"), "—")]),
        Section(_("三、数字化改造情况及成效"), _acceptance_project_rows(acceptance)),
        Section(
            _("四、其他情况"),
            [(_("愿意参与标杆样板打造"), {True: _("是"), False: _("否")}.get(acceptance.benchmark, "—"))],
        ),
        Section(_("五、项目总结报告及佐证材料"), files or [(_("材料"), "—")]),
    ]


def _step_sections() -> list:
    """What the acceptance's later steps show on its page (on-site acceptance, investment-list check, recognition and
    subsidy, payments): `section(acceptance) -> Section | None` each, in the order of the flow."""
    from tenant_apps.pilots import disbursement, investment_list, onsite, recognition

    return [disbursement.payments_section, recognition.section, onsite.section, investment_list.section]


def acceptance_content(application) -> list[Section]:
    acceptance = _acceptance(application)
    if acceptance is None:
        return []
    steps = [section for build in _step_sections() if (section := build(acceptance)) is not None]
    return [*steps, *acceptance_sections(acceptance)]


def acceptance_form_rows(application) -> list[tuple[str, str]] | None:
    """项目验收和补助资金申报表: what the applicant prints, stamps and uploads at the stamped-table stage."""
    acceptance = _acceptance(application)
    if acceptance is None:
        return None
    sections = acceptance_sections(acceptance)[1:5]
    rows = []
    for section in sections:
        rows += [(section.title, ""), *section.rows]
    recognised = [
        (
            _("项目%(n)s 认定投资（元）") % {"n": n},
            f"{_money(p.recognised_amount)}，{_('认定数字化水平')} {_level(p.level_reached)}",
        )
        for n, p in enumerate(acceptance.projects.all(), start=1)
        if p.recognised_amount is not None
    ]
    if recognised:
        rows += [(_("验收认定"), ""), *recognised]
    return rows


def acceptance_form_pledges(application) -> list[tuple[bool, str]] | None:
    acceptance = _acceptance(application)
    if acceptance is None:
        return None
    return [
        (acceptance.benchmark is True, _("四、其他情况：愿意参与标杆样板打造 — 是")),
        (acceptance.benchmark is False, _("四、其他情况：愿意参与标杆样板打造 — 否")),
        (True, _("本单位承诺所填报信息及所附材料真实、准确、完整，项目投入均有合同、发票、银行回单等证明。")),
    ]


def acceptance_edit_url(application) -> str | None:
    from tenant_apps.pilots.models import Acceptance

    acceptance_id = Acceptance.objects.filter(application=application).values_list("pk", flat=True).first()
    if acceptance_id is None:
        return None
    try:
        return reverse("acceptance-edit", args=[acceptance_id])
    except NoReverseMatch:
        return None


# Called after every state change of an acceptance (inside the deciding transaction), in order.
def acceptance_outcome(application) -> None:
    from tenant_apps.pilots import onsite, publicity

    onsite.on_application_change(application)
    publicity.tranches_on_outcome(application)


def register() -> None:
    engine_register_kind(admissions.KIND, gettext_lazy("试点企业入库申请"))
    register_edit_url(admissions.KIND, edit_url)
    register_content(admissions.KIND, content)
    register_form(admissions.KIND, form_rows, form_pledges)
    on_outcome(admissions.KIND)(admissions.admission_outcome)

    engine_register_kind("acceptance", gettext_lazy("项目验收及补贴申请"))
    register_edit_url("acceptance", acceptance_edit_url)
    register_content("acceptance", acceptance_content)
    register_form("acceptance", acceptance_form_rows, acceptance_form_pledges)
    on_outcome("acceptance")(acceptance_outcome)
