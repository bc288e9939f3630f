"""Writing an archive: every table as of one instant, streamed, then the attachments; renamed into place at the end."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import decimal
import json
import os
import shutil
import sqlite3
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.duration import duration_iso_string

from duban.core import audit
from duban.core.backup.archive import (
    BATCH,
    FORMAT,
    FORMAT_VERSION,
    HEAD_LOG,
    MANIFEST,
    BackupError,
    ProgressFn,
    archived_models,
    data_file,
    media_root,
    natural_key_fields,
    quiet,
)

# Already-compressed attachments (PDF, images, Office files) are stored as they are: deflating them costs
# time and saves nothing.
_DEFLATED_SUFFIXES = frozenset({".txt", ".csv", ".json", ".xml", ".html", ".htm", ".svg", ".md", ".log"})


# --- values as written to the archive -----------------------------------------------------------------


def _encode(value):
    """A stored value as JSON, losing nothing: datetimes keep microseconds, JSON stays JSON."""
    if value is None or isinstance(value, (bool, int, float, str, dict, list)):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def _dumps(row) -> str:
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"), allow_nan=True)


# --- backup -------------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    seconds: float

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.manifest["tables"])


@contextmanager
def frozen_view(workdir: Path) -> Iterator[str]:
    """A database alias through which every table reads as of one instant, without blocking writers."""
    source = connections[DEFAULT_DB_ALIAS]
    if source.in_atomic_block:
        # On SQLite the copy would be taken through this connection and include its uncommitted writes.
        raise BackupError("备份不能在数据库事务之内进行。")
    alias = f"duban_backup_{uuid.uuid4().hex[:8]}"
    settings_dict = copy.deepcopy(source.settings_dict)
    if source.vendor == "sqlite":
        snapshot = workdir / "snapshot.sqlite3"
        source.ensure_connection()
        target = sqlite3.connect(snapshot)
        try:
            # pages=-1 copies everything in one step inside one read transaction: a consistent copy. In WAL
            # mode a reader never blocks writers, so the service carries on while this runs.
            source.connection.backup(target, pages=-1)
        finally:
            target.close()
        settings_dict.update(NAME=str(snapshot), OPTIONS={"init_command": "PRAGMA query_only=ON;"})
    elif source.vendor != "postgresql":
        raise BackupError(f"不支持备份 {source.vendor} 数据库，只支持 SQLite 和 PostgreSQL。")
    settings_dict["CONN_MAX_AGE"] = 0
    # A connection of its own, made here rather than declared in settings: it never shares a transaction
    # with the caller, and close_all() and the test runner leave it alone.
    reader = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    connections[alias] = reader
    try:
        reader.ensure_connection()
        with transaction.atomic(using=alias):
            if reader.vendor == "postgresql":
                with reader.cursor() as cur:
                    # Must be the transaction's first statement: every later read sees the same instant.
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield alias
    finally:
        reader.close()
        del connections[alias]


def create_backup(target, *, progress: ProgressFn | None = None, batch: int = BATCH) -> BackupResult:
    """Write the archive to `target`; an interrupted backup leaves nothing under that name."""
    started = time.monotonic()
    progress = progress or quiet
    target = Path(target).expanduser().resolve()
    if target.is_dir():
        raise BackupError(f"{target} 是一个目录，请给出备份文件的名称，例如 {target / 'duban-backup.zip'}。")
    if not target.parent.is_dir():
        raise BackupError(f"目录 {target.parent} 不存在，请先建好它或换一个位置。")
    # Everything in progress lives in a hidden directory beside the target, so the final rename stays on one
    # file system and a crash leaves only that directory behind, never a half archive under the target name.
    workdir = Path(tempfile.mkdtemp(prefix=".duban-backup-", dir=target.parent))
    partial = workdir / target.name
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6, allowZip64=True) as zf:
            with frozen_view(workdir) as alias:
                manifest = _manifest_head(alias)
                for model in archived_models():
                    manifest["tables"].append(_write_table(zf, alias, model, progress, batch))
            manifest["media"] = _write_media(zf, progress, skip=workdir)
            kept = _write_head_log(zf, manifest["audit_head"])
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target)
        _fsync_dir(target.parent)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    audit.keep_head(kept.source, now=kept.at, head=(kept.seq, kept.hash))
    return BackupResult(path=target, manifest=manifest, seconds=time.monotonic() - started)


def _manifest_head(alias: str) -> dict:
    from duban.core.models import AuditHead

    reader = connections[alias]
    head = AuditHead.objects.using(alias).filter(pk=1).first()
    applied = sorted(MigrationRecorder(reader).applied_migrations())
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "duban_version": _duban_version(),
        "created_at": timezone.localtime().isoformat(),
        "source": {"vendor": reader.vendor, "database": Path(str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])).name},
        "audit_head": audit.format_head(head.seq, head.hash) if head else audit.format_head(0, audit.GENESIS),
        "migrations": [f"{app}.{name}" for app, name in applied],
        "tables": [],
    }


def _write_head_log(zf: zipfile.ZipFile, head: str) -> audit.KeptHead:
    """Every head kept so far, and this backup's own, into the archive; the same line is appended to the log."""
    seq, _, digest = head.partition(":")
    kept = audit.KeptHead(timezone.now(), int(seq), digest, "backup")
    log = audit.head_log()
    earlier = log.read_text(encoding="utf-8") if log.is_file() else ""
    zf.writestr(HEAD_LOG, earlier + ("" if not earlier or earlier.endswith("\n") else "\n") + kept.line())
    return kept


def _write_table(zf: zipfile.ZipFile, alias: str, model, progress: ProgressFn, batch: int) -> dict:
    fields = list(model._meta.local_concrete_fields)
    names = [f.attname for f in fields]
    natural = natural_key_fields(model)
    keys = {attname: _natural_keys(related, alias) for attname, related in natural.items()}
    mappers = [(keys[f.attname].get if f.attname in keys else _encode) for f in fields]
    label = model._meta.label
    queryset = model._base_manager.using(alias).order_by("pk").values_list(*names)
    total = queryset.count()
    done = 0
    info = zipfile.ZipInfo(data_file(model), date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    with zf.open(info, "w", force_zip64=True) as out:
        lines: list[str] = []
        for row in queryset.iterator(chunk_size=batch):
            lines.append(_dumps([m(v) if v is not None else None for m, v in zip(mappers, row, strict=False)]))
            if len(lines) >= batch:
                out.write(("\n".join(lines) + "\n").encode())
                done += len(lines)
                lines.clear()
                progress(f"备份 {label}", done, total)
        if lines:
            out.write(("\n".join(lines) + "\n").encode())
            done += len(lines)
    progress(f"备份 {label}", done, done)
    return {
        "model": model._meta.label_lower,
        "table": model._meta.db_table,
        "file": data_file(model),
        "fields": names,
        "natural_keys": {attname: related._meta.label_lower for attname, related in natural.items()},
        "rows": done,
    }


def _natural_keys(model, alias: str) -> dict:
    return {obj.pk: list(obj.natural_key()) for obj in model._base_manager.using(alias).all()}


def _write_media(zf: zipfile.ZipFile, progress: ProgressFn, skip: Path) -> dict:
    root = media_root()
    files = sorted(
        p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and not p.is_relative_to(skip)
    ) if root.is_dir() else []
    size = written = 0
    for i, path in enumerate(files, 1):
        name = "media/" + path.relative_to(root).as_posix()
        kind = zipfile.ZIP_DEFLATED if path.suffix.lower() in _DEFLATED_SUFFIXES else zipfile.ZIP_STORED
        try:
            zf.write(path, name, compress_type=kind)
        except FileNotFoundError:
            continue  # removed since the listing; no backed-up row can need it
        written += 1
        size += zf.getinfo(name).file_size
        progress("备份附件", i, len(files))
    return {"files": written, "bytes": size}


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _duban_version() -> str:
    try:
        return metadata.version("duban")
    except metadata.PackageNotFoundError:
        return "unknown"
