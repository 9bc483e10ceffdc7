"""Uploads are checked by content, parsed, and refused when they carry active content; downloads are attachments
with `nosniff`. Crafted files: a %PDF header over HTML/SVG, PDF JavaScript (also hidden behind a #-escaped name),
embedded files, SVG, a PNG header over a script, a PDF without pages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from tenants.errors import DomainError
from tenants.uploads import upload_checked

pytestmark = pytest.mark.django_db


def pdf(*, javascript: str | None = None, embedded: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    if javascript:  # a document-level script in the /Names tree
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(javascript)}
        )
        tree = DictionaryObject(
            {NameObject("/Names"): ArrayObject([TextStringObject("a"), writer._add_object(action)])}
        )
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    if embedded:
        writer.add_attachment("payload.html", b"<p>hi</p>")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_open_action_js() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


GOOD_PDF = pdf()
CRAFTED = {
    "pdf-header-over-html": b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF",
    "pdf-header-over-svg": b"%PDF-1.7\n<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>\n%%EOF",
    "valid-pdf-with-html-appended": GOOD_PDF + b"\n<script>alert(1)</script>",
    "pdf-with-javascript": pdf(javascript="app.alert(1);"),
    "pdf-open-action-javascript": pdf_open_action_js(),
    "pdf-open-action-escaped-name": pdf_open_action_js().replace(b"/JavaScript", b"/J#61vaScript"),
    "pdf-with-embedded-file": pdf(embedded=True),
    "pdf-without-pages": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "svg": b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    "png-header-over-script": b"\x89PNG\r\n\x1a\n<script>alert(1)</script>",
    "png-header-only": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
}


def check(content: bytes, allowed=("pdf", "png", "jpg", "docx", "zip")):
    upload = SimpleUploadedFile("file.pdf", content, content_type="application/pdf")
    return upload_checked(upload, allowed=allowed, max_bytes=10**7, wrong_type="wrong", too_large="large")


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_files_are_refused(name):
    with pytest.raises(DomainError) as refused:
        check(CRAFTED[name])
    assert refused.value.code in {"upload.wrong_type", "upload.unreadable", "upload.active_content"}
    assert refused.value.field == "file"


def test_real_files_pass():
    assert check(GOOD_PDF).mime == "application/pdf"
    assert check(png()).mime == "image/png"
    with pytest.raises(DomainError, match="large"):
        upload_checked(
            SimpleUploadedFile("a.pdf", GOOD_PDF), allowed={"pdf"}, max_bytes=10, wrong_type="w", too_large="large"
        )
    with pytest.raises(DomainError) as svg_allowed_anyway:
        check(CRAFTED["svg"], allowed=("svg", "xml"))
    assert svg_allowed_anyway.value.code == "upload.wrong_type"


@pytest.fixture
def upload_stage(tenant_schema, settings, tmp_path):
    from tenant_apps.organisations.models import Membership
    from tenant_apps.workflow import services
    from tenant_apps.workflow.models import Task

    settings.MEDIA_ROOT = tmp_path
    with tenant_schema("harbin"):
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username="hrb_enterprise")
        application = services.application_submit(
            application=services.application_create(kind="admission", applicant=user, title="入库申请"), actor=user
        )
        task = application.tasks.get(state=Task.State.OPEN)
        bureau = Membership.objects.get(user__username="hrb_bureau")
        services.task_decide(task_id=task.pk, membership=bureau, action="approve")
    return application


def test_stamped_scan_refuses_a_polyglot_and_serves_the_real_one_as_an_attachment(
    upload_stage, login_client, tenant_schema
):
    enterprise = login_client("harbin", "hrb_enterprise")
    url = f"/workbench/applications/{upload_stage.pk}/"
    for name in ("pdf-header-over-html", "pdf-with-javascript"):
        polyglot = SimpleUploadedFile("盖章件.pdf", CRAFTED[name], content_type="application/pdf")
        assert enterprise.post(url, {"do": "upload", "file": polyglot}).status_code == 400, name
    scan = SimpleUploadedFile("盖章件.pdf", GOOD_PDF, content_type="application/pdf")
    assert enterprise.post(url, {"do": "upload", "file": scan}).status_code == 302
    with tenant_schema("harbin"):
        attachment = upload_stage.attachments.get()
    download = login_client("harbin", "hrb_bureau").get(f"{url}files/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_cms_documents_refuse_polyglots_and_download_as_attachments(login_client, tenant_client, settings, tmp_path):
    from wagtail.documents.models import Document

    settings.MEDIA_ROOT = tmp_path
    editor = login_client("harbin", "hrb_editor")
    for name in ("pdf-header-over-html", "pdf-with-embedded-file", "svg"):
        crafted = SimpleUploadedFile("notice.pdf", CRAFTED[name], content_type="application/pdf")
        response = editor.post("/cms/documents/add/", {"title": name, "file": crafted, "collection": "1"})
        assert response.status_code == 200, name
    real = SimpleUploadedFile("notice.pdf", GOOD_PDF, content_type="application/pdf")
    assert editor.post("/cms/documents/add/", {"title": "真实", "file": real, "collection": "1"}).status_code == 302
    from django.db import connection
    from django_tenants.utils import schema_context

    with schema_context("harbin"):
        url = Document.objects.get(title="真实").url
    connection.set_schema_to_public()
    download = tenant_client("harbin").get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
