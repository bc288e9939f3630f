"""Uploads: type checked by content (not by the name a user gives), size capped, downloads scoped by owner."""

from __future__ import annotations

import hashlib
import uuid
import zipfile
from pathlib import PurePath

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.core.errors import ServiceError
from duban.core.models import Attachment

# extension → (MIME type, how to recognise the content)
KINDS = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "wps": "application/vnd.ms-works",
    "zip": "application/zip",
}
ALLOWED_TEXT = gettext_lazy("PDF、图片（JPG/PNG）、Word、Excel、PPT、WPS 或 ZIP")


def sniff(head: bytes, data_file) -> set[str]:
    """The extensions the content itself can be (a .docx and a .xlsx are both ZIP files inside)."""
    if head.startswith(b"%PDF-"):
        return {"pdf"}
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return {"png"}
    if head.startswith(b"\xff\xd8\xff"):
        return {"jpg", "jpeg"}
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: legacy Office and WPS
        return {"doc", "xls", "wps"}
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(data_file) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return set()
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return {"docx"}
            if any(n.startswith("xl/") for n in names):
                return {"xlsx"}
            if any(n.startswith("ppt/") for n in names):
                return {"pptx"}
        return {"zip"}
    return set()


def check(upload) -> tuple[str, str]:
    """Refuse an upload that is too big, of a type not allowed, or whose content is not what its name says, with
    what to do (ServiceError); returns its name and extension. Run on every file before anything is stored."""
    name = PurePath(upload.name or "").name[:200] or "附件"
    limit = settings.DUBAN_UPLOAD_MAX_MB * 1024 * 1024
    if upload.size > limit:
        raise ServiceError(_("“%(name)s”有 %(size).1f MB，超过 %(limit)s MB 的上限，请压缩或拆分后再上传。") % {"name": name, "size": upload.size / 1048576, "limit": settings.DUBAN_UPLOAD_MAX_MB}, field="attachments")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in KINDS:
        raise ServiceError(_("“%(name)s”的类型不能上传。可上传：%(allowed)s。") % {"name": name, "allowed": ALLOWED_TEXT}, field="attachments")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if extension not in sniff(head, upload):
        raise ServiceError(_("“%(name)s”的内容与扩展名 .%(extension)s 不符（文件可能已损坏或被改名），请上传原始文件。") % {"name": name, "extension": extension}, field="attachments")
    upload.seek(0)
    return name, extension


def store(upload, *, owner, user) -> Attachment:
    """Check and save one uploaded file for `owner`; raise ServiceError with what to do if it is refused."""
    name, extension = check(upload)
    digest = hashlib.sha256()
    content = b"".join(chunk for chunk in upload.chunks())
    digest.update(content)
    attachment = Attachment(
        owner_type=owner._meta.label, owner_id=str(owner.pk), name=name, size=len(content),
        content_type=KINDS[extension], sha256=digest.hexdigest(), uploaded_by=user,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(content), save=False)
    attachment.save()
    return attachment


def for_owner(owner) -> list[Attachment]:
    return list(Attachment.objects.filter(owner_type=owner._meta.label, owner_id=str(owner.pk)))


def visible_attachment(user, pk: int) -> Attachment | None:
    """The attachment if its owner is visible to `user` (the owner model's own `visible_to`), else None.

    An owner model without `visible_to` has no scope to check against: its files are not downloadable.
    """
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        return None
    try:
        model = apps.get_model(attachment.owner_type)
    except (LookupError, ValueError):
        return None
    visible_to = getattr(model._default_manager, "visible_to", None)
    if visible_to is None:
        return None
    try:
        visible = visible_to(user).filter(pk=attachment.owner_id).exists()
    except (ValueError, ValidationError):  # an owner id that is no key of that model
        return None
    return attachment if visible else None
