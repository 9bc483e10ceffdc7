"""Generated documents show whatever people typed, literally: markup-like text, long opinions, control characters.

ReportLab's Paragraph parses mini-markup and Word files are XML, so a title like `a <b> c` or a stray control
character used to make the download a 500. The application is built through the real services (registration,
submission, a returned review) and the documents are fetched as the applicant fetches them."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from docx import Document
from pypdf import PdfReader
from stdnum.cn import uscc as stdnum_uscc

from tenant_apps.onboarding.services import registration_profile_submit
from tenant_apps.organisations.models import Membership
from tenant_apps.workflow import documents, services
from tenant_apps.workflow.models import Application, Task

pytestmark = pytest.mark.django_db
User = get_user_model()

HOSTILE = ["a <b> c", "<para>", "&amp; & <font name=x>", "</b>"]
ORGANISATION = "a <b> c & <font name=x> </b> 有限公司"
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
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text)


def test_documents_drop_characters_xml_cannot_carry(hostile_application):
    """PostgreSQL refuses NUL in text, but in-memory or imported values may still carry it (and other controls)."""
    _user, application = hostile_application
    application.title = "null\x00 vt\x0b ff\x0c <b>bold?"
    application.organisation.name = "org\x00\x1f <i>"
    for content, read in [
        (documents.application_form_docx(application), _docx_text),
        (documents.application_form_pdf(application), _pdf_text),
        (documents.progress_pdf(application, [], []), _pdf_text),
    ]:
        text = read(content)
        assert "null vt ff <b>bold?" in text and "org <i>" in text
