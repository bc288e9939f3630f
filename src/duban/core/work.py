""""My work" on the home page: each domain app tells a person what they must do today.

core knows no domain app. An app registers a provider in its AppConfig.ready():

    from duban.core import work
    work.register(ledger_work)          # ledger_work(user, today) -> list[Source]

A provider answers with one `Source` per kind of work it has for the person (待签收, 审核销账 …): how many
there are, exactly, and a page of them at a time, most pressing first — typically `work.from_queryset(…)` over
one query, so each source costs two queries (its count and its page) whatever the number of items. The home
page shows the first `PAGE` items of each section with its count and a link to the next page
(`section_page`), so that a liaison with 300 reports due gets a page light enough for a phone (issue 14).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

# How urgent an item is; the home page colours and sorts by it.
OVERDUE = 3  # late already (a report overdue, a signature past its one working day)
TODAY = 2  # due today or within the next couple of working days, or waiting on this person's decision
LATER = 1  # on the list, no deadline pressing


@dataclass(frozen=True)
class WorkItem:
    """One thing a person must do: what kind of work, on what, where to do it, by when, how urgent."""

    kind: str  # "待签收", "报送进展", "审核销账" …
    title: str
    url: str
    due: dt.date | None = None
    urgency: int = LATER
    note: str = ""
    # One tap on the home page itself (a POST with the CSRF token to `action`, back to the home page): the
    # hand-over of a shift (确认到岗/交接班), where opening another page first would be one step too many.
    action: str = ""
    action_label: str = ""

    @property
    def sort_key(self):
        return (-self.urgency, self.due or dt.date.max, self.title)


PAGE = 20  # items per section on the home page and per "more" page


@dataclass(frozen=True)
class Source:
    """One kind of work a provider has for a person: its exact count, and its items a page at a time, in the
    order the home page shows them (most urgent first, then by due date)."""

    key: str  # unique across providers, in the "more" link: "ledger.sign"
    label: str
    count: Callable[[], int]
    rows: Callable[[int, int | None], list[WorkItem]]  # (offset, limit or None for all) → items


@dataclass(frozen=True)
class Section:
    """A page of one source's items as the home page shows it, with the exact count of all of them."""

    key: str
    label: str
    count: int
    items: list[WorkItem]
    offset: int = 0

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.items)

    @property
    def remaining(self) -> int:
        return max(0, self.count - self.next_offset)

    @property
    def sort_key(self):
        return self.items[0].sort_key if self.items else (0, dt.date.max, self.label)


def from_queryset(key: str, label: str, queryset, item: Callable[[object], WorkItem]) -> Source:
    """A source over one query: COUNT(*) of it, and a slice of it (the queryset's order is the section's)."""

    def rows(offset: int, limit: int | None) -> list[WorkItem]:
        return [item(row) for row in queryset[offset: None if limit is None else offset + limit]]

    return Source(key, label, queryset.count, rows)


Provider = Callable[[object, dt.date], list[Source]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (once: AppConfig.ready() may run more than once in tests)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def sources_for(user, today: dt.date) -> list[Source]:
    """Every provider's sources for `user` on `today` (none for an anonymous or inactive user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return [source for provider in _providers for source in provider(user, today)]


def sections_for(user, today: dt.date, *, limit: int = PAGE) -> list[Section]:
    """The home page: the first `limit` items and the exact count of each kind of work the user has, the
    section with the most urgent first item first; kinds with nothing to do are left out."""
    sections = []
    for source in sources_for(user, today):
        count = source.count()
        items = source.rows(0, limit)
        if count:
            sections.append(Section(source.key, source.label, count, items))
    return sorted(sections, key=lambda section: section.sort_key)


def section_page(user, today: dt.date, key: str, *, offset: int, limit: int = PAGE) -> Section | None:
    """The page of one kind of work after `offset` (None when the user has no such kind)."""
    source = next((s for s in sources_for(user, today) if s.key == key), None)
    if source is None:
        return None
    return Section(source.key, source.label, source.count(), source.rows(offset, limit), offset)


def items_for(user, today: dt.date) -> list[WorkItem]:
    """Everything every provider has for `user` on `today`, unpaged, most urgent first, then by due date."""
    items = [item for source in sources_for(user, today) for item in source.rows(0, None)]
    return sorted(items, key=lambda item: item.sort_key)
