"""No lost update (SPEC §9): two people acting on one task at once — the second is told "刚被他人修改" and
nothing of the first is lost; with two real database connections exactly one writer wins.

The threaded tests commit for real (transaction=True) and run on whichever database the suite runs on
(SQLite in WAL mode with IMMEDIATE transactions, or PostgreSQL with DUBAN_DATABASE_URL).
"""

import datetime as dt
import sqlite3
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from duban.core import audit
from duban.core.choices import Role
from duban.core.errors import Conflict, ServiceError
from duban.core.models import Attachment, AuditEntry
from duban.ledger import services
from duban.ledger.choices import TaskState
from duban.ledger.models import Task
from tests.conftest import make_person
from tests.ledger.conftest import as_actor
from tests.ledger.moves import refused

CHANGED_BY_SOMEONE_ELSE = "该任务刚被他人修改过（当前为第 {} 版），您的操作没有保存。请刷新页面，看过最新情况后再操作。"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def lead_liaison(county):
    return make_person("jiaotong_lly", county.units["transport"], Role.LIAISON, full_name="陈联络")


# --- in one process: two copies of the same task ------------------------------------------------------


@pytest.mark.django_db
def test_the_second_of_two_edits_is_refused_and_the_first_is_kept(county, make_task):
    office, principal = as_actor(county.people["supervision"]), as_actor(county.people["principal"])
    task = make_task()
    mine, theirs = Task.objects.get(pk=task.pk), Task.objects.get(pk=task.pk)  # two pages open at version 2
    services.update_task(office, mine, expected_version=2, title="推进国道改线工程征地拆迁及管线迁改", due_date=dt.date(2026, 11, 30))
    with refused(task, Conflict, CHANGED_BY_SOMEONE_ELSE.format(3)):
        services.update_task(principal, theirs, expected_version=2, reward_penalty="按期完成加5分")
    row = Task.objects.get(pk=task.pk)
    assert (row.title, row.due_date, row.reward_penalty, row.version) == (
        "推进国道改线工程征地拆迁及管线迁改", dt.date(2026, 11, 30), "按期完成加2分，逾期扣3分", 3)
    # Read again, the second person's edit goes through and keeps the first person's.
    services.update_task(principal, Task.objects.get(pk=task.pk), expected_version=3, reward_penalty="按期完成加5分")
    row = Task.objects.get(pk=task.pk)
    assert (row.title, row.reward_penalty, row.version) == ("推进国道改线工程征地拆迁及管线迁改", "按期完成加5分", 4)


@pytest.mark.django_db
def test_a_stale_form_that_changes_nothing_is_still_told_it_is_stale(county, make_task):
    office = as_actor(county.people["supervision"])
    task = make_task()
    services.update_task(office, Task.objects.get(pk=task.pk), title="别人先改了")
    with refused(task, Conflict, CHANGED_BY_SOMEONE_ELSE.format(3)):
        services.update_task(office, Task.objects.get(pk=task.pk), expected_version=2, title="别人先改了")


@pytest.mark.django_db
def test_two_people_signing_at_once_sign_once(county, make_task, lead_liaison):
    task = make_task()
    first, second = Task.objects.get(pk=task.pk), Task.objects.get(pk=task.pk)
    services.sign_task(as_actor(lead_liaison), first)
    with refused(task, Conflict, CHANGED_BY_SOMEONE_ELSE.format(3)):
        services.sign_task(as_actor(county.people["unit_head"]), second)  # its copy still says 待签收
    assert list(task.events.values_list("event", flat=True)) == ["created", "registered", "signed"]


@pytest.mark.django_db
def test_a_stale_report_form_is_refused_before_its_files_are_kept(county, make_task, lead_liaison, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    liaison = as_actor(lead_liaison)
    task = make_task()
    services.sign_task(liaison, task)
    page = Task.objects.get(pk=task.pk)  # version 3 on the form
    services.update_task(as_actor(county.people["supervision"]), Task.objects.get(pk=task.pk), title="改了标题")
    with refused(task, Conflict, CHANGED_BY_SOMEONE_ELSE.format(4)):
        services.report_progress(liaison, Task.objects.get(pk=task.pk), expected_version=page.version, percent=50, text="进展",
                                 files=[SimpleUploadedFile("现场照片.pdf", PDF)])
    assert list(tmp_path.rglob("*.pdf")) == []


@pytest.mark.django_db
def test_a_refused_attachment_leaves_the_task_as_it_was_so_the_corrected_form_goes_through(county, make_task, lead_liaison, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    liaison = as_actor(lead_liaison)
    task = make_task()
    services.sign_task(liaison, task)
    task = Task.objects.get(pk=task.pk)
    with refused(task, ServiceError, "“验收报告.pdf”的内容与扩展名 .pdf 不符（文件可能已损坏或被改名），请上传原始文件。"):
        services.request_completion(liaison, task, expected_version=3, summary="完成", files=[SimpleUploadedFile("验收报告.pdf", b"MZ\x90\x00")])
    assert (task.state, task.version) == (TaskState.IN_PROGRESS, 3)  # the page re-shows what is true
    services.request_completion(liaison, task, expected_version=task.version, summary="完成", files=[SimpleUploadedFile("验收报告.pdf", PDF)])
    assert Task.objects.values_list("state", "version").get(pk=task.pk) == (TaskState.COMPLETION_REQUESTED, 4)
    assert Attachment.objects.count() == 1


# --- two real connections ------------------------------------------------------------------------------


@pytest.fixture
def connections_that_wait(transactional_db, tmp_path):
    """On SQLite, move the test database onto a file for the test, as production runs it.

    The suite's in-memory SQLite database is shared between connections through SQLite's shared cache,
    which locks whole tables and fails at once ("database table is locked") instead of waiting; on a file
    in WAL mode with IMMEDIATE transactions the second writer waits behind the busy timeout, and that is
    the behaviour under test. PostgreSQL needs nothing.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory = connection.connection  # closing it would drop the in-memory database: keep it aside
    path = tmp_path / "duban.sqlite3"
    disk = sqlite3.connect(path)
    memory.backup(disk)
    disk.close()
    name = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = str(path)  # the settings dict every thread's connection is made from
    connection.connection = None
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


def race(*jobs):
    """Run each job in its own thread (own database connection), released together; return what each
    returned or raised."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 — reported to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_connections_editing_the_same_version_exactly_one_wins(connections_that_wait, county, make_task):
    office, principal = as_actor(county.people["supervision"]), as_actor(county.people["principal"])
    task = make_task()
    copies = [Task.objects.get(pk=task.pk), Task.objects.get(pk=task.pk)]  # both read version 2
    titles = ["甲：推进国道改线工程征地拆迁", "乙：推进国道改线工程征地拆迁"]
    results = race(
        lambda: services.update_task(office, copies[0], expected_version=2, title=titles[0]),
        lambda: services.update_task(principal, copies[1], expected_version=2, title=titles[1]),
    )
    winners = [i for i, r in enumerate(results) if isinstance(r, Task)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].message == CHANGED_BY_SOMEONE_ELSE.format(3)
    row = Task.objects.get(pk=task.pk)
    assert (row.title, row.version) == (titles[winners[0]], 3)
    assert task.events.filter(event="edited").count() == 1
    assert AuditEntry.objects.filter(object_id=str(task.pk), action="task.update").count() == 1
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_two_connections_signing_at_once_sign_exactly_once(connections_that_wait, county, make_task, lead_liaison):
    task = make_task()
    copies = [Task.objects.get(pk=task.pk), Task.objects.get(pk=task.pk)]
    results = race(
        lambda: services.sign_task(as_actor(lead_liaison), copies[0]),
        lambda: services.sign_task(as_actor(county.people["unit_head"]), copies[1]),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Task"], results
    assert Task.objects.values_list("state", "version").get(pk=task.pk) == (TaskState.IN_PROGRESS, 3)
    assert task.events.filter(event="signed").count() == 1
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_two_children_reporting_at_once_both_reach_the_parents_average(connections_that_wait, county, make_task, lead_liaison):
    office = as_actor(county.people["supervision"])
    parent = make_task()
    one, two = services.decompose_task(office, parent, [{"lead_unit": county.units["transport"]}, {"lead_unit": county.units["ndrc"]}])
    services.sign_task(as_actor(lead_liaison), one)
    services.sign_task(as_actor(county.people["liaison"]), two)
    one, two = Task.objects.get(pk=one.pk), Task.objects.get(pk=two.pk)
    results = race(
        lambda: services.report_progress(as_actor(lead_liaison), one, percent=40, text="交通局进展"),
        lambda: services.report_progress(as_actor(county.people["liaison"]), two, percent=80, text="发改局进展"),
    )
    assert not any(isinstance(r, Exception) for r in results), results
    assert Task.objects.get(pk=parent.pk).progress == 60
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_two_campaigns_of_one_year_creating_tasks_at_once_take_distinct_codes(connections_that_wait, county, campaign):
    """Codes are one sequence per year across campaigns: two campaigns numbering at once must not both take
    2026-0001 (before the year lock, the second one's whole batch was rolled back on the unique code)."""
    from duban.ledger.models import Campaign

    other = Campaign.objects.create(name="2026年优化营商环境攻坚行动", year=2026)
    office = as_actor(county.people["supervision"])
    rows = lambda name: [{"title": f"{name}第{i}项", "lead_unit": county.units["transport"]} for i in range(1, 41)]  # noqa: E731
    results = race(
        lambda: services.create_tasks(office, campaign, rows("亮剑")),
        lambda: services.create_tasks(office, other, rows("营商")),
    )
    assert not any(isinstance(r, Exception) for r in results), results
    codes = sorted(Task.objects.values_list("code", flat=True))
    assert codes == [f"2026-{n:04d}" for n in range(1, 81)]
    assert audit.verify().ok
