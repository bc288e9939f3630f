"""Shared by the lifecycle and state-machine tests: every task action called with reasonable inputs, and
the footprint that a refused call must leave exactly as it was."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest

from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.models import Attachment, AuditEntry, LeaderCharge, Unit
from duban.ledger import services
from duban.ledger.models import CompletionRequest, ExtensionRequest, ProgressReport, ReassignRequest, Task
from duban.matters.models import MatterEvent
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


def reload(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


def footprint(task: Task) -> dict:
    """Everything a task action may write: the task's row (state, version, updated_at …), its family,
    its requests and reports, the timeline and the audit trail."""
    return {
        "row": Task.objects.filter(pk=task.pk).values().get(),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "state", "version", "light", "progress")),
        "events": MatterEvent.objects.count(),
        "audit": AuditEntry.objects.count(),
        "reports": ProgressReport.objects.count(),
        "attachments": Attachment.objects.count(),
        "completion": list(CompletionRequest.objects.order_by("pk").values_list("pk", "state")),
        "extension": list(ExtensionRequest.objects.order_by("pk").values_list("pk", "state")),
        "reassign": list(ReassignRequest.objects.order_by("pk").values_list("pk", "state")),
    }


@contextmanager
def refused(task: Task, error: type[ServiceError] = ServiceError, message: str | None = None):
    """The call inside is refused with `error` (and exactly `message`, if given) and changes nothing."""
    before = footprint(task)
    with pytest.raises(error) as caught:
        yield caught
    after = footprint(task)
    # (This module is not assert-rewritten by pytest: each assertion carries its own explanation.)
    said = f"refused with: {caught.value.message}"
    key = ("state", "version", "updated_at")
    assert [after["row"][k] for k in key] == [before["row"][k] for k in key], f"{key} changed: {before['row']} → {after['row']}; {said}"
    assert (after["events"], after["audit"]) == (before["events"], before["audit"]), f"events/audit entries written; {said}"
    changed = {k for k in before if before[k] != after[k]}
    assert not changed, f"{changed} changed; {said}"
    if message is not None:
        assert caught.value.message == message, f"\nexpected: {message}\nactual:   {caught.value.message}"


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
    "request_completion": lambda a, t: services.request_completion(a, t, summary="各项标准均已完成"),
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
