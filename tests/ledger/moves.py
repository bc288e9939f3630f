"""Shared by the lifecycle and state-machine tests: every task action called with reasonable inputs, and
the footprint that a refused call must leave exactly as it was."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest

from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.models import LeaderCharge, Unit
from duban.ledger import services
from duban.ledger.models import Task
from duban.notify.models import Delivery, Notification
from tests import kit
from tests.conftest import make_person
from tests.ledger.conftest import as_actor

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(time_machine, text: str) -> dt.datetime:
    """Freeze the clock at a Shanghai wall-clock time such as "2026-03-02 09:00"."""
    moment = dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def people(county):
    """The fixture county's people plus a liaison of the lead unit and a second leader who is not the task's."""
    p = dict(county.people)
    p["lead_liaison"] = make_person("jiaotong_lly", county.units["transport"], Role.LIAISON, full_name="陈联络")
    p["other_liaison"] = p["liaison"]  # 县发展和改革局: not on the task
    p["coop_liaison"] = p["township_liaison"]  # 城关镇: a cooperating unit
    p["other_leader"] = make_person("changwu", county.units["leadership"], Role.LEADER, full_name="刘常委")
    LeaderCharge.objects.create(leader=p["other_leader"], unit=county.units["transport"])  # sees the task, is not its leader
    return p


def everyone(people: dict) -> dict:
    """`people` with each person once (the fixture names some twice: other_liaison is liaison …)."""
    seen, unique = set(), {}
    for key, user in people.items():
        if user.pk not in seen:
            seen.add(user.pk)
            unique[key] = user
    return unique


def reload(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


# What a task action may write: every table of the ledger app (a new one is covered without editing this
# list), the audit trail, the attachments, and the inbox (a refused call notifies nobody).
TABLES = kit.tables_for("ledger", extra=[Notification, Delivery])


def footprint(task: Task) -> dict:
    """Everything a task action may write (`TABLES`, row by row), and the task's own row."""
    return kit.footprint(TABLES, task)


@contextmanager
def refused(task: Task, error: type[ServiceError] = ServiceError, message: str | None = None):
    """The call inside is refused with `error` (and exactly `message`, if given) and changes nothing."""
    with kit.refused(TABLES, task, error, message) as caught:
        yield caught


def other_unit(task: Task) -> Unit:
    """A unit that is not the task's lead unit (县发展和改革局, or 县交通运输局 if the task is already there)."""
    name = "县发展和改革局" if task.lead_unit.name != "县发展和改革局" else "县交通运输局"
    return Unit.objects.get(name=name)


def later(task: Task) -> dt.date:
    return (task.due_date or dt.date(2026, 12, 31)) + dt.timedelta(days=30)


# action name (as `services.available_actions` names it) → the service call with reasonable inputs
CALLS = {
    "edit": lambda a, t: services.update_task(a, t, title=t.title + "（修订）"),
    "register": lambda a, t: services.register_task(a, t),
    "decompose": lambda a, t: services.decompose_task(a, t, [{"lead_unit": other_unit(t)}]),
    "sign": lambda a, t: services.sign_task(a, t),
    "report": lambda a, t: services.report_progress(a, t, percent=50, text="完成征地补偿协议签订 120 户"),
    "request_completion": lambda a, t: services.request_completion(a, t, summary="各项标准均已完成", no_evidence_reason="已现场核验"),
    "close": lambda a, t: services.close_task(a, t, checklist=[True] * len(t.standard_items), grade="good"),
    "return": lambda a, t: services.return_task(a, t, reason="附着物清点表未盖章"),
    "request_extension": lambda a, t: services.request_extension(a, t, new_due=later(t), reason="征地批复未下达"),
    "request_reassignment": lambda a, t: services.request_reassignment(a, t, reason="属于发改局职责", suggested_unit=other_unit(t)),
    "pause": lambda a, t: services.pause_clock(a, t, reason="等待省厅用地批复"),
    "resume_clock": lambda a, t: services.resume_clock(a, t),
    "suspend": lambda a, t: services.suspend_task(a, t, reason="规划调整，暂缓实施"),
    "reopen": lambda a, t: services.reopen_task(a, t, reason="规划已定"),
    "cancel": lambda a, t: services.cancel_task(a, t, reason="任务已并入其他工作"),
}


def call(action: str, user, task: Task):
    return CALLS[action](as_actor(user), task)
