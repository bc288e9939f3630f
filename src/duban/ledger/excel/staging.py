"""An uploaded sheet read once: the parsed sheet and its checked plan kept between preview and confirm, and at
most one sheet being read per user at a time.

Reading the XML is what an attacker can make expensive, so it happens once, at upload, under a per-user lock;
the file itself is deleted as soon as it is read. What was read (the `Sheet`) and what the check found (the
`ImportPlan`) wait under DATA_DIR/tmp/ledger-import/<token>.sheet and <token>.plan, signed with the secret
key and bound to the uploader, until confirm or cancel (apart, so that a preview loads only the plan: the
sheet of a 10k-row export with long texts pickles to ~19 MB). Preview pages show the stored plan; confirm checks the stored sheet again
against the database as it is then (no XML read) and writes only if that is still exactly what was previewed.

The lock is an flock on a file under the data dir: it holds across processes and threads of one machine
(the data dir is already what preview and confirm share), and the kernel releases it if a worker dies.
"""

from __future__ import annotations

import fcntl
import hmac
import os
import pickle
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.crypto import salted_hmac

from duban.ledger.excel.plan import ImportPlan
from duban.ledger.excel.reader import Sheet

_SALT = "duban.ledger.excel.staging"
KEEP_SECONDS = 24 * 3600  # a plan nobody confirmed is removed the next day


class Busy(Exception):
    """This user's previous sheet is still being read."""


@dataclass
class Staged:
    """What one upload left for its preview and confirm: the sheet as read (None if it could not be read)
    and the plan checked from it."""

    user_id: int
    sheet: Sheet | None
    plan: ImportPlan


def folder() -> Path:
    path = Path(settings.DATA_DIR) / "tmp" / "ledger-import"
    path.mkdir(parents=True, exist_ok=True)
    return path


def plan_path(token: str) -> Path:
    return folder() / f"{token}.plan"


def sheet_path(token: str) -> Path:
    return folder() / f"{token}.sheet"


@contextmanager
def reading(user):
    """Hold this user's reading lock for the block, or raise Busy at once if another request holds it."""
    path = folder() / f"reading-{user.pk}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def save(token: str, staged: Staged, *, sheet: bool = True) -> None:
    """Write the staged plan (and, unless `sheet` is False, the sheet), signed and bound to the user."""
    if sheet:
        _write(sheet_path(token), (staged.user_id, staged.sheet))
    _write(plan_path(token), (staged.user_id, staged.plan))


def load(token: str, user, *, sheet: bool = False) -> Staged | None:
    """The plan staged under `token` for `user` (with its sheet if `sheet`); None if there is none, a signature
    fails or it is another's."""
    plan = _read(plan_path(token), user)
    if plan is None:
        return None
    read = _read(sheet_path(token), user) if sheet else None
    if sheet and read is None:
        return None
    return Staged(user.pk, read[1] if read else None, plan[1])


def _write(target: Path, value) -> None:
    """Signed and atomic: a reader sees the old file or the new one."""
    body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    temporary = target.with_name(target.name + ".part")
    with temporary.open("wb") as out:
        out.write(salted_hmac(_SALT, body, algorithm="sha256").hexdigest().encode() + b"\n")
        out.write(body)
    os.replace(temporary, target)


def _read(path: Path, user):
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    signature, _, body = data.partition(b"\n")
    expected = salted_hmac(_SALT, body, algorithm="sha256").hexdigest().encode()
    if not hmac.compare_digest(signature, expected):
        return None  # not written by this server with this key: never unpickled
    value = pickle.loads(body)  # noqa: S301 - signed above with the secret key, written only by _write()
    return value if value[0] == user.pk else None


def forget(token: str) -> None:
    plan_path(token).unlink(missing_ok=True)
    sheet_path(token).unlink(missing_ok=True)
    (folder() / f"{token}.xlsx").unlink(missing_ok=True)


def sweep_old() -> None:
    """Remove what nobody confirmed or cancelled within KEEP_SECONDS."""
    cutoff = time.time() - KEEP_SECONDS
    for path in folder().iterdir():
        if path.suffix not in {".plan", ".sheet", ".xlsx", ".part"}:
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass
