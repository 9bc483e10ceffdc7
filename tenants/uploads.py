"""Every upload is checked here, by content: a maintained signature detector (`filetype`), then a structural parse
of the format it claims (PDF with pypdf, images with Pillow), and a refusal of active content — HTML/SVG markup
anywhere in the file (a polyglot that a browser could sniff and run), PDF JavaScript, launch actions, embedded
files, XFA and rich media. SVG is never accepted. Downloads are served as attachments with `nosniff` (the views).

Callers: the stamped scans of the review engine (`tenant_apps.workflow.services`) and Wagtail documents
(`cms.forms.DocumentForm`).

What a module keeps of a checked upload is `StoredUpload` (abstract: the name the person chose, the checked content
type, the size, when) beside its own `file` and `kind`; `stored_name` gives the file a name of its own."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

import filetype
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.errors import DomainError

CHUNK = 1024 * 1024
# Markup a browser would render or run if it sniffed the file; compressed streams do not contain these by chance.
ACTIVE_MARKUP = re.compile(
    rb"<\s*(?:script|html|svg|body|iframe|object|embed|!doctype\s+html|\?xml-stylesheet)\b|javascript:", re.IGNORECASE
)
# PDF names that run code, start programs, carry other files or forms that script themselves.
PDF_ACTIVE_NAMES = {
    "/JS",
    "/JavaScript",
    "/Launch",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/XFA",
    "/ImportData",
    "/SubmitForm",
    "/GoToE",
    "/Sound",
    "/Movie",
}
PDF_MAX_OBJECTS = 500_000  # a walk bound: a scan has thousands of objects, not millions
IMAGE_FORMATS = {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP", "bmp": "BMP", "tif": "TIFF"}
ARCHIVES_AND_OFFICE = {"doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "zip", "rar", "7z"}
# Containers accepted by signature and the markup scan only (a caller must allow them explicitly).
VIDEO_CONTAINERS = {"mp4"}


class StoredUpload(models.Model):
    """An uploaded file's record: the subclass adds its `file` (with its own `upload_to`), its owner and its `kind`.
    The stored name is `stored_name`'s; the name the person chose is kept only as data (`original_name`), and
    `content_type` is what `upload_checked` detected, not what the browser claimed."""

    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


def stored_name(folder: str, filename: str) -> str:
    """`<folder>/<random>.<suffix>` for an upload (the storage adds the tenant prefix): nothing of the person's
    file name but its lower-cased suffix (at most 8 characters; `bin` without one)."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"{folder}/{uuid.uuid4().hex}.{suffix}"


def upload_checked(upload, *, allowed: Iterable[str], max_bytes: int, wrong_type, too_large, field: str = "file"):
    """The detected `filetype` kind of an acceptable upload (`.extension`, `.mime`); a DomainError otherwise.

    `allowed` are detected extensions ("pdf", "png", "docx", …). The messages are the caller's (they name its
    limits); a file with active content gets the wrong-type message too, with its own code."""
    allowed = set(allowed) - {"svg", "html", "xml"}
    if upload.size > max_bytes:
        raise DomainError(too_large, code="upload.too_large", field=field)
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is None or kind.extension not in allowed:
        raise DomainError(wrong_type, code="upload.wrong_type", field=field)
    try:
        if _has_active_markup(upload):
            raise ActiveContent
        if kind.extension == "pdf":
            _pdf_parsed(upload)
        elif kind.extension in IMAGE_FORMATS:
            _image_parsed(upload, IMAGE_FORMATS[kind.extension])
        elif kind.extension not in ARCHIVES_AND_OFFICE | VIDEO_CONTAINERS:
            raise Unreadable
    except ActiveContent:
        raise DomainError(
            _("文件含有脚本、网页或内嵌文件等可执行内容，不能上传。"), code="upload.active_content", field=field
        ) from None
    except Unreadable:
        raise DomainError(wrong_type, code="upload.unreadable", field=field) from None
    finally:
        upload.seek(0)
    return kind


class ActiveContent(Exception):
    pass


class Unreadable(Exception):
    pass


def _has_active_markup(upload) -> bool:
    tail = b""
    for chunk in upload.chunks(CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(CHUNK), b""):
        if ACTIVE_MARKUP.search(tail + chunk):
            return True
        tail = chunk[-64:]
    return False


def _pdf_parsed(upload) -> None:
    """Opens with pypdf, has at least one page, and no reachable object names active content."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable
        if len(reader.pages) < 1:
            raise Unreadable
        _pdf_walk(reader.trailer)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as error:
        raise Unreadable from error


def _pdf_walk(root) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise Unreadable
        if isinstance(node, DictionaryObject):  # streams too (their dictionary; the data is not decoded)
            if PDF_ACTIVE_NAMES.intersection(node.keys()) or node.get("/S") in PDF_ACTIVE_NAMES:
                raise ActiveContent
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)


def _image_parsed(upload, expected_format: str) -> None:
    """Pillow identifies the same format as the signature and the image data verifies (no decompression bomb)."""
    from PIL import Image

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format != expected_format:
                raise Unreadable
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise Unreadable from error
