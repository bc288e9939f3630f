"""The task page's sub-tasks are found and ordered by an index, on SQLite and on PostgreSQL, once the planner
knows the data (ANALYZE): in a real ledger most tasks are top-level, so the statistics say parent_id is
nearly always NULL, and without the (parent, code) index SQLite walked the whole table in code order."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.ledger.models import Task

pytestmark = pytest.mark.django_db

TOP_LEVEL = 20_000
CHILDREN = 30


def analyse():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@pytest.fixture(params=["before", "after"])
def ledger(request, county, campaign):
    """20,000 top-level tasks in progress across the county's units, and one of 县交通运输局's with 30 sub-tasks;
    analysed before the decomposition (the statistics say no task has a parent) or after it."""
    unit, units = county.units["transport"], list(county.units.values())
    Task.objects.bulk_create(
        [Task(code=f"2026-{n:05d}", title=f"重点任务{n}", campaign=campaign, lead_unit=units[n % len(units)], state="in_progress")
         for n in range(TOP_LEVEL)],
        batch_size=2000,
    )
    Task.objects.filter(code="2026-10000").update(lead_unit=unit)
    parent = Task.objects.get(code="2026-10000")
    if request.param == "before":
        analyse()
    Task.objects.bulk_create([
        Task(code=f"2026-10000-{n:02d}", title=f"子任务{n}", campaign=campaign, lead_unit=unit, parent=parent, state="in_progress")
        for n in range(CHILDREN, 0, -1)  # written in reverse: the order must come from the index, not the rowid
    ])
    if request.param == "after":
        analyse()
    return parent


def parent_queries(parent, role, county) -> list[str]:
    """The SQL of every query on sub-tasks the task page runs for `role`, as it ran: the sub-task table and,
    for the lead unit, whether any sub-task is still open (申请销账 waits for them)."""
    with CaptureQueriesContext(connection) as queries:
        page = county.client(role).get(reverse("ledger:task_detail", args=[parent.code])).content.decode()
    children = page.split('data-testid="children"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r">(2026-10000-\d\d)</a>", children) == [f"2026-10000-{n:02d}" for n in range(1, CHILDREN + 1)]
    return [q["sql"] for q in queries if re.search(r'"ledger_task"\."parent_id" = \d', q["sql"])]


def plan(sql: str) -> str:
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize(("role", "queries"), [("supervision", 1), ("unit_head", 2)])
def test_the_sub_tasks_are_found_and_ordered_by_the_parent_code_index(county, ledger, role, queries):
    found = parent_queries(ledger, role, county)
    assert len(found) == queries
    for sql in found:
        steps = plan(sql)
        if connection.vendor == "sqlite":
            assert re.search(r"SEARCH ledger_task USING (COVERING )?INDEX task_parent_code_idx \(parent_id=\?\)", steps), steps
            assert "TEMP B-TREE" not in steps and "SCAN ledger_task" not in steps, steps
        else:
            assert re.search(r"Index (Only )?Scan using task_parent_code_idx on ledger_task", steps), steps
            assert not re.search(r"\bSort\b", steps) and not re.search(r"Seq Scan on ledger_task\s", steps), steps


def test_a_unit_heads_home_page_reads_its_tasks_by_index(county, ledger):
    # 报送进展, 退回整改 and 待签收, each counted and paged: none walks the unit's tasks in progress.
    with CaptureQueriesContext(connection) as queries:
        assert county.client("unit_head").get("/").status_code == 200
    found = [q["sql"] for q in queries if re.search(r'FROM "ledger_task"', q["sql"])]
    assert len(found) == 6
    for sql in found:
        steps = plan(sql)
        assert not re.search(r"SCAN ledger_task\b|Seq Scan on ledger_task\s", steps), steps
        if "COUNT(*)" not in sql:  # the index serves the filter: at most the matched rows are sorted
            assert re.search(r"USING (COVERING )?INDEX task_unit_\w+ \(lead_unit_id=\? AND state=\?|Index (Only )?Scan|Bitmap Index Scan", steps), steps
