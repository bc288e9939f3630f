"""The data version (core.versions): every write to a business table raises it, in the same transaction; figures
kept at a version are given back while it holds and computed again after any write."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from duban.core import versions
from duban.core.models import Unit
from duban.ledger import services
from duban.ledger.models import Task
from tests.ledger.conftest import as_actor


def test_a_service_write_raises_the_version_and_a_read_does_not(county, make_task):
    office = county.client("supervision")  # signing in writes the user's last login: before the count
    before = versions.current()
    task = make_task()
    after_create = versions.current()
    assert after_create > before
    list(Task.objects.all())
    assert office.get("/ledger/").status_code == 200
    assert versions.current() == after_create
    services.sign_task(as_actor(county.people["unit_head"]), task)
    signed = versions.current()
    assert signed > after_create
    services.report_progress(as_actor(county.people["unit_head"]), task, text="已完成征地协议签订", percent=30)
    assert versions.current() > signed


def test_bulk_updates_and_admin_edits_raise_it_and_a_rolled_back_write_does_not(county, make_task):
    make_task()
    before = versions.current()
    Task.objects.update(light="red")  # a bulk statement, no signal: the database layer sees it all the same
    assert versions.current() == before + 1
    Unit.objects.filter(pk=county.units["transport"].pk).update(name="县交通局")
    assert versions.current() == before + 2
    with pytest.raises(RuntimeError), transaction.atomic():
        Task.objects.update(light="green")
        raise RuntimeError
    assert versions.current() == before + 2
    assert set(Task.objects.values_list("light", flat=True)) == {"red"}


def test_the_raise_is_not_in_the_query_log(county, make_task):
    task = make_task()
    with CaptureQueriesContext(connection) as ctx:
        Task.objects.filter(pk=task.pk).update(progress=40)
    assert [q["sql"] for q in ctx.captured_queries if "dataversion" in q["sql"]] == []
    assert len(ctx.captured_queries) == 1


def test_figures_are_computed_once_per_version(county, make_task):
    calls = []

    def count():
        calls.append(1)
        return {"tasks": Task.objects.count()}

    assert versions.figures("test", count) == {"tasks": 0}
    assert versions.figures("test", count) == {"tasks": 0}
    assert len(calls) == 1
    make_task()
    assert versions.figures("test", count) == {"tasks": 1}
    assert len(calls) == 2
    assert versions.figures("test", count) == {"tasks": 1}
    assert len(calls) == 2


def test_bookkeeping_tables_do_not_count():
    assert versions.written_table('INSERT INTO "django_session" ("session_key") VALUES (%s)') is None
    assert versions.written_table('UPDATE "core_figuresnapshot" SET "body" = %s') is None
    assert versions.written_table('INSERT INTO "ledger_task" ("code") VALUES (%s)') == "ledger_task"
    assert versions.written_table('DELETE FROM "projects_project" WHERE id = 1') == "projects_project"
    assert versions.written_table('SELECT * FROM "ledger_task"') is None
