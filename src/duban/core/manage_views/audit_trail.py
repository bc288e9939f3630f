"""Audit admin: read the audit trail (newest first, keyset paging), one entry's before/after, verify the chain.

Read-only by design: there is no page that edits or deletes an entry, and no other role reaches these.
"""

from __future__ import annotations

import datetime as dt
import json

from django.apps import apps
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from duban.core import audit, services
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.manage_forms import AuditFilterForm, VerifyForm
from duban.core.manage_views.common import PAGE_SIZE, actor
from duban.core.models import AuditEntry
from duban.core.permissions import role_required

# Columns the list shows; before/after (possibly large JSON) are read only on the detail page.
LIST_COLUMNS = ("seq", "at", "actor_name", "action", "object_type", "object_id", "object_repr", "outcome", "message", "ip")


def filtered_entries(data: dict):
    """The trail narrowed by the filter form's cleaned data (paging keys aside)."""
    entries = AuditEntry.objects.all()
    if data.get("action"):
        entries = entries.filter(action__startswith=data["action"].strip())
    if data.get("actor"):
        entries = entries.filter(actor_name__contains=data["actor"].strip())
    if data.get("object_type"):
        entries = entries.filter(object_type=data["object_type"].strip())
    if data.get("object_id"):
        entries = entries.filter(object_id=data["object_id"].strip())
    if data.get("outcome"):
        entries = entries.filter(outcome=data["outcome"])
    # Whole local days: from 00:00 of the first to 00:00 after the last (the trail's index is on `at`).
    if data.get("date_from"):
        entries = entries.filter(at__gte=_local_midnight(data["date_from"]))
    if data.get("date_to"):
        entries = entries.filter(at__lt=_local_midnight(data["date_to"] + dt.timedelta(days=1)))
    return entries


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def keyset_page(entries, *, before: int | None, after: int | None, size: int = PAGE_SIZE):
    """One page of entries newest first, by seq: `before` pages to older entries, `after` back to newer ones.

    Returns (rows, has_older, has_newer); one query whatever the page, never an OFFSET.
    """
    entries = entries.only(*LIST_COLUMNS)
    if after is not None:
        rows = list(entries.filter(seq__gt=after).order_by("seq")[: size + 1])
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        return rows, bool(rows), has_newer
    if before is not None:
        entries = entries.filter(seq__lt=before)
    rows = list(entries.order_by("-seq")[: size + 1])
    return rows[:size], len(rows) > size, before is not None


def _list_page(request, verify_form=None, status=200):
    form = AuditFilterForm(request.GET or None)
    form.is_valid()  # an invalid field is shown with its error; the valid ones still filter
    data = getattr(form, "cleaned_data", {})
    rows, has_older, has_newer = keyset_page(filtered_entries(data), before=data.get("before"), after=data.get("after"))
    head_seq, head_hash = audit.current_head()
    context = {
        "form": form,
        "rows": rows,
        "newest_seq": rows[0].seq if rows else None,
        "oldest_seq": rows[-1].seq if rows else None,
        "has_older": has_older,
        "has_newer": has_newer,
        "filtered": any(data.get(k) for k in ("action", "actor", "object_type", "object_id", "outcome", "date_from", "date_to")),
        "paged": data.get("before") is not None or data.get("after") is not None,
        "head": audit.format_head(head_seq, head_hash),
        "head_seq": head_seq,
        "kept": audit.newest_kept_head(),
        "head_log": audit.head_log(),
        "verify_form": verify_form or VerifyForm(),
        "object_types": AuditFilterForm.object_types(),
        "page_size": PAGE_SIZE,
    }
    return render(request, "manage/audit_list.html", context, status=status)


@role_required(Role.AUDITADMIN)
@require_GET
def audit_list(request):
    """The trail newest first with filters, the current chain head and the verify button."""
    return _list_page(request)


@role_required(Role.AUDITADMIN)
@require_POST
def audit_verify(request):
    """Walk the chain now (against a saved head, if given) and show the verdict."""
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            result = services.verify_audit_chain(actor(request), form.cleaned_data["saved_head"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            (messages.success if result.ok else messages.error)(request, str(result))
            return redirect("manage_audit_list")
    return _list_page(request, verify_form=form)


@role_required(Role.AUDITADMIN)
@require_GET
def audit_detail(request, seq):
    """One entry: who, what, when, the values before and after side by side with the changed ones marked."""
    entry = get_object_or_404(AuditEntry, seq=seq)
    neighbours = set(AuditEntry.objects.filter(seq__in=[seq - 1, seq + 1]).values_list("seq", flat=True))
    context = {
        "entry": entry,
        "rows": diff_rows(entry),
        "structured": _is_dict_or_none(entry.before) and _is_dict_or_none(entry.after),
        "before_json": _pretty(entry.before),
        "after_json": _pretty(entry.after),
        "prev_seq": seq - 1 if seq - 1 in neighbours else None,
        "next_seq": seq + 1 if seq + 1 in neighbours else None,
    }
    return render(request, "manage/audit_detail.html", context)


def diff_rows(entry: AuditEntry) -> list[dict]:
    """One row per key of before ∪ after: label, both values as text, and whether it changed."""
    before, after = entry.before, entry.after
    if not (_is_dict_or_none(before) and _is_dict_or_none(after)):
        return []
    before, after = before or {}, after or {}
    labels = _field_labels(entry.object_type)
    rows = []
    for key in sorted(set(before) | set(after)):
        rows.append({
            "key": key,
            "label": labels.get(key, ""),
            "before": _text(before[key]) if key in before else None,
            "after": _text(after[key]) if key in after else None,
            # A key only on one side changed too (added or removed), unless the entry has only one side.
            "changed": (entry.before is not None and entry.after is not None) and before.get(key, _MISSING) != after.get(key, _MISSING),
        })
    return rows


_MISSING = object()


def _field_labels(object_type: str) -> dict[str, str]:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return {}
    labels = {}
    for field in model._meta.concrete_fields:
        label = str(field.verbose_name)
        if label != field.name.replace("_", " "):  # only names someone wrote, not Django's default
            labels[field.attname] = label
    return labels


def _is_dict_or_none(value) -> bool:
    return value is None or isinstance(value, dict)


def _text(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _pretty(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
