"""The 督办记录 list reads its page, newest first, from an index on both databases once the planner knows the
data (ANALYZE): without (issued_on, id) SQLite and PostgreSQL sorted every action in scope for each page of 50
(52k actions on the benchmark: 44 ms a page, issue 14)."""

import datetime as dt
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.supervision.models import SupervisionAction

pytestmark = pytest.mark.django_db

ACTIONS = 5_000


@pytest.fixture
def many_actions(county, noticed):
    """5,000 reminders across the county's units over two years (a third awaiting a reply), then analysed."""
    units, task_type = list(county.units.values()), ContentType.objects.get_for_model(noticed.matter_type.model_class())
    SupervisionAction.objects.bulk_create([
        SupervisionAction(kind="remind", matter_type=task_type, matter_id=noticed.matter_id, matter_code=noticed.matter_code,
                          matter_title=noticed.matter_title, target_unit=units[n % len(units)], text=f"第{n}次提醒",
                          issued_on=dt.date(2025, 1, 1) + dt.timedelta(days=n % 700), slot="",
                          state="open" if n % 3 == 0 else "done", reply_due=dt.date(2026, 11, 1))
        for n in range(ACTIONS)
    ], batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def plan(sql: str) -> str:
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_the_office_reads_a_page_of_the_record_from_the_issued_index(county, many_actions):
    with CaptureQueriesContext(connection) as queries:
        page = county.client("supervision").get(reverse("supervision:action_list")).content.decode()
    assert len(re.findall(r'data-action="(\d+)"', page)) == 50
    (sql,) = [q["sql"] for q in queries if 'FROM "supervision_supervisionaction"' in q["sql"] and "LIMIT 51" in q["sql"]]
    steps = plan(sql)
    if connection.vendor == "sqlite":
        assert "SCAN supervision_supervisionaction USING INDEX action_issued_idx" in steps, steps
        assert "TEMP B-TREE" not in steps, steps
    else:
        assert re.search(r"Index (Only )?Scan Backward using action_issued_idx", steps), steps
        assert not re.search(r"\bSort\b", steps), steps


def test_the_home_page_finds_the_notices_addressed_to_a_person_by_the_partial_index(county, many_actions):
    """Most actions are addressed to a unit: target_person's NULLs made `target_person_id = ?` look like every row."""
    with CaptureQueriesContext(connection) as queries:
        assert county.client("supervision").get("/").status_code == 200
    found = [q["sql"] for q in queries if re.search(r'"supervision_supervisionaction"\."target_person_id" = \d', q["sql"])]
    assert len(found) == 2  # the count and the page of 回复督办
    for sql in found:
        steps = plan(sql)
        if connection.vendor == "sqlite":
            assert re.search(r"SEARCH supervision_supervisionaction USING (COVERING )?INDEX action_person_open_idx", steps), steps
        else:
            assert "action_person_open_idx" in steps and "Seq Scan" not in steps, steps
