"""Reading an archive back: into an empty database, all or nothing, then counts and the audit chain checked."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from duban.core import audit
from duban.core.backup.archive import (
    BATCH,
    HEAD_LOG,
    BackupError,
    ProgressFn,
    archived_models,
    media_root,
    quiet,
    read_manifest,
)


@dataclass
class TableCount:
    model: str
    expected: int
    actual: int

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


@dataclass
class RestoreResult:
    manifest: dict
    counts: list[TableCount]
    verification: audit.VerifyResult
    media_files: int
    seconds: float

    @property
    def rows(self) -> int:
        return sum(c.actual for c in self.counts)


@dataclass
class _Plan:
    model: type[models.Model]
    entry: dict
    fields: list[models.Field]


def _plan(manifest: dict) -> list[_Plan]:
    """Match the archive's tables to this version's models; refuse if a table's columns differ."""
    current = {m._meta.label_lower: m for m in archived_models()}
    plans = {}
    for entry in manifest["tables"]:
        model = current.get(entry["model"])
        if model is None:
            if entry["rows"]:
                raise BackupError(f"备份中有数据表 {entry['model']}（{entry['rows']} 行），本版本的督办没有这张表，无法恢复。")
            continue
        by_attname = {f.attname: f for f in model._meta.local_concrete_fields}
        if set(entry["fields"]) != set(by_attname):
            missing = sorted(set(by_attname) - set(entry["fields"]))
            extra = sorted(set(entry["fields"]) - set(by_attname))
            raise BackupError(
                f"备份中 {model._meta.label} 的字段与本版本不同（本版本多出：{'、'.join(missing) or '无'}；"
                f"备份多出：{'、'.join(extra) or '无'}）。请用做备份时的督办版本恢复，再升级。"
            )
        plans[entry["model"]] = _Plan(model=model, entry=entry, fields=[by_attname[a] for a in entry["fields"]])
    return [plans[m._meta.label_lower] for m in current.values() if m._meta.label_lower in plans]


def _check_migrations(manifest: dict) -> None:
    known = set(MigrationRecorder(connection).applied_migrations())
    unknown = sorted(
        key for key in (tuple(text.split(".", 1)) for text in manifest.get("migrations", [])) if key not in known
    )
    if unknown:
        names = "、".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            f"备份来自较新版本的督办（{manifest.get('duban_version', '?')}），含有本版本没有的数据库迁移：{names}。"
            "请先把督办升级到不低于该版本，再恢复。"
        )


def _seeded(model) -> bool:
    """A table whose default rows a migration writes (`seeded_by_migration` on the model): a migrated, empty
    database holds them, and the archive's rows replace them."""
    return getattr(model, "seeded_by_migration", False)


def _occupied() -> list[tuple[str, int]]:
    """Archived tables that already exist in this database and hold rows (beyond what migrations seed)."""
    existing = set(connection.introspection.table_names())
    found = []
    for model in archived_models():
        if model._meta.db_table not in existing or _seeded(model):
            continue
        count = model._base_manager.count()
        if count:
            found.append((model._meta.label, count))
    return found


def _refuse_unless_empty() -> None:
    occupied = _occupied()
    if occupied:
        listed = "，".join(f"{label} {count} 行" for label, count in occupied[:8])
        more = f" 等 {len(occupied)} 张表" if len(occupied) > 8 else ""
        raise BackupError(
            f"目标数据库不是空的（{listed}{more}），恢复只会写入空数据库，以免覆盖或混入现有记录；数据库未作任何改动。"
            "请新建一个空数据库（或换一个空的 DUBAN_DATA_DIR）后再恢复。"
        )


def restore_backup(source, *, progress: ProgressFn | None = None, accept_broken_audit: bool = False) -> RestoreResult:
    """Load an archive into this (empty) database: all or nothing, then check counts and the audit chain."""
    started = time.monotonic()
    progress = progress or quiet
    source = Path(source).expanduser()
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source}。")
    try:
        zf = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise BackupError(f"{source} 不是有效的备份文件（不是 zip 格式或已损坏）。") from None
    with zf:
        manifest = read_manifest(zf)
        _refuse_unless_empty()  # before migrate too: a refused restore must not even change the schema
        call_command("migrate", interactive=False, verbosity=0)
        _check_migrations(manifest)
        plans = _plan(manifest)
        media = [i for i in zf.infolist() if i.filename.startswith("media/") and not i.is_dir()]
        staging = _stage_media(zf, media, progress)
        try:
            with transaction.atomic():
                _refuse_unless_empty()  # again, now under the write lock (SQLite) / in the transaction
                _defer_constraints()
                with connection.cursor() as cur:
                    for plan in plans:
                        if _seeded(plan.model):
                            cur.execute(f"DELETE FROM {connection.ops.quote_name(plan.model._meta.db_table)}")
                for plan in plans:
                    _load_table(zf, plan, progress)
                _check_constraints()
                counts = [TableCount(p.model._meta.label, p.entry["rows"], p.model._base_manager.count()) for p in plans]
                wrong = [c for c in counts if not c.ok]
                if wrong:
                    listed = "，".join(f"{c.model} 应为 {c.expected} 行、实为 {c.actual} 行" for c in wrong)
                    raise BackupError(f"恢复后行数与备份清单不符（{listed}），已全部撤销，数据库未作任何改动。")
                _reset_sequences([p.model for p in plans])
                verification = audit.verify(manifest.get("audit_head"))
                if not verification.ok and not accept_broken_audit:
                    raise BackupError(
                        f"恢复后审计链校验未通过：{verification.problem}。已全部撤销，数据库未作任何改动。"
                        "若备份时的审计链本来就已被破坏，而仍要恢复以便调查，请加 --accept-broken-audit。"
                    )
            files = _publish_media(staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if verification.ok:
            _keep_heads(zf, verification)
    return RestoreResult(manifest=manifest, counts=counts, verification=verification, media_files=files,
                         seconds=time.monotonic() - started)


def _keep_heads(zf: zipfile.ZipFile, verification: audit.VerifyResult) -> None:
    """Carry the archive's kept heads into this data dir's head log, then the restored head (the one to check now)."""
    try:
        archived = audit.parse_kept_heads(zf.read(HEAD_LOG).decode("utf-8", "replace"))
    except KeyError:  # a backup made before heads were kept
        archived = []
    present = set(audit.kept_heads())
    restored = audit.KeptHead(timezone.now(), verification.head_seq, verification.head_hash, "restore")
    audit.append_kept([h for h in archived if h not in present] + [restored])


def _defer_constraints() -> None:
    # Django declares foreign keys DEFERRABLE INITIALLY DEFERRED on both databases; say so explicitly, so a
    # row may name a parent that comes later (Unit.parent, cycles) and everything is checked at the end.
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        elif connection.vendor == "sqlite":
            cur.execute("PRAGMA defer_foreign_keys = ON")


def _check_constraints() -> None:
    try:
        connection.check_constraints()
    except DatabaseError as exc:
        raise BackupError(f"备份中的关联数据不完整（{exc}），已全部撤销，数据库未作任何改动。") from None


def _load_table(zf: zipfile.ZipFile, plan: _Plan, progress: ProgressFn) -> None:
    model, entry, fields = plan.model, plan.entry, plan.fields
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    decoders = []
    for f in fields:
        related_label = entry.get("natural_keys", {}).get(f.attname)
        decoders.append(_natural_key_decoder(apps.get_model(related_label)) if related_label else _decoder(f))
    label, total, done = model._meta.label, entry["rows"], 0
    batch: list[list] = []
    with zf.open(entry["file"]) as raw, connection.cursor() as cur:
        try:
            for line in raw:
                if not line.strip():
                    continue
                values = json.loads(line)
                batch.append([None if v is None else d(v) for d, v in zip(decoders, values, strict=False)])
                if len(batch) >= BATCH:
                    cur.executemany(sql, batch)
                    done += len(batch)
                    batch.clear()
                    progress(f"恢复 {label}", done, total)
            if batch:
                cur.executemany(sql, batch)
                done += len(batch)
        except (DatabaseError, ValueError, TypeError) as exc:
            raise BackupError(
                f"写入 {label} 第 {done + 1}–{done + len(batch)} 行时出错：{exc}。已全部撤销，数据库未作任何改动。"
            ) from exc
    progress(f"恢复 {label}", done, done)


# Columns whose JSON value is already what the database takes: skipping the field machinery for them makes
# a restore several times faster. Anything else goes through to_python and get_db_prep_save.
_AS_IS = {
    str: frozenset({"CharField", "TextField", "SlugField", "EmailField", "URLField", "FileField", "ImageField", "FilePathField"}),
    int: frozenset({
        "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
        "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
    }),
    bool: frozenset({"BooleanField"}),
}


def _decoder(f: models.Field):
    target = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the `connection` proxy costs a lookup per call
    kind = (f.target_field if f.is_relation else f).get_internal_type()
    as_is = next((t for t, kinds in _AS_IS.items() if kind in kinds), None)

    def decode(value):
        if type(value) is as_is:
            return value
        return f.get_db_prep_save(f.to_python(value), target)

    return decode


def _natural_key_decoder(model):
    manager = model._default_manager
    cache: dict[tuple, object] = {}

    def decode(key):
        key = tuple(key)
        if key not in cache:
            try:
                cache[key] = manager.get_by_natural_key(*key).pk
            except model.DoesNotExist:
                raise BackupError(
                    f"备份引用的 {model._meta.verbose_name}“{'.'.join(map(str, key))}”在本版本中不存在，无法恢复。"
                ) from None
        return cache[key]

    return decode


def _reset_sequences(model_list) -> None:
    # PostgreSQL's id sequences do not move when ids are inserted explicitly; SQLite's AUTOINCREMENT does.
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)


def _safe_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name).relative_to("media")
    if path.is_absolute() or not path.parts or any(part in {"", ".", ".."} for part in path.parts) or "\\" in name:
        raise BackupError(f"备份中的附件路径不安全：{name}，拒绝恢复。")
    return path


def _stage_media(zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], progress: ProgressFn) -> Path:
    """Unpack attachments beside MEDIA_ROOT first; they are moved into place only after the commit."""
    root = media_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".duban-restore-", dir=root.parent))
    try:
        for i, info in enumerate(members, 1):
            dest = staging / _safe_member(info.filename)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            progress("解压附件", i, len(members))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _publish_media(staging: Path) -> int:
    root = media_root()
    count = 0
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        dest = root / path.relative_to(staging)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, dest)
        count += 1
    return count
