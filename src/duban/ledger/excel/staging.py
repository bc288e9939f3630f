"""The ledger's staged uploads (`duban.core.excel.staging`): the parsed sheet and its checked plan, apart under
DATA_DIR/tmp/ledger-import/<token>.sheet and <token>.plan, so that a preview loads only the plan (the sheet of
a 10k-row export with long texts pickles to ~19 MB). Preview pages show the stored plan; confirm checks the
stored sheet again against the database as it is then (no XML read) and writes only if that is still exactly
what was previewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from duban.core.excel.staging import KEEP_SECONDS, Busy, Store
from duban.ledger.excel.plan import ImportPlan
from duban.ledger.excel.reader import Sheet

__all__ = ["KEEP_SECONDS", "Busy", "Staged", "folder", "forget", "load", "reading", "save", "sweep_old"]

STORE = Store("ledger-import")
reading = STORE.reading
forget = STORE.forget
sweep_old = STORE.sweep_old


@dataclass
class Staged:
    """What one upload left for its preview and confirm: the sheet as read (None if it could not be read)
    and the plan checked from it."""

    user_id: int
    sheet: Sheet | None
    plan: ImportPlan


def folder() -> Path:
    return STORE.folder()


def save(token: str, staged: Staged, *, sheet: bool = True) -> None:
    """Write the staged plan (and, unless `sheet` is False, the sheet), signed and bound to the user."""
    if sheet:
        STORE.write(token, "sheet", staged.user_id, staged.sheet)
    STORE.write(token, "plan", staged.user_id, staged.plan)


def load(token: str, user, *, sheet: bool = False) -> Staged | None:
    """The plan staged under `token` for `user` (with its sheet if `sheet`); None if there is none, a signature
    fails or it is another's."""
    found, plan = STORE.read(token, "plan", user)
    if not found:
        return None
    read, value = STORE.read(token, "sheet", user) if sheet else (False, None)
    if sheet and not read:
        return None
    return Staged(user.pk, value, plan)
