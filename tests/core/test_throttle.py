"""The shared rate limiter: counts in the database, per scope and hashed identity, in fixed windows."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections

from duban.core import throttle
from duban.core.jobs import get_job
from duban.core.models import Throttle

HOUR = dt.timedelta(hours=1)
# 10:00:00 UTC: the start of an hour window (windows are aligned to the epoch in UTC).
START = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
PHONE = "13800138000"


@pytest.mark.django_db
def test_the_limit_is_honoured_and_the_refusal_says_when_to_come_back():
    with time_machine.travel(START + dt.timedelta(minutes=20), tick=False):
        verdicts = [throttle.hit("appeal.submit", PHONE, limit=3, per=HOUR) for _ in range(5)]
        assert [v.allowed for v in verdicts] == [True, True, True, False, False]
        assert [v.count for v in verdicts] == [1, 2, 3, 4, 5]
        assert verdicts[0].retry_after == 0
        assert verdicts[3].retry_after == 40 * 60 and verdicts[3].minutes == 40
        assert Throttle.objects.get().count == 5  # refused attempts count too: hammering does not shorten the wait


@pytest.mark.django_db
def test_blocked_and_peek_count_nothing():
    with time_machine.travel(START, tick=False):
        assert not throttle.blocked("appeal.track", PHONE, limit=2, per=HOUR)
        throttle.hit("appeal.track", PHONE, limit=2, per=HOUR)
        assert throttle.peek("appeal.track", PHONE, limit=2, per=HOUR) == throttle.Verdict(True, 0, 2)
        assert not throttle.blocked("appeal.track", PHONE, limit=2, per=HOUR)
        throttle.hit("appeal.track", PHONE, limit=2, per=HOUR)
        assert throttle.blocked("appeal.track", PHONE, limit=2, per=HOUR)
        assert throttle.peek("appeal.track", PHONE, limit=2, per=HOUR).retry_after == 3600
        assert Throttle.objects.get().count == 2


@pytest.mark.django_db
def test_the_window_rolls_over():
    with time_machine.travel(START + dt.timedelta(minutes=59, seconds=59), tick=False) as traveller:
        assert throttle.hit("appeal.submit", PHONE, limit=1, per=HOUR).allowed
        refused = throttle.hit("appeal.submit", PHONE, limit=1, per=HOUR)
        assert not refused.allowed and refused.retry_after == 1
        traveller.move_to(START + HOUR)
        assert throttle.hit("appeal.submit", PHONE, limit=1, per=HOUR) == throttle.Verdict(True, 0, 1)
        assert sorted(Throttle.objects.values_list("window_start", "count")) == [(START, 2), (START + HOUR, 1)]


@pytest.mark.django_db
def test_scopes_and_identities_are_counted_apart():
    with time_machine.travel(START, tick=False):
        assert throttle.hit("appeal.submit", PHONE, limit=1, per=HOUR).allowed
        assert not throttle.hit("appeal.submit", PHONE, limit=1, per=HOUR).allowed
        assert throttle.hit("appeal.submit", "13900139000", limit=1, per=HOUR).allowed
        assert throttle.hit("appeal.track", PHONE, limit=1, per=HOUR).allowed
        assert throttle.hit("appeal.submit", PHONE, limit=5, per=dt.timedelta(days=1)).allowed  # another window length
        assert throttle.clear("appeal.submit", PHONE) == 2
        assert throttle.hit("appeal.submit", PHONE, limit=1, per=HOUR).allowed
        assert throttle.blocked("appeal.submit", "13900139000", limit=1, per=HOUR)


@pytest.mark.django_db
def test_the_raw_identity_is_stored_nowhere():
    address = "203.0.113.7"
    with time_machine.travel(START, tick=False):
        throttle.hit("appeal.submit", PHONE, limit=3, per=HOUR)
        throttle.hit("appeal.track", address, limit=3, per=HOUR)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Throttle._meta.db_table}")
        stored = repr(cursor.fetchall())
    assert PHONE not in stored and address not in stored and "138001" not in stored
    keys = set(Throttle.objects.values_list("key", flat=True))
    assert keys == {throttle.digest("appeal.submit", PHONE), throttle.digest("appeal.track", address)}
    assert all(len(key) == 64 for key in keys)


@pytest.mark.django_db
def test_the_periodic_job_prunes_ended_windows_only():
    with time_machine.travel(START, tick=False):
        throttle.hit("appeal.submit", PHONE, limit=3, per=HOUR)
        throttle.hit("appeal.submit", PHONE, limit=3, per=dt.timedelta(days=1))
    assert get_job("core.prune_throttles").body(START + dt.timedelta(minutes=59)) == "删除 0 条限流计数"
    assert get_job("core.prune_throttles").body(START + HOUR) == "删除 1 条限流计数"
    assert list(Throttle.objects.values_list("expires_at", flat=True)) == [dt.datetime(2026, 12, 4, 0, 0, tzinfo=dt.UTC)]


@pytest.mark.django_db
def test_a_window_under_a_second_is_a_mistake():
    with pytest.raises(ValueError):
        throttle.hit("appeal.submit", PHONE, limit=3, per=dt.timedelta(milliseconds=10))


@pytest.fixture
def shared_database(request, tmp_path, settings, monkeypatch, django_db_blocker):
    """The database the web workers share: the test database on PostgreSQL; on SQLite a file like the site's.

    The test suite's in-memory SQLite is one shared cache, where a second writer fails at once ("database table is
    locked") instead of waiting its turn as on the site's WAL file with its busy timeout.
    """
    if connection.vendor != "sqlite":
        request.getfixturevalue("transactional_db")
        yield "default"
        return
    alias = "throttle_file"
    connections.settings[alias] = {**connection.settings_dict, "NAME": str(tmp_path / "shared.sqlite3"),
                                   "OPTIONS": dict(settings.SQLITE_OPTIONS), "TEST": {}}
    monkeypatch.setattr(throttle.router, "db_for_write", lambda model, **hints: alias)
    with django_db_blocker.unblock():
        with connections[alias].schema_editor() as editor:
            editor.create_model(Throttle)
        yield alias
        connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


def test_requests_at_once_all_count_and_none_fails(shared_database):
    threads, workers, each = [], 8, 10
    errors, verdicts = [], []
    barrier = threading.Barrier(workers)

    def client():
        try:
            barrier.wait()
            for _ in range(each):
                verdicts.append(throttle.hit("appeal.submit", PHONE, limit=50, per=dt.timedelta(days=365)))
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()  # each thread has its own connections

    for _ in range(workers):
        threads.append(threading.Thread(target=client))
        threads[-1].start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(v.count for v in verdicts) == list(range(1, workers * each + 1))
    assert sum(v.allowed for v in verdicts) == 50
    assert Throttle.objects.using(shared_database).get().count == workers * each
