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


def _file_link(url_name: str, sheet_pk: int, item) -> str:
    """A supporting file on the application page as its download (the route checks who may read it)."""
    from django.utils.html import format_html

    try:
        return format_html('<a href="{}">{}</a>', reverse(url_name, args=[sheet_pk, item.pk]), item.original_name)
    except NoReverseMatch:
        return item.original_name


def _level(value) -> str:
    return LEVEL_NAMES.get(value, "—") if value else "—"


def _project_rows(sheet, *, investment_label: str, money, extra=None) -> list[tuple[str, str]]:
    """三's rows of an admission or an acceptance: each project's own, `extra(project, n)`'s (the acceptance's
    providers), then its indicators. `investment_label` (with `%(n)s`) and `money` are the form's unit."""
    rows = []
    for n, p in enumerate(sheet.projects.all(), start=1):
        rows += [
            (_("项目%(n)s 名称") % {"n": n}, p.name),
            (_("项目%(n)s 周期") % {"n": n}, f"{p.starts_on or '—'} 至 {p.ends_on or '—'}"),
            (investment_label % {"n": n}, money(p.investment)),
            (_("项目%(n)s 数字化水平") % {"n": n}, f"{_level(p.level_before)} → {_level(p.level_after)}"),
            (_("项目%(n)s 改造内容") % {"n": n}, p.content),
        ]
        if extra is not None:
            rows += extra(p, n)
        for indicator in p.indicators.all():
            unit = f"（{indicator.unit}）" if indicator.unit else ""
            rows.append(
                (
                    _("项目%(n)s 成效指标") % {"n": n},
                    f"{indicator.name or '—'}{unit}：{indicator.before} → {indicator.after}",
                )
            )
    return rows


def _admission_project_rows(admission: Admission) -> list[tuple[str, str]]:
    return _project_rows(
        admission,
        investment_label=_("项目%(n)s 投资（万元）"),
        money=lambda value: str(value if value is not None else "—"),
    )


def _checks(results) -> list[tuple[str, str]]:
    """The defect rules as ✔/✘ with their findings."""
    return [
        (
            ("✔ " if result.passed else "✘ ") + result.label,
            "；".join(f.message for f in result.findings) or _("未发现问题"),
        )
        for result in results
    ]


def _basic_rows(sheet) -> list[tuple[str, str]]:
    return [(str(label), str(sheet.basic.get(code, ""))) for code, label, *_rest in admissions.BASIC_FIELDS]


def _need_rows(sheet) -> list[tuple[str, str]]:
    return [
        (f"{n}. {need.kind}", need.description + (f"；{need.analysis}" if need.analysis else ""))
        for n, need in enumerate(sheet.needs.all(), start=1)
    ]


def _benchmark(sheet) -> str:
    return {True: _("是"), False: _("否")}.get(sheet.benchmark, "—")


def content(application) -> list[Section]:
    admission = _admission(application)
    if admission is None:
        return []
    checks = _checks(admissions.defect_results(admission))
    files = [
        (str(f.get_kind_display()), _file_link("admission-evidence", admission.pk, f)) for f in admission.files.all()
    ]
    scan = scans.section(application)  # 盖章件预审: once the stamped scan is in (computed once, cached)
    return [
        *([scan] if scan is not None else []),
        Section(_("形式审查"), checks),
        Section(_("一、基本情况"), _basic_rows(admission)),
        Section(_("二、数字化改造需求"), _need_rows(admission)),
        Section(_("三、数字化改造情况及成效"), _admission_project_rows(admission)),
        Section(_("四、其他情况"), [(_("愿意参与标杆样板打造"), _benchmark(admission))]),
        Section(_("五、相关佐证材料"), files or [(_("材料"), "—")]),
    ]


def form_rows(application) -> list[tuple[str, str]] | None:
    admission = _admission(application)
    if admission is None:
        return None
    rows = [(_("一、基本情况"), "")] + _basic_rows(admission)
    rows += [(_("二、数字化改造需求"), "")] + _need_rows(admission)
    rows += [(_("三、数字化改造情况及成效"), "")] + _admission_project_rows(admission)
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


def _edit_url(model, url_name: str, application) -> str | None:
    """The form's own edit page for its application (None without one, or where the page is not routed)."""
    pk = model.objects.filter(application=application).values_list("pk", flat=True).first()
    if pk is None:
        return None
    try:
        return reverse(url_name, args=[pk])
    except NoReverseMatch:
        return None


def edit_url(application) -> str | None:
    return _edit_url(Admission, "admission-edit", application)


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


def _provider_rows(project, n: int) -> list[tuple[str, str]]:
    rows = []
    for provider in project.providers.all():
        products = "；".join(
            f"{x.name}（{x.get_kind_display()}）{_money(x.amount)} 元" for x in provider.products.all()
        )
        uscc = f"（{provider.uscc}）" if provider.uscc else ""
        contract = _("合同 %(amount)s 元") % {"amount": _money(provider.contract_amount)}
        rows.append((_("项目%(n)s 服务商") % {"n": n}, f"{provider.name}{uscc}，{contract}：{products or '—'}"))
    return rows


def _acceptance_project_rows(acceptance) -> list[tuple[str, str]]:
    return _project_rows(acceptance, investment_label=_("项目%(n)s 总投资（元）"), money=_money, extra=_provider_rows)


def acceptance_sections(acceptance) -> list[Section]:
    """The form's own sections (both the reviewers' page and the applicant's read-only view)."""
    from tenant_apps.pilots import acceptances

    files = [
        (str(f.get_kind_display()), _file_link("acceptance-file", acceptance.pk, f)) for f in acceptance.files.all()
    ]
    return [
        Section(_("形式审查"), _checks(acceptances.defect_results(acceptance))),
        Section(_("一、基本情况"), _basic_rows(acceptance)),
        Section(_("二、数字化转型基础"), _need_rows(acceptance) or [(_("需求"), "—")]),
        Section(_("三、数字化改造情况及成效"), _acceptance_project_rows(acceptance)),
        Section(_("四、其他情况"), [(_("愿意参与标杆样板打造"), _benchmark(acceptance))]),
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

    return _edit_url(Acceptance, "acceptance-edit", application)


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
