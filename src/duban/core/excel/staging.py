"""An uploaded sheet read once and kept, signed, between its preview and its confirm; at most one sheet being
read per user at a time.

Reading the XML is what an attacker can make expensive, so it happens once, at upload, under a per-user lock;
the file itself is deleted as soon as it is read. What was read and what the check found wait under
DATA_DIR/tmp/<name>/<token>.<part>, signed with the secret key and bound to the uploader, until confirm or
cancel. A part that fails its signature is never unpickled.

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
from pathlib import Path

from django.conf import settings
from django.utils.crypto import salted_hmac

KEEP_SECONDS = 24 * 3600  # a plan nobody confirmed is removed the next day
SUFFIXES = frozenset({".plan", ".sheet", ".xlsx", ".part"})


class Busy(Exception):
    """This user's previous sheet is still being read."""


class Store:
    """One app's staged uploads: files under DATA_DIR/tmp/<name>/, signed with a salt of their own."""

    def __init__(self, name: str):
        self.name = name
        self.salt = f"duban.excel.staging.{name}"

    def folder(self) -> Path:
        path = Path(settings.DATA_DIR) / "tmp" / self.name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def path(self, token: str, part: str) -> Path:
        return self.folder() / f"{token}.{part}"

    @contextmanager
    def reading(self, user):
        """Hold this user's reading lock for the block, or raise Busy at once if another request holds it."""
        path = self.folder() / f"reading-{user.pk}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise Busy from None
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def write(self, token: str, part: str, user_id: int, value) -> None:
        """`value` signed, bound to the user, and atomic: a reader sees the old file or the new one."""
        target = self.path(token, part)
        body = pickle.dumps((user_id, value), protocol=pickle.HIGHEST_PROTOCOL)
        temporary = target.with_name(target.name + ".part")
        with temporary.open("wb") as out:
            out.write(salted_hmac(self.salt, body, algorithm="sha256").hexdigest().encode() + b"\n")
            out.write(body)
        os.replace(temporary, target)

    def read(self, token: str, part: str, user) -> tuple[bool, object]:
        """(True, value) written for `user`; (False, None) if there is none, its signature fails or it is another's."""
        try:
            data = self.path(token, part).read_bytes()
        except FileNotFoundError:
            return False, None
        signature, _, body = data.partition(b"\n")
        expected = salted_hmac(self.salt, body, algorithm="sha256").hexdigest().encode()
        if not hmac.compare_digest(signature, expected):
            return False, None  # not written by this server with this key: never unpickled
        owner, value = pickle.loads(body)  # noqa: S301 - signed above with the secret key, written only by write()
        return (True, value) if owner == user.pk else (False, None)

    def forget(self, token: str) -> None:
        for suffix in SUFFIXES:
            self.path(token, suffix[1:]).unlink(missing_ok=True)

    def sweep_old(self) -> None:
        """Remove what nobody confirmed or cancelled within KEEP_SECONDS."""
        cutoff = time.time() - KEEP_SECONDS
        for path in self.folder().iterdir():
            if path.suffix not in SUFFIXES:
                continue
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except FileNotFoundError:
                pass
