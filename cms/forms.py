"""Wagtail document uploads checked by their content and size, not their file name (tenants.uploads)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.documents.forms import BaseDocumentForm

from tenants.errors import DomainError
from tenants.uploads import upload_checked

DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
DOCUMENT_EXTENSIONS = {
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "zip", "rar", "7z", "jpg", "png", "gif",
}  # fmt: skip


class DocumentForm(BaseDocumentForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None or not hasattr(upload, "read") or "file" not in self.changed_data:
            return upload
        try:
            upload_checked(
                upload,
                allowed=DOCUMENT_EXTENSIONS,
                max_bytes=DOCUMENT_MAX_BYTES,
                wrong_type=_("附件仅支持 PDF、Word、Excel、PowerPoint、图片或压缩包（按文件内容识别）。"),
                too_large=_("附件不能超过 50 MB。"),
            )
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return upload
