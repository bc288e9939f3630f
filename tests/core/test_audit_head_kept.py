"""The chain's head kept outside the database: a trail cut at the tail, or deleted whole, no longer verifies.

Before the head log, `verify()` without a saved head only compared the chain with the head row in the same
database, so deleting the last entries and moving that row back (or deleting everything) passed.
"""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from duban.core import audit, services
from duban.core.choices import UnitKind
from duban.core.models import AuditEntry, AuditHead, AuditTrailImmutable
from tests.conftest import SYSTEM, behind_the_apps_back

pytestmark = pytest.mark.django_db


def history(n=5):
    """n more audited changes."""
    for _ in range(n):
        services.create_unit(SYSTEM, name=f"测试单位{AuditEntry.objects.count()}", kind=UnitKind.DEPARTMENT)


def cut_the_tail(keep: int):
    """Delete every entry after `keep` and move the head row back onto it, as an attacker holding the database would."""
    with behind_the_apps_back() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE seq > %s", [keep])
        cur.execute("UPDATE core_audithead SET seq = %s, hash = (SELECT hash FROM core_auditentry WHERE seq = %s)", [keep, keep])


def test_a_tail_cut_behind_the_kept_head_fails_verify_without_any_head_given(county):
    history(5)
    audit.keep_head("daily")
    assert audit.verify().ok

    cut_the_tail(3)

    result = audit.verify()
    assert not result.ok
    assert result.problem.startswith("保存的链头") and "截短" in result.problem


def test_verify_names_the_kept_head_it_checked_against(county, time_machine):
    history(3)
    time_machine.move_to(dt.datetime(2026, 6, 1, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    audit.keep_head("daily")
    history(2)  # the chain grows past the kept head: still whole

    result = audit.verify()

    assert result.ok and result.checked == 5
    assert str(result).endswith("（经过2026-06-01 00:05 每日保存的链头 #3）")


def test_a_trail_deleted_whole_with_people_in_the_database_is_an_error(county):
    history(3)
    with behind_the_apps_back() as cur:
        cur.execute("DELETE FROM core_auditentry")
        cur.execute("DELETE FROM core_audithead")

    result = audit.verify()

    assert not result.ok and result.checked == 0
    assert result.problem == "审计记录为空，但数据库中有 12 个人员账号、13 个单位，它们建立时都留有审计记录：审计记录被整体删除"


def test_an_empty_trail_of_an_empty_database_is_whole():
    assert audit.verify().ok


def test_the_log_is_only_appended_to_and_the_last_line_counts(county, settings):
    history(2)
    first = audit.keep_head("daily")
    history(1)
    second = audit.keep_head("manual")
    log = settings.DUBAN_AUDIT_HEAD_LOG
    with open(log, "a", encoding="utf-8") as fh:
        fh.write("not a head\n2026-06-01T00:05:00+08:00\t12:abc\tdaily\n")  # mangled lines are not heads

    assert [h.seq for h in audit.kept_heads()] == [first.seq, second.seq] == [2, 3]
    assert audit.newest_kept_head() == second
    assert log.stat().st_mode & 0o777 == 0o600


def test_a_head_given_by_hand_takes_the_place_of_the_kept_one(county):
    history(3)
    early = audit.format_head(*audit.current_head())
    history(1)
    audit.keep_head("daily")
    cut_the_tail(3)

    assert audit.verify(early).ok  # the auditor's own older head: the cut is after it
    assert not audit.verify().ok


# --- the trail refuses changes in the ORM, and on PostgreSQL in the database ---------------------------


def test_the_orm_refuses_to_change_or_delete_an_entry(county):
    history(1)
    entry = AuditEntry.objects.get()
    entry.object_repr = "伪造"
    for attempt in (entry.save, entry.delete, AuditEntry.objects.all().delete,
                    lambda: AuditEntry.objects.filter(pk=entry.pk).update(object_repr="伪造"),
                    lambda: AuditEntry.objects.bulk_update([entry], ["object_repr"])):
        with pytest.raises(AuditTrailImmutable, match="审计记录只能追加，不能修改或删除"):
            attempt()
    assert AuditEntry.objects.get().object_repr == "测试单位0" and audit.verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_of_an_entry_whoever_sends_them(county):
    history(2)
    for sql in ("UPDATE core_auditentry SET object_repr = 'x' WHERE seq = 1", "DELETE FROM core_auditentry WHERE seq = 2"):
        with pytest.raises(DatabaseError, match="审计记录只能追加"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert AuditEntry.objects.count() == 2 and audit.verify().ok


def test_removing_a_person_leaves_the_entries_that_name_him(county):
    from duban.core.models import User

    person = services.create_person(SYSTEM, username="tmp", full_name="临时", unit=county.units["it"])
    services.update_person(SYSTEM, person, title="临时工")
    User.objects.filter(pk=person.pk).delete()

    assert AuditEntry.objects.filter(object_id=str(person.pk), object_type="core.User").count() == 2
    assert AuditHead.objects.get().seq == 2 and audit.verify().ok
