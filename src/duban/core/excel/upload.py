"""An uploaded .xlsx checked before anything reads it: its size against DUBAN_UPLOAD_MAX_MB and its type by its
content (an old .xls, or another file renamed, gets a message that says what to do)."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from duban.core.attachments import sniff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def checked_xlsx(upload):
    """The upload if it is an .xlsx within the size cap; forms.ValidationError (in Chinese) otherwise."""
    name = Path(upload.name or "").name
    limit = settings.DUBAN_UPLOAD_MAX_MB
    if upload.size > limit * 1024 * 1024:
        raise forms.ValidationError(_("文件有 %(size).1f MB，超过 %(limit)s MB 的上限。") % {"size": upload.size / 1048576, "limit": limit})
    upload.seek(0)
    kinds = sniff(upload.read(8), upload)
    upload.seek(0)
    if "xls" in kinds:
        raise forms.ValidationError(_("这是旧版 .xls 文件。请用 Excel 或 WPS 打开后“另存为” .xlsx 再上传。"))
    if "xlsx" not in kinds or not name.lower().endswith(".xlsx"):
        raise forms.ValidationError(_("请上传 Excel 工作簿（.xlsx）。“%(name)s”不是 .xlsx 文件。") % {"name": name})
    return upload
