"""Periodic jobs fire once per schedule slot across all nodes, and the system admin sees how they ran.

Every node's scheduler enqueues a periodic job when its minute comes; the first worker to claim the slot
(an insert under the unique (name, slot) constraint) runs it, the others skip. These tests run the claim,
huey's scheduler step and the admin page in-process on the suite's database; tests/test_worker.py races
real processes and runs real workers.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from duban.core import jobs
from duban.core.choices import JobState, JobTrigger
from duban.core.models import AuditEntry, JobRun
from tests.conftest import DIRECTORY_SCOPE

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
SLOT = dt.datetime(2026, 3, 2, 3, 10, tzinfo=BEIJING)


@pytest.fixture
def make_job():
    """Register a throwaway periodic job for one test, and forget it afterwards."""
    made = []

    def make(name, schedule, body, **options):
        wrapper = jobs.periodic(schedule, name=name, **options)(body)
        made.append((name, wrapper))
        return wrapper

    yield make
    for name, wrapper in made:
        HUEY._registry.unregister(wrapper.task_class)
        jobs._jobs.pop(name, None)


def due_copies(wrapper, utc_timestamp):
    """The copies of `wrapper` that huey's scheduler would enqueue at this (naive UTC) timestamp."""
    return [task for task in HUEY.read_periodic(utc_timestamp) if isinstance(task, wrapper.task_class)]


# --- the claim -------------------------------------------------------------------------------------


def test_the_first_claim_of_a_slot_runs_and_a_second_is_refused():
    first = jobs.claim("supervision.sweep", SLOT, task_id="a")
    second = jobs.claim("supervision.sweep", SLOT, task_id="b")

    assert first is not None and second is None
    run = JobRun.objects.get()
    assert (run.name, run.slot, run.state, run.trigger, run.task_id, run.attempts) == (
        "supervision.sweep", SLOT, JobState.RUNNING, JobTrigger.SCHEDULE, "a", 1)
    assert jobs.claim("supervision.sweep", SLOT + dt.timedelta(minutes=5), task_id="b") is not None
    assert jobs.claim("notify.digest", SLOT, task_id="b") is not None


def test_a_retry_of_the_same_run_takes_back_its_failed_slot_and_no_other_copy_can():
    run = jobs.claim("supervision.sweep", SLOT, task_id="a")
    JobRun.objects.filter(pk=run.pk).update(state=JobState.FAILED, message="OperationalError: locked")

    assert jobs.claim("supervision.sweep", SLOT, task_id="b") is None
    retried = jobs.claim("supervision.sweep", SLOT, task_id="a")

    assert retried.pk == run.pk
    assert (retried.state, retried.attempts, retried.message) == (JobState.RUNNING, 2, "")
    assert jobs.claim("supervision.sweep", SLOT, task_id="a") is None  # running again: not a third time


# --- the scheduler's copies ------------------------------------------------------------------------------


def test_two_nodes_schedulers_fire_the_same_slot_and_the_job_runs_once_with_the_slot_as_now(make_job):
    seen = []
    wrapper = make_job("test.every_five", jobs.crontab(minute="*/5"), lambda now: seen.append(now) or "done")
    # Node A's scheduler checks at 10:05:02, node B's at 10:05:41 (UTC 02:05); a worker gets to B's copy late.
    node_a = due_copies(wrapper, dt.datetime(2026, 3, 2, 2, 5, 2))
    node_b = due_copies(wrapper, dt.datetime(2026, 3, 2, 2, 5, 41))

    assert len(node_a) == len(node_b) == 1
    assert node_a[0].kwargs == node_b[0].kwargs == {"slot": "2026-03-02T10:05:00+08:00"}
    HUEY.execute(node_a[0])
    HUEY.execute(node_b[0])

    assert seen == [dt.datetime(2026, 3, 2, 10, 5, tzinfo=BEIJING)]
    run = JobRun.objects.get(name="test.every_five")
    assert (run.state, run.trigger, run.message, run.task_id) == (JobState.SUCCESS, JobTrigger.SCHEDULE, "done", node_a[0].id)
    assert run.finished_at >= run.started_at
    assert due_copies(wrapper, dt.datetime(2026, 3, 2, 2, 6, 0)) == []


def test_schedules_are_read_in_beijing_time():
    clear = jobs.get_job("core.clear_sessions")

    assert str(clear.schedule) == "10 3 * * *" and clear.schedule.describe() == "每天 03:10"
    assert due_copies(clear.task, dt.datetime(2026, 3, 1, 19, 10, 30))  # 19:10 UTC is 03:10 the next day in Beijing
    assert due_copies(clear.task, dt.datetime(2026, 3, 2, 3, 10, 30)) == []  # 03:10 UTC is 11:10 in Beijing


def test_a_failing_job_is_recorded_with_its_error_and_raised_for_huey_to_log(make_job):
    def broken(now):
        raise RuntimeError("通知网关无响应")

    wrapper = make_job("test.broken", jobs.crontab(minute=0), broken)
    (task,) = due_copies(wrapper, dt.datetime(2026, 3, 2, 2, 0, 0))

    with pytest.raises(RuntimeError):
        task.execute()

    run = JobRun.objects.get(name="test.broken")
    assert (run.state, run.message) == (JobState.FAILED, "RuntimeError: 通知网关无响应")
    assert run.finished_at is not None


def test_a_job_that_asks_for_retries_runs_again_in_its_own_slot(make_job):
    tries = []

    def flaky(now):
        tries.append(now)
        if len(tries) == 1:
            raise ConnectionError("SMTP 连接被重置")
        return "第二次成功"

    wrapper = make_job("test.flaky", jobs.crontab(minute=0), flaky, retries=1, retry_delay=0)
    (task,) = due_copies(wrapper, dt.datetime(2026, 3, 2, 2, 0, 0))

    HUEY.execute(task)  # fails; huey queues the same task again for the retry, which immediate mode runs at once

    assert len(tries) == 2 and tries[0] == tries[1] == dt.datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING)
    run = JobRun.objects.get(name="test.flaky")
    assert (run.state, run.attempts, run.message) == (JobState.SUCCESS, 2, "第二次成功")


def test_periodic_refuses_a_schedule_not_in_local_time_and_a_name_too_long():
    from huey import crontab as huey_crontab

    with pytest.raises(TypeError):
        jobs.periodic(huey_crontab(minute=0), name="test.utc")
    with pytest.raises(ValueError):
        jobs.periodic(jobs.crontab(minute=0), name="x" * 41)


# --- the kernel's own jobs --------------------------------------------------------------------------------


def test_clear_sessions_removes_the_sessions_expired_by_its_slot():
    Session.objects.create(session_key="a" * 32, session_data="x", expire_date=SLOT - dt.timedelta(seconds=1))
    Session.objects.create(session_key="b" * 32, session_data="x", expire_date=SLOT + dt.timedelta(minutes=30))

    assert jobs.get_job("core.clear_sessions").body(SLOT) == "删除 1 个过期会话"
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]


def test_prune_job_runs_keeps_ninety_days_of_runs():
    for days in (91, 89):
        JobRun.objects.create(name="core.clear_sessions", slot=SLOT - dt.timedelta(days=days), node="n:1",
                              started_at=SLOT - dt.timedelta(days=days), state=JobState.SUCCESS)

    assert jobs.get_job("core.prune_job_runs").body(SLOT) == "删除 1 条运行记录"
    assert list(JobRun.objects.values_list("slot", flat=True)) == [SLOT - dt.timedelta(days=89)]


# --- enqueueing after commit ---------------------------------------------------------------------------------


def test_a_job_is_queued_only_once_its_transaction_commits(make_job, django_capture_on_commit_callbacks):
    ran = []
    wrapper = make_job("test.after_commit", jobs.crontab(minute=0), lambda now: ran.append(now))

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            jobs.enqueue_on_commit(wrapper, slot=SLOT.isoformat(), requested_by="测试")
            assert ran == []
    assert ran == [SLOT]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                jobs.enqueue_on_commit(wrapper, slot=(SLOT + dt.timedelta(hours=1)).isoformat(), requested_by="测试")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and ran == [SLOT]


def test_a_queue_that_cannot_be_reached_leaves_the_change_committed_and_logs_it(caplog, django_capture_on_commit_callbacks):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis 127.0.0.1:6379 拒绝连接")

    unreachable.name = "notify.send"
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue_on_commit(unreachable, 1)

    assert "could not queue job notify.send" in caplog.text


# --- the system admin's page ---------------------------------------------------------------------------------


def test_the_system_admin_sees_each_job_with_its_schedule_and_last_run(county, django_assert_max_num_queries):
    JobRun.objects.create(name="core.clear_sessions", slot=SLOT - dt.timedelta(days=1), node="web1:100",
                          started_at=SLOT - dt.timedelta(days=1), finished_at=SLOT - dt.timedelta(days=1) + dt.timedelta(seconds=2),
                          state=JobState.SUCCESS, message="删除 3 个过期会话")
    JobRun.objects.create(name="core.clear_sessions", slot=SLOT, node="web2:200", started_at=SLOT,
                          finished_at=SLOT + dt.timedelta(milliseconds=1500), state=JobState.FAILED, message="OperationalError: database is locked")
    client = county.client("sysadmin")

    with django_assert_max_num_queries(12):
        response = client.get(reverse("manage_job_list"))

    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index('data-job="core.clear_sessions"'):html.index('data-job="core.prune_job_runs"')]
    for text in ("清理过期的登录会话", "每天 03:10", "2026-03-02 03:10:00", "web2:200", "1.5 秒", "失败", "database is locked"):
        assert text in row, (text, row)
    prune = html[html.index('data-job="core.prune_job_runs"'):]
    assert "还没有运行过" in prune[:prune.index("</tr>")]
    assert html.count("data-run-id=") == 2
    assert "排队等待运行" in html


def test_run_now_queues_the_job_audits_it_and_the_run_is_listed_as_manual(county, django_capture_on_commit_callbacks):
    Session.objects.create(session_key="c" * 32, session_data="x", expire_date=timezone.now() - dt.timedelta(days=1))
    client = county.client("sysadmin")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("manage_job_run_now", args=["core.clear_sessions"]))

    assert response.status_code == 302 and response["Location"] == reverse("manage_job_list")
    run = JobRun.objects.get()
    assert (run.name, run.trigger, run.requested_by, run.state, run.message) == (
        "core.clear_sessions", JobTrigger.MANUAL, "陈系统（sysadmin）", JobState.SUCCESS, "删除 1 个过期会话")
    entry = AuditEntry.objects.filter(action="job.run_now").get()
    assert (entry.actor_id, entry.object_id, entry.object_repr) == (county.people["sysadmin"].pk, "core.clear_sessions", "清理过期的登录会话")
    page = client.get(reverse("manage_job_list")).content.decode()
    assert "已加入任务队列：core.clear_sessions" in page and "手动" in page


def test_an_unknown_job_is_refused_with_a_message_and_nothing_is_queued(county, django_capture_on_commit_callbacks):
    client = county.client("sysadmin")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("manage_job_run_now", args=["core.nothing"]), follow=True)

    assert "没有名为“core.nothing”的后台任务。" in response.content.decode()
    assert callbacks == [] and not JobRun.objects.exists()
    assert not AuditEntry.objects.filter(action="job.run_now").exists()


@pytest.mark.parametrize("role", sorted(set(DIRECTORY_SCOPE) - {"sysadmin"}))
def test_no_other_role_may_see_the_jobs_or_run_one(county, role, django_capture_on_commit_callbacks):
    client = county.client(role)

    assert client.get(reverse("manage_job_list")).status_code == 403
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.post(reverse("manage_job_run_now", args=["core.clear_sessions"])).status_code == 403

    assert callbacks == [] and not JobRun.objects.exists()
    assert not AuditEntry.objects.filter(action="job.run_now").exists()


def test_run_now_refuses_a_person_without_the_system_admin_role(county):
    from duban.core.actor import Actor
    from duban.core.errors import NotAllowed

    with pytest.raises(NotAllowed, match="只有系统管理员可以手动运行后台任务"):
        jobs.run_now(Actor(user=county.people["secadmin"]), "core.clear_sessions")
