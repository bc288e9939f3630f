"""A Word template the office can replace: the supervision notice's and the bulletin's, kept one way.

`ReplaceableTemplate` names one such template (its file under MEDIA_ROOT/templates, the built-in default, the
placeholders it may hold, how the audit trail calls it) and keeps it: the one in use, what is known of an
uploaded one, installing an upload (audited) and going back to the default (audited). Each app still checks
an upload its own way (check_template in supervision.notice_doc and reports.bulletin_doc) and fills it its own
way (core.docfill). The page for it is templates/includes/docx_template_page.html, fed by `page_context()`.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from docx import Document
from docx.oxml.ns import qn

from duban.core import audit, gbt9704
from duban.core.actor import Actor
from duban.core.docfill import DOCX_TYPE, PATTERN, paragraph_text, roots, template_dir, write_atomically
from duban.core.errors import ServiceError


@dataclass(frozen=True)
class ReplaceableTemplate:
    """One replaceable .docx template: `stem`.docx (and `stem`.json, who uploaded it and when) under template_dir()."""

    stem: str                                  # "notice" → notice.docx, notice.json
    default_bytes: Callable[[], bytes]         # the built-in template
    placeholders: Mapping[str, object]         # name → what it stands for, in the order the page lists them
    required: tuple[str, ...]                  # an upload lacking one of these is refused
    audit_prefix: str                          # "notice_template" → notice_template.upload / .restore_default
    object_type: str                           # "supervision.NoticeTemplate"
    noun: str                                  # "督办通知单模板", as the audit trail names it

    @property
    def file_name(self) -> str:
        return f"{self.stem}.docx"

    def path(self) -> Path:
        return template_dir() / self.file_name

    def meta_path(self) -> Path:
        return template_dir() / f"{self.stem}.json"

    def current_bytes(self) -> bytes:
        """The uploaded template if there is one, else the default."""
        try:
            return self.path().read_bytes()
        except FileNotFoundError:
            return self.default_bytes()

    def uploaded_info(self) -> dict | None:
        """Name, size, who uploaded it and when, and the placeholders it lacks; None while the default is in use."""
        if not self.path().exists():
            return None
        try:
            info = json.loads(self.meta_path().read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            info = {}
        info.setdefault("name", self.file_name)
        info.setdefault("size", self.path().stat().st_size)
        info.setdefault("missing", [])
        if info.get("uploaded_at"):
            try:
                info["uploaded_at"] = datetime.datetime.fromisoformat(info["uploaded_at"])
            except ValueError:
                info["uploaded_at"] = None
        return info

    def upload_name(self, name: str | None) -> str:
        """An uploaded file's own name (no folders, at most 200 characters), or the template's file name."""
        return PurePath(name or "").name[:200] or self.file_name

    def install(self, name: str, data: bytes, *, missing: Iterable[str], actor: Actor) -> None:
        """Make `data` (already checked by the caller) the template in use; audited with what it replaced."""
        before = self.fingerprint()
        info = {
            "name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
            "uploaded_at": timezone.now().isoformat(), "uploaded_by": actor.name, "missing": list(missing),
        }
        with transaction.atomic():
            audit.record(actor, f"{self.audit_prefix}.upload", None, object_type=self.object_type,
                         object_id=self.file_name, object_repr=self.noun, before=before,
                         after={k: info[k] for k in ("name", "size", "sha256", "missing")},
                         message=f"上传{self.noun}“{name}”")
            # written before the audit entry commits: if writing fails, the entry is rolled back with it
            template_dir().mkdir(parents=True, exist_ok=True)
            write_atomically(self.meta_path(), json.dumps(info, ensure_ascii=False).encode("utf-8"))
            write_atomically(self.path(), data)

    def restore_default(self, *, actor: Actor) -> bool:
        """Go back to the default template; False (and nothing written) if it is already in use."""
        before = self.fingerprint()
        if before is None:
            return False
        with transaction.atomic():
            audit.record(actor, f"{self.audit_prefix}.restore_default", None, object_type=self.object_type,
                         object_id=self.file_name, object_repr=self.noun, before=before, after={"template": "默认模板"},
                         message=f"恢复默认{self.noun}")
            self.path().unlink(missing_ok=True)
            self.meta_path().unlink(missing_ok=True)
        return True

    def fingerprint(self) -> dict | None:
        """Name, size and hash of the uploaded template in use; None while the default is."""
        info = self.uploaded_info()
        if info is None:
            return None
        return {"name": info.get("name", ""), "size": info.get("size", 0), "sha256": info.get("sha256", "")}

    def page_context(self, form, **extra) -> dict:
        """What includes/docx_template_page.html shows besides its texts and links: status, placeholders, form."""
        uploaded = self.uploaded_info()
        return {
            "form": form, "uploaded": uploaded, "max_mb": settings.DUBAN_UPLOAD_MAX_MB,
            "placeholders": [("{{%s}}" % name, meaning, name in self.required) for name, meaning in self.placeholders.items()],
            "missing": ["{{%s}}" % name for name in (uploaded or {}).get("missing", [])],
            "required_codes": ["{{%s}}" % name for name in self.required],
            **extra,
        }


def official_document(paragraphs: Iterable[tuple[str, str]]):
    """A default template: a GB/T 9704 document (core.gbt9704's page, styles and font table) holding the given
    (text, style) paragraphs, then the 版记 and the page numbers."""
    document = Document()
    gbt9704.page_setup(document)
    gbt9704.styles(document)
    gbt9704.font_table(document)
    body = document.element.body
    for p in list(body.iterchildren(qn("w:p"))):  # python-docx's template starts with one empty paragraph
        body.remove(p)
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    gbt9704.record_block(document)
    gbt9704.page_numbers(document)
    return document


def docx_bytes(document) -> bytes:
    """A python-docx Document as .docx bytes."""
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def placeholder_names(document) -> set[str]:
    """Every {{name}} a template (python-docx Document) holds, read the way core.docfill.fill reads them."""
    names = set()
    for root in roots(document):
        for paragraph in root.iter(qn("w:p")):
            names.update(m.group(1) for m in PATTERN.finditer(paragraph_text(paragraph)))
    return names


def docx_response(data: bytes, filename: str) -> FileResponse:
    """A .docx download."""
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=DOCX_TYPE)


# --- the page's views (each app's views call these with its own texts) ------------------------------------


class TemplateUploadForm(forms.Form):
    """The upload form of a template page; `label` names the file asked for."""

    file = forms.FileField(
        error_messages={"required": gettext_lazy("请先选择要上传的 .docx 模板文件。"),
                        "empty": gettext_lazy("上传的文件是空的，请重新选择模板文件。")},
        widget=forms.ClearableFileInput(attrs={"accept": ".docx", "class": "form-control"}),
    )

    def __init__(self, *args, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = label


def upload_page(request, template: ReplaceableTemplate, install: Callable, *, label: str, done: str, back: str, page: str):
    """The template page (`page`) with its upload form (the file field called `label`): a valid upload goes
    through `install(file, actor=)`, which returns its warnings; then `done` and the warnings are flashed and
    the page at URL name `back` reloads."""
    if request.method == "POST":
        form = TemplateUploadForm(request.POST, request.FILES, label=label)
    else:
        form = TemplateUploadForm(label=label)
    if form.is_bound and form.is_valid():
        try:
            warnings = install(form.cleaned_data["file"], actor=Actor.from_request(request))
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, done)
            for warning in warnings:
                messages.warning(request, warning)
            return redirect(back)
    return render(request, page, template.page_context(form), status=400 if form.errors else 200)


def download(template: ReplaceableTemplate, *, uploaded_name: str, default_name: str) -> FileResponse:
    """The template in use, named `uploaded_name` or `default_name` after which one it is."""
    name = uploaded_name if template.uploaded_info() is not None else default_name
    return docx_response(template.current_bytes(), name)


def restore_page(request, restore: Callable, *, done: str, already: str, back: str):
    """Go back to the default template (`restore(actor=)`), saying `done`, or `already` if it was in use."""
    if restore(actor=Actor.from_request(request)):
        messages.success(request, done)
    else:
        messages.info(request, already)
    return redirect(back)
