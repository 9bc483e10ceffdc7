"""盖章件预审: flags on the stamped scan an applicant uploads at the `applicant_upload` stage (seed 002 注意事项 3),
so the reviewer at 盖章件审核 sees at a glance what used to be checked by eye:

1. 页数 — the scan has as many pages as the generated form (`documents.application_form_pdf`); a missing page is
   the usual mistake.
2. 红色印章 — the signature page (the scan's last page) carries a red seal: the page is rendered (PDFium, through
   `pypdfium2`) and looked at for a *cluster* of red pixels. A pixel is red when R > 150, G < 100 and B < 100
   (`RED_*`); the page has a seal when some square window of about 45 mm (`WINDOW_MM`) holds red pixels amounting to
   at least 0.1 % of the page's pixels (`SEAL_MIN_SHARE`, ≈ 62 mm² of ink on A4 — the ring of a 40 mm company seal
   alone is about 120 mm²). Scattered red specks do not add up to a seal; a black-and-white scan has none.
3. 原始文件 — the upload is not the unstamped generated PDF itself: the same bytes, or no image content at all with
   the same extractable text as the form (the print date aside: the form is regenerated on the day it is checked).

Flags are computed lazily, when someone opens the application, and cached per attachment (the Django cache's keys
carry the tenant's schema, `django_tenants.cache.make_key`). A file that cannot be read never raises here: each flag
then says 无法读取."""

from __future__ import annotations

import difflib
import hashlib
import io
import logging
import re
import threading
from dataclasses import astuple, dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _

from tenant_apps.workflow.models import Application, Attachment
from tenant_apps.workflow.registry import Section

logger = logging.getLogger(__name__)

# What counts as red, and how much of it makes a seal (see the module's docstring).
RED_MIN_R, RED_MAX_G, RED_MAX_B = 150, 100, 100
SEAL_MIN_SHARE = 0.001
CELL_MM, WINDOW_CELLS = 15, 3  # the window: 3 × 3 cells of 15 mm
WINDOW_MM = CELL_MM * WINDOW_CELLS
RENDER_LONG_SIDE_PX = 1000  # the last page is rendered with its longer side this long (≈ 85 dpi on A4)
TEXT_SAME_RATIO = 0.95  # normalised texts at least this similar are "the same text"
SCAN_MAX_BYTES = 100 * 1024 * 1024  # what the upload stage accepts
CACHE_SECONDS = 30 * 24 * 3600  # an attachment never changes; the key is its id
CACHE_VERSION = 1
POINTS_PER_MM = 72 / 25.4

# PDFium is not thread-safe (pypdfium2's documentation): one rendering at a time per process.
_PDFIUM = threading.Lock()
_PRINT_DATE = re.compile(r"打印日期[：:]?\d{4}-\d{2}-\d{2}")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Flag:
    code: str  # pages | seal | original
    label: str
    passed: bool
    message: str


class Unreadable(Exception):
    pass


# --- Reading PDFs ----------------------------------------------------------------------------------------------------------
def _reader(data: bytes):
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Unreadable("encrypted")
        return reader
    except Unreadable:
        raise
    except Exception as error:  # noqa: BLE001 - whatever pypdf raises on a broken file, it is unreadable
        raise Unreadable(str(error)) from error


def page_count(data: bytes) -> int:
    try:
        count = len(_reader(data).pages)
    except Unreadable:
        raise
    except Exception as error:  # noqa: BLE001
        raise Unreadable(str(error)) from error
    if count < 1:
        raise Unreadable("no pages")
    return count


def _text(data: bytes, pages: int) -> str:
    """The first `pages` pages' extractable text, without whitespace and without the form's print date."""
    reader = _reader(data)
    parts = []
    for page in list(reader.pages)[:pages]:
        try:
            parts.append(page.extract_text() or "")
        except Exception:  # noqa: BLE001 - a page whose text cannot be read adds none
            continue
    return _PRINT_DATE.sub("", _SPACE.sub("", "".join(parts)))


def _render_last_page(data: bytes):
    """(the scan's last page as an RGB image, pixels per point, whether any page holds an image object)."""
    import pypdfium2 as pdfium

    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(data)
        except Exception as error:  # noqa: BLE001 - PdfiumError and friends
            raise Unreadable(str(error)) from error
        try:
            count = len(document)
            if count < 1:
                raise Unreadable("no pages")
            has_images = False
            for index in range(count):
                page = document[index]
                try:
                    if next(iter(page.get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,))), None) is not None:
                        has_images = True
                finally:
                    page.close()
                if has_images:
                    break
            page = document[count - 1]
            try:
                width, height = page.get_size()
                if width <= 0 or height <= 0:
                    raise Unreadable("empty page")
                scale = RENDER_LONG_SIDE_PX / max(width, height)
                image = page.render(scale=scale).to_pil().convert("RGB")
            finally:
                page.close()
        except Unreadable:
            raise
        except Exception as error:  # noqa: BLE001
            raise Unreadable(str(error)) from error
        finally:
            document.close()
    return image, scale, has_images


# --- The red seal ----------------------------------------------------------------------------------------------------------
def red_cluster_share(image, pixels_per_point: float) -> float:
    """The largest share of the page's pixels that are red within one ~45 mm square window."""
    from PIL import ImageChops

    red, green, blue = image.split()
    mask = ImageChops.multiply(
        ImageChops.multiply(
            red.point(lambda v: 255 if v > RED_MIN_R else 0),
            green.point(lambda v: 255 if v < RED_MAX_G else 0),
        ),
        blue.point(lambda v: 255 if v < RED_MAX_B else 0),
    )
    total = image.width * image.height
    if not mask.getbbox():
        return 0.0
    cell = max(1, round(CELL_MM * POINTS_PER_MM * pixels_per_point))
    # Each cell's mean (0–255) × its area = its red pixels; partial edge cells count what they cover.
    cols, rows = -(-image.width // cell), -(-image.height // cell)
    grid = mask.reduce(cell) if cell > 1 else mask
    values = grid.tobytes()  # mode L: one byte per cell, row by row
    counts = [[values[r * grid.width + c] / 255 * cell * cell for c in range(cols)] for r in range(rows)]
    best = 0.0
    for r in range(max(1, rows - WINDOW_CELLS + 1)):
        for c in range(max(1, cols - WINDOW_CELLS + 1)):
            window = sum(
                counts[rr][cc]
                for rr in range(r, min(rows, r + WINDOW_CELLS))
                for cc in range(c, min(cols, c + WINDOW_CELLS))
            )
            best = max(best, window)
    return best / total


# --- The flags -------------------------------------------------------------------------------------------------------------
LABELS = {
    "pages": lambda: _("页数与申请表一致"),
    "seal": lambda: _("签章页有红色印章"),
    "original": lambda: _("不是未盖章的原始文件"),
}


@dataclass(frozen=True)
class Measures:
    """What was measured on a scan (None: could not be read). Cached as such, so the flags' wording follows the
    reader's language and the thresholds in force."""

    scan_pages: int | None
    form_pages: int | None
    red_share: float | None
    looks_original: bool | None


def measure(scan: bytes, form: bytes | None) -> Measures:
    """Page counts, the red seal's share and whether `scan` is the generated `form` itself (None when unreadable)."""
    try:
        scan_pages = page_count(scan)
    except Unreadable:
        return Measures(None, None, None, None)
    try:
        form_pages = page_count(form) if form else None
    except Unreadable:
        form_pages = None
    try:
        image, pixels_per_point, has_images = _render_last_page(scan)
        share = red_cluster_share(image, pixels_per_point)
    except Unreadable:
        return Measures(scan_pages, form_pages, None, None)
    same_bytes = form is not None and hashlib.sha256(scan).digest() == hashlib.sha256(form).digest()
    same_text = False
    if not same_bytes and not has_images and form_pages is not None:
        try:
            scan_text, form_text = _text(scan, form_pages + 1), _text(form, form_pages + 1)
        except Unreadable:
            scan_text = form_text = ""
        if scan_text and form_text:
            same_text = scan_text == form_text or (
                difflib.SequenceMatcher(None, scan_text[:20000], form_text[:20000], autojunk=False).ratio()
                >= TEXT_SAME_RATIO
            )
    return Measures(scan_pages, form_pages, share, same_bytes or same_text)


def _unreadable(code: str, what: str) -> Flag:
    return Flag(code, LABELS[code](), False, _("无法读取%(what)s，请下载后人工核对。") % {"what": what})


def flags_of(measures: Measures) -> list[Flag]:
    scan = _("扫描件")
    if measures.scan_pages is None:
        return [_unreadable(code, scan) for code in LABELS]
    counts = {"scan": measures.scan_pages, "form": measures.form_pages}
    if measures.form_pages is None:
        pages = _unreadable("pages", _("系统生成的申请表"))
    elif measures.scan_pages == measures.form_pages:
        pages = Flag("pages", LABELS["pages"](), True, _("扫描件 %(scan)s 页，申请表 %(form)s 页。") % counts)
    else:
        message = _("扫描件 %(scan)s 页，申请表 %(form)s 页，页数不一致，请核对是否缺页或多页。") % counts
        pages = Flag("pages", LABELS["pages"](), False, message)
    if measures.red_share is None:
        seal = _unreadable("seal", scan)
    elif measures.red_share >= SEAL_MIN_SHARE:
        message = _("最后一页检测到红色印章（红色区域约占页面 %(share)s）。") % {"share": f"{measures.red_share:.2%}"}
        seal = Flag("seal", LABELS["seal"](), True, message)
    else:
        message = _("最后一页未检测到红色印章，请核对是否已盖章（黑白扫描件无法识别印章）。")
        seal = Flag("seal", LABELS["seal"](), False, message)
    if measures.looks_original is None:
        original = _unreadable("original", scan)
    elif measures.looks_original:
        message = _("疑似未盖章的原始文件：与系统生成的申请表内容相同，且不含扫描图像。")
        original = Flag("original", LABELS["original"](), False, message)
    else:
        original = Flag("original", LABELS["original"](), True, _("扫描件不是系统生成的原始文件。"))
    return [pages, seal, original]


def scan_flags(scan: bytes, form: bytes | None) -> list[Flag]:
    """The three flags for `scan` against the generated `form` (None when it could not be generated)."""
    return flags_of(measure(scan, form))


# --- Per attachment, cached ------------------------------------------------------------------------------------------------
def _cache_key(attachment_id: int) -> str:
    return f"pilots:scan-flags:v{CACHE_VERSION}:{attachment_id}"


def _read(attachment: Attachment) -> bytes | None:
    try:
        with attachment.file.open("rb") as handle:
            data = handle.read(SCAN_MAX_BYTES + 1)
    except Exception:  # noqa: BLE001 - a file gone from storage is an unreadable scan, not an error page
        logger.warning("stamped scan %s could not be read from storage", attachment.pk, exc_info=True)
        return None
    return data if len(data) <= SCAN_MAX_BYTES else None


def _form(application: Application) -> bytes | None:
    from tenant_apps.workflow.documents import application_form_pdf

    try:
        return application_form_pdf(application)
    except Exception:  # noqa: BLE001 - the page still opens; the page flag says the form could not be read
        logger.warning("the generated form of application %s could not be built", application.pk, exc_info=True)
        return None


def attachment_measures(attachment: Attachment) -> Measures:
    """What one stamped scan measures, computed once and then read from the cache."""
    key = _cache_key(attachment.pk)
    cached = cache.get(key)
    if cached is not None:
        return Measures(*cached)
    scan = _read(attachment)
    if scan is None:  # storage trouble may pass: not cached
        return Measures(None, None, None, None)
    measures = measure(scan, _form(attachment.application))
    cache.set(key, astuple(measures), CACHE_SECONDS)
    return measures


def attachment_flags(attachment: Attachment) -> list[Flag]:
    return flags_of(attachment_measures(attachment))


def latest_scan(application: Application) -> Attachment | None:
    """The stamped scan of the current round: the newest attachment, unless the application was (re)submitted after
    it (a new round waits for a new scan)."""
    attachment = Attachment.objects.filter(application=application).order_by("-created_at", "-id").first()
    if attachment is None:
        return None
    if application.submitted_at and attachment.created_at < application.submitted_at:
        return None
    return attachment


def section(application: Application) -> Section | None:
    """盖章件预审 for the application page: one ✔/✘ row per flag, or None while there is no scan."""
    attachment = latest_scan(application)
    if attachment is None:
        return None
    attachment.application = application
    rows = [(("✔ " if flag.passed else "✘ ") + flag.label, flag.message) for flag in attachment_flags(attachment)]
    return Section(_("盖章件预审"), rows)
