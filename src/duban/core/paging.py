"""Keyset pagination: deep pages cost what the first page costs (no OFFSET scan).

    keyset = Keyset(["due_sort", "id"])
    page = keyset.page(queryset, cursor=request.GET.get("cursor"), size=50)

The cursor is an opaque token naming the row to continue after (or before, going back); the fields must
end with a unique one (the id) so that the order is total.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.prev_cursor is not None


class BadCursor(ValueError):
    pass


class Keyset:
    """An ordering over model fields ("-field" for descending), the last of them unique."""

    def __init__(self, fields: list[str]):
        self.fields = fields

    def page(self, queryset: QuerySet, cursor: str | None = None, size: int = 50) -> KeysetPage:
        """The page after (or before) `cursor`: `size` rows, plus cursors to the neighbours."""
        direction, values = self.decode(cursor, queryset.model) if cursor else ("after", None)
        backwards = direction == "before"
        ordering = [self._flip(f) if backwards else f for f in self.fields]
        qs = queryset.order_by(*ordering)
        if values is not None:
            qs = qs.filter(self._beyond(values, backwards))
        rows = list(qs[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        if not rows:
            return KeysetPage(rows, None, None)
        has_next = more if not backwards else True
        has_prev = (values is not None) if not backwards else more
        return KeysetPage(
            rows,
            self.encode("after", rows[-1]) if has_next else None,
            self.encode("before", rows[0]) if has_prev else None,
        )

    @staticmethod
    def _flip(field: str) -> str:
        return field[1:] if field.startswith("-") else f"-{field}"

    def _beyond(self, values: list, backwards: bool) -> Q:
        """Rows strictly after `values` in this ordering: a ≥ x and ((a > x) or (a = x and b > y) or …).

        The first bound is implied by the rest; it is there for the database: neither SQLite nor PostgreSQL
        starts an index range scan at an OR of conditions, so without it a deep page walks the index from
        the list's beginning (page 500 of 57k open tasks: 7.7 ms → 0.03 ms for its ids on SQLite)."""
        condition = Q()
        equal = Q()
        lead = None
        for field, value in zip(self.fields, values, strict=True):
            name = field.lstrip("-")
            ascending = field.startswith("-") == backwards
            step = Q(**{f"{name}__{'gt' if ascending else 'lt'}": value})
            if lead is None:
                lead = Q(**{f"{name}__{'gte' if ascending else 'lte'}": value})
            condition |= equal & step
            equal &= Q(**{name: value})
        if len(self.fields) == 1:
            return condition
        return lead & condition

    def encode(self, direction: str, row) -> str:
        values = [getattr(row, f.lstrip("-")) for f in self.fields]
        raw = json.dumps([direction, [v.isoformat() if hasattr(v, "isoformat") else str(v) if isinstance(v, Decimal) else v for v in values]])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def decode(self, cursor: str, model) -> tuple[str, list]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            direction, values = json.loads(raw)
            if direction not in {"after", "before"} or len(values) != len(self.fields):
                raise ValueError
            parsed = [model._meta.get_field(f.lstrip("-")).to_python(v) for f, v in zip(self.fields, values, strict=True)]
        except (ValueError, TypeError, json.JSONDecodeError, ValidationError) as exc:  # a hand-edited value: no date
            raise BadCursor(_("翻页参数无效，请从第一页重新浏览。")) from exc
        return direction, parsed
