"""The state-machine base: one transition table per kind, refusals that say what is allowed now, and
`write`, the conditional UPDATE that never lets two writers silently overwrite each other."""

import datetime as dt

import pytest
import time_machine
from django.db.models import F, TextChoices

from duban.core.errors import Conflict, ServiceError
from duban.ledger.choices import TaskState
from duban.ledger.machine import TASK_MACHINE
from duban.ledger.models import Task
from duban.matters.machine import StateMachine, Transition, write
from tests.ledger.conftest import campaign, make_task  # noqa: F401 — fixtures

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


class Door(TextChoices):
    OPEN = "open", "开着"
    SHUT = "shut", "关着"
    LOCKED = "locked", "锁着"
    GONE = "gone", "拆了"


DOOR = StateMachine(Door, [
    Transition("shut", "关门", {Door.OPEN}, Door.SHUT),
    Transition("lock", "锁门", {Door.SHUT}, Door.LOCKED),
    Transition("knock", "敲门", {Door.SHUT, Door.LOCKED}),
    Transition("unlock", "开锁", {Door.LOCKED}, Door.SHUT, also={Door.OPEN}),
    Transition("demolish", "拆门", {Door.OPEN, Door.SHUT, Door.LOCKED}, Door.GONE),
])


class Obj:
    def __init__(self, state):
        self.state = state


# --- the table -------------------------------------------------------------------------------------


def test_a_table_naming_a_state_the_kind_does_not_have_is_refused_when_declared():
    with pytest.raises(ValueError, match=r"transition jump names unknown states \['roof'\]"):
        StateMachine(Door, [Transition("jump", "跳", {Door.OPEN}, "roof")])
    with pytest.raises(ValueError, match=r"unknown states \['attic'\]"):
        StateMachine(Door, [Transition("climb", "爬", {Door.OPEN}, also={"attic"})])


def test_available_lists_the_moves_from_a_state_in_table_order():
    assert [t.name for t in DOOR.available(Door.SHUT)] == ["lock", "knock", "demolish"]
    assert DOOR.available(Door.GONE) == []


def test_a_move_without_a_target_keeps_the_state_and_also_names_the_other_outcomes():
    assert DOOR.transitions["knock"].leads_to(Door.LOCKED) == {Door.LOCKED}
    assert DOOR.transitions["unlock"].leads_to(Door.LOCKED) == {Door.SHUT, Door.OPEN}
    assert DOOR.allows("unlock", Door.LOCKED, Door.OPEN)
    assert not DOOR.allows("unlock", Door.SHUT, Door.OPEN)  # not from there
    assert not DOOR.allows("knock", Door.SHUT, Door.LOCKED)  # knocking locks nothing


def test_a_refusal_names_the_state_and_what_is_allowed_now():
    with pytest.raises(ServiceError) as refused:
        DOOR.check(Obj(Door.OPEN), "lock", noun="这扇门")
    assert refused.value.message == "这扇门当前为“开着”，不能锁门。现在可以：关门、拆门。"


def test_a_refusal_in_a_final_state_says_nothing_more_can_be_done():
    with pytest.raises(ServiceError) as refused:
        DOOR.check(Obj(Door.GONE), "knock")
    assert refused.value.message == "该事项当前为“拆了”，不能敲门。现在已不能再办理。"


def test_a_legal_move_is_returned():
    assert DOOR.check(Obj(Door.SHUT), "lock").target == Door.LOCKED


def test_the_task_table_ends_in_closed_and_cancelled_and_nothing_leaves_them():
    assert TASK_MACHINE.available(TaskState.CLOSED) == []
    assert TASK_MACHINE.available(TaskState.CANCELLED) == []
    reachable = {TaskState.DRAFT}
    while True:
        more = {s for state in reachable for t in TASK_MACHINE.available(state) for s in t.leads_to(state)} - reachable
        if not more:
            break
        reachable |= more
    assert reachable == set(TaskState.values)


def test_the_task_table_says_where_a_reopened_or_reassigned_task_can_go():
    assert TASK_MACHINE.transitions["reopen"].leads_to(TaskState.SUSPENDED) == {
        TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.COMPLETION_REQUESTED}
    assert TASK_MACHINE.transitions["decide_reassignment"].leads_to(TaskState.IN_PROGRESS) == {
        TaskState.IN_PROGRESS, TaskState.ASSIGNED}


def test_a_refused_task_transition_lists_what_the_state_allows():
    task = Task(state=TaskState.ASSIGNED)
    with pytest.raises(ServiceError) as refused:
        TASK_MACHINE.check(task, "request_completion", noun="该任务")
    assert refused.value.message == (
        "该任务当前为“已交办待签收”，不能申请销账。现在可以：修改任务、分解任务、签收、申请延期、审批延期、"
        "申请调整承办单位、处理调整申请、挂起计时、恢复计时、暂停任务、撤销任务。")


# --- write: the conditional UPDATE ------------------------------------------------------------------


@pytest.mark.django_db
def test_write_changes_the_row_bumps_the_version_once_and_keeps_the_sort_key(make_task):
    task = make_task()
    with time_machine.travel(dt.datetime(2026, 5, 6, 10, tzinfo=SHANGHAI), tick=False):
        write(task, due_date=dt.date(2026, 9, 30), title="改后的任务")
    row = Task.objects.get(pk=task.pk)
    assert (row.version, row.title, row.due_date, row.due_sort) == (3, "改后的任务", dt.date(2026, 9, 30), dt.date(2026, 9, 30))
    assert row.updated_at == dt.datetime(2026, 5, 6, 10, tzinfo=SHANGHAI)
    assert (task.version, task.title, task.due_sort, task.updated_at) == (3, "改后的任务", dt.date(2026, 9, 30), row.updated_at)
    write(task, due_date=None)
    assert Task.objects.values_list("due_sort", flat=True).get(pk=task.pk) == dt.date.max


@pytest.mark.django_db
def test_write_with_a_stale_version_changes_nothing_and_says_someone_else_changed_it(make_task):
    task = make_task()
    stale = Task.objects.get(pk=task.pk)
    write(task, title="先到的修改")
    before = Task.objects.filter(pk=task.pk).values().get()
    with pytest.raises(Conflict) as conflict:
        write(stale, noun="该任务", title="后到的修改")
    assert conflict.value.message == "该任务刚被他人修改过（当前为第 3 版），您的操作没有保存。请刷新页面，看过最新情况后再操作。"
    assert Task.objects.filter(pk=task.pk).values().get() == before
    assert (stale.title, stale.version) == ("完成国道改线工程征地拆迁", 2)  # the loser's copy is not touched


@pytest.mark.django_db
def test_write_checks_the_version_the_user_saw_not_the_one_just_read(make_task):
    task = make_task()
    write(task, title="别人改过")  # version 3 now; the user's form still says 2
    fresh = Task.objects.get(pk=task.pk)
    with pytest.raises(Conflict, match="当前为第 3 版"):
        write(fresh, expected_version="2", title="我的修改")
    write(fresh, expected_version="3", title="我的修改")  # a form's hidden field is a string
    assert Task.objects.values_list("title", "version").get(pk=task.pk) == ("我的修改", 4)


@pytest.mark.django_db
def test_write_refuses_when_the_state_moved_even_at_the_same_version(make_task):
    task = make_task()
    Task.objects.filter(pk=task.pk).update(state=TaskState.IN_PROGRESS)  # behind the machine's back
    with pytest.raises(Conflict):
        write(task, title="不该保存")
    assert Task.objects.values_list("title", "version").get(pk=task.pk) == ("完成国道改线工程征地拆迁", 2)
    write(task, expected_state=TaskState.IN_PROGRESS, title="知道它已在承办")
    assert Task.objects.values_list("title", "version").get(pk=task.pk) == ("知道它已在承办", 3)


@pytest.mark.django_db
def test_write_says_when_the_row_is_gone(make_task):
    task = make_task()
    Task.objects.filter(pk=task.pk).delete()
    with pytest.raises(Conflict, match="（已被删除）"):
        write(task, title="无处保存")


@pytest.mark.django_db
def test_write_with_an_expression_reads_back_what_the_database_made_of_it(make_task):
    task = make_task()
    other = Task.objects.get(pk=task.pk)
    write(other, return_count=F("return_count") + 1)
    task.refresh_from_db()
    write(task, return_count=F("return_count") + 1, reassign_count=F("reassign_count") + 2, title="两次退回")
    assert (task.return_count, task.reassign_count, task.title, task.version) == (2, 2, "两次退回", 4)
    assert not hasattr(task.return_count, "resolve_expression")
    assert Task.objects.values_list("return_count", "reassign_count", "version").get(pk=task.pk) == (2, 2, 4)
