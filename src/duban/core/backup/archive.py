"""What a backup archive holds and which tables go into it; shared by writing (dump) and reading (load)."""

from __future__ import annotations

import json
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

FORMAT = "duban-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
HEAD_LOG = "audit-heads.log"  # the kept audit chain heads, as of the backup (and the backup's own head)
BATCH = 2000

# Rebuilt by `migrate` on any database (content types, permissions; rows that point at them are written by
# natural key), or not worth keeping (sessions: everyone signs in again). Everything else is archived, so
# the models of apps added later are included without touching this file. The data version's row is seeded
# by migrate and raised by the restore's own writes; kept figures are computed again (core.versions).
SKIPPED = frozenset({"contenttypes.contenttype", "auth.permission", "sessions.session", "core.dataversion", "core.figuresnapshot"})

ProgressFn = Callable[[str, int, "int | None"], None]


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, in Chinese, and what to do."""


# --- which tables, in which order ---------------------------------------------------------------------


def archived_models() -> list[type[models.Model]]:
    """Every table worth keeping, parents before children (self-references and cycles wait for commit)."""
    chosen = [
        m for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in SKIPPED
    ]
    return _dependency_order(chosen)


def _dependency_order(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    by_label = {m._meta.label_lower: m for m in chosen}
    needs = {
        label: {
            f.related_model._meta.label_lower for f in m._meta.local_concrete_fields
            if f.is_relation and f.related_model is not m
        } & by_label.keys()
        for label, m in by_label.items()
    }
    order: list[str] = []
    while needs:
        ready = sorted(label for label, deps in needs.items() if not deps)
        if not ready:
            # A cycle between tables: foreign keys are checked at commit (DEFERRABLE), so any order loads.
            ready = [min(needs)]
        for label in ready:
            order.append(label)
            del needs[label]
        for deps in needs.values():
            deps.difference_update(ready)
    return [by_label[label] for label in order]


def natural_key_fields(model) -> dict[str, type[models.Model]]:
    """Columns that point at a skipped table: written as natural keys, since its ids differ per database."""
    return {
        f.attname: f.related_model for f in model._meta.local_concrete_fields
        if f.is_relation and f.related_model._meta.label_lower in SKIPPED and hasattr(f.related_model, "natural_key")
    }


def data_file(model) -> str:
    return f"data/{model._meta.label_lower}.jsonl"


# --- progress -----------------------------------------------------------------------------------------


class Progress:
    """Long work on stderr: one line rewritten in place on a terminal, one line per step otherwise."""

    def __init__(self, stream=None, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = 0.0
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        finished = total is not None and done >= total
        now = time.monotonic()
        if self.tty:
            if finished or now - self._last > 0.2 or stage != self._stage:
                shown = f"{done}/{total}" if total is not None else f"{done}"
                end = "\n" if finished else ""
                self.stream.write(f"\r  {stage} {shown}\x1b[K{end}")
                self.stream.flush()
                self._last = now
        elif finished:
            self.stream.write(f"  {stage} {done}\n")
            self.stream.flush()
        self._stage = stage


def quiet(stage: str, done: int, total: int | None) -> None:
    pass


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def read_manifest(zf: zipfile.ZipFile) -> dict:
    """The archive's manifest, after checking that this is a duban backup this version can read."""
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise BackupError("这不是督办的备份文件：缺少 manifest.json。") from None
    except ValueError:
        raise BackupError("备份文件的 manifest.json 已损坏，无法读取。") from None
    if manifest.get("format") != FORMAT:
        raise BackupError("这不是督办的备份文件（格式标识不符）。")
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError(
            f"这个备份文件的格式（第 {manifest['format_version']} 版）比本程序新，"
            f"请用督办 {manifest.get('duban_version', '较新版本')} 或更新的版本恢复。"
        )
    return manifest
