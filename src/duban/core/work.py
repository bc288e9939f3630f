""""My work" on the home page: each domain app tells a person what they must do today.

core knows no domain app. An app registers a provider in its AppConfig.ready():

    from duban.core import work
    work.register(ledger_work)          # ledger_work(user, today) -> list[WorkItem]

and the home page shows `work.items_for(user, today)`, most urgent first. A provider must run a fixed
number of queries whatever the number of items (the home page is everybody's first page).
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


Provider = Callable[[object, dt.date], list[WorkItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (once: AppConfig.ready() may run more than once in tests)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def items_for(user, today: dt.date) -> list[WorkItem]:
    """Everything every provider has for `user` on `today`, most urgent first, then by due date."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    items: list[WorkItem] = []
    for provider in _providers:
        items.extend(provider(user, today))
    return sorted(items, key=lambda item: item.sort_key)
