"""Generated documents show whatever people typed, literally, and print right on any machine.

ReportLab's Paragraph parses mini-markup and Word files are XML, so a title like `a <b> c` or a stray control
character used to make the download a 500. The application is built through the real services (registration,
submission, a returned review) and the documents are fetched as the applicant fetches them.

Printing right (ADR 0017): PDFs embed the vendored Pilot Sans SC (no font named that the reader must have, no
STSong-Light), ☑/☐ are glyphs of that font, forms carry their official title and number, downloads are named after
the application; DOCX names East Asian fonts on its styles and every run."""

import io
import re
import shutil
import subprocess
import zipfile
from urllib.parse import unquote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.utils import timezone
from docx import Document
from lxml import etree
from pypdf import PdfReader
from reportlab.pdfbase.ttfonts import TTFontFile
from stdnum.cn import uscc as stdnum_uscc

from tenant_apps.configuration.models import TenantSettings
from tenant_apps.onboarding.services import registration_profile_submit
from tenant_apps.organisations.models import Membership
from tenant_apps.workflow import documents, services
from tenant_apps.workflow.models import Application, Task

pytestmark = pytest.mark.django_db
User = get_user_model()

HOSTILE = ["a <b> c", "<para>", "&amp; & <font name=x>", "</b>"]
ORGANISATION = "a <b> c & <font name=x> </b> <b>&有限公司"
TITLE = "<para> 入库申请 &amp; & <font name=x>\x0b\x01 </b>"
OPINION = "a <b> c\n<para>\n&amp; & <font name=x>\n</b>\x0c\x1f\n" + "请补充盖章材料。" * 620 + " END-OF-OPINION"


def _uscc() -> str:
    base = "91230100MA00DC0A1"
    return base + stdnum_uscc.calc_check_digit(base)


def _pdf_text(content: bytes) -> str:
    """All pages' text, whitespace collapsed (line wrapping must not count as a difference)."""
    assert content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def _squeezed(text: str) -> str:
    """Text without any whitespace: a line wrapped between two Chinese characters must not count."""
    return "".join(text.split())


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture
def hostile_application(tenant_schema):
    """A Harbin enterprise registered with a markup-like name, its admission application (markup-like title)
    returned by the bureau with a long markup-like opinion."""
    user = User.objects.create_user("hrb_doc_user", mobile="13966660077", password="Docs#2026x")
    with tenant_schema("harbin"):
        membership = Membership.objects.create(user=user, roles=["enterprise"])
        core = {
            "name": ORGANISATION,
            "uscc": _uscc(),
            "industry": None,
            "region": "",
            "address": "",
            "contact_name": "<b>王</b>",
            "contact_mobile": "13966660077",
            "email": "",
        }
        organisation = registration_profile_submit(membership=membership, core=core, profile={})
        bureau = Membership.objects.get(user__username="hrb_bureau")
        application = services.application_create(
            kind="admission", applicant=user, title=TITLE, organisation=organisation
        )
        application = services.application_submit(application=application, actor=user)
        task = application.tasks.get(state=Task.State.OPEN)
        services.task_decide(task_id=task.pk, membership=bureau, action="return", opinion=OPINION)
        application = Application.objects.select_related("organisation").get(pk=application.pk)
        assert application.log.get(action="return").opinion == OPINION  # stored as typed
    return user, application


def test_progress_pdf_shows_hostile_text_literally(login_client, hostile_application):
    user, application = hostile_application
    response = login_client("harbin", user.username).get(f"/workbench/applications/{application.pk}/progress.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for literal in [*HOSTILE, "a <b> c & <font name=x> </b>", "END-OF-OPINION"]:
        assert literal in text, literal
    assert _squeezed(ORGANISATION) in _squeezed(text)  # the company name, `<b>&` and all, as typed
    assert "\x0b" not in text and "\x01" not in text and "\x0c" not in text


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_application_form_shows_hostile_text_literally(login_client, hostile_application, fmt):
    user, application = hostile_application
    response = login_client("harbin", user.username).get(f"/workbench/applications/{application.pk}/form.{fmt}")
    assert response.status_code == 200
    if fmt == "pdf":
        text = _pdf_text(response.content)
    else:
        text = _docx_text(response.content)
        assert "<para> 入库申请 &amp; & <font name=x> </b>" in text  # the heading, control characters dropped
        assert "<b>王</b>" in text
    for literal in [*HOSTILE, "a <b> c & <font name=x> </b>"]:
        assert literal in text, literal
    assert _squeezed(ORGANISATION) in _squeezed(text)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)


def test_documents_drop_characters_xml_cannot_carry(hostile_application, tenant_schema):
    """PostgreSQL refuses NUL in text, but in-memory or imported values may still carry it (and other controls)."""
    _user, application = hostile_application
    application.title = "null\x00 vt\x0b ff\x0c <b>bold?"
    application.organisation.name = "org\x00\x1f <i>"
    with tenant_schema("harbin"):  # documents are made in the city's schema (its flow names, its 平台名称)
        made = [
            (documents.application_form_docx(application), _docx_text),
            (documents.application_form_pdf(application), _pdf_text),
            (documents.progress_pdf(application, [], []), _pdf_text),
        ]
        assert documents.download_name(application, "pdf") == "试点企业入库申请-org _i_.pdf"
    for content, read in made:
        text = read(content)
        assert "null vt ff <b>bold?" in text and "org <i>" in text


# --- Printing right (issue 11, ADR 0017) ---------------------------------------------------------------------------
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _pdf_fonts(content: bytes) -> list[dict]:
    """Every font the PDF's pages use: its name and whether its program is embedded (TrueType: /FontFile2)."""
    fonts = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts.append(
                {
                    "name": str(font["/BaseFont"]),
                    "subtype": str(font["/Subtype"]),
                    "embedded": "/FontFile2" in descriptor,
                }
            )
    return fonts


def _contours(font: TTFontFile, char: str) -> int:
    """How many outlines the font draws for `char` (0: no glyph, or an empty one)."""
    glyph = font.charToGlyph.get(ord(char), 0)
    if glyph == 0:
        return 0
    start, end = font.glyphPos[glyph], font.glyphPos[glyph + 1]
    if end == start:
        return 0
    font._pos = font.get_table_pos("glyf")[0] + start
    return font.read_short()


def test_the_pdf_font_is_vendored_with_its_licence_and_draws_the_ticks():
    """The font comes with the code (no network, no system font): a TrueType (glyf) font ReportLab can subset,
    with real glyphs for the ballot boxes: ☐ is the box, ☑ the box plus a tick (more outlines)."""
    path = finders.find(documents.FONT_FILE)
    assert path, documents.FONT_FILE
    licence = (finders.find("fonts/OFL.txt") and open(finders.find("fonts/OFL.txt"), encoding="utf-8").read()) or ""
    assert "SIL Open Font License" in licence and "Reserved Font Name 'Source'" in licence
    font = TTFontFile(path)
    assert "glyf" in font.table and "CFF " not in font.table  # TrueType outlines: ReportLab cannot embed CFF
    assert font.name == b"PilotSansSC-Regular"  # renamed: a modified OFL font does not use the reserved name
    box, checked = _contours(font, documents.UNCHECKED), _contours(font, documents.CHECKED)
    assert box >= 2 and checked > box, (box, checked)
    for char in "企业认证哈尔滨喆堃䶮有限公司（盖章）：年月日ABCxyz0189<&>":  # incl. name characters outside GB 2312
        assert _contours(font, char) > 0, char


def test_pdfs_embed_the_font_and_name_no_other(login_client, hostile_application):
    user, application = hostile_application
    client = login_client("harbin", user.username)
    for url in [
        f"/workbench/applications/{application.pk}/progress.pdf",
        f"/workbench/applications/{application.pk}/form.pdf",
    ]:
        content = client.get(url).content
        fonts = _pdf_fonts(content)
        assert fonts and all(font["embedded"] for font in fonts), fonts
        # Subsets (`ABCDEF+` prefix) of our font only: no Helvetica, no STSong-Light the reader would have to own.
        assert all(re.fullmatch(r"/[A-Z]{6}\+PilotSansSC-Regular", font["name"]) for font in fonts), fonts
        assert b"STSong" not in content and b"Helvetica" not in content


def test_form_has_official_title_number_and_ticks(login_client, hostile_application, tenant_schema):
    user, application = hostile_application
    with_number = f"申请编号：{timezone.localtime(application.created_at).year}-{application.pk:06d}"
    with tenant_schema("harbin"):
        issuer = TenantSettings.objects.get(pk=1).display_name
    assert issuer  # the city's 平台名称 heads the form
    client = login_client("harbin", user.username)
    pdf = _pdf_text(client.get(f"/workbench/applications/{application.pk}/form.pdf").content)
    docx = _docx_text(client.get(f"/workbench/applications/{application.pk}/form.docx").content)
    for text in (pdf, docx):
        assert issuer in text
        assert "试点企业入库申请表" in text  # the flow's name (试点企业入库申请) as the form's title
        assert with_number in text
        assert "☑ 本单位承诺所填报信息及所附材料真实、准确、完整。" in text
        assert "☑ 本单位已完成平台企业认证。" in text  # the organisation is registered
    progress = _pdf_text(client.get(f"/workbench/applications/{application.pk}/progress.pdf").content)
    assert with_number in progress


def _saved_name(response) -> str:
    """The name a browser saves the download as, read the RFC 6266 way (`filename*=utf-8''…` wins)."""
    header = response["Content-Disposition"]
    assert header.startswith("attachment; ")
    encoded = re.search(r"filename\*=utf-8''([^;]+)", header)
    assert encoded, header  # a Chinese name is sent percent-encoded (RFC 5987), not raw in filename="…"
    assert all(ord(c) < 128 for c in header)
    return unquote(encoded.group(1))


def test_downloads_are_named_after_the_application(login_client, hostile_application, tenant_schema):
    user, application = hostile_application
    client = login_client("harbin", user.username)
    # Characters no file system accepts (< > / …) become `_`; the rest of the name stays as typed.
    applicant = "a _b_ c & _font name=x_ __b_ _b_&有限公司"
    for path, expected in [
        ("form.pdf", f"试点企业入库申请-{applicant}.pdf"),
        ("form.docx", f"试点企业入库申请-{applicant}.docx"),
        ("progress.pdf", f"试点企业入库申请-{applicant}-审核进度.pdf"),
    ]:
        response = client.get(f"/workbench/applications/{application.pk}/{path}")
        assert response.status_code == 200
        assert _saved_name(response) == expected

    with tenant_schema("harbin"):  # the example: 企业认证-<名称>.pdf
        certification = services.application_create(
            kind="certification", applicant=user, title="企业认证", organisation=application.organisation
        )
        application.organisation.name = "哈尔滨市某某科技有限公司"
        application.organisation.save(update_fields=["name"])
    response = client.get(f"/workbench/applications/{certification.pk}/form.pdf")
    assert _saved_name(response) == "企业认证-哈尔滨市某某科技有限公司.pdf"


def test_docx_names_east_asian_fonts_and_keeps_ticks(hostile_application, tenant_schema, tmp_path):
    """Word picks the font of each character by its slot: Chinese from w:eastAsia. Styles (and the document
    defaults) name 宋体 without theme fonts that would override it; every run names its fonts too; ☑/☐ are
    characters in runs of their own, in a symbol font every Windows has. Where LibreOffice is installed, the
    DOCX is also printed to PDF and the ticks must survive."""
    _user, application = hostile_application
    application.organisation = None  # not registered: the second pledge stays unticked
    with tenant_schema("harbin"):
        content = documents.application_form_docx(application)

    with zipfile.ZipFile(io.BytesIO(content)) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        styles = etree.fromstring(package.read("word/styles.xml"))

    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    normal = styles.find(f"{W}style[@{W}styleId='Normal']/{W}rPr/{W}rFonts")
    for r_fonts in (defaults, normal):
        assert r_fonts.get(f"{W}eastAsia") == "宋体"
        assert r_fonts.get(f"{W}eastAsiaTheme") is None and r_fonts.get(f"{W}asciiTheme") is None

    ticks = []
    for run in body.iter(f"{W}r"):
        text = "".join(t.text or "" for t in run.iter(f"{W}t"))
        if not text:
            continue
        r_fonts = run.find(f"{W}rPr/{W}rFonts")
        assert r_fonts is not None and r_fonts.get(f"{W}eastAsia"), text
        if text in (documents.CHECKED, documents.UNCHECKED):
            ticks.append(text)
            assert {r_fonts.get(f"{W}{slot}") for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {"Segoe UI Symbol"}
        else:
            assert documents.CHECKED not in text and documents.UNCHECKED not in text
            assert r_fonts.get(f"{W}eastAsia") in ("宋体", "黑体")
    assert ticks == ["☑", "☐"]
    text = _docx_text(content)
    assert "☑ 本单位承诺所填报信息及所附材料真实、准确、完整。" in text and "☐ 本单位已完成平台企业认证。" in text

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office:  # an extra check where the binary exists (CI images with LibreOffice), not a separate skipped test
        (tmp_path / "form.docx").write_bytes(content)
        subprocess.run(
            [office, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf"]
            + ["--outdir", str(tmp_path), str(tmp_path / "form.docx")],
            check=True,
            capture_output=True,
            timeout=180,
        )
        printed = _pdf_text((tmp_path / "form.pdf").read_bytes())
        assert "☑" in printed and "☐" in printed, printed


def test_pdf_form_ticks_an_unregistered_applicant_empty(hostile_application, tenant_schema):
    _user, application = hostile_application
    application.organisation = None
    with tenant_schema("harbin"):
        text = _pdf_text(documents.application_form_pdf(application))
    assert "☑ 本单位承诺所填报信息及所附材料真实、准确、完整。" in text
    assert "☐ 本单位已完成平台企业认证。" in text
