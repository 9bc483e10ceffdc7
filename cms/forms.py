"""Wagtail document uploads checked by their content and size, not their file name."""

import filetype
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.documents.forms import BaseDocumentForm

DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
DOCUMENT_EXTENSIONS = {
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "zip", "rar", "7z", "jpg", "png", "gif",
}  # fmt: skip


class DocumentForm(BaseDocumentForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None or not hasattr(upload, "read") or "file" not in self.changed_data:
            return upload
        if upload.size > DOCUMENT_MAX_BYTES:
            raise forms.ValidationError(_("附件不能超过 50 MB。"))
        head = upload.read(8192)
        upload.seek(0)
        kind = filetype.guess(head)
        if kind is None or kind.extension not in DOCUMENT_EXTENSIONS:
            raise forms.ValidationError(_("附件仅支持 PDF、Word、Excel、PowerPoint、图片或压缩包（按文件内容识别）。"))
        return upload
