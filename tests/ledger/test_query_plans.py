"""The task page's sub-tasks are found and ordered by an index, on SQLite and on PostgreSQL, once the planner
knows the data (ANALYZE): in a real ledger most tasks are top-level, so the statistics say parent_id is
nearly always NULL, and without the (parent, code) index SQLite walked the whole table in code order."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.ledger import selectors
from duban.ledger.models import Task

pytestmark = pytest.mark.django_db

TOP_LEVEL = 20_000
CHILDREN = 30


@pytest.fixture
def ledger(county, campaign):
    """20,000 top-level tasks and one of them with 30 sub-tasks, analysed."""
    unit = county.units["transport"]
    Task.objects.bulk_create(
        [Task(code=f"2026-{n:05d}", title=f"重点任务{n}", campaign=campaign, lead_unit=unit, state="in_progress") for n in range(TOP_LEVEL)],
        batch_size=2000,
    )
    parent = Task.objects.get(code="2026-10000")
    Task.objects.bulk_create([
        Task(code=f"2026-10000-{n:02d}", title=f"子任务{n}", campaign=campaign, lead_unit=unit, parent=parent, state="in_progress")
        for n in range(CHILDREN, 0, -1)  # written in reverse: the order must come from the index, not the rowid
    ])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return parent


def subtask_query(parent, user) -> str:
    """The SQL the task page runs for the sub-tasks, as it ran."""
    with CaptureQueriesContext(connection) as queries:
        page = selectors.task_page(parent, user)
    assert [child.code for child in page.children] == [f"2026-10000-{n:02d}" for n in range(1, CHILDREN + 1)]
    return next(q["sql"] for q in queries if re.search(r'"ledger_task"\."parent_id" = ', q["sql"]))


def plan(sql: str) -> str:
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_the_sub_tasks_are_found_and_ordered_by_the_parent_code_index(county, ledger):
    found = plan(subtask_query(ledger, county.people["supervision"]))
    if connection.vendor == "sqlite":
        assert re.search(r"SEARCH ledger_task USING INDEX task_parent_code_idx \(parent_id=\?\)", found), found
        assert "TEMP B-TREE" not in found and "SCAN ledger_task" not in found, found
    else:
        assert re.search(r"Index (Only )?Scan using task_parent_code_idx on ledger_task", found), found
        assert "Sort" not in found and "Seq Scan on ledger_task" not in found, found


def test_a_unit_sees_its_sub_tasks_through_the_same_index(county, ledger):
    # The liaison's scope adds its unit to the filter; the index still finds and orders the rows.
    found = plan(subtask_query(ledger, county.people["unit_head"]))
    assert "task_parent_code_idx" in found, found
    assert "TEMP B-TREE FOR ORDER BY" not in found and "Sort" not in found, found
