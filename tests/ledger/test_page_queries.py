"""The task page runs as many queries for a task with 30 reports, 30 sub-tasks, 30 supervision actions and
a timeline of 90 events as for one with 2 of each (SPEC §9: a fixed number of queries, independent of rows)."""

import datetime as dt

import pytest
from django.urls import reverse

from duban.ledger import services
from duban.ledger.models import Task
from duban.supervision import services as supervision
from tests.ledger.conftest import as_actor

pytestmark = pytest.mark.django_db

# The figures, for each who looks: a change that adds a query to the page (or a query per row) shows here.
QUERIES = {"supervision": 19, "unit_head": 23, "leader": 21}


def grow(county, make_task, task, n):
    """Bring the task to `n` progress reports, sub-tasks and supervision actions."""
    head, office = as_actor(county.people["unit_head"]), as_actor(county.people["supervision"])
    have = task.children.count()
    for i in range(have, n):
        child = make_task(title=f"分项任务{i}")
        # behind schedule: its dot's title puts in the elapsed share, from the sub-task's start and due dates
        Task.objects.filter(pk=child.pk).update(parent=task, light="yellow", light_reason="欠进度（已报 10%）")
        services.report_progress(head, Task.objects.get(pk=task.pk), percent=min(i, 99), text=f"第{i}次报送")
        supervision.issue_action(office, Task.objects.get(pk=task.pk), kind="urge", text=f"第{i}次催办")


@pytest.mark.parametrize("role", sorted(QUERIES))
def test_the_task_page_runs_as_many_queries_for_30_of_everything_as_for_2(county, make_task, role, django_assert_num_queries, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    task = make_task()
    services.sign_task(as_actor(county.people["unit_head"]), task)
    client = county.client(role)
    url = reverse("ledger:task_detail", args=[task.code])
    for n in (2, 30):
        grow(county, make_task, task, n)
        client.get(url)  # the session and the caches settle
        with django_assert_num_queries(QUERIES[role]):
            page = client.get(url).content.decode()
        children = page.split('data-testid="children"', 1)[1].split("</table>", 1)[0]
        assert children.count("<tr><td><a href=") == n and page.count("次报送") == n and page.count("/supervision/actions/") >= n, n
        assert children.count("黄灯：欠进度：已报 10%，序时进度 ") == 2 * n  # the dot's title and its screen-reader text
