"""项目投资清单 (issue #14, seed 002 §七): the city's XLSX template, reading an uploaded sheet, and the cross-check
against the acceptance form — "the projects, providers and products entered must agree with the investment list".

The template has a title row (the city's short name), a header row (`COLUMNS`), one row per product or service and a
合计 row (a SUM formula). Reading is tolerant of what people do to a template: a title, notes and blank lines above the
header (found by its labels), blank lines between rows, merged or left-blank 项目名称 / 服务商名称 cells (carried down
from the row above), amounts typed as text ("1,200.00") or computed by formulas (read as their cached values). It stops
at 合计 and compares the 合计 row, when it holds a value, with the rows' sum.

Names are compared after NFKC (full-width letters, digits and brackets become half-width), without whitespace and
case-insensitively: "ＭＥＳ 系统" and "mes系统" are the same product. Amounts are Decimal to the fen throughout.

The check of an uploaded list is computed when someone looks (the form page, the reviewer's page, the API). What is
cached is the parsed sheet, per stored file id (a file never changes): the form it is compared with may change
after the upload, so the comparison itself is always fresh."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import astuple, dataclass
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from tenant_apps.pilots.models import Acceptance, AcceptanceFile, AcceptanceProject, ProjectProduct, ProjectProvider
from tenant_apps.workflow.registry import Section
from tenants.errors import DomainError

logger = logging.getLogger(__name__)

MODULE = "acceptance"
FIELD = "investment_list"
LIST_MAX_BYTES = 10 * 1024 * 1024
LIST_MAX_ROWS = 2000
UNZIPPED_MAX_BYTES = 50 * 1024 * 1024  # 2,000 rows of nine columns are well under 5 MB of XML: no zip bombs
HEADER_SCAN_ROWS = 50  # the header is looked for among the sheet's first rows
MAX_COLUMNS = 30
AMOUNT_MAX = Decimal("999999999999.99")  # what the models' money fields hold
FEN = Decimal("0.01")
TEMPLATE_BLANK_ROWS = 20
CACHE_SECONDS = 30 * 24 * 3600
CACHE_VERSION = 1
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The template's columns: (key, header label). The parser finds them by label, in any order.
COLUMNS = [
    ("index", "序号"),
    ("project", "项目名称"),
    ("provider", "服务商名称"),
    ("uscc", "服务商统一社会信用代码"),
    ("product", "产品/服务名称"),
    ("kind", "类型（软件/硬件/服务）"),
    ("amount", "金额（元）"),
    ("contract_no", "合同编号"),
    ("invoice_no", "发票号码"),
]
LABELS = dict(COLUMNS)
REQUIRED = ("project", "provider", "product", "amount")
KINDS = {
    "软件": ProjectProduct.Kind.SOFTWARE,
    "硬件": ProjectProduct.Kind.HARDWARE,
    "服务": ProjectProduct.Kind.SERVICE,
}
TOTAL_WORDS = {"合计", "总计"}

_SPACE = re.compile(r"\s+")
_AMOUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?$")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def norm(value) -> str:
    """A name as compared: NFKC, no whitespace, case-folded."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(value or ""))).casefold()


def money(value: Decimal | None) -> str:
    return _("未填写") if value is None else f"{value:,.2f}"


def _shown(name: str, limit: int = 60) -> str:
    """A name as it may appear in a message: one line, bounded."""
    text = _SPACE.sub(" ", _CONTROL.sub("", str(name))).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Who sees which acceptance -------------------------------------------------------------------------------------
def acceptances_visible(membership):
    from tenant_apps.pilots.acceptances import readable_acceptances

    return readable_acceptances(membership)


def access_acceptance(membership, pk) -> Acceptance:
    """One acceptance the caller may read; 404 for missing and forbidden alike."""
    from tenant_apps.pilots.acceptances import access_readable

    return access_readable(membership, pk)


def form_projects(acceptance: Acceptance) -> list[AcceptanceProject]:
    """The form's projects with their providers and products: three queries whatever their number."""
    return list(
        AcceptanceProject.objects.filter(acceptance=acceptance)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "providers",
                queryset=ProjectProvider.objects.order_by("position", "id").prefetch_related(
                    Prefetch("products", queryset=ProjectProduct.objects.order_by("position", "id"))
                ),
            )
        )
    )


# --- The template --------------------------------------------------------------------------------------------------
def city_short_name() -> str:
    """The tenant's short name (哈尔滨), which titles the city's templates."""
    from tenant_apps.configuration.selectors import tenant_settings

    row = tenant_settings()
    return (row.short_name if row is not None else "") or ""


def list_title() -> str:
    return _("%(city)s试点企业数字化改造项目投资清单") % {"city": city_short_name()}


def _text_cell(cell, value) -> None:
    """Text stays text: a name like "=HYPERLINK(…)" is never a formula; characters XML cannot carry are dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    cell.data_type = "s"


def template_rows(acceptance: Acceptance | None) -> list[list]:
    """The data rows of a prefilled template: one per product, a provider without products on a row of its own
    (its contract amount), a project without providers on a row of its own."""
    rows = []
    if acceptance is None:
        return rows
    labels = {code: label for label, code in KINDS.items()}
    for project in form_projects(acceptance):
        providers = list(project.providers.all())
        if not providers:
            rows.append([project.name, "", "", "", "", project.investment, "", ""])
        for provider in providers:
            products = list(provider.products.all())
            if not products:
                rows.append([project.name, provider.name, provider.uscc, "", "", provider.contract_amount, "", ""])
            for product in products:
                kind = labels.get(product.kind, "")
                rows.append([project.name, provider.name, provider.uscc, product.name, kind, product.amount, "", ""])
    return rows


def template_workbook(acceptance: Acceptance | None = None) -> bytes:
    """The city's XLSX template 项目投资清单: blank, or prefilled with an acceptance's projects, providers and
    products (and a 合计 row summing them)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = _("项目投资清单")
    width = len(COLUMNS)
    last_col = chr(ord("A") + width - 1)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    _text_cell(sheet.cell(row=1, column=1), list_title())
    sheet.cell(row=1, column=1).font = Font(bold=True, size=16)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last_col}1")
    note = _("每行填写一项产品或服务；金额单位为元，保留两位小数；类型从下拉列表中选择；请勿修改表头。")
    if acceptance is not None:
        note = _("企业名称：%(name)s。") % {"name": acceptance.organisation.name} + note
    _text_cell(sheet.cell(row=2, column=1), note)
    sheet.cell(row=2, column=1).alignment = Alignment(wrap_text=True, vertical="center")
    sheet.merge_cells(f"A2:{last_col}2")
    sheet.row_dimensions[2].height = 32

    header_row = 3
    for column, (_key, label) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=header_row, column=column)
        _text_cell(cell, label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF2FF")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for column, size in zip("ABCDEFGHI", (6, 30, 30, 22, 26, 12, 16, 16, 16), strict=True):
        sheet.column_dimensions[column].width = size
    sheet.freeze_panes = f"A{header_row + 1}"

    rows = template_rows(acceptance) or [[""] * 5 + [None, "", ""] for _n in range(TEMPLATE_BLANK_ROWS)]
    first = header_row + 1
    for offset, values in enumerate(rows):
        row = first + offset
        sheet.cell(row=row, column=1, value=offset + 1).border = border
        for column, value in enumerate(values, start=2):
            cell = sheet.cell(row=row, column=column)
            if column == 7:  # 金额（元）
                cell.value = value
                cell.number_format = "#,##0.00"
            else:
                _text_cell(cell, value)
            cell.border = border
    last = first + len(rows) - 1
    total_row = last + 1
    _text_cell(sheet.cell(row=total_row, column=1), _("合计"))
    sheet.merge_cells(f"A{total_row}:F{total_row}")
    total = sheet.cell(row=total_row, column=7, value=f"=SUM(G{first}:G{last})")
    total.number_format = "#,##0.00"
    for column in range(1, width + 1):
        sheet.cell(row=total_row, column=column).border = border
        sheet.cell(row=total_row, column=column).font = Font(bold=True)

    kinds = DataValidation(
        type="list",
        formula1='"' + ",".join(KINDS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("类型"),
        error=_("请选择软件、硬件或服务。"),
    )
    sheet.add_data_validation(kinds)
    kinds.add(f"F{first}:F{max(last, first + LIST_MAX_ROWS - 1)}")
    book.properties.title = list_title()
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Reading an uploaded list ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InvestmentRow:
    row: int  # the sheet's row number, as Excel shows it
    project: str
    provider: str
    uscc: str
    product: str
    kind: str  # software | hardware | service | ""
    amount: Decimal | None  # None only on a row that names a project and nothing else
    contract_no: str = ""
    invoice_no: str = ""


class InvestmentList(list):
    """The rows of a sheet, and the amount its 合计 row states (None: no 合计 row, or a formula never calculated)."""

    declared_total: Decimal | None = None
    total_row: int | None = None


def _not_xlsx() -> DomainError:
    return DomainError(
        _("投资清单须为本市模板的 Excel 文件（.xlsx），该文件无法按 Excel 读取。"),
        code="investment_list.not_xlsx",
        field=FIELD,
    )


def _checked_upload(upload) -> None:
    """Size and type by content (the project's upload helper), then the zip's unpacked size."""
    from tenants.uploads import upload_checked

    try:
        upload_checked(
            upload,
            allowed=("xlsx", "zip"),  # some writers order the zip so that only its signature is recognised
            max_bytes=LIST_MAX_BYTES,
            wrong_type=_("投资清单须为本市模板的 Excel 文件（.xlsx）。"),
            too_large=_("投资清单文件须小于 10 MB。"),
            field=FIELD,
        )
    except DomainError as error:
        if error.code in ("upload.wrong_type", "upload.unreadable"):
            raise _not_xlsx() from None
        if error.code == "upload.too_large":
            raise DomainError(error.message, code="investment_list.too_large", field=FIELD) from None
        raise
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _not_xlsx() from None
    finally:
        upload.seek(0)
    if unpacked > UNZIPPED_MAX_BYTES:
        raise _not_xlsx()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a text column (序号, 发票号码)
    return _SPACE.sub(" ", _CONTROL.sub(" ", str(value))).strip()


def _refuse(row: int, key: str, reason: str) -> DomainError:
    messages = {
        "amount": _("第 %(row)s 行「%(label)s」不是有效金额"),
        "blank": _("第 %(row)s 行「%(label)s」未填写"),
        "kind": _("第 %(row)s 行「%(label)s」须为软件、硬件或服务"),
    }
    return DomainError(
        messages[reason] % {"row": row, "label": LABELS[key]}, code=f"investment_list.{reason}", field=FIELD
    )


def parse_amount(value, row: int) -> Decimal | None:
    """A cell's amount to the fen: numbers (a formula's cached value too) and text like "1,200.00" or "1200"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _refuse(row, "amount", "amount")
    if isinstance(value, int | float | Decimal):
        try:
            amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except (InvalidOperation, ValueError):
            raise _refuse(row, "amount", "amount") from None
        if not amount.is_finite():
            raise _refuse(row, "amount", "amount")
        rounded = amount.quantize(FEN)
        if abs(amount - rounded) > Decimal("0.000001"):  # float noise of a formula is not a third decimal
            raise _refuse(row, "amount", "amount")
        amount = rounded
    elif isinstance(value, str):
        text = _SPACE.sub("", unicodedata.normalize("NFKC", value))
        if not _AMOUNT.match(text):
            raise _refuse(row, "amount", "amount")
        amount = Decimal(text.replace(",", "")).quantize(FEN)
    else:  # dates, times, errors
        raise _refuse(row, "amount", "amount")
    if amount < 0 or amount > AMOUNT_MAX:
        raise _refuse(row, "amount", "amount")
    return amount


def _header(values) -> dict[str, int] | None:
    """Column positions when `values` is the header row (every required label present), else None."""
    wanted = {norm(label): key for key, label in COLUMNS}
    found: dict[str, int] = {}
    for position, value in enumerate(values):
        text = norm(value) if isinstance(value, str) else ""
        if not text:
            continue
        key = wanted.get(text)
        if key is None:  # "金额" for "金额（元）", "类型" for "类型（软件/硬件/服务）"
            key = next((k for label, k in wanted.items() if label.startswith(text) and len(text) >= 2), None)
        if key is not None and key not in found:
            found[key] = position
    return found if all(key in found for key in REQUIRED) else None


def _is_total(values, columns) -> bool:
    for key in ("index", "project"):
        position = columns.get(key)
        if position is not None and position < len(values) and norm(values[position]) in TOTAL_WORDS:
            return True
    return bool(values) and norm(values[0]) in TOTAL_WORDS


def _read_sheet(upload) -> InvestmentList:
    from openpyxl import load_workbook

    upload.seek(0)
    try:
        book = load_workbook(io.BytesIO(upload.read()), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - whatever openpyxl raises on a file it cannot read, it is not an XLSX
        raise _not_xlsx() from None
    try:
        sheet = book.active or (book.worksheets[0] if book.worksheets else None)
        if sheet is None:
            raise _not_xlsx()
        return _rows_of(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
    except DomainError:
        raise
    except Exception:  # noqa: BLE001 - a broken part of the package surfaces while iterating
        raise _not_xlsx() from None
    finally:
        book.close()


def _rows_of(rows) -> InvestmentList:
    result = InvestmentList()
    columns = None
    project = provider = uscc = ""
    for number, values in enumerate(rows, start=1):
        values = tuple(values or ())
        if columns is None:
            columns = _header(values)
            if columns is None and number >= HEADER_SCAN_ROWS:
                break
            continue

        def cell(key, values=values, columns=columns):
            position = columns.get(key)
            return values[position] if position is not None and position < len(values) else None

        if _is_total(values, columns):
            result.total_row = number
            result.declared_total = parse_amount(cell("amount"), number)
            break
        texts = {
            key: _text(cell(key)) for key in ("project", "provider", "uscc", "product", "contract_no", "invoice_no")
        }
        raw_amount = cell("amount")
        if not any(texts.values()) and (raw_amount is None or _text(raw_amount) == ""):
            continue  # blank (a 序号 or a 类型 alone does not make a row)
        if len(result) >= LIST_MAX_ROWS:
            raise DomainError(
                _("投资清单最多 %(max)s 行，请合并同类产品后重新上传。") % {"max": f"{LIST_MAX_ROWS:,}"},
                code="investment_list.too_many_rows",
                field=FIELD,
            )
        # Merged or left-blank cells: the project carries down; the provider only when the project did too.
        if texts["project"]:
            project = texts["project"]
            if texts["provider"]:
                provider, uscc = texts["provider"], texts["uscc"]
            else:
                provider = uscc = ""
        elif texts["provider"]:
            provider, uscc = texts["provider"], texts["uscc"]
        elif texts["uscc"]:
            uscc = texts["uscc"]
        if not project:
            raise _refuse(number, "project", "blank")
        amount = parse_amount(raw_amount, number)
        heading = not (texts["provider"] or texts["product"] or texts["uscc"]) and texts["project"]
        if amount is None and not heading:
            raise _refuse(number, "amount", "blank")
        kind_text = norm(cell("kind"))
        kind = ""
        if kind_text:
            kind = next((code for label, code in KINDS.items() if norm(label) == kind_text), None)
            if kind is None:
                raise _refuse(number, "kind", "kind")
        result.append(
            InvestmentRow(
                row=number,
                project=project,
                provider=provider,
                uscc=uscc,
                product=texts["product"],
                kind=str(kind),
                amount=amount,
                contract_no=texts["contract_no"],
                invoice_no=texts["invoice_no"],
            )
        )
    if columns is None:
        raise DomainError(
            _(
                "未找到投资清单的表头，请使用本市模板（须含「项目名称」「服务商名称」「产品/服务名称」「金额（元）」列）。"
            ),
            code="investment_list.no_header",
            field=FIELD,
        )
    return result


def parse(upload) -> InvestmentList:
    """The rows of an uploaded investment list (an UploadedFile, a stored File or bytes); a DomainError on the
    field `investment_list` when it is not an XLSX, too large, too long, or a row's amount is not an amount."""
    if isinstance(upload, bytes | bytearray):
        upload = ContentFile(bytes(upload), name="investment_list.xlsx")
    _checked_upload(upload)
    return _read_sheet(upload)


# --- The cross-check -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mismatch:
    level: str  # project | provider | product | total | list (the sheet itself cannot be checked)
    message: str
    path: str  # where on the form: projects.0.providers.1 (the section for what only the list has)


@dataclass
class _Node:
    name: str
    total: Decimal = Decimal("0.00")
    uscc: str = ""
    kinds: set | None = None
    children: dict | None = None


def _tree(rows) -> dict[str, _Node]:
    """project → provider → product, by normalised name, amounts summed (a product over several invoices)."""
    projects: dict[str, _Node] = {}
    for row in rows:
        project = projects.setdefault(norm(row.project), _Node(row.project, children={}))
        if row.amount is None:
            continue
        project.total += row.amount
        if not row.provider:
            continue
        provider = project.children.setdefault(norm(row.provider), _Node(row.provider, children={}))
        provider.total += row.amount
        if row.uscc and not provider.uscc:
            provider.uscc = row.uscc
        if not row.product:
            continue
        product = provider.children.setdefault(norm(row.product), _Node(row.product, kinds=set()))
        product.total += row.amount
        if row.kind:
            product.kinds.add(row.kind)
    return projects


def _form_groups(items, name=lambda item: item.name):
    """Form rows by normalised name, in form order: (key, index of the first, the rows)."""
    groups: dict[str, tuple[int, list]] = {}
    for index, item in enumerate(items):
        groups.setdefault(norm(name(item)), (index, []))[1].append(item)
    return groups


def _sum(values) -> Decimal | None:
    values = list(values)
    if any(value is None for value in values):
        return None if len(values) == 1 else sum((v for v in values if v is not None), Decimal("0.00"))
    return sum(values, Decimal("0.00"))


def cross_check(acceptance: Acceptance, rows, *, projects: list | None = None) -> list[Mismatch]:
    """Every disagreement between the form (projects → providers → products) and the list's rows, in form order,
    then what only the list has, then the sheet's own 合计."""
    projects = form_projects(acceptance) if projects is None else projects
    listed = _tree(rows)
    kind_labels = {code: label for label, code in KINDS.items()}
    out: list[Mismatch] = []
    only_form, only_list = _("申报表中有，投资清单中没有"), _("投资清单中有，申报表中没有")
    for key, (p, group) in _form_groups(projects).items():
        project = group[0]
        who = _("项目「%(project)s」") % {"project": _shown(project.name)}
        path = f"projects.{p}"
        node = listed.pop(key, None)
        if node is None:
            out.append(Mismatch("project", f"{who}：{only_form}", path))
            continue
        investment = _sum(x.investment for x in group)
        if investment != node.total:
            message = _("%(who)s：清单合计 %(list)s 元，申报表 %(form)s 元") % {
                "who": who,
                "list": money(node.total),
                "form": money(investment),
            }
            out.append(Mismatch("total", message, f"{path}.investment"))
        providers = [provider for x in group for provider in x.providers.all()]
        for pkey, (v, pgroup) in _form_groups(providers).items():
            provider = pgroup[0]
            pwho = who + _("服务商「%(provider)s」") % {"provider": _shown(provider.name)}
            ppath = f"{path}.providers.{v}"
            pnode = node.children.pop(pkey, None)
            if pnode is None:
                out.append(Mismatch("provider", f"{pwho}：{only_form}", ppath))
                continue
            contract = _sum(x.contract_amount for x in pgroup)
            if contract != pnode.total:
                message = _("%(who)s：清单合计 %(list)s 元，申报表合同金额 %(form)s 元") % {
                    "who": pwho,
                    "list": money(pnode.total),
                    "form": money(contract),
                }
                out.append(Mismatch("provider", message, f"{ppath}.contract_amount"))
            form_uscc = norm(provider.uscc)
            if pnode.uscc and form_uscc and norm(pnode.uscc) != form_uscc:
                message = _("%(who)s：清单统一社会信用代码 %(list)s，申报表 %(form)s") % {
                    "who": pwho,
                    "list": _shown(pnode.uscc, 20),
                    "form": provider.uscc,
                }
                out.append(Mismatch("provider", message, f"{ppath}.uscc"))
            products = [product for x in pgroup for product in x.products.all()]
            for dkey, (d, dgroup) in _form_groups(products).items():
                product = dgroup[0]
                dwho = pwho + _("产品/服务「%(product)s」") % {"product": _shown(product.name)}
                dpath = f"{ppath}.products.{d}"
                dnode = pnode.children.pop(dkey, None)
                if dnode is None:
                    out.append(Mismatch("product", f"{dwho}：{only_form}", dpath))
                    continue
                amount = _sum(x.amount for x in dgroup)
                if amount != dnode.total:
                    message = _("%(who)s：清单金额 %(list)s 元，申报表 %(form)s 元") % {
                        "who": dwho,
                        "list": money(dnode.total),
                        "form": money(amount),
                    }
                    out.append(Mismatch("product", message, f"{dpath}.amount"))
                if dnode.kinds and product.kind not in dnode.kinds:
                    message = _("%(who)s：清单类型 %(list)s，申报表 %(form)s") % {
                        "who": dwho,
                        "list": "、".join(str(kind_labels[k]) for k in sorted(dnode.kinds)),
                        "form": product.get_kind_display(),
                    }
                    out.append(Mismatch("product", message, f"{dpath}.kind"))
            for dnode in pnode.children.values():
                dwho = pwho + _("产品/服务「%(product)s」") % {"product": _shown(dnode.name)}
                out.append(Mismatch("product", f"{dwho}：{only_list}", f"{ppath}.products"))
        for pnode in node.children.values():
            pwho = who + _("服务商「%(provider)s」") % {"provider": _shown(pnode.name)}
            out.append(Mismatch("provider", f"{pwho}：{only_list}", f"{path}.providers"))
    for node in listed.values():
        who = _("项目「%(project)s」") % {"project": _shown(node.name)}
        out.append(Mismatch("project", f"{who}：{only_list}", "projects"))
    declared = getattr(rows, "declared_total", None)
    if declared is not None:
        summed = sum((row.amount for row in rows if row.amount is not None), Decimal("0.00"))
        if declared != summed:
            message = _("投资清单：合计行 %(declared)s 元，各行金额之和 %(sum)s 元") % {
                "declared": money(declared),
                "sum": money(summed),
            }
            out.append(Mismatch("total", message, FIELD))
    return out


# --- The acceptance's uploaded list ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ListCheck:
    """The latest uploaded list and what came of checking it. `state`: none (no list uploaded), pdf / other (not an
    XLSX: not checked), unreadable (storage trouble), invalid (an XLSX refused by `parse`: `note` says why),
    checked (`mismatches`, empty when consistent)."""

    state: str
    file: AcceptanceFile | None = None
    mismatches: tuple[Mismatch, ...] = ()
    note: str = ""

    @property
    def checked(self) -> bool:
        return self.state in ("checked", "invalid")


def latest_list(acceptance: Acceptance) -> AcceptanceFile | None:
    return (
        AcceptanceFile.objects.filter(acceptance=acceptance, kind=AcceptanceFile.Kind.INVESTMENT_LIST)
        .order_by("-created_at", "-id")
        .first()
    )


def _cache_key(file_id: int) -> str:
    return f"pilots:investment-list:v{CACHE_VERSION}:{file_id}"


def _read(stored: AcceptanceFile) -> bytes | None:
    try:
        with stored.file.open("rb") as handle:
            return handle.read(LIST_MAX_BYTES + 1)
    except Exception:  # noqa: BLE001 - a file gone from storage is reported, not an error page
        logger.warning("investment list %s could not be read from storage", stored.pk, exc_info=True)
        return None


def _parsed(stored: AcceptanceFile):
    """("rows", rows, declared total) | ("pdf"|"other",) | ("invalid", message) | ("unreadable",), cached per file
    (storage trouble is not cached: it may pass)."""
    key = _cache_key(stored.pk)
    cached = cache.get(key)
    if cached is not None:
        return cached
    data = _read(stored)
    if data is None:
        return ("unreadable",)
    if data[:5] == b"%PDF-":
        result = ("pdf",)
    else:
        try:
            rows = parse(data)
        except DomainError as error:
            result = ("other",) if error.code == "investment_list.not_xlsx" else ("invalid", error.message)
        else:
            result = ("rows", [astuple(row) for row in rows], rows.declared_total)
    cache.set(key, result, CACHE_SECONDS)
    return result


def check_latest(acceptance: Acceptance, *, projects: list | None = None) -> ListCheck:
    stored = latest_list(acceptance)
    if stored is None:
        return ListCheck("none")
    parsed = _parsed(stored)
    state = parsed[0]
    if state == "pdf":
        return ListCheck("pdf", stored, note=_("清单为 PDF，未自动核对。"))
    if state == "other":
        return ListCheck("other", stored, note=_("清单不是 Excel 文件（.xlsx），未自动核对。"))
    if state == "unreadable":
        return ListCheck("unreadable", stored, note=_("无法读取投资清单文件，请下载后人工核对。"))
    if state == "invalid":
        note = _("投资清单无法核对：%(reason)s") % {"reason": parsed[1]}
        return ListCheck("invalid", stored, (Mismatch("list", note, FIELD),), note)
    rows = InvestmentList(InvestmentRow(*values) for values in parsed[1])
    rows.declared_total = parsed[2]
    return ListCheck("checked", stored, tuple(cross_check(acceptance, rows, projects=projects)))


def latest_mismatches(acceptance: Acceptance) -> list[Mismatch] | None:
    """The mismatches of the latest uploaded list ([] when consistent); None when there is no list or it is not an
    XLSX (a PDF list cannot be checked). A sheet `parse` refuses gives one mismatch of level `list` saying why."""
    result = check_latest(acceptance)
    return list(result.mismatches) if result.checked else None


LEVEL_LABELS = {
    "project": lambda: _("项目"),
    "provider": lambda: _("服务商"),
    "product": lambda: _("产品/服务"),
    "total": lambda: _("金额合计"),
    "list": lambda: _("投资清单"),
}


def section(acceptance: Acceptance) -> Section | None:
    """投资清单核对 for the reviewer's application page: ✔ when the list agrees with the form, a ✘ row per mismatch,
    or why it was not checked. None while no list was uploaded."""
    result = check_latest(acceptance)
    if result.state == "none":
        return None
    name = result.file.original_name
    if not result.checked:
        return Section(_("投资清单核对"), [(_("未核对"), f"{result.note}（{name}）")])
    if not result.mismatches:
        return Section(_("投资清单核对"), [("✔ " + _("与申报表一致"), _("已核对 %(name)s") % {"name": name})])
    rows = [("✘ " + LEVEL_LABELS[m.level](), m.message) for m in result.mismatches]
    return Section(_("投资清单核对"), rows)


_NOT_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def download_name(*parts: str, extension: str) -> str:
    """项目投资清单-<企业>.xlsx: what the browser saves a generated file as (no character a file system refuses)."""
    name = "-".join(" ".join(str(part).split()) for part in parts if part)
    return f"{_NOT_IN_FILENAME.sub('_', name)[:120] or 'download'}.{extension}"
