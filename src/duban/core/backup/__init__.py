"""Backup and restore: one archive with every record and attachment, taken while the service runs.

The archive is a zip file:

    manifest.json               format, versions, source database, audit head, tables with columns and rows
    data/<app>.<model>.jsonl    one JSON array per row, values in the manifest's column order, pk order
    media/<path>                every file under MEDIA_ROOT
    audit-heads.log             the audit chain heads kept so far, and this backup's own (docs/adr/013)

Every table is read as of one instant without blocking writers: on SQLite from a copy made by the online
backup API (one read transaction; WAL lets writers go on), on PostgreSQL inside one REPEATABLE READ, READ ONLY
transaction. Attachments are copied after that instant, so every file a backed-up row names is already on
disk (files are written before their row commits). Values are written exactly as stored (datetimes with
microseconds, JSON as JSON), so the audit chain still verifies after a restore, on either database.
See docs/adr/004-backup-and-restore.md.
"""

from duban.core.backup.archive import FORMAT, FORMAT_VERSION, SKIPPED, BackupError, Progress, archived_models, read_manifest
from duban.core.backup.dump import BackupResult, create_backup, frozen_view
from duban.core.backup.load import RestoreResult, TableCount, restore_backup

__all__ = [
    "FORMAT", "FORMAT_VERSION", "SKIPPED", "BackupError", "BackupResult", "Progress", "RestoreResult", "TableCount",
    "archived_models", "create_backup", "frozen_view", "read_manifest", "restore_backup",
]
