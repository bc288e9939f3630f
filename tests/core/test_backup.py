"""`duban backup` / `duban restore`: every record, attachment and the audit chain survive the trip, also
from SQLite into PostgreSQL, and a failed or refused run leaves everything as it was.

The in-process tests run on the suite's database (SQLite or PostgreSQL) and commit for real
(transactional), because the backup reads through its own connection, as it does while the service runs.
"""

import io
import json
import os
import sqlite3
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection

from duban.core import audit, backup, services
from duban.core.choices import CalendarDayKind, Role, UnitKind
from duban.core.models import AuditEntry, CalendarDay, LeaderCharge, RoleGrant, Unit, User
from tests.conftest import SYSTEM
from tests.core.test_audit_cli import populated_data_dir, run_duban

pytestmark = pytest.mark.django_db(transaction=True)

ATTACHMENT = bytes(range(256)) * 64  # not text: must come back byte for byte


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def history(county, media):
    """The fixture county plus a day of service changes, a group with permissions, an axes record and a file."""
    from axes.models import AccessAttempt

    people = county.people
    stats = services.create_unit(SYSTEM, name="县统计局", kind=UnitKind.DEPARTMENT)
    services.update_unit(SYSTEM, stats, short_name="统计局")
    # A section moved under a unit created after it: its parent's id is higher than its own.
    section = services.create_unit(SYSTEM, name="综合股", kind=UnitKind.SECTION, parent=stats)
    village = services.create_unit(SYSTEM, name="西关村", kind=UnitKind.VILLAGE, parent=county.units["chengguan"])
    services.update_unit(SYSTEM, section, parent=village)
    clerk = services.create_person(SYSTEM, username="tongji", full_name="统计员", unit=section, roles=(Role.LIAISON, Role.UNIT_HEAD))
    services.revoke_role(SYSTEM, clerk, Role.UNIT_HEAD)
    services.add_charge(SYSTEM, people["leader"], stats)
    services.set_calendar_day(SYSTEM, "2026-10-10", CalendarDayKind.WORKDAY, "国庆调休上班")
    group = Group.objects.create(name="值班员")
    group.permissions.add(Permission.objects.get(codename="view_unit"))
    clerk.groups.add(group)
    clerk.user_permissions.add(Permission.objects.get(codename="change_unit"))
    AccessAttempt.objects.create(username="tongji", ip_address="10.0.0.8", user_agent="Mozilla/5.0", http_accept="*/*",
                                 path_info="/login/", get_data="", post_data="", failures_since_start=2)
    folder = media / "attachments" / "2026"
    folder.mkdir(parents=True)
    (folder / "整改报告.pdf").write_bytes(ATTACHMENT)
    return county


def table_rows() -> dict[str, list[tuple]]:
    """Every archived row of every table, with ids of permissions shown as their natural keys."""
    rows = {}
    for model in backup.archived_models():
        fields = model._meta.local_concrete_fields
        rows[model._meta.label] = [
            tuple(_comparable(f, v) for f, v in zip(fields, row, strict=False))
            for row in model._base_manager.order_by("pk").values_list(*[f.attname for f in fields])
        ]
    return rows


def _comparable(field, value):
    if value is not None and field.is_relation and field.related_model is Permission:
        return Permission.objects.get(pk=value).natural_key()
    return value


def run(command, *args, **kwargs) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


def empty_everything(media: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def rewrite(archive: Path, target: Path, edits: dict) -> Path:
    """A copy of `archive` with some members changed: {member name: function of its bytes}."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, edits[info.filename](data) if info.filename in edits else data)
    return target


# --- the round trip -----------------------------------------------------------------------------------


def test_backup_then_restore_into_an_empty_database_brings_back_every_row_the_chain_and_the_files(history, media, tmp_path):
    before = table_rows()
    head = audit.format_head(*audit.current_head())
    archive = tmp_path / "县督办-备份.zip"

    out = run("backup", "-o", str(archive))

    assert f"备份时的审计链头：{head}" in out
    empty_everything(media)
    assert not User.objects.exists() and not AuditEntry.objects.exists() and not any(media.iterdir())

    out = run("restore", str(archive))

    after = table_rows()
    assert {label: len(rows) for label, rows in after.items()} == {label: len(rows) for label, rows in before.items()}
    assert after == before  # every value, including microseconds, JSON and auto_now_add columns
    assert audit.format_head(*audit.current_head()) == head
    assert audit.verify(head).ok
    assert f"审计链完整：共 {head.partition(':')[0]} 条" in out and "附件：1 个" in out
    assert (media / "attachments" / "2026" / "整改报告.pdf").read_bytes() == ATTACHMENT
    # The tree, people and roles work as before: scope by path, roles through grants, charges, permissions.
    clerk = User.objects.get(username="tongji")
    assert clerk.roles == {Role.LIAISON} and clerk.has_perm("core.change_unit") and clerk.has_perm("core.view_unit")
    assert set(Unit.objects.subtree(history.units["chengguan"]).values_list("name", flat=True)) == {"城关镇", "东关村", "西关村", "综合股"}
    assert LeaderCharge.objects.filter(leader__username="fuxianzhang").count() == 2
    # New records continue after the restored ids and the chain goes on from the restored head.
    unit = services.create_unit(SYSTEM, name="县审计局", kind=UnitKind.DEPARTMENT)
    assert unit.pk == max(row[0] for row in before["core.Unit"]) + 1
    assert audit.verify(head).ok and audit.current_head()[0] == int(head.partition(":")[0]) + 1


def test_the_manifest_describes_the_archive(history, tmp_path):
    result = backup.create_backup(tmp_path / "b.zip")

    manifest = result.manifest
    with zipfile.ZipFile(result.path) as zf:
        assert json.loads(zf.read("manifest.json")) == manifest
        names = set(zf.namelist())
        for table in manifest["tables"]:
            lines = zf.read(table["file"]).decode().splitlines()
            assert len(lines) == table["rows"]
            assert all(len(json.loads(line)) == len(table["fields"]) for line in lines)
    counts = {t["model"]: t["rows"] for t in manifest["tables"]}
    assert manifest["format"] == "duban-backup" and manifest["format_version"] == 1
    assert manifest["source"]["vendor"] == connection.vendor
    assert manifest["audit_head"] == audit.format_head(*audit.current_head())
    assert counts["core.auditentry"] == AuditEntry.objects.count() and counts["core.unit"] == Unit.objects.count()
    assert counts["core.rolegrant"] == RoleGrant.objects.count() == 13
    assert "sessions.session" not in counts and "auth.permission" not in counts and "contenttypes.contenttype" not in counts
    assert manifest["media"] == {"files": 1, "bytes": len(ATTACHMENT)}
    assert "media/attachments/2026/整改报告.pdf" in names
    assert "core.0001_initial" in manifest["migrations"]


def test_every_model_is_archived_parents_first(db):
    from django.apps import apps

    order = [m._meta.label_lower for m in backup.archived_models()]
    everything = {m._meta.label_lower for m in apps.get_models(include_auto_created=True) if not m._meta.proxy}

    assert set(order) == everything - {"contenttypes.contenttype", "auth.permission", "sessions.session",
                                       "core.dataversion", "core.figuresnapshot"}
    assert order.index("core.unit") < order.index("core.user") < order.index("core.rolegrant")
    assert order.index("core.user") < order.index("core.leadercharge") and order.index("auth.group") < order.index("core.user_groups")


def test_a_fresh_installation_without_any_record_round_trips(db, media, tmp_path):
    archive = backup.create_backup(tmp_path / "empty.zip")
    assert archive.manifest["audit_head"] == f"0:{audit.GENESIS}" and archive.rows == 0

    result = backup.restore_backup(archive.path)

    assert result.verification.ok and result.rows == 0 and result.media_files == 0


# --- consistency while the service runs ---------------------------------------------------------------


def test_a_write_during_the_backup_is_neither_blocked_nor_half_in_the_archive(history, tmp_path):
    head = audit.format_head(*audit.current_head())
    days = CalendarDay.objects.count()
    waited = []

    def progress(stage, done, total):
        if stage == "备份 core.AuditHead" and not waited:
            started = time.monotonic()
            services.set_calendar_day(SYSTEM, "2026-10-11", CalendarDayKind.WORKDAY, "备份进行中写入")
            waited.append(time.monotonic() - started)

    result = backup.create_backup(tmp_path / "b.zip", progress=progress)

    assert waited and waited[0] < 1.0  # the writer went straight through
    counts = {t["model"]: t["rows"] for t in result.manifest["tables"]}
    assert counts["core.calendarday"] == days and result.manifest["audit_head"] == head
    assert counts["core.auditentry"] == int(head.partition(":")[0])  # the entry written meanwhile is not in
    assert CalendarDay.objects.count() == days + 1


def test_an_interrupted_backup_leaves_no_file_at_the_target(history, tmp_path, monkeypatch):
    target = tmp_path / "nightly.zip"
    target.write_bytes(b"yesterday's backup")
    real, calls = backup.dump._encode, []

    def failing(value):
        calls.append(value)
        if len(calls) > 200:
            raise RuntimeError("disk full")
        return real(value)

    monkeypatch.setattr(backup.dump, "_encode", failing)

    with pytest.raises(RuntimeError, match="disk full"):
        run("backup", "-o", str(target))

    assert target.read_bytes() == b"yesterday's backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media", "nightly.zip"]  # no temp dir left behind


def test_a_backup_is_not_taken_inside_a_transaction(history, tmp_path):
    from django.db import transaction

    with transaction.atomic(), pytest.raises(backup.BackupError, match="事务之内"):
        backup.create_backup(tmp_path / "b.zip")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["media"]


def test_an_interrupted_first_backup_leaves_nothing_at_all(history, tmp_path):
    def progress(stage, done, total):
        if stage == "备份 core.User":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backup.create_backup(tmp_path / "first.zip", progress=progress)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["media"]


def test_a_backup_kept_inside_the_media_folder_does_not_swallow_itself(history, media):
    (media / "backups").mkdir()
    (media / "backups" / "last-week.zip").write_bytes(b"an older backup is just a file")

    result = backup.create_backup(media / "backups" / "b.zip")

    with zipfile.ZipFile(result.path) as zf:
        assert [n for n in zf.namelist() if n.startswith("media/")] == [
            "media/attachments/2026/整改报告.pdf", "media/backups/last-week.zip",
        ]


# --- refusals leave everything as it was --------------------------------------------------------------


def test_restore_into_a_non_empty_database_is_refused_and_changes_nothing(history, media, tmp_path):
    archive = backup.create_backup(tmp_path / "b.zip").path
    services.create_unit(SYSTEM, name="恢复前新建的单位", kind=UnitKind.DEPARTMENT)
    (media / "attachments" / "2026" / "整改报告.pdf").write_bytes(b"changed since")
    before = table_rows()

    with pytest.raises(CommandError) as caught:
        run("restore", str(archive))

    message = str(caught.value)
    assert "目标数据库不是空的" in message and "core.Unit 14 行" in message and "数据库未作任何改动" in message
    assert table_rows() == before
    assert (media / "attachments" / "2026" / "整改报告.pdf").read_bytes() == b"changed since"
    assert not list(media.parent.glob(".duban-restore-*"))


def test_a_restore_whose_counts_differ_from_the_manifest_is_rolled_back(history, media, tmp_path):
    archive = backup.create_backup(tmp_path / "b.zip").path

    def one_more_unit(data):
        manifest = json.loads(data)
        next(t for t in manifest["tables"] if t["model"] == "core.unit")["rows"] += 1
        return json.dumps(manifest).encode()

    bad = rewrite(archive, tmp_path / "bad.zip", {"manifest.json": one_more_unit})
    empty_everything(media)

    with pytest.raises(CommandError) as caught:
        run("restore", str(bad))

    assert "行数与备份清单不符" in str(caught.value) and "core.Unit 应为 14 行、实为 13 行" in str(caught.value)
    assert all(not rows for rows in table_rows().values())
    assert not any(media.rglob("*.pdf"))


def test_a_restore_whose_audit_chain_does_not_verify_is_rolled_back_unless_accepted(history, media, tmp_path):
    archive = backup.create_backup(tmp_path / "b.zip").path

    def forge_second_entry(data):
        lines = data.decode().splitlines()
        lines[1] = lines[1].replace('"统计局"', '"伪造"', 1)
        return ("\n".join(lines) + "\n").encode()

    forged = rewrite(archive, tmp_path / "forged.zip", {"data/core.auditentry.jsonl": forge_second_entry})
    empty_everything(media)

    with pytest.raises(backup.BackupError, match="审计链校验未通过：第 2 条记录"):
        backup.restore_backup(forged)
    assert not AuditEntry.objects.exists() and not Unit.objects.exists()

    result = backup.restore_backup(forged, accept_broken_audit=True)
    assert not result.verification.ok and result.verification.bad_seq == 2
    assert AuditEntry.objects.count() == int(result.manifest["audit_head"].partition(":")[0])


def test_restore_refuses_what_it_cannot_read(db, tmp_path):
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("hello")
    foreign = tmp_path / "other.zip"
    with zipfile.ZipFile(foreign, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"format": "something-else"}))

    with pytest.raises(CommandError, match="不是有效的备份文件"):
        run("restore", str(not_zip))
    with pytest.raises(CommandError, match="不是督办的备份文件"):
        run("restore", str(foreign))
    with pytest.raises(CommandError, match="找不到备份文件"):
        run("restore", str(tmp_path / "missing.zip"))


def test_restore_refuses_a_backup_from_a_newer_version(history, media, tmp_path):
    archive = backup.create_backup(tmp_path / "b.zip").path

    def newer(data):
        manifest = json.loads(data)
        manifest["migrations"].append("core.9999_from_the_future")
        manifest["duban_version"] = "9.0"
        return json.dumps(manifest).encode()

    future = rewrite(archive, tmp_path / "future.zip", {"manifest.json": newer})
    empty_everything(media)

    with pytest.raises(CommandError, match="备份来自较新版本的督办（9.0）.*core.9999_from_the_future"):
        run("restore", str(future))


def test_an_attachment_path_that_escapes_the_media_folder_is_refused(history, media, tmp_path):
    archive = backup.create_backup(tmp_path / "b.zip").path
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(evil, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("media/../../outside.txt", b"x")
    empty_everything(media)

    with pytest.raises(CommandError, match="附件路径不安全"):
        run("restore", str(evil))

    assert not (tmp_path / "outside.txt").exists() and not User.objects.exists()


# --- the way a county moves up: an SQLite backup restored into PostgreSQL -----------------------------

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
CARRY_ON = """
from duban.core import services
from duban.core.actor import Actor
from duban.core.choices import Role, UnitKind
S = Actor.system("tests")
unit = services.create_unit(S, name="县审计局", kind=UnitKind.DEPARTMENT)
services.create_person(S, username="shenji", full_name="审计员", unit=unit, roles=(Role.LIAISON,))
"""


@pytest.fixture
def fresh_postgres_database():
    """A new, empty PostgreSQL database for this test only, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    name = f"duban_restore_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") or os.environ.get("DUBAN_TEST_POSTGRES"):
            pytest.fail(f"PostgreSQL at {PG_SERVER} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL at {PG_SERVER} is not reachable")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.django_db(transaction=False)
def test_a_backup_taken_from_sqlite_restores_into_postgresql_with_every_row_and_a_verifying_chain(tmp_path, fresh_postgres_database):
    import psycopg

    source = populated_data_dir(tmp_path / "sqlite-county")
    archive = tmp_path / "county.zip"
    run_duban("backup", "-o", str(archive), data_dir=source)
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["source"]["vendor"] == "sqlite"
    lite = sqlite3.connect(source / "duban.sqlite3")
    sqlite_counts = {t["table"]: lite.execute(f'SELECT count(*) FROM "{t["table"]}"').fetchone()[0] for t in manifest["tables"]}
    lite.close()
    assert sqlite_counts == {t["table"]: t["rows"] for t in manifest["tables"]}
    assert sqlite_counts["core_auditentry"] >= 12 and sqlite_counts["core_rolegrant"] == 2
    assert sqlite_counts["core_user_user_permissions"] == 1 and sqlite_counts["axes_accessattempt"] == 1

    target = tmp_path / "pg-county"
    done = run_duban("restore", str(archive), data_dir=target, database_url=fresh_postgres_database)

    assert "恢复到 postgresql" in done.stdout and "审计链完整" in done.stdout
    with psycopg.connect(fresh_postgres_database) as pg:
        pg_counts = {t["table"]: pg.execute(f'SELECT count(*) FROM "{t["table"]}"').fetchone()[0] for t in manifest["tables"]}
        moved = pg.execute("SELECT path, depth FROM core_unit WHERE name = '县交通运输局办公室'").fetchone()
        codename = pg.execute(
            "SELECT p.codename FROM core_user_user_permissions up JOIN auth_permission p ON p.id = up.permission_id"
        ).fetchone()[0]
    assert pg_counts == sqlite_counts
    assert moved[1] == 2 and moved[0].count("/") == 4
    assert codename == "change_unit"
    assert (target / "media" / "attachments" / "2026" / "整改报告.pdf").read_bytes() == bytes(range(256)) * 40

    verified = run_duban("audit", "verify", "--head", manifest["audit_head"], data_dir=target, database_url=fresh_postgres_database)
    assert f"当前链头：{manifest['audit_head']}" in verified.stdout

    # The county carries on in PostgreSQL: new rows get fresh ids and extend the same chain.
    run_duban("manage", "shell", "-c", CARRY_ON, data_dir=target, database_url=fresh_postgres_database)
    after = run_duban("audit", "verify", "--head", manifest["audit_head"], data_dir=target, database_url=fresh_postgres_database)
    seq = int(manifest["audit_head"].partition(":")[0])
    assert f"审计链完整：共 {seq + 3} 条" in after.stdout


# --- the kept audit chain heads travel with every backup ----------------------------------------------------


def test_every_backup_keeps_its_head_and_carries_the_head_log(history, media, tmp_path):
    audit.keep_head("daily")
    services.create_unit(SYSTEM, name="县审计局", kind=UnitKind.DEPARTMENT)
    head = audit.format_head(*audit.current_head())

    archive = backup.create_backup(tmp_path / "b.zip").path

    kept = audit.kept_heads()
    assert [h.source for h in kept] == ["daily", "backup"] and audit.format_head(kept[-1].seq, kept[-1].hash) == head
    with zipfile.ZipFile(archive) as zf:
        assert audit.parse_kept_heads(zf.read("audit-heads.log").decode()) == kept


def test_a_restore_brings_the_kept_heads_and_keeps_the_restored_head(history, media, tmp_path, settings):
    audit.keep_head("daily")
    archive = backup.create_backup(tmp_path / "b.zip").path
    head = audit.format_head(*audit.current_head())
    empty_everything(media)
    settings.DUBAN_AUDIT_HEAD_LOG = tmp_path / "new-machine" / "audit-heads.log"  # restored on another machine

    backup.restore_backup(archive)

    assert [h.source for h in audit.kept_heads()] == ["daily", "backup", "restore"]
    assert audit.format_head(audit.newest_kept_head().seq, audit.newest_kept_head().hash) == head
    assert audit.verify().ok
