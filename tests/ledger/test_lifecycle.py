"""A key-work task walks every transition and side path of SPEC §3 under frozen time (Asia/Shanghai).

Every refused call is checked twice: it changes nothing (the task's state, version and updated_at, and
the number of timeline events and audit entries, and every other row a task action writes) and it says
why, in the exact Chinese sentence the user reads — what is allowed now, or who may do it.
"""

import datetime as dt

import pytest

from duban.core import audit, calendar
from duban.core.choices import Role
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import AuditEntry
from duban.ledger import services
from duban.ledger.choices import EventKind, RequestState, TaskState
from duban.ledger.models import CompletionRequest, ExtensionRequest, ProgressReport, ReassignRequest, Task
from duban.matters import clock
from tests.conftest import make_person
from tests.ledger.conftest import as_actor
from tests.ledger.moves import CALLS, SHANGHAI, at, call, people, refused, reload  # noqa: F401 — people is a fixture

pytestmark = pytest.mark.django_db

D = dt.date
NOT_IN_SCOPE = "任务 2026-0001 不在您的职责范围内，无法办理。"
FROM_ASSIGNED = ("修改任务、分解任务、签收、申请延期、审批延期、申请调整承办单位、处理调整申请、挂起计时、恢复计时、"
                 "暂停任务、撤销任务")


def task_audit(task: Task) -> list[tuple]:
    """(action, state before, state after, version before, version after) of the task's own audit entries."""
    rows = AuditEntry.objects.filter(object_type="ledger.Task", object_id=str(task.pk)).order_by("seq")
    return [(e.action, (e.before or {}).get("state"), (e.after or {}).get("state"),
             (e.before or {}).get("version"), (e.after or {}).get("version")) for e in rows]


# --- the main road: 建账 → 立账 → 签收 → 进展 → 申请销账 → 退回 → 申请销账 → 销账 -------------------


def test_the_main_road_from_draft_to_closed(county, people, make_task, time_machine):
    office, liaison = as_actor(people["supervision"]), as_actor(people["lead_liaison"])

    at(time_machine, "2026-03-02 09:00")
    task = make_task(register=False, report_cycle="monthly:25", cooperating_units=[county.units["chengguan"]])
    assert (task.code, task.state, task.version) == ("2026-0001", TaskState.DRAFT, 1)

    time_machine.shift(dt.timedelta(minutes=5))  # so that a refused call would show in updated_at
    with refused(task, NotAllowed, NOT_IN_SCOPE):  # a draft is the office's work in progress
        services.sign_task(liaison, task)
    with refused(task, NotAllowed, NOT_IN_SCOPE):
        services.register_task(as_actor(people["leader"]), task)
    with refused(task, ServiceError, "该任务当前为“建账”，不能审核销账。现在可以：修改任务、立账交办、分解任务、撤销任务。"):
        services.close_task(office, task, checklist=[True, True, True], grade="good")

    at(time_machine, "2026-03-02 10:00")
    services.register_task(office, task)
    task = reload(task)
    assert (task.state, task.version, task.updated_at) == (TaskState.ASSIGNED, 2, dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI))

    at(time_machine, "2026-03-03 09:00")
    with refused(task, ServiceError, f"该任务当前为“已交办待签收”，不能报送进展。现在可以：{FROM_ASSIGNED}。"):
        services.report_progress(liaison, task, percent=10, text="已启动")
    with refused(task, NotAllowed, NOT_IN_SCOPE):
        services.sign_task(as_actor(people["other_liaison"]), task)
    with refused(task, NotAllowed, "您无权对任务 2026-0001 签收：只有牵头单位的联络员或一把手可以签收。"):
        services.sign_task(as_actor(people["coop_liaison"]), task)  # sees it, but is only cooperating
    with refused(task, NotAllowed, "您无权对任务 2026-0001 签收：只有牵头单位的联络员或一把手可以签收。"):
        services.sign_task(office, task)
    services.sign_task(liaison, task)
    task = reload(task)
    assert (task.state, task.version) == (TaskState.IN_PROGRESS, 3)
    assert task.signed_at == dt.datetime(2026, 3, 3, 9, tzinfo=SHANGHAI)
    assert task.next_report_due == D(2026, 3, 25)

    at(time_machine, "2026-03-20 16:00")
    services.report_progress(liaison, task, percent=25, text="已签订补偿协议 80 户", problems="部分农户诉求较高", next_steps="逐户走访")
    task = reload(task)
    # 25% against 22.0% due (two months and 20/31 of twelve): on schedule, and March's report is made.
    assert (task.version, task.progress, task.last_report_on, task.next_report_due) == (4, 25, D(2026, 3, 20), D(2026, 4, 24))
    assert (task.light, task.light_reason, task.schedule) == ("green", "按期推进", "on")

    at(time_machine, "2026-03-23 10:00")
    services.report_progress(as_actor(people["coop_liaison"]), task, percent=60, text="城关镇配合完成清表")
    task = reload(task)
    # A cooperating unit informs: the percent and the lead unit's reporting clock stay as they were.
    assert (task.version, task.progress, task.last_report_on, task.next_report_due) == (5, 25, D(2026, 3, 20), D(2026, 4, 24))
    assert list(ProgressReport.objects.filter(task=task).order_by("pk").values_list("unit__name", "percent")) == [
        ("县交通运输局", 25), ("城关镇", 60)]
    with refused(task, NotAllowed, NOT_IN_SCOPE):
        services.report_progress(as_actor(people["other_liaison"]), task, percent=99, text="不是我们的任务")

    at(time_machine, "2026-04-10 15:00")
    first = services.request_completion(liaison, task, summary="征地拆迁全部完成", no_evidence_reason="已现场核验")
    task = reload(task)
    assert (task.state, task.version, task.completed_on) == (TaskState.COMPLETION_REQUESTED, 6, D(2026, 4, 10))
    assert first.state == RequestState.PENDING

    at(time_machine, "2026-04-13 09:00")
    with refused(task, ServiceError, "该任务当前为“申请销账”，不能报送进展。现在可以：修改任务、审核销账、退回、审批延期、暂停任务、撤销任务。"):
        services.report_progress(liaison, task, percent=100, text="补充")
    with refused(task, ServiceError, "该任务当前为“申请销账”，不能申请销账。现在可以：修改任务、审核销账、退回、审批延期、暂停任务、撤销任务。"):
        services.request_completion(liaison, task, summary="再次申请", no_evidence_reason="已现场核验")
    with refused(task, NotAllowed, "您无权对任务 2026-0001 审核销账：只有县督查室可以审核销账。"):
        services.close_task(liaison, task, checklist=[True, True, True], grade="excellent")
    with refused(task, ServiceError, "以下标准未达到，不能销账，请退回并写明理由：完成地上附着物清点"):
        services.close_task(office, task, checklist=[True, False, True], grade="good")
    with refused(task, ServiceError, "验收清单有 3 项，请逐项核验。"):
        services.close_task(office, task, checklist=[True, True], grade="good")
    with refused(task, ServiceError, "请选择销账评定：优秀、良好或合格。"):
        services.close_task(office, task, checklist=[True, True, True], grade="perfect")
    with refused(task, ServiceError, "请填写退回理由。"):
        services.return_task(office, task, reason="  ")
    services.return_task(office, task, reason="附着物清点表未盖章", checklist=[True, False, True])
    task = reload(task)
    assert (task.state, task.version, task.return_count, task.completed_on) == (TaskState.IN_PROGRESS, 7, 1, None)
    first.refresh_from_db()
    assert (first.state, first.note, first.decided_by) == (RequestState.REJECTED, "附着物清点表未盖章", people["supervision"])
    assert first.checklist == [{"item": "完成征地补偿协议签订", "met": True}, {"item": "完成地上附着物清点", "met": False},
                               {"item": "交付施工用地", "met": True}]

    at(time_machine, "2026-04-14 09:00")
    services.request_completion(liaison, task, summary="已补盖章", no_evidence_reason="已现场核验")
    at(time_machine, "2026-04-15 11:00")
    services.close_task(office, reload(task), checklist=[True, True, True], grade="good", note="资料齐全")
    task = reload(task)
    assert (task.state, task.version, task.grade, task.progress) == (TaskState.CLOSED, 9, "good", 100)
    assert (task.completed_on, task.closed_on, task.next_report_due) == (D(2026, 4, 14), D(2026, 4, 15), None)
    assert (task.light, task.light_reason, task.schedule) == ("grey", "已办结", "done_early")
    assert list(CompletionRequest.objects.filter(task=task).order_by("pk").values_list("state", "grade")) == [
        (RequestState.REJECTED, ""), (RequestState.APPROVED, "good")]

    # Closed is final: nothing anyone tries changes it, and the answer says so.
    at(time_machine, "2026-04-16 09:00")
    for user in (people["supervision"], people["principal"], people["lead_liaison"]):
        for action in CALLS:
            with refused(task) as caught:
                call(action, user, reload(task))
            assert "现在已不能再办理" in caught.value.message or isinstance(caught.value, NotAllowed)
    with refused(task, ServiceError, "该任务当前为“已销账”，不能修改任务。现在已不能再办理。"):
        services.update_task(office, task, title="销账后再改")

    assert list(task.events.values_list("event", "person_name")) == [
        ("created", "赵督查（ducha）"), ("registered", "赵督查（ducha）"), ("signed", "陈联络（jiaotong_lly）"),
        ("progress", "陈联络（jiaotong_lly）"), ("progress", "冯联络（chengguan_lly）"),
        ("completion_requested", "陈联络（jiaotong_lly）"), ("returned", "赵督查（ducha）"),
        ("completion_requested", "陈联络（jiaotong_lly）"), ("closed", "赵督查（ducha）"),
    ]
    assert task_audit(task) == [
        ("task.create", None, "draft", None, 1),
        ("task.register", "draft", "assigned", 1, 2),
        ("task.sign", "assigned", "in_progress", 2, 3),
        ("task.report", "in_progress", "in_progress", 3, 4),
        ("task.report", "in_progress", "in_progress", 4, 5),
        ("task.request_completion", "in_progress", "completion_requested", 5, 6),
        ("task.return", "completion_requested", "in_progress", 6, 7),
        ("task.request_completion", "in_progress", "completion_requested", 7, 8),
        ("task.close", "completion_requested", "closed", 8, 9),
    ]
    returned = AuditEntry.objects.get(object_id=str(task.pk), action="task.return")
    assert (returned.before["return_count"], returned.after["return_count"]) == (0, 1)
    assert audit.verify().ok


# --- 申请延期: approved by the leader in charge, the old date kept; or refused --------------------------


def test_an_extension_approved_by_the_leader_in_charge_moves_the_clock_and_keeps_the_old_date(people, make_task, time_machine):
    liaison, leader = as_actor(people["lead_liaison"]), as_actor(people["leader"])
    at(time_machine, "2026-06-01 09:00")
    task = make_task(due_date=D(2026, 6, 30))
    services.sign_task(liaison, task)
    services.report_progress(liaison, reload(task), percent=80, text="主体完成")
    task = reload(task)

    with refused(task, ServiceError, "请填写延期理由。"):
        services.request_extension(liaison, task, new_due=D(2026, 8, 31), reason="")
    with refused(task, ServiceError, "申请延至的日期应晚于现在的完成时限 2026年06月30日。"):
        services.request_extension(liaison, task, new_due=D(2026, 6, 30), reason="征地批复未下达")
    with refused(task, NotAllowed, "您无权对任务 2026-0001 申请延期：只有牵头单位的联络员或一把手可以申请延期。"):
        services.request_extension(as_actor(people["supervision"]), task, new_due=D(2026, 8, 31), reason="代申请")
    request = services.request_extension(liaison, task, new_due=D(2026, 8, 31), reason="征地批复未下达")
    task = reload(task)
    assert (request.state, request.old_due, request.new_due) == (RequestState.PENDING, D(2026, 6, 30), D(2026, 8, 31))
    assert (task.due_date, task.version, task.deadline_cycle) == (D(2026, 6, 30), 4, 1)  # nothing moves before the decision
    assert "request_extension" not in services.available_actions(task, people["lead_liaison"])
    with refused(task, ServiceError, "已有一份延期申请在等待审批，请等审批后再申请。"):
        services.request_extension(liaison, task, new_due=D(2026, 9, 30), reason="再申请")

    at(time_machine, "2026-06-26 09:00")  # a Friday: two working days left (29th, 30th)
    services.refresh_light(task)  # as the sweep does every day
    assert (reload(task).light, reload(task).light_reason) == ("yellow", "临近完成时限（2026年6月30日到期）")
    assert clock.shown_reason(reload(task), D(2026, 6, 26)) == "距完成时限还有 2 个工作日（2026年6月30日到期）"
    only_the_leader = "任务 2026-0001 的延期由其牵头县领导或主要领导审批。"
    for who in ("supervision", "other_leader", "lead_liaison", "unit_head"):
        with refused(task, NotAllowed, only_the_leader):
            services.decide_extension(as_actor(people[who]), request, approve=True)
    services.decide_extension(leader, request, approve=True, note="同意")
    task = reload(task)
    assert (task.due_date, task.due_sort, task.deadline_cycle, task.version) == (D(2026, 8, 31), D(2026, 8, 31), 2, 5)
    # 80% against 73.3% due of the longer time (5 26/30 months of 8): green again.
    assert (task.light, task.light_reason) == ("green", "按期推进")
    request.refresh_from_db()
    assert (request.state, request.decided_by, request.note, request.old_due) == (
        RequestState.APPROVED, people["leader"], "同意", D(2026, 6, 30))
    approved = task.events.get(event=EventKind.EXTENSION_APPROVED)
    assert approved.data == {"old_due": "2026-06-30", "new_due": "2026-08-31"}
    assert approved.text == "同意延期：2026年06月30日 → 2026年08月31日。同意"
    entry = AuditEntry.objects.get(object_id=str(task.pk), action="task.approve_extension")
    assert (entry.before["due_date"], entry.after["due_date"]) == ("2026-06-30", "2026-08-31")
    assert (entry.before["deadline_cycle"], entry.after["deadline_cycle"]) == (1, 2)
    with refused(task, ServiceError, "这份延期申请已经审批过了。"):
        services.decide_extension(leader, request, approve=False)

    # A second request is refused by the leader: the date, the cycle and the version stay.
    second = services.request_extension(liaison, task, new_due=D(2026, 9, 30), reason="仍需时间")
    services.decide_extension(leader, second, approve=False, note="理由不充分")
    task = reload(task)
    assert (task.due_date, task.deadline_cycle, task.version) == (D(2026, 8, 31), 2, 5)
    second.refresh_from_db()
    assert (second.state, second.old_due) == (RequestState.REJECTED, D(2026, 8, 31))
    assert task.events.get(event=EventKind.EXTENSION_REJECTED).text == "不同意延期。理由不充分"

    # A principal leader may approve too.
    third = services.request_extension(liaison, task, new_due=D(2026, 10, 30), reason="汛期停工")
    services.decide_extension(as_actor(people["principal"]), third, approve=True)
    task = reload(task)
    assert (task.due_date, task.deadline_cycle) == (D(2026, 10, 30), 3)
    assert list(ExtensionRequest.objects.filter(task=task).order_by("pk").values_list("old_due", "new_due", "state")) == [
        (D(2026, 6, 30), D(2026, 8, 31), "approved"), (D(2026, 8, 31), D(2026, 9, 30), "rejected"),
        (D(2026, 8, 31), D(2026, 10, 30), "approved")]
    assert [a for a, *_ in task_audit(task)][-6:] == [
        "task.request_extension", "task.approve_extension", "task.request_extension", "task.reject_extension",
        "task.request_extension", "task.approve_extension"]
    assert audit.verify().ok


def test_an_extension_is_not_approved_once_the_deadline_has_moved_past_it(people, make_task, time_machine):
    office, liaison = as_actor(people["supervision"]), as_actor(people["lead_liaison"])
    at(time_machine, "2026-06-01 09:00")
    task = make_task(due_date=D(2026, 6, 30))
    services.sign_task(liaison, task)
    request = services.request_extension(liaison, reload(task), new_due=D(2026, 7, 3), reason="等待批复")
    services.pause_clock(office, reload(task), reason="等待省厅批复")
    at(time_machine, "2026-06-15 09:00")
    services.resume_clock(office, reload(task))  # ten working days stood still: due 14 July
    task = reload(task)
    assert task.due_date == D(2026, 7, 14)
    with refused(task, ServiceError, "完成时限已是 2026年07月14日，不早于申请延至的 2026年07月03日，无需按此申请延期。"
                                     "请选择不同意，如仍需延期由单位重新申请。"):
        services.decide_extension(as_actor(people["leader"]), request, approve=True)
    services.decide_extension(as_actor(people["leader"]), request, approve=False)
    assert reload(task).due_date == D(2026, 7, 14)


# --- 申请调整: counted against the unit; approved (the new unit signs anew) or refused --------------------


def test_a_reassignment_is_counted_and_once_approved_the_new_unit_must_sign_for_it(county, people, make_task, time_machine):
    office, liaison = as_actor(people["supervision"]), as_actor(people["lead_liaison"])
    transport, ndrc = county.units["transport"], county.units["ndrc"]
    ndrc_head = make_person("fagai_head", ndrc, Role.UNIT_HEAD, full_name="何局长")
    at(time_machine, "2026-06-01 09:00")
    task = make_task(report_cycle="monthly:25")
    services.sign_task(liaison, task)
    task = reload(task)
    assert (task.responsible_person, task.next_report_due) == (people["unit_head"], D(2026, 6, 25))

    with refused(task, ServiceError, "建议的承办单位就是现在的牵头单位，请重新选择。"):
        services.request_reassignment(liaison, task, reason="不是我们的", suggested_unit=transport)
    with refused(task, NotAllowed, "您无权对任务 2026-0001 申请调整承办单位：只有牵头单位的联络员或一把手可以申请调整。"):
        services.request_reassignment(as_actor(people["leader"]), task, reason="不是交通局的")
    request = services.request_reassignment(liaison, task, reason="属于发改局职责", suggested_unit=ndrc)
    task = reload(task)
    assert (task.reassign_count, task.version, task.lead_unit, task.state) == (1, 4, transport, TaskState.IN_PROGRESS)
    assert (request.unit, request.suggested_unit, request.state) == (transport, ndrc, RequestState.PENDING)
    with refused(task, ServiceError, "已有一份调整申请在等待处理。"):
        services.request_reassignment(liaison, task, reason="再申请")
    with refused(task, NotAllowed, "调整承办单位由县督查室处理。"):
        services.decide_reassignment(as_actor(people["leader"]), request, approve=True)

    at(time_machine, "2026-06-02 09:00")
    services.decide_reassignment(office, request, approve=True, note="同意调整")
    task = reload(task)
    assert (task.lead_unit, task.state, task.signed_at, task.version) == (ndrc, TaskState.ASSIGNED, None, 5)
    # The old unit's head no longer answers for it; the new unit's head does.
    assert (task.responsible_person, task.responsible_name, task.next_report_due) == (ndrc_head, "", None)
    request.refresh_from_db()
    assert (request.state, request.new_unit, request.decided_by) == (RequestState.APPROVED, ndrc, people["supervision"])
    moved = task.events.get(event=EventKind.REASSIGN_APPROVED)
    assert (moved.text, moved.data) == ("承办单位由县交通运输局调整为县发展和改革局。同意调整", {"old_unit": transport.pk, "new_unit": ndrc.pk})

    # The old unit is off the task; the new one must sign before it can report.
    with refused(task, NotAllowed, NOT_IN_SCOPE):
        services.report_progress(liaison, task, percent=10, text="仍在办")
    with refused(task, NotAllowed, NOT_IN_SCOPE):
        services.sign_task(as_actor(people["unit_head"]), task)
    new_liaison = as_actor(people["other_liaison"])
    with refused(task, ServiceError, f"该任务当前为“已交办待签收”，不能报送进展。现在可以：{FROM_ASSIGNED}。"):
        services.report_progress(new_liaison, task, percent=10, text="已接手")
    services.sign_task(new_liaison, task)
    assert reload(task).state == TaskState.IN_PROGRESS

    # The new unit tries to pass it on too; the office refuses. The request still counts.
    again = services.request_reassignment(new_liaison, reload(task), reason="应由交通局办理")
    services.decide_reassignment(office, again, approve=False, note="职责明确")
    task = reload(task)
    assert (task.lead_unit, task.state, task.reassign_count, task.version) == (ndrc, TaskState.IN_PROGRESS, 2, 7)
    assert task.events.get(event=EventKind.REASSIGN_REJECTED).text == "不同意调整，仍由县发展和改革局承办。职责明确"
    assert ReassignRequest.objects.filter(unit=transport).count() == 1
    assert ReassignRequest.objects.filter(unit=ndrc).count() == 1
    assert [a for a, *_ in task_audit(task)][-5:] == [
        "task.request_reassignment", "task.reassign", "task.sign", "task.request_reassignment", "task.reject_reassignment"]
    assert audit.verify().ok


# --- 挂起: the clock stops and the due date moves by the working days it stood still ----------------


def test_a_pause_across_the_national_day_holiday_moves_the_due_date_by_the_working_days_paused(people, make_task, time_machine):
    office, liaison = as_actor(people["supervision"]), as_actor(people["lead_liaison"])
    at(time_machine, "2026-09-01 09:00")
    task = make_task(due_date=D(2026, 11, 30), report_cycle="monthly:25")
    services.sign_task(liaison, task)
    # The 25th of September is the Mid-Autumn holiday: the report is due the working day before.
    assert reload(task).next_report_due == D(2026, 9, 24)
    at(time_machine, "2026-09-22 09:00")
    services.report_progress(liaison, reload(task), percent=70, text="进展顺利")
    task = reload(task)
    assert task.next_report_due == D(2026, 10, 23)  # September's report is made; 25 October is a Sunday

    at(time_machine, "2026-09-28 09:00")
    with refused(task, NotAllowed, "您无权对任务 2026-0001 挂起计时：只有县督查室或分管该任务的县领导可以挂起计时。"):
        services.pause_clock(liaison, task, reason="等待批复")
    with refused(task, ServiceError, "请填写挂起原因。"):
        services.pause_clock(office, task, reason="")
    with refused(task, ServiceError, "该任务没有挂起。"):
        services.resume_clock(office, task)
    services.pause_clock(office, task, reason="等待省自然资源厅用地批复")
    task = reload(task)
    assert (task.paused_since, task.pause_reason, task.version) == (D(2026, 9, 28), "等待省自然资源厅用地批复", 5)
    assert "resume_clock" in services.available_actions(task, people["supervision"])
    assert "pause" not in services.available_actions(task, people["supervision"])
    with refused(task, ServiceError, "该任务已于 2026年09月28日 挂起。"):
        services.pause_clock(as_actor(people["leader"]), task, reason="再挂起")
    frozen = services.evaluate(task, D(2026, 9, 28))
    assert services.evaluate(task, D(2026, 11, 20)) == frozen  # the light stands still with the clock

    at(time_machine, "2026-10-09 09:00")
    services.resume_clock(as_actor(people["leader"]), task)
    task = reload(task)
    # Stood still on 29 and 30 September, 8 and 9 October (1–7 October are the holiday): 4 working days.
    assert (task.due_date, task.next_report_due, task.paused_since, task.pause_reason) == (D(2026, 12, 4), D(2026, 10, 29), None, "")
    assert task.events.filter(event=EventKind.RESUMED).get().text == "恢复计时，挂起 4 个工作日，完成时限由 2026年11月30日 顺延至 2026年12月04日"
    assert calendar.workdays_between(D(2026, 10, 9), task.due_date) == calendar.workdays_between(D(2026, 9, 28), D(2026, 11, 30))
    assert task.deadline_cycle == 1  # the same deadline, only later
    assert audit.verify().ok


# --- 暂停 / 恢复办理 / 撤销 by a principal leader ------------------------------------------------------


def test_a_principal_leader_suspends_and_reopens_a_task_and_its_clock_resumes(people, make_task, time_machine):
    principal, liaison = as_actor(people["principal"]), as_actor(people["lead_liaison"])
    at(time_machine, "2026-06-01 09:00")
    task = make_task(due_date=D(2026, 11, 30))
    services.sign_task(liaison, task)
    task = reload(task)

    with refused(task, NotAllowed, "您无权对任务 2026-0001 暂停任务：只有主要领导可以暂停任务。"):
        services.suspend_task(as_actor(people["leader"]), task, reason="暂缓")
    with refused(task, ServiceError, "请填写暂停原因。"):
        services.suspend_task(principal, task, reason=" ")
    services.suspend_task(principal, task, reason="规划调整，暂缓实施")
    task = reload(task)
    assert (task.state, task.paused_since, task.version) == (TaskState.SUSPENDED, D(2026, 6, 1), 4)
    assert task.events.get(event=EventKind.SUSPENDED).data == {"previous_state": "in_progress"}
    assert services.available_actions(task, people["principal"]) == ["edit", "reopen", "cancel"]
    assert services.available_actions(task, people["lead_liaison"]) == []
    with refused(task, ServiceError, "该任务当前为“已暂停”，不能报送进展。现在可以：修改任务、恢复办理、撤销任务。"):
        services.report_progress(liaison, task, percent=50, text="继续")
    with refused(task, NotAllowed, "您无权对任务 2026-0001 恢复办理：只有主要领导可以恢复任务。"):
        services.reopen_task(as_actor(people["supervision"]), task)

    at(time_machine, "2026-06-08 09:00")
    services.reopen_task(principal, task, reason="规划已定")
    task = reload(task)
    assert (task.state, task.paused_since, task.due_date, task.version) == (TaskState.IN_PROGRESS, None, D(2026, 12, 7), 5)
    assert task.events.get(event=EventKind.REOPENED).text == "规划已定；恢复计时，挂起 5 个工作日，完成时限由 2026年11月30日 顺延至 2026年12月07日"
    assert task_audit(task)[-2:] == [("task.suspend", "in_progress", "suspended", 3, 4), ("task.reopen", "suspended", "in_progress", 4, 5)]


@pytest.mark.parametrize("where", ["assigned", "completion_requested"])
def test_a_reopened_task_goes_back_where_it_was_suspended(where, people, make_task, time_machine):
    principal, liaison = as_actor(people["principal"]), as_actor(people["lead_liaison"])
    at(time_machine, "2026-06-01 09:00")
    task = make_task()
    if where == "completion_requested":
        services.sign_task(liaison, task)
        services.request_completion(liaison, reload(task), summary="完成", no_evidence_reason="已现场核验")
    services.suspend_task(principal, reload(task), reason="暂缓")
    services.reopen_task(principal, reload(task))
    task = reload(task)
    assert task.state == where
    if where == "completion_requested":  # the request waits for the office as before
        services.close_task(as_actor(people["supervision"]), task, checklist=[True, True, True], grade="pass")
        assert reload(task).state == TaskState.CLOSED
    else:
        services.sign_task(liaison, task)
        assert reload(task).state == TaskState.IN_PROGRESS


def test_a_principal_leader_cancels_a_task_and_it_stays_on_the_ledger_grey_and_final(people, make_task, time_machine):
    principal = as_actor(people["principal"])
    at(time_machine, "2026-06-01 09:00")
    task = make_task()
    services.sign_task(as_actor(people["lead_liaison"]), task)
    task = reload(task)
    with refused(task, NotAllowed, "您无权对任务 2026-0001 撤销任务：只有主要领导可以撤销任务。"):
        services.cancel_task(as_actor(people["supervision"]), task, reason="并入其他任务")
    with refused(task, ServiceError, "请填写撤销原因。"):
        services.cancel_task(principal, task, reason="")
    at(time_machine, "2026-06-02 09:00")
    services.cancel_task(principal, task, reason="任务已并入国道改线总体工作")
    task = reload(task)
    assert (task.state, task.closed_on, task.light, task.light_reason, task.version) == (
        TaskState.CANCELLED, D(2026, 6, 2), "grey", "已撤销", 4)
    with refused(task, ServiceError, "该任务当前为“已撤销”，不能恢复办理。现在已不能再办理。"):
        services.reopen_task(principal, task)
    for action in CALLS:
        with refused(task):
            call(action, people["principal"], reload(task))
    assert task_audit(task)[-1] == ("task.cancel", "in_progress", "cancelled", 3, 4)


def test_a_draft_can_be_cancelled_by_a_principal_leader(people, make_task):
    task = make_task(register=False)
    services.cancel_task(as_actor(people["principal"]), task, reason="重复建账")
    assert reload(task).state == TaskState.CANCELLED


# --- 分解: sub-tasks per unit ------------------------------------------------------------------------


def test_a_task_decomposes_into_sub_tasks_per_unit_which_each_sign_and_close_before_the_parent(county, people, make_task, time_machine):
    office, liaison = as_actor(people["supervision"]), as_actor(people["lead_liaison"])
    transport, ndrc = county.units["transport"], county.units["ndrc"]
    at(time_machine, "2026-06-01 09:00")
    parent = make_task()
    services.sign_task(liaison, parent)
    parent = reload(parent)

    with refused(parent, NotAllowed, "您无权对任务 2026-0001 分解任务：只有县督查室或主要领导可以分解任务。"):
        services.decompose_task(liaison, parent, [{"lead_unit": transport}])
    with refused(parent, ServiceError, "请至少填写一个子任务的承办单位。"):
        services.decompose_task(office, parent, [])
    with refused(parent, ServiceError, "第 2 个子任务没有承办单位，请选择。"):  # the first one is not kept either
        services.decompose_task(office, parent, [{"lead_unit": transport}, {"title": "无单位"}])

    children = services.decompose_task(office, parent, [
        {"lead_unit": transport}, {"lead_unit": ndrc, "title": "完成项目用地报批", "due_date": D(2026, 10, 30)}])
    one, two = (reload(c) for c in children)
    assert [(c.code, c.state, c.lead_unit, c.parent_id) for c in (one, two)] == [
        ("2026-0001-1", TaskState.ASSIGNED, transport, parent.pk), ("2026-0001-2", TaskState.ASSIGNED, ndrc, parent.pk)]
    assert (one.title, one.due_date, one.responsible_person) == ("完成国道改线工程征地拆迁（县交通运输局）", D(2026, 12, 31), people["unit_head"])
    assert (two.title, two.due_date, two.responsible_person, two.responsible_name) == ("完成项目用地报批", D(2026, 10, 30), None, "单位主要负责人")
    assert one.standard == two.standard == parent.standard and one.leader_in_charge == people["leader"]
    assert parent.events.order_by("id").last().text == "分解为：2026-0001-1 县交通运输局、2026-0001-2 县发展和改革局"
    entry = AuditEntry.objects.get(object_id=str(parent.pk), action="task.decompose")
    assert (entry.before, entry.after) == ({"children": []}, {"children": ["2026-0001-1", "2026-0001-2"]})

    open_children = "子任务 2026-0001-2、2026-0001-1 尚未销账，请待全部子任务销账后再申请。"  # by due date
    parent = reload(parent)
    assert "request_completion" not in services.available_actions(parent, people["lead_liaison"])
    with refused(parent, ServiceError, open_children):
        services.request_completion(liaison, parent, summary="都做完了", no_evidence_reason="已现场核验")

    for child, who in ((one, liaison), (two, as_actor(people["other_liaison"]))):
        services.sign_task(who, child)
        services.request_completion(who, reload(child), summary="完成", no_evidence_reason="已现场核验")
        services.close_task(office, reload(child), checklist=[True, True, True], grade="good")
    parent = reload(parent)
    assert parent.progress == 100
    assert "request_completion" in services.available_actions(parent, people["lead_liaison"])
    services.request_completion(liaison, parent, summary="子任务均已销账", no_evidence_reason="已现场核验")
    assert reload(parent).state == TaskState.COMPLETION_REQUESTED


# --- 修改: the office edits the five clarities; the clock follows ------------------------------------


def test_editing_a_running_tasks_clock_moves_what_depends_on_it(people, make_task, time_machine):
    office, liaison = as_actor(people["supervision"]), as_actor(people["lead_liaison"])
    at(time_machine, "2026-06-01 09:00")
    task = make_task()
    services.sign_task(liaison, task)
    task = reload(task)
    assert (task.next_report_due, task.deadline_cycle) == (None, 1)

    with refused(task, ServiceError, "完成时限不能早于开始日期，请检查日期。"):  # start 1 January stays
        services.update_task(office, task, due_date=D(2025, 12, 31))
    with refused(task, NotAllowed, "您无权对任务 2026-0001 修改任务：只有县督查室或主要领导可以修改任务。"):
        services.update_task(liaison, task, title="自己改标题")

    at(time_machine, "2026-06-02 09:00")
    services.update_task(office, task, report_cycle="weekly:5", due_date=D(2026, 10, 30))
    task = reload(task)
    # Reports now fall due every Friday from today; the moved deadline starts a new cycle for the ladder.
    assert (task.report_cycle, task.next_report_due, task.due_date, task.deadline_cycle) == ("weekly:5", D(2026, 6, 5), D(2026, 10, 30), 2)
    edited = task.events.get(event=EventKind.EDITED)
    # The date moved without a new wording: the wording follows it, the old one stays in the audit entry.
    assert task.deadline_text == "2026年10月30日前"
    assert (edited.text, edited.data) == ("修改了：报送周期、完成时限", {
        "fields": ["deadline_cycle", "deadline_text", "due_date", "next_report_due", "report_cycle"]})
    entry = AuditEntry.objects.get(object_id=str(task.pk), action="task.update")
    assert (entry.before["next_report_due"], entry.after["next_report_due"]) == (None, "2026-06-05")
    assert (entry.before["deadline_text"], entry.after["deadline_text"]) == ("2026年12月底前", "2026年10月30日前")


def test_editing_a_draft_does_not_start_a_new_deadline_cycle(people, make_task):
    task = make_task(register=False)
    services.update_task(as_actor(people["supervision"]), task, due_date=D(2026, 9, 30))
    assert reload(task).deadline_cycle == 1


@pytest.mark.parametrize("end", ["close", "cancel"])
def test_requests_still_waiting_when_a_task_ends_are_answered_and_leave_every_queue(end, county, people, make_task, time_machine):
    liaison, office = as_actor(people["lead_liaison"]), as_actor(people["supervision"])
    at(time_machine, "2026-06-01 09:00")
    task = make_task()
    services.sign_task(liaison, task)
    extension = services.request_extension(liaison, reload(task), new_due=D(2027, 3, 31), reason="等待批复")
    reassignment = services.request_reassignment(liaison, reload(task), reason="不是我们的", suggested_unit=county.units["ndrc"])
    if end == "close":
        services.request_completion(liaison, reload(task), summary="提前完成", no_evidence_reason="已现场核验")
        services.close_task(office, reload(task), checklist=[True, True, True], grade="excellent")
        note = "任务已销账，此申请不再办理。"
    else:
        services.cancel_task(as_actor(people["principal"]), reload(task), reason="并入其他任务")
        note = "任务已撤销，此申请不再办理。"
    for request in (extension, reassignment):
        request.refresh_from_db()
        assert (request.state, request.note, request.decided_by) == (RequestState.REJECTED, note, None)
    assert not ExtensionRequest.objects.filter(state=RequestState.PENDING).exists()
    assert not ReassignRequest.objects.filter(state=RequestState.PENDING).exists()
