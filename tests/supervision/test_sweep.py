"""The sweep and the default ladder (SPEC §4) under frozen time: exact working-day dates across the 2026
National Day holiday, each action's target and its notifications; idempotence; extensions and replies."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duban.core.actor import Actor
from duban.core.choices import Role
from duban.ledger import services as ledger
from duban.ledger.choices import TaskSource
from duban.ledger.models import Task
from duban.matters import clock
from duban.matters.choices import Light
from duban.notify.models import Notification
from duban.supervision import services
from duban.supervision.choices import ActionKind, ActionState
from duban.supervision.models import SupervisionAction
from duban.supervision.sweep import sweep
from tests.conftest import make_person
from tests.ledger.moves import SHANGHAI

pytestmark = pytest.mark.django_db


def moment(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def sweep_at(time_machine, day: str, hour: int = 9):
    now = moment(day, hour)
    time_machine.move_to(now, tick=False)
    return sweep(now)


@pytest.fixture
def late_task(county, make_task, time_machine):
    """Due Wednesday 30 September 2026, the day before the National Day holiday (1–7 October; Saturday
    10 October is a working day). Led by 县交通运输局 (its head 周局长 and liaison 陈联络) under 李副县长."""
    make_person("jiaotong_lly", county.units["transport"], Role.LIAISON, full_name="陈联络")
    time_machine.move_to(moment("2026-09-01"), tick=False)
    task = make_task(due_date=dt.date(2026, 9, 30), deadline_text="9月底前")
    ledger.sign_task(Actor(user=county.people["unit_head"]), task)
    return Task.objects.get(pk=task.pk)


def actions():
    return [(a.slot, a.kind, str(a.issued_on), str(a.reply_due or ""), a.target_unit.name if a.target_unit else "",
             a.target_person.full_name if a.target_person else "") for a in SupervisionAction.objects.order_by("id")]


def inbox(action_kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=f"supervision.{action_kind}").values_list("recipient__full_name", flat=True))


def test_one_task_walks_the_whole_default_ladder_across_the_national_day_holiday(county, late_task, time_machine):
    # 9月21日: nothing due yet.
    assert sweep_at(time_machine, "2026-09-21").actions == 0
    # 提醒: the 3rd working day before the due date — 24 September (25–27 September are off).
    assert sweep_at(time_machine, "2026-09-23").actions == 0
    result = sweep_at(time_machine, "2026-09-24")
    assert result.actions == 1
    assert actions() == [("remind", "remind", "2026-09-24", "", "县交通运输局", "")]
    assert inbox("remind") == ["周局长", "陈联络"]
    assert Task.objects.get(pk=late_task.pk).light == Light.YELLOW
    # 催办: on the due day.
    sweep_at(time_machine, "2026-09-30")
    assert actions()[-1] == ("urge", "urge", "2026-09-30", "", "县交通运输局", "")
    assert inbox("urge") == ["周局长", "陈联络"]
    # The holiday counts for nothing: the notice is due on the 3rd working day after — Saturday 10 October
    # (8, 9, 10 October), its reply two working days later, Tuesday 13 October.
    for day in ("2026-10-01", "2026-10-05", "2026-10-08", "2026-10-09"):
        assert sweep_at(time_machine, day).actions == 0, day
    result = sweep_at(time_machine, "2026-10-10")
    assert result.actions == 1 and result.notices == 1
    notice = SupervisionAction.objects.get(slot="notice")
    assert (notice.kind, str(notice.issued_on), str(notice.reply_due), notice.state) == ("notice", "2026-10-10", "2026-10-13", ActionState.OPEN)
    assert notice.number == "县督字〔2026〕1号"
    assert "请于2026年10月13日前书面回复" in notice.text
    assert inbox("notice") == ["周局长", "李副县长", "陈联络"]  # the unit, and the leader in charge copied
    assert Notification.objects.filter(kind="supervision.notice", urgent=True).count() == 2
    task = Task.objects.get(pk=late_task.pk)
    assert task.under_notice and task.light == Light.RED
    # Unanswered by its deadline: chased on the next working day with a second notice (reply by 16 October).
    assert sweep_at(time_machine, "2026-10-13").actions == 0
    sweep_at(time_machine, "2026-10-14")
    again = SupervisionAction.objects.get(slot="notice-2")
    assert (str(again.issued_on), str(again.reply_due), again.number, again.chases_id) == ("2026-10-14", "2026-10-16", "县督字〔2026〕2号", notice.pk)
    assert "再次督办" in again.text or "督办通知单逾期未回复" in again.text
    # Two unanswered notices bring the accountability proposal forward to the first working day after the
    # second reply deadline (Monday 19 October), before the interview proposal (10 working days: 20 October).
    assert sweep_at(time_machine, "2026-10-16").actions == 0
    sweep_at(time_machine, "2026-10-19")
    accountability = SupervisionAction.objects.get(slot="accountability")
    assert (str(accountability.issued_on), accountability.target_unit.name) == ("2026-10-19", "县交通运输局")
    assert inbox("accountability") == ["王书记", "赵督查"]  # proposals go to people who decide; nobody is punished by software
    sweep_at(time_machine, "2026-10-20")
    interview = SupervisionAction.objects.get(slot="interview")
    assert (str(interview.issued_on), interview.target_person.full_name) == ("2026-10-20", "李副县长")
    assert inbox("interview") == ["李副县长", "赵督查"]
    # Nothing more in this cycle, however long it stays late.
    assert sweep_at(time_machine, "2026-12-31").actions == 0
    assert [a[0] for a in actions()] == ["remind", "urge", "notice", "notice-2", "accountability", "interview"]


def test_a_reply_stops_the_chase_and_lifts_the_notice(county, late_task, time_machine):
    sweep_at(time_machine, "2026-10-10")
    notice = SupervisionAction.objects.get(slot="notice")
    time_machine.move_to(moment("2026-10-12", 10), tick=False)
    head = county.people["unit_head"]

    with pytest.raises(Exception, match="不少于 10 个字"):
        services.reply_to_action(Actor(user=head), notice, text="在办")
    with pytest.raises(Exception, match="只有被督办单位"):
        services.reply_to_action(Actor(user=county.people["liaison"]), notice, text="我们发改局替交通局回复一下这个通知")
    services.reply_to_action(Actor(user=head), notice, text="征地协议已签订 90%，剩余 3 户正在协调，预计 10 月底完成。")

    notice.refresh_from_db()
    assert notice.state == ActionState.REPLIED and notice.replied_by == head
    assert not Task.objects.get(pk=late_task.pk).under_notice
    sweep_at(time_machine, "2026-10-14")
    sweep_at(time_machine, "2026-10-19")
    assert not SupervisionAction.objects.filter(slot="notice-2").exists()
    assert not SupervisionAction.objects.filter(slot="accountability").exists()  # 20 working days not reached
    assert SupervisionAction.objects.filter(slot="interview").count() == 0
    sweep_at(time_machine, "2026-10-20")
    assert SupervisionAction.objects.filter(slot="interview").count() == 1


def test_an_approved_extension_starts_a_new_cycle(county, late_task, time_machine):
    sweep_at(time_machine, "2026-09-30")
    assert [a[0] for a in actions()] == ["remind", "urge"]
    head, leader = Actor(user=county.people["unit_head"]), Actor(user=county.people["leader"])
    request = ledger.request_extension(head, Task.objects.get(pk=late_task.pk), new_due=dt.date(2026, 11, 30),
                                       reason="征地补偿方案需县政府常务会研究")
    ledger.decide_extension(leader, request, approve=True, note="同意")
    task = Task.objects.get(pk=late_task.pk)
    assert task.deadline_cycle == 2 and task.ladder_next_on is None

    sweep_at(time_machine, "2026-10-10")  # the old cycle's notice day passes quietly
    assert SupervisionAction.objects.filter(deadline_cycle=2).count() == 0
    sweep_at(time_machine, "2026-11-25")  # 3 working days before 30 November
    assert [(a.slot, str(a.issued_on), a.deadline_cycle) for a in SupervisionAction.objects.filter(deadline_cycle=2)] == [
        ("remind", "2026-11-25", 2)]


def test_a_leaders_instruction_takes_the_stricter_ladder(county, make_task, time_machine):
    time_machine.move_to(moment("2026-09-01"), tick=False)
    task = make_task(due_date=dt.date(2026, 9, 30), source=TaskSource.INSTRUCTION, source_ref="王书记批示")
    ledger.sign_task(Actor(user=county.people["unit_head"]), task)
    sweep_at(time_machine, "2026-10-08")  # the 1st working day after the due date
    assert [(a.slot, str(a.issued_on), str(a.reply_due or "")) for a in SupervisionAction.objects.order_by("id")] == [
        ("remind", "2026-09-22", ""), ("urge", "2026-09-30", ""), ("notice", "2026-10-08", "2026-10-09")]


def test_a_second_sweep_at_the_same_time_writes_nothing(county, late_task, time_machine):
    first = sweep_at(time_machine, "2026-10-20")
    assert first.actions == 6 and first.messages > 0  # caught up: every step, the second notice included
    counts = (SupervisionAction.objects.count(), Notification.objects.count())

    second = sweep_at(time_machine, "2026-10-20")

    assert second.writes == 0 and second.checked == 0
    assert (SupervisionAction.objects.count(), Notification.objects.count()) == counts


def test_the_office_issues_a_notice_by_hand_and_others_may_not(county, late_task, time_machine):
    time_machine.move_to(moment("2026-09-28"), tick=False)
    with pytest.raises(Exception, match="只有县委县政府督查室"):
        services.issue_action(Actor(user=county.people["leader"]), late_task, kind=ActionKind.URGE, text="抓紧")
    with pytest.raises(Exception, match="须规定书面回复期限"):
        services.issue_action(Actor(user=county.people["supervision"]), late_task, kind=ActionKind.NOTICE, text="请说明")
    action = services.issue_action(Actor(user=county.people["supervision"]), late_task, kind=ActionKind.NOTICE,
                                   text="县委常委会点名该项工作进展缓慢，请说明情况。", reply_days=2)
    assert (action.number, str(action.reply_due), action.automatic, action.issued_by) == (
        "县督字〔2026〕1号", "2026-09-30", False, county.people["supervision"])
    assert Task.objects.get(pk=late_task.pk).light == Light.RED


# --- idempotence -------------------------------------------------------------------------------------

DAYS = [dt.date(2026, 9, 20) + dt.timedelta(days=n) for n in range(0, 60)]


def state():
    actions = sorted((a.matter_id, a.deadline_cycle, a.slot, str(a.issued_on), str(a.reply_due), a.number, a.target_unit_id,
                      a.target_person_id, a.text) for a in SupervisionAction.objects.all())
    messages = sorted(Notification.objects.values_list("recipient_id", "title", "urgent"))
    lights = sorted(Task.objects.values_list("id", "light", "light_reason", "under_notice"))
    return actions, messages, lights


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(times=st.lists(st.tuples(st.sampled_from(DAYS), st.integers(0, 23)), min_size=1, max_size=5))
def test_any_sequence_of_sweeps_equals_one_sweep_at_the_last_time(county, make_task, time_machine, times):
    from django.db import transaction

    times = sorted(times)
    outcomes = []
    for sequence in (times, times[-1:]):
        sid = transaction.savepoint()
        time_machine.move_to(moment("2026-09-01"), tick=False)
        for due, source in ((dt.date(2026, 9, 30), TaskSource.DOCUMENT), (dt.date(2026, 10, 9), TaskSource.INSTRUCTION)):
            task = make_task(due_date=due, source=source, source_ref="批示" if source == TaskSource.INSTRUCTION else "")
            ledger.sign_task(Actor(user=county.people["unit_head"]), task)
        for day, hour in sequence:
            sweep_at(time_machine, str(day), hour)
        actions, messages, lights = state()
        # Ids differ between the two runs (rolled back): compare by position in id order.
        ids = sorted({a[0] for a in actions} | {row[0] for row in lights})
        rank = {pk: i for i, pk in enumerate(ids)}
        outcomes.append(([(rank[a[0]], *a[1:]) for a in actions], messages and len(messages), [(rank[r[0]], *r[1:]) for r in lights]))
        transaction.savepoint_rollback(sid)
    assert outcomes[0] == outcomes[1]


def test_one_reply_answers_both_notices_of_the_cycle(county, late_task, time_machine):
    sweep_at(time_machine, "2026-10-14")
    first, second = SupervisionAction.objects.get(slot="notice"), SupervisionAction.objects.get(slot="notice-2")
    assert first.state == second.state == ActionState.OPEN
    time_machine.move_to(moment("2026-10-15", 10), tick=False)

    services.reply_to_action(Actor(user=county.people["unit_head"]), second, text="已约谈拆迁户，协议本周内全部签订。")

    assert set(SupervisionAction.objects.filter(kind="notice").values_list("state", flat=True)) == {ActionState.REPLIED}
    assert not Task.objects.get(pk=late_task.pk).under_notice
    sweep_at(time_machine, "2026-10-19")
    assert not SupervisionAction.objects.filter(slot="accountability").exists()  # no two unanswered notices


def test_the_sweep_relights_an_untouched_task_once_a_day(county, late_task, time_machine):
    sweep_at(time_machine, "2026-09-21")
    assert Task.objects.get(pk=late_task.pk).light == Light.GREEN
    sweep_at(time_machine, "2026-09-28")
    task = Task.objects.get(pk=late_task.pk)
    assert (task.light, task.light_reason) == (Light.YELLOW, "临近完成时限（2026年9月30日到期）")
    assert clock.shown_reason(task, dt.date(2026, 9, 28)) == "距完成时限还有 2 个工作日（2026年9月30日到期）"
    assert sweep_at(time_machine, "2026-09-28", 15).lights == 0  # the day's relight is done
    sweep_at(time_machine, "2026-10-08")  # the first working day after the holiday
    task = Task.objects.get(pk=late_task.pk)
    assert (task.light, task.light_reason) == (Light.RED, "已逾期（完成时限 2026年9月30日）")
    assert clock.shown_reason(task, dt.date(2026, 10, 8)) == "已逾期 1 个工作日（完成时限 2026年9月30日）"
