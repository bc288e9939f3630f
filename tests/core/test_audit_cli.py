"""`duban audit verify` and `duban audit head`: the audit admin checks the chain from the command line.

The exit-code tests run the real `python -m duban` against an SQLite file in a temporary DUBAN_DATA_DIR,
the way a cron job would; the in-process tests run on whichever database the suite runs on.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from duban.core import audit, services
from duban.core.choices import CalendarDayKind, Role, UnitKind
from tests.conftest import SYSTEM, behind_the_apps_back

REPO = Path(__file__).resolve().parents[2]

# A small county built through the services, as `duban manage shell -c` runs it: a unit tree with a unit
# moved under a later one (its parent id is higher than its own), people with role grants, a charge, a
# holiday, a group with permissions, an axes record and an attachment. Every service call audits itself.
POPULATE = """
import datetime, pathlib
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from axes.models import AccessAttempt
from duban.core import services
from duban.core.actor import Actor
from duban.core.choices import CalendarDayKind, Role, UnitKind
S = Actor.system("tests")
transport = services.create_unit(S, name="县交通运输局", kind=UnitKind.DEPARTMENT)
office = services.create_unit(S, name="县交通运输局办公室", kind=UnitKind.SECTION, parent=transport)
town = services.create_unit(S, name="城关镇", kind=UnitKind.TOWNSHIP)
village = services.create_unit(S, name="东关村", kind=UnitKind.VILLAGE, parent=town)
services.update_unit(S, village, parent=transport, short_name="东关")
services.update_unit(S, village, parent=town)
services.update_unit(S, office, parent=village)
leader = services.create_person(S, username="fuxianzhang", full_name="李副县长", unit=transport, password="Duban-test-2026", roles=(Role.LEADER,))
liaison = services.create_person(S, username="lly", full_name="郑联络", unit=office, roles=(Role.LIAISON,))
services.grant_role(S, liaison, Role.UNIT_HEAD)
services.revoke_role(S, liaison, Role.UNIT_HEAD)
services.add_charge(S, leader, transport)
services.set_calendar_day(S, datetime.date(2026, 10, 10), CalendarDayKind.WORKDAY, "国庆调休上班")
group = Group.objects.create(name="值班员")
group.permissions.add(Permission.objects.get(codename="view_unit"))
liaison.groups.add(group)
liaison.user_permissions.add(Permission.objects.get(codename="change_unit"))
AccessAttempt.objects.create(username="lly", ip_address="10.0.0.8", user_agent="Mozilla/5.0", http_accept="*/*",
                             path_info="/login/", get_data="", post_data="username=lly", failures_since_start=2)
folder = pathlib.Path(settings.MEDIA_ROOT) / "attachments" / "2026"
folder.mkdir(parents=True, exist_ok=True)
(folder / "整改报告.pdf").write_bytes(bytes(range(256)) * 40)
"""


def duban_env(data_dir: Path, database_url: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DUBAN_DATABASE_URL"}
    env["DUBAN_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DUBAN_DATABASE_URL"] = database_url
    return env


def run_duban(*args, data_dir: Path, database_url: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """`python -m duban ARGS` as an operator runs it, on its own data dir (and database, if given)."""
    done = subprocess.run(
        [sys.executable, "-m", "duban", *args], cwd=REPO, env=duban_env(data_dir, database_url),
        capture_output=True, text=True, timeout=300,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"duban {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


def populated_data_dir(path: Path) -> Path:
    """A migrated SQLite data dir holding the POPULATE county."""
    run_duban("manage", "migrate", "--no-input", "-v", "0", data_dir=path)
    run_duban("manage", "shell", "-c", POPULATE, data_dir=path)
    return path


@pytest.fixture(scope="module")
def county_dir(tmp_path_factory):
    return populated_data_dir(tmp_path_factory.mktemp("county"))


@pytest.fixture
def copy_of_county(county_dir, tmp_path):
    target = tmp_path / "data"
    shutil.copytree(county_dir, target)
    return target


def tamper(data_dir: Path, *statements: str) -> None:
    db = sqlite3.connect(data_dir / "duban.sqlite3")
    with db:
        for sql in statements:
            db.execute(sql)
    db.close()


# --- exit codes, as cron sees them ----------------------------------------------------------------


def test_verify_exits_0_on_a_whole_chain_and_prints_the_head(copy_of_county):
    head = run_duban("audit", "head", data_dir=copy_of_county).stdout.strip()
    seq, _, digest = head.partition(":")
    assert int(seq) >= 12 and len(digest) == 64

    done = run_duban("audit", "verify", "--head", head, data_dir=copy_of_county)

    assert done.returncode == 0
    assert f"审计链完整：共 {seq} 条，链头 #{seq} {digest}" in done.stdout
    assert f"当前链头：{head}" in done.stdout


@pytest.mark.parametrize(
    ("statements", "seq", "words"),
    [
        (["UPDATE core_auditentry SET object_repr = '伪造' WHERE seq = 2"], 2, "改动"),
        (["DELETE FROM core_auditentry WHERE seq = 3"], 3, "删除"),
        ([
            "UPDATE core_auditentry SET seq = -1 WHERE seq = 4",
            "UPDATE core_auditentry SET seq = 4 WHERE seq = 5",
            "UPDATE core_auditentry SET seq = 5 WHERE seq = -1",
        ], 4, "调换"),
    ],
    ids=["changed", "deleted", "swapped"],
)
def test_verify_exits_1_naming_the_entry_tampered_with_behind_the_applications_back(copy_of_county, statements, seq, words):
    tamper(copy_of_county, *statements)

    done = run_duban("audit", "verify", data_dir=copy_of_county, check=False)

    assert done.returncode == 1
    assert f"第 {seq} 条" in done.stderr and words in done.stderr
    assert "审计链被破坏" in done.stderr


def test_the_console_script_reports_a_broken_chain_with_exit_code_1(copy_of_county):
    tamper(copy_of_county, "UPDATE core_auditentry SET message = 'x' WHERE seq = 1")
    script = Path(sys.executable).with_name("duban")
    if not script.exists():
        pytest.skip("the duban console script is not installed in this environment")

    done = subprocess.run([script, "audit", "verify"], env=duban_env(copy_of_county), capture_output=True, text=True, timeout=120)

    assert done.returncode == 1 and "第 1 条" in done.stderr


def test_a_chain_cut_at_the_tail_fails_verify_without_head_once_the_head_was_kept(copy_of_county):
    kept = run_duban("audit", "keep", data_dir=copy_of_county).stdout
    saved = run_duban("audit", "head", data_dir=copy_of_county).stdout.strip()
    assert f"已把链头 {saved} 追加到 {copy_of_county / 'audit-heads.log'}" in kept
    last = int(saved.partition(":")[0])
    tamper(
        copy_of_county,
        f"DELETE FROM core_auditentry WHERE seq >= {last - 1}",
        f"UPDATE core_audithead SET seq = {last - 2}, hash = (SELECT hash FROM core_auditentry WHERE seq = {last - 2})",
    )

    done = run_duban("audit", "verify", data_dir=copy_of_county, check=False)

    assert done.returncode == 1 and "截短" in done.stderr
    assert run_duban("audit", "verify", "--head", saved, data_dir=copy_of_county, check=False).returncode == 1
    again = run_duban("audit", "keep", data_dir=copy_of_county, check=False)  # the damage is not kept as the new head
    assert again.returncode == 1 and "链头未保存" in again.stderr


def test_a_trail_deleted_whole_fails_verify(copy_of_county):
    tamper(copy_of_county, "DELETE FROM core_auditentry", "DELETE FROM core_audithead")

    done = run_duban("audit", "verify", data_dir=copy_of_county, check=False)

    assert done.returncode == 1 and "审计记录为空" in done.stderr and "整体删除" in done.stderr


def test_a_malformed_saved_head_is_a_usage_error_not_a_verdict(copy_of_county):
    done = run_duban("audit", "verify", "--head", "12:abc", data_dir=copy_of_county, check=False)

    assert done.returncode == 2
    assert "SEQ:HASH" in done.stderr and "审计链" not in done.stdout


# --- in process, on the suite's database ----------------------------------------------------------


def some_changes():
    unit = services.create_unit(SYSTEM, name="县统计局", kind=UnitKind.DEPARTMENT)
    services.update_unit(SYSTEM, unit, short_name="统计局")
    person = services.create_person(SYSTEM, username="tongji", full_name="统计员", unit=unit, roles=(Role.LIAISON,))
    services.set_calendar_day(SYSTEM, "2026-10-10", CalendarDayKind.WORKDAY, "调休上班")
    return person


def call(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_verify_passes_after_service_changes_and_prints_the_current_head(county):
    some_changes()
    seq, digest = audit.current_head()

    out = call("verify")

    assert out.splitlines() == [f"审计链完整：共 {seq} 条，链头 #{seq} {digest}", f"当前链头：{seq}:{digest}"]
    assert seq == 5  # create, update, person, role grant, calendar day


@pytest.mark.django_db
def test_head_prints_only_seq_colon_hash(county):
    some_changes()

    assert call("head") == audit.format_head(*audit.current_head()) + "\n"


@pytest.mark.django_db
def test_verify_against_the_saved_head_passes_while_the_chain_grows(county):
    some_changes()
    saved = call("head").strip()
    services.create_unit(SYSTEM, name="县审计局", kind=UnitKind.DEPARTMENT)

    assert "审计链完整：共 6 条" in call("verify", "--head", saved)


@pytest.mark.django_db
def test_a_head_saved_before_the_first_entry_is_passed_by_any_chain():
    genesis = audit.format_head(0, audit.GENESIS)
    assert call("head").strip() == genesis
    assert "审计链完整：共 0 条" in call("verify", "--head", genesis)

    services.create_unit(SYSTEM, name="县统计局", kind=UnitKind.DEPARTMENT)

    assert "审计链完整：共 1 条" in call("verify", "--head", genesis)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sql", "seq"),
    [
        ("UPDATE core_auditentry SET actor_name = '他人' WHERE seq = 2", 2),
        ("DELETE FROM core_auditentry WHERE seq = 3", 3),
    ],
    ids=["changed", "deleted"],
)
def test_verify_raises_naming_the_entry(county, sql, seq):
    some_changes()
    with behind_the_apps_back() as cur:
        cur.execute(sql)

    with pytest.raises(CommandError) as caught:
        call("verify")

    assert caught.value.returncode == 1
    assert str(caught.value).startswith(f"审计链被破坏：第 {seq} 条")


@pytest.mark.django_db
def test_audit_without_a_subcommand_says_which_exist():
    with pytest.raises(CommandError) as caught:
        call_command("audit")
    assert "verify" in str(caught.value)
