"""盖章件预审: the flags the reviewer sees on the stamped scan of an admission's generated form — page count against
the form, a red seal on the signature page, not the unstamped generated PDF itself — computed from real PDFs: the
form as the engine generates it, "printed, stamped and scanned" (pages rendered to images, a red seal drawn on the
last one, re-wrapped as an image-only PDF), and its usual faults. Broken files never break the page."""

from __future__ import annotations

import io
import random

import pypdfium2 as pdfium
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from tenant_apps.pilots import admissions, scans
from tenant_apps.pilots.kinds import content
from tenant_apps.workflow import documents
from tenant_apps.workflow import services as engine
from tenant_apps.workflow.models import Attachment, Task
from tests.test_pilots_api import BASIC, NEEDS, PDF, bureau, enterprise, project

pytestmark = pytest.mark.django_db
HARBIN = "harbin"
DPI = 100
MM = DPI / 25.4  # pixels per millimetre of the scans made here
SEAL_RED = (214, 38, 46)


# --- Printing, stamping and scanning, simulated ----------------------------------------------------------------------------
def pages_of(pdf: bytes) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].render(scale=DPI / 72).to_pil().convert("RGB") for i in range(len(document))]
    finally:
        document.close()


def seal(page: Image.Image, colour=SEAL_RED) -> Image.Image:
    """A 40 mm company seal (ring, inner ring, star) near the signature line, as a stamp leaves it."""
    page = page.copy()
    draw = ImageDraw.Draw(page)
    cx, cy, r = 130 * MM, page.height - 70 * MM, 20 * MM
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=colour, width=round(1.2 * MM))
    draw.ellipse((cx - r + 3 * MM, cy - r + 3 * MM, cx + r - 3 * MM, cy + r - 3 * MM), outline=colour, width=2)
    star = [(cx, cy - 6 * MM), (cx + 2 * MM, cy - 1 * MM), (cx + 6 * MM, cy - 1 * MM), (cx + 3 * MM, cy + 2 * MM),
            (cx + 4 * MM, cy + 7 * MM), (cx, cy + 4 * MM), (cx - 4 * MM, cy + 7 * MM), (cx - 3 * MM, cy + 2 * MM),
            (cx - 6 * MM, cy - 1 * MM), (cx - 2 * MM, cy - 1 * MM)]  # fmt: skip
    draw.polygon(star, fill=colour)
    return page


def specks(page: Image.Image, count: int = 700) -> Image.Image:
    """Red dots scattered over the whole page (a red pen's ticks, colour noise): much red, no cluster."""
    page = page.copy()
    draw = ImageDraw.Draw(page)
    rng = random.Random(14)
    for _n in range(count):
        x, y = rng.randrange(page.width - 4), rng.randrange(page.height - 4)
        draw.rectangle((x, y, x + 3, y + 3), fill=SEAL_RED)
    return page


def scanned(images: list[Image.Image]) -> bytes:
    """Image-only PDF, one JPEG per A4 page, as a scanner writes it."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for image in images:
        jpeg = io.BytesIO()
        image.save(jpeg, "JPEG", quality=80)
        jpeg.seek(0)
        pdf.drawImage(ImageReader(jpeg), 0, 0, width=A4[0], height=A4[1])
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def stamped(form: bytes) -> bytes:
    pages = pages_of(form)
    return scanned([*pages[:-1], seal(pages[-1])])


def row(flags, code):
    return next(flag for flag in flags if flag.code == code)


# --- The world: an admission waiting for its stamped scan --------------------------------------------------------------------
@pytest.fixture
def waiting(tenant_schema, settings, tmp_path):
    """A submitted admission (long enough for a form of several pages) that the bureau approved: the upload stage is
    open. Yields (enterprise member, application, its generated form PDF)."""
    settings.MEDIA_ROOT = tmp_path
    with tenant_schema(HARBIN):
        member = enterprise(31)
        admission = admissions.admission_start(membership=member)
        admissions.admission_save(
            membership=member,
            admission_id=admission.pk,
            basic=BASIC,
            needs=NEEDS * 3,
            projects=[project(n, content=project()["content"] * 4) for n in range(1, 7)],
            benchmark=True,
            files={
                kind: SimpleUploadedFile(f"{kind}.pdf", PDF, content_type="application/pdf")
                for kind in ("audit_report", "credit_report")
            },
        )
        admissions.admission_submit(membership=member, admission_id=admission.pk)
        application = admission.application
        application.refresh_from_db()
        task = application.tasks.get(state=Task.State.OPEN)
        engine.task_decide(task_id=task.pk, membership=bureau(), action="approve")
        application.refresh_from_db()
        form = documents.application_form_pdf(application)
        assert scans.page_count(form) >= 2  # so that a missing page is a real case
        yield member, application, form


def upload_scan(member, application, data: bytes, name: str = "盖章申报表.pdf") -> Attachment:
    task = application.tasks.get(state=Task.State.OPEN)
    assert task.handler == "applicant_upload"
    engine.stage_upload(
        task_id=task.pk, membership=member, upload=SimpleUploadedFile(name, data, content_type="application/pdf")
    )
    return application.attachments.latest("id")


# --- The flags, from the PDFs alone ------------------------------------------------------------------------------------------
def test_a_printed_stamped_and_scanned_form_passes_every_flag(waiting):
    _member, _application, form = waiting
    flags = scans.scan_flags(stamped(form), form)
    assert [(f.code, f.passed) for f in flags] == [("pages", True), ("seal", True), ("original", True)], flags
    assert "红色印章" in row(flags, "seal").message


def test_the_generated_pdf_itself_is_flagged_as_the_unstamped_original(waiting):
    _member, application, form = waiting
    regenerated = documents.application_form_pdf(application)  # what the reviewer's check builds: other bytes
    assert regenerated != form
    for upload in (form, regenerated):
        flags = scans.scan_flags(upload, form)
        original = row(flags, "original")
        assert original.passed is False and original.message.startswith("疑似未盖章的原始文件")
        assert row(flags, "pages").passed is True and row(flags, "seal").passed is False


def test_a_scan_missing_a_page_fails_the_page_count(waiting):
    _member, _application, form = waiting
    pages = pages_of(form)
    short = scanned([*pages[1:-1], seal(pages[-1])])  # the first page was left on the scanner
    flags = scans.scan_flags(short, form)
    pages_flag = row(flags, "pages")
    assert pages_flag.passed is False
    assert f"扫描件 {len(pages) - 1} 页，申请表 {len(pages)} 页" in pages_flag.message
    assert row(flags, "seal").passed is True and row(flags, "original").passed is True


def test_a_black_and_white_scan_shows_no_red_seal(waiting):
    _member, _application, form = waiting
    grey = [page.convert("L").convert("RGB") for page in pages_of(stamped(form))]
    flags = scans.scan_flags(scanned(grey), form)
    assert row(flags, "seal").passed is False and "未检测到红色印章" in row(flags, "seal").message
    assert row(flags, "pages").passed is True and row(flags, "original").passed is True


def test_scattered_red_is_no_seal_but_a_cluster_is(waiting):
    """The seal is a cluster: red specks all over the page add up to more red than the threshold, yet no ~45 mm
    window holds enough of it; the same page with a seal passes."""
    _member, _application, form = waiting
    pages = pages_of(form)
    noisy = scanned([*pages[:-1], specks(pages[-1])])
    image, pixels_per_point, _images = scans._render_last_page(noisy)
    raw = image.tobytes()  # RGB, three bytes a pixel
    red = sum(
        1
        for i in range(0, len(raw), 3)
        if raw[i] > scans.RED_MIN_R and raw[i + 1] < scans.RED_MAX_G and raw[i + 2] < scans.RED_MAX_B
    )
    assert red / (image.width * image.height) >= scans.SEAL_MIN_SHARE  # a plain count would call it a seal
    assert scans.red_cluster_share(image, pixels_per_point) < scans.SEAL_MIN_SHARE
    assert row(scans.scan_flags(noisy, form), "seal").passed is False
    sealed = scanned([*pages[:-1], seal(specks(pages[-1]))])
    assert row(scans.scan_flags(sealed, form), "seal").passed is True


@pytest.mark.parametrize(
    "broken",
    [
        b"",
        b"not a pdf at all",
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF",  # no pages
        PDF[: len(PDF) // 2],  # truncated
    ],
)
def test_a_broken_pdf_is_reported_unreadable_never_raised(waiting, broken):
    _member, _application, form = waiting
    flags = scans.scan_flags(broken, form)
    assert [f.code for f in flags] == ["pages", "seal", "original"]
    assert all(f.passed is False and f.message.startswith("无法读取") for f in flags), flags


def test_a_form_that_cannot_be_read_only_affects_the_page_count(waiting):
    _member, _application, form = waiting
    flags = scans.scan_flags(stamped(form), None)
    assert row(flags, "pages").message.startswith("无法读取") and row(flags, "seal").passed is True


# --- On the application page, computed once ----------------------------------------------------------------------------------
def test_the_reviewer_sees_the_flags_on_the_application_page(waiting, login_client, monkeypatch):
    member, application, form = waiting
    assert scans.section(application) is None  # nothing to check before the scan is in
    assert "盖章件预审" not in [s.title for s in content(application)]
    attachment = upload_scan(member, application, stamped(form))
    application.refresh_from_db()
    assert application.tasks.get(state=Task.State.OPEN).stage_name == "盖章件审核"

    page = login_client(HARBIN, "hrb_bureau").get(reverse("application-detail", args=[application.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "盖章件预审" in html
    for label in ("✔ 页数与申请表一致", "✔ 签章页有红色印章", "✔ 不是未盖章的原始文件"):
        assert label in html, label

    def not_again(*args, **kwargs):
        raise AssertionError("measured twice: the cache was not used")

    monkeypatch.setattr(scans, "measure", not_again)
    again = login_client(HARBIN, "hrb_bureau").get(reverse("application-detail", args=[application.pk]))
    assert again.status_code == 200 and "✔ 签章页有红色印章" in again.content.decode()
    assert [f.passed for f in scans.attachment_flags(attachment)] == [True, True, True]


def test_the_generated_pdf_uploaded_as_the_scan_is_flagged_for_the_reviewer(waiting, login_client):
    member, application, form = waiting
    upload_scan(member, application, form, name="未盖章.pdf")
    html = login_client(HARBIN, "hrb_bureau").get(reverse("application-detail", args=[application.pk])).content
    html = html.decode()
    assert "✘ 不是未盖章的原始文件" in html and "疑似未盖章的原始文件" in html
    assert "✘ 签章页有红色印章" in html and "✔ 页数与申请表一致" in html


def test_an_unreadable_stored_scan_still_opens_the_page(waiting, login_client):
    """A file the upload check let through but PDFium cannot read (or one damaged in storage) says 无法读取."""
    member, application, _form = waiting
    Attachment.objects.create(
        application=application,
        stage_position=application.stage_position,
        file=ContentFile(b"%PDF-1.7\n% damaged after upload\n", name="damaged.pdf"),
        original_name="damaged.pdf",
        content_type="application/pdf",
        size=32,
        uploaded_by=member.user,
    )
    page = login_client(HARBIN, "hrb_bureau").get(reverse("application-detail", args=[application.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "盖章件预审" in html and html.count("无法读取扫描件") == 3


def test_a_new_round_waits_for_a_new_scan(waiting):
    """After a return at 盖章件审核 and a resubmission, the old scan is not the current round's: no flags shown."""
    member, application, form = waiting
    upload_scan(member, application, stamped(form))
    application.refresh_from_db()
    task = application.tasks.get(state=Task.State.OPEN)
    engine.task_decide(task_id=task.pk, membership=bureau(), action="return", opinion="印章不清晰，请重新扫描。")
    application.refresh_from_db()
    assert scans.section(application) is not None  # the returned application still shows what was checked
    admission = application.admission
    admissions.admission_submit(membership=member, admission_id=admission.pk)
    application.refresh_from_db()
    assert scans.section(application) is None
