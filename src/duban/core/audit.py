"""The audit trail: append hash-chained entries inside the caller's transaction, and verify the chain.

Each entry's hash covers its own fields and the previous entry's hash, so changing, deleting or
re-ordering an entry behind the application's back breaks the chain from that point on. Appends are
serialized by locking the single AuditHead row (PostgreSQL) or by SQLite's IMMEDIATE transactions.

A chain alone cannot show that its tail was cut (delete the last entries, move the head back): the head is
therefore also kept outside the database, in an append-only log file (DUBAN_AUDIT_HEAD_LOG), once a day
and by every backup, and `verify()` checks that the chain still passes through the newest kept head.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from duban.core.actor import Actor
from duban.core.choices import AuditOutcome
from duban.core.models import AuditEntry, AuditHead, Unit, User

GENESIS = "0" * 64


def snapshot(obj: Model, fields: list[str] | tuple[str, ...] | None = None) -> dict:
    """The JSON-ready values of a model instance's concrete fields (foreign keys as ids)."""
    result = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name in {"password"}:
            continue
        value = getattr(obj, f.attname)
        result[f.attname] = _jsonable(value)
    return result


def _jsonable(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value)]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def record(
    actor: Actor,
    action: str,
    obj: Model | None = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    outcome: str = AuditOutcome.SUCCESS,
    message: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one entry to the chain; must run inside the transaction that makes the change."""
    if not connection.in_atomic_block:
        with transaction.atomic():
            return record(actor, action, obj, before=before, after=after, outcome=outcome, message=message,
                          object_type=object_type, object_id=object_id, object_repr=object_repr)
    head = _locked_head()
    entry = _chained(_entry(actor, action, obj, before=before, after=after, outcome=outcome, message=message,
                            object_type=object_type, object_id=object_id, object_repr=object_repr), head.seq, head.hash)
    entry.save(force_insert=True)
    AuditHead.objects.filter(pk=head.pk).update(seq=entry.seq, hash=entry.hash)
    return entry


def record_many(actor: Actor, entries) -> list[AuditEntry]:
    """Append many entries at once, in the order given, as `record()` would one by one (an import's tasks).

    Each item holds `record()`'s arguments after the actor: `action`, and optionally `obj`, `before`,
    `after`, `outcome`, `message`, `object_type`, `object_id`, `object_repr`. The head is locked once, the
    entries are numbered and hashed here in seq order and inserted in bulk; must run inside the transaction
    that makes the changes.
    """
    items = list(entries)
    if not items:
        return []
    if not connection.in_atomic_block:
        with transaction.atomic():
            return record_many(actor, items)
    head = _locked_head()
    seq, prev = head.seq, head.hash
    written = []
    for item in items:
        item = dict(item)
        entry = _chained(_entry(actor, item.pop("action"), item.pop("obj", None), **item), seq, prev)
        seq, prev = entry.seq, entry.hash
        written.append(entry)
    AuditEntry.objects.bulk_create(written, batch_size=500)
    AuditHead.objects.filter(pk=head.pk).update(seq=seq, hash=prev)
    return written


def _entry(actor: Actor, action: str, obj: Model | None = None, *, before: dict | None = None, after: dict | None = None,
           outcome: str = AuditOutcome.SUCCESS, message: str = "", object_type: str = "", object_id: str = "",
           object_repr: str = "") -> AuditEntry:
    """An entry's own fields, timed now (taken under the head's lock, so times follow seq); not yet chained."""
    return AuditEntry(
        at=timezone.now(),
        actor=actor.user,
        actor_name=actor.name[:80],
        action=action,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None and obj.pk is not None else ""),
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        outcome=outcome,
        message=message[:300],
        ip=actor.ip,
        request_id=actor.request_id,
    )


def _chained(entry: AuditEntry, after_seq: int, prev_hash: str) -> AuditEntry:
    """Number the entry after `after_seq` and link it to `prev_hash`."""
    entry.seq = after_seq + 1
    entry.prev_hash = prev_hash
    entry.hash = entry_hash(entry)
    return entry


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over the previous hash and a canonical JSON of the entry's own fields."""
    at = entry.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = {
        "seq": entry.seq,
        "at": at,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "outcome": entry.outcome,
        "message": entry.message,
        "ip": entry.ip,
        "request_id": entry.request_id,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((entry.prev_hash + canonical).encode()).hexdigest()


def current_head() -> tuple[int, str]:
    head = AuditHead.objects.filter(pk=1).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    problem: str = ""
    bad_seq: int | None = None
    against: str = ""  # the head checked against, as words ("2026-06-01 00:05 保存的链头 #1234"), if any

    def __str__(self):
        if self.ok:
            text = f"审计链完整：共 {self.checked} 条，链头 #{self.head_seq} {self.head_hash}"
            return text + (f"（经过{self.against}）" if self.against else "")
        return f"审计链被破坏：{self.problem}"


def verify(saved_head: str | None = None, batch: int = 5000) -> VerifyResult:
    """Walk the chain in seq order; name the first entry changed, deleted or re-ordered.

    The chain must also still pass through a head kept earlier: `saved_head` (a hash printed earlier,
    optionally as "SEQ:HASH") if given, else the newest head of the head log. A chain cut short or
    rewritten from there is noticed that way, and so is an empty trail in a database that has people or
    units (every one of which was created with an entry).
    """
    against = "所给的链头" if saved_head else ""
    if not saved_head:
        kept = newest_kept_head()
        if kept is not None:
            saved_head, against = format_head(kept.seq, kept.hash), f"{kept.describe()}"
    result = _walk(saved_head, batch)
    result.against = against if result.ok else ""
    if result.ok and result.checked == 0 and (User.objects.exists() or Unit.objects.exists()):
        people, units = User.objects.count(), Unit.objects.count()
        return _broken(0, 0, GENESIS, 1, f"审计记录为空，但数据库中有 {people} 个人员账号、{units} 个单位，"
                                        "它们建立时都留有审计记录：审计记录被整体删除")
    return result


def _walk(saved_head: str | None, batch: int) -> VerifyResult:
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    saved_seq, saved_hash = _parse_head(saved_head)
    # A head saved before the first entry (0:GENESIS) is passed through by every chain.
    saved_seen = saved_hash is None or (saved_hash == GENESIS and not saved_seq)
    last_seq, last_hash = 0, GENESIS
    fields = [f.attname for f in AuditEntry._meta.concrete_fields]
    after_seq = 0
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=after_seq).order_by("seq").only(*fields)[:batch])
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return _broken(checked, last_seq, last_hash, expected_seq,
                               f"第 {expected_seq} 条记录缺失（下一条是第 {entry.seq} 条），记录被删除")
            if entry.prev_hash != expected_prev:
                return _broken(checked, last_seq, last_hash, entry.seq,
                               f"第 {entry.seq} 条记录与前一条接不上，记录被删除、替换或调换了顺序")
            if entry_hash(entry) != entry.hash:
                return _broken(checked, last_seq, last_hash, entry.seq,
                               f"第 {entry.seq} 条记录（{entry.action}）的内容被改动过")
            if saved_hash is not None and entry.hash == saved_hash:
                if saved_seq is not None and saved_seq != entry.seq:
                    return _broken(checked, last_seq, last_hash, entry.seq,
                                   f"保存的链头应在第 {saved_seq} 条，现在出现在第 {entry.seq} 条，链被改写")
                saved_seen = True
            expected_prev = entry.hash
            expected_seq += 1
            checked += 1
            last_seq, last_hash = entry.seq, entry.hash
        after_seq = rows[-1].seq
    head_seq, head_hash = current_head()
    if (head_seq, head_hash) != (last_seq, last_hash):
        return _broken(checked, last_seq, last_hash, last_seq + 1,
                       f"链头记录为第 {head_seq} 条，但链只到第 {last_seq} 条，末尾记录被删除或改动")
    if not saved_seen:
        where = f"第 {saved_seq} 条" if saved_seq else "链中"
        return _broken(checked, last_seq, last_hash, saved_seq,
                       f"保存的链头 {saved_hash[:16]}… 不在{where}，链被截短或从该处起被改写")
    return VerifyResult(ok=True, checked=checked, head_seq=last_seq, head_hash=last_hash)


def _broken(checked, last_seq, last_hash, bad_seq, problem) -> VerifyResult:
    return VerifyResult(ok=False, checked=checked, head_seq=last_seq, head_hash=last_hash, problem=problem, bad_seq=bad_seq)


def _parse_head(saved_head: str | None) -> tuple[int | None, str | None]:
    if not saved_head:
        return None, None
    text = saved_head.strip().lstrip("#")
    if ":" in text:
        seq, _, digest = text.partition(":")
        return int(seq), digest.strip().lower()
    return None, text.lower()


def format_head(seq: int, digest: str) -> str:
    """The form in which a head is shown and saved: "SEQ:HASH"."""
    return f"{seq}:{digest}"


# --- the heads kept outside the database -----------------------------------------------------------------

_KEPT_LINE = re.compile(r"^(?P<at>\S+)\t(?P<seq>\d+):(?P<hash>[0-9a-f]{64})\t(?P<source>[a-z-]+)$")
KEPT_SOURCES = {"daily": "每日保存", "backup": "备份时保存", "restore": "恢复时保存", "manual": "手动保存"}


@dataclass(frozen=True)
class KeptHead:
    """One line of the head log: when, which head, and what kept it (daily job, backup, restore, by hand)."""

    at: dt.datetime
    seq: int
    hash: str
    source: str

    def describe(self) -> str:
        label = KEPT_SOURCES.get(self.source, self.source)
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {label}的链头 #{self.seq}"

    def line(self) -> str:
        return f"{self.at.isoformat()}\t{format_head(self.seq, self.hash)}\t{self.source}\n"


def head_log() -> Path:
    return Path(settings.DUBAN_AUDIT_HEAD_LOG)


def kept_heads(path: Path | None = None) -> list[KeptHead]:
    """Every well-formed line of the head log, in file order (a missing log keeps none)."""
    path = path or head_log()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return parse_kept_heads(text)


def parse_kept_heads(text: str) -> list[KeptHead]:
    heads = []
    for line in text.splitlines():
        match = _KEPT_LINE.match(line.strip())
        if match is None:
            continue  # a torn last line after a crash, or a line an editor mangled: not a head
        try:
            at = dt.datetime.fromisoformat(match["at"])
        except ValueError:
            continue
        heads.append(KeptHead(at, int(match["seq"]), match["hash"], match["source"]))
    return heads


def newest_kept_head(path: Path | None = None) -> KeptHead | None:
    """The last head appended, which the chain must still pass through.

    The last line, not the highest seq: after a restore from an older backup the restored head is appended
    and is what the chain now holds, while the older lines stay as the record of what was there before.
    """
    heads = kept_heads(path)
    return heads[-1] if heads else None


def keep_head(source: str, *, now: dt.datetime | None = None, head: tuple[int, str] | None = None) -> KeptHead:
    """Append the current head (or `head`) to the head log, flushed to disk; the log is only ever appended to."""
    seq, digest = head if head is not None else current_head()
    kept = KeptHead(now or timezone.now(), seq, digest, source)
    append_kept([kept])
    return kept


def append_kept(heads: list[KeptHead]) -> None:
    """Append these lines to the head log in one write (O_APPEND: never over what is there), then fsync."""
    path = head_log()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, "".join(h.line() for h in heads).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
