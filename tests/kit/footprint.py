"""What a refused call must leave exactly as it was: every row of a kind's tables, and the matter's own row.

A kind's tables are, by default, every model of its app (many-to-many link tables included) plus the audit
trail, the attachments and the event stream (MatterEvent); a kind adds the tables of other apps its services write (`extra`). A model added
to the app later (an event table, a request) is in the footprint without anyone editing this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db.models import Model, QuerySet

from duban.core.errors import ServiceError
from duban.core.models import Attachment, AuditEntry
from duban.matters.models import MatterEvent

ALWAYS = (AuditEntry, Attachment, MatterEvent)  # every kind's runner writes the audit trail and the event stream

Table = type[Model] | QuerySet


def tables_for(app_label: str, *, extra: Iterable[Table] = ()) -> list[Table]:
    """Every model of the app `app_label` (link tables too), the audit trail, the attachments, and `extra`."""
    models = list(apps.get_app_config(app_label).get_models(include_auto_created=True))
    tables: list[Table] = []
    for table in [*models, *ALWAYS, *extra]:
        if not any(_name(table) == _name(seen) for seen in tables):
            tables.append(table)
    return tables


def _name(table: Table) -> str:
    model = table.model if isinstance(table, QuerySet) else table
    return model._meta.label + ("" if not isinstance(table, QuerySet) else f" ({table.query})")


def _rows(table: Table) -> dict:
    queryset = table if isinstance(table, QuerySet) else table._base_manager.all()
    pk = queryset.model._meta.pk.attname
    return {row[pk]: row for row in queryset.order_by("pk").values()}


def footprint(tables: Iterable[Table], matter: Model | None = None) -> dict:
    """{table label: {pk: row}} for every table, and the matter's own row under "row" (None once deleted)."""
    snapshot = {_name(table): _rows(table) for table in tables}
    if matter is not None:
        model = type(matter)
        snapshot["row"] = model._base_manager.filter(pk=matter.pk).values().first()
    return snapshot


def differences(before: dict, after: dict) -> list[str]:
    """What changed between two footprints, one line per table (rows added, removed, and changed columns)."""
    lines = []
    if before.get("row") != after.get("row"):
        old, new = before.get("row") or {}, after.get("row") or {}
        changed = {k: (old.get(k), new.get(k)) for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
        lines.append(f"the matter's row: {_columns(changed)}")
    for name in before.keys() - {"row"}:
        old, new = before[name], after.get(name, {})
        if old == new:
            continue
        added = sorted(new.keys() - old.keys())
        removed = sorted(old.keys() - new.keys())
        changed = [pk for pk in sorted(old.keys() & new.keys()) if old[pk] != new[pk]]
        parts = []
        if added:
            parts.append(f"{len(added)} row(s) added: {[new[pk] for pk in added[:3]]}")
        if removed:
            parts.append(f"{len(removed)} row(s) removed: {removed[:10]}")
        for pk in changed[:3]:
            diff = {k: (old[pk].get(k), new[pk].get(k)) for k in old[pk] if old[pk].get(k) != new[pk].get(k)}
            parts.append(f"row {pk}: {_columns(diff)}")
        lines.append(f"{name}: " + "; ".join(parts))
    return sorted(lines)


def _columns(diff: dict) -> str:
    return ", ".join(f"{k} {a!r} → {b!r}" for k, (a, b) in sorted(diff.items()))


def assert_unchanged(before: dict, after: dict, what: str = "") -> None:
    """Fail, naming every table that changed and how, unless `after` equals `before`."""
    lines = differences(before, after)
    if lines:
        raise AssertionError((f"{what}: " if what else "") + "changed what it should have left alone:\n  " + "\n  ".join(lines))


@contextmanager
def refused(tables: Iterable[Table], matter: Model | None = None, error: type[Exception] = ServiceError,
            message: str | None = None):
    """The call inside is refused with `error` (and exactly `message`, if given) and every table is as it was."""
    tables = list(tables)
    before = footprint(tables, matter)
    with pytest.raises(error) as caught:
        yield caught
    said = getattr(caught.value, "message", str(caught.value))
    assert_unchanged(before, footprint(tables, matter), f"refused with “{said}” but")
    if message is not None and said != message:
        raise AssertionError(f"refused with another message\nexpected: {message}\nactual:   {said}")
