"""Lights of real tasks under frozen time (Asia/Shanghai): stored on every change and by the daily refresh,
at exact working-day boundaries; and a parent's light and percent following its children."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from duban.core.choices import Role
from duban.ledger import services
from duban.ledger.kind import TASK_KIND
from duban.ledger.models import Task
from duban.matters import clock as matters_clock
from duban.matters import lights
from tests.conftest import make_person
from tests.ledger.conftest import as_actor

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.fixture
def clock(time_machine):
    def at(day: dt.date, hour: int = 9):
        time_machine.move_to(dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)
    return at


@pytest.fixture
def people(county):
    p = dict(county.people)
    p["lead_liaison"] = make_person("jiaotong_lly", county.units["transport"], Role.LIAISON, full_name="陈联络")
    return p


@pytest.fixture
def running(people, make_task, clock):
    """A task signed for by its lead unit on the given day, with a first report of `percent`."""

    def _running(on=D(2026, 6, 1), percent=None, **values):
        clock(on)
        task = make_task(**values)
        liaison = as_actor(people["lead_liaison"])
        services.sign_task(liaison, task)
        if percent is not None:
            services.report_progress(liaison, Task.objects.get(pk=task.pk), percent=percent, text="按计划推进")
        return Task.objects.get(pk=task.pk)

    return _running


def light_on(task: Task, day: dt.date, clock) -> tuple[str, str]:
    """The stored light after the daily refresh on `day`, and its reason as the task's page shows it that day."""
    clock(day, 7)
    services.refresh_light(Task.objects.get(pk=task.pk))
    row = Task.objects.get(pk=task.pk)
    return row.light, matters_clock.shown_reason(row, day)


# --- the due date ------------------------------------------------------------------------------------


def test_a_task_turns_yellow_on_the_day_three_working_days_remain(running, clock):
    task = running(start_date=D(2026, 6, 1), due_date=D(2026, 6, 30), percent=90)
    assert light_on(task, D(2026, 6, 24), clock) == ("green", "按期推进")  # 25, 26, 29, 30 remain
    assert light_on(task, D(2026, 6, 25), clock) == ("yellow", "距完成时限还有 3 个工作日（2026年6月30日到期）")
    assert light_on(task, D(2026, 6, 30), clock) == ("yellow", "今天到期")
    assert light_on(task, D(2026, 7, 1), clock) == ("red", "已逾期 1 个工作日（完成时限 2026年6月30日）")


def test_a_task_due_right_after_the_national_day_holiday_has_one_working_day_left_on_30_september(running, clock):
    task = running(on=D(2026, 9, 1), start_date=D(2026, 9, 1), due_date=D(2026, 10, 8), percent=95)
    assert light_on(task, D(2026, 9, 24), clock) == ("green", "按期推进")  # 28, 29, 30 Sep and 8 Oct: four
    assert light_on(task, D(2026, 9, 25), clock) == ("green", "按期推进")  # Mid-Autumn: still four
    assert light_on(task, D(2026, 9, 28), clock) == ("yellow", "距完成时限还有 3 个工作日（2026年10月8日到期）")
    assert light_on(task, D(2026, 9, 30), clock) == ("yellow", "距完成时限还有 1 个工作日（2026年10月8日到期）")
    assert light_on(task, D(2026, 10, 8), clock) == ("yellow", "今天到期")
    assert light_on(task, D(2026, 10, 9), clock) == ("red", "已逾期 1 个工作日（完成时限 2026年10月8日）")


def test_overdue_by_working_days_across_a_weekend(running, clock):
    task = running(start_date=D(2026, 6, 1), due_date=D(2026, 7, 3), percent=100)
    assert light_on(task, D(2026, 7, 4), clock) == ("red", "已过完成时限（2026年7月3日）")  # Saturday
    assert light_on(task, D(2026, 7, 7), clock) == ("red", "已逾期 2 个工作日（完成时限 2026年7月3日）")  # Monday and Tuesday


# --- 欠进度, late reports, notices ------------------------------------------------------------------


@pytest.mark.parametrize(("percent", "light", "reason", "shown", "schedule"), [
    (91, "yellow", "欠进度（已报 91%）", "欠进度：已报 91%，序时进度 91.7%", "behind"),
    (92, "green", "按期推进", "按期推进", "on"),
])
def test_a_calendar_year_task_at_the_end_of_november_is_behind_below_91_7_percent(percent, light, reason, shown, schedule, running, clock):
    task = running(on=D(2026, 11, 30), percent=percent)  # 1 January – 31 December
    assert (task.light, task.light_reason, task.schedule) == (light, reason, schedule)
    assert matters_clock.shown_reason(task, D(2026, 11, 30)) == shown


def test_a_late_report_turns_the_task_yellow_until_the_lead_unit_reports(people, running, clock):
    task = running(on=D(2026, 3, 2), start_date=D(2026, 3, 1), standing=True, due_date=None, report_cycle="monthly:25")
    assert task.next_report_due == D(2026, 3, 25)
    assert light_on(task, D(2026, 3, 25), clock) == ("green", "按期推进")
    assert light_on(task, D(2026, 3, 26), clock) == ("yellow", "进展逾期未报（应于 03月25日 前报送）")
    clock(D(2026, 3, 26), 10)
    services.report_progress(as_actor(people["lead_liaison"]), Task.objects.get(pk=task.pk), percent=30, text="补报")
    task = Task.objects.get(pk=task.pk)
    assert (task.light, task.next_report_due) == ("green", D(2026, 4, 24))


def test_an_open_supervision_notice_turns_the_task_red(running, clock):
    task = running(percent=50)
    Task.objects.filter(pk=task.pk).update(under_notice=True)  # the supervision app's notice
    assert light_on(task, D(2026, 6, 2), clock) == ("red", "督办通知未回复")


def test_a_paused_task_keeps_the_light_of_the_day_it_was_paused(people, running, clock):
    task = running(start_date=D(2026, 6, 1), due_date=D(2026, 6, 30), percent=90)
    clock(D(2026, 6, 25))
    services.pause_clock(as_actor(people["supervision"]), task, reason="等待上级批复")
    assert light_on(task, D(2026, 6, 25), clock) == ("yellow", "距完成时限还有 3 个工作日（2026年6月30日到期）")
    # Five weeks on, past the due date, the light has not moved.
    assert light_on(task, D(2026, 8, 3), clock) == ("yellow", "距完成时限还有 3 个工作日（2026年6月30日到期）")


@pytest.mark.parametrize(("requested", "schedule"), [(D(2026, 6, 29), "done_early"), (D(2026, 6, 30), "done"), (D(2026, 7, 2), "done")])
def test_a_closed_task_is_grey_and_done_early_only_if_completion_was_requested_before_the_due_date(requested, schedule, people, running, clock):
    task = running(start_date=D(2026, 6, 1), due_date=D(2026, 6, 30), percent=90)
    clock(requested)
    services.request_completion(as_actor(people["lead_liaison"]), task, summary="完成", no_evidence_reason="已现场核验")
    clock(D(2026, 7, 6))
    services.close_task(as_actor(people["supervision"]), Task.objects.get(pk=task.pk), checklist=[True] * 3, grade="good")
    task = Task.objects.get(pk=task.pk)
    assert (task.light, task.light_reason, task.schedule) == ("grey", "已办结", schedule)
    assert light_on(task, D(2026, 12, 31), clock) == ("grey", "已办结")  # the refresh leaves it grey


def test_a_suspended_task_is_not_grey_and_a_cancelled_one_is(people, running):
    task = running(percent=50)
    services.suspend_task(as_actor(people["principal"]), task, reason="暂缓")
    assert Task.objects.get(pk=task.pk).light != "grey"
    services.cancel_task(as_actor(people["principal"]), Task.objects.get(pk=task.pk), reason="撤销")
    assert Task.objects.values_list("light", "light_reason", "schedule").get(pk=task.pk) == ("grey", "已撤销", "")


def test_the_daily_refresh_with_a_stale_copy_does_not_put_back_an_old_percent(people, running, clock):
    task = running(percent=40)
    stale = Task.objects.get(pk=task.pk)  # read by the sweep ...
    services.report_progress(as_actor(people["lead_liaison"]), Task.objects.get(pk=task.pk), percent=60, text="进展")  # ... meanwhile
    services.refresh_light(stale)
    assert Task.objects.values_list("progress", "version").get(pk=task.pk) == (60, 5)
    assert (stale.progress, stale.version) == (60, 5)


# --- a parent follows its children -----------------------------------------------------------------


@pytest.fixture
def family(county, people, running, clock):
    """A calendar-year task split between 县交通运输局 and 县发展和改革局, both signed for, on 30 November."""
    office = as_actor(people["supervision"])
    parent = running(on=D(2026, 11, 30))
    kids = services.decompose_task(office, parent, [{"lead_unit": county.units["transport"]}, {"lead_unit": county.units["ndrc"]}])
    services.sign_task(as_actor(people["lead_liaison"]), kids[0])
    services.sign_task(as_actor(people["liaison"]), kids[1])
    liaisons = {kids[0].pk: as_actor(people["lead_liaison"]), kids[1].pk: as_actor(people["liaison"])}

    def report(child, percent):
        services.report_progress(liaisons[child.pk], Task.objects.get(pk=child.pk), percent=percent, text="进展")

    return Task.objects.get(pk=parent.pk), kids, report


def shown(task):
    """The parent's percent, light and reason as its page shows them today."""
    row = Task.objects.get(pk=task.pk)
    return row.progress, row.light, matters_clock.shown_reason(row, timezone.localdate())


def test_a_parents_percent_is_the_average_of_its_childrens_and_follows_them(family):
    parent, (one, two), report = family
    assert shown(parent)[0] == 0
    report(one, 40)
    assert shown(parent)[0] == 20
    report(two, 61)
    assert shown(parent)[0] == 51  # 50.5, rounded half up as a bulletin does
    report(one, 100)
    assert shown(parent)[0] == 81  # 80.5


def test_a_parents_light_is_its_worst_open_childs_and_is_judged_on_the_new_average(family):
    parent, (one, two), report = family
    report(one, 95)
    assert shown(parent) == (48, "yellow", "欠进度：已报 48%，序时进度 91.7%")
    report(two, 91)  # average 93: the parent's own share is met, but one child is behind
    assert shown(parent) == (93, "yellow", "子任务 2026-0001-2：欠进度（已报 91%）")
    report(two, 95)
    assert shown(parent) == (95, "green", "按期推进")


def test_a_red_child_makes_the_parent_red_until_it_is_closed_or_cancelled(county, people, family, clock):
    parent, (one, two), report = family
    report(one, 95)
    report(two, 95)
    Task.objects.filter(pk=two.pk).update(under_notice=True)
    services.refresh_light(Task.objects.get(pk=two.pk))
    assert shown(parent) == (95, "red", "子任务 2026-0001-2：督办通知未回复")
    services.cancel_task(as_actor(people["principal"]), Task.objects.get(pk=two.pk), reason="并入 2026-0001-1")
    # A cancelled child counts for nothing: neither its light nor its percent.
    assert shown(parent) == (95, "green", "按期推进")
    report(one, 50)
    assert shown(parent) == (50, "yellow", "欠进度：已报 50%，序时进度 91.7%")


def test_closed_children_count_as_done_and_no_longer_colour_the_parent(people, family):
    parent, (one, two), report = family
    report(one, 91)
    report(two, 100)
    assert shown(parent)[1:] == ("yellow", "子任务 2026-0001-1：欠进度（已报 91%）")
    liaison, office = as_actor(people["lead_liaison"]), as_actor(people["supervision"])
    services.request_completion(liaison, Task.objects.get(pk=one.pk), summary="完成", no_evidence_reason="已现场核验")
    services.close_task(office, Task.objects.get(pk=one.pk), checklist=[True] * 3, grade="good")
    assert shown(parent) == (100, "green", "按期推进")


def test_a_grandchild_colours_its_grandparent(county, people, family):
    parent, (one, two), report = family
    report(one, 95)
    report(two, 95)
    office = as_actor(people["supervision"])
    (grandchild,) = services.decompose_task(office, Task.objects.get(pk=one.pk), [{"lead_unit": county.units["transport"]}])
    assert grandchild.code == "2026-0001-1-1"
    # The new sub-task starts at 0%: its parent averages to 0 and the grandparent to (0 + 95) / 2.
    assert shown(one) == (0, "yellow", "欠进度：已报 0%，序时进度 91.7%")
    assert shown(parent) == (48, "yellow", "欠进度：已报 48%，序时进度 91.7%")


# --- before the first report --------------------------------------------------------------------------


def test_a_draft_has_a_neutral_light_and_no_schedule_class_whatever_its_dates(make_task, clock):
    clock(D(2026, 11, 30))
    draft = make_task(register=False, due_date=D(2026, 6, 30))  # its due date already past
    assert (draft.light, draft.light_reason, draft.schedule) == ("green", "建账中，尚未立账", "")
    assert light_on(draft, D(2026, 12, 1), clock) == ("green", "建账中，尚未立账")


def test_a_just_assigned_task_is_not_behind_schedule_before_its_first_report_falls_due(people, make_task, clock):
    # A calendar-year task assigned on 2 February: at 0% against a share of 8.9% it is not 欠进度.
    clock(D(2026, 2, 2))
    task = make_task(report_cycle="monthly:25")
    assert (task.light, task.light_reason, task.schedule) == ("green", "按期推进", "")
    services.sign_task(as_actor(people["lead_liaison"]), task)
    task = Task.objects.get(pk=task.pk)
    assert (task.light, task.schedule, task.next_report_due) == ("green", "", D(2026, 2, 25))
    assert light_on(task, D(2026, 2, 25), clock) == ("green", "按期推进")
    # The first report is late: yellow for that, and from now on it is judged on schedule too.
    assert light_on(task, D(2026, 2, 26), clock) == ("yellow", "进展逾期未报（应于 02月25日 前报送）")
    assert Task.objects.get(pk=task.pk).schedule == "behind"
    clock(D(2026, 2, 26), 10)
    services.report_progress(as_actor(people["lead_liaison"]), Task.objects.get(pk=task.pk), percent=5, text="已启动")
    task = Task.objects.get(pk=task.pk)
    assert (task.light, task.light_reason, task.schedule) == ("yellow", "欠进度（已报 5%）", "behind")
    assert matters_clock.shown_reason(task, D(2026, 2, 26)) == "欠进度：已报 5%，序时进度 16.1%"


def test_an_unreported_task_still_turns_yellow_near_its_due_date_and_red_after_it(people, running, clock):
    task = running(on=D(2026, 6, 1), start_date=D(2026, 6, 1), due_date=D(2026, 6, 30))  # signed, never reported
    assert light_on(task, D(2026, 6, 24), clock) == ("green", "按期推进")
    assert light_on(task, D(2026, 6, 25), clock) == ("yellow", "距完成时限还有 3 个工作日（2026年6月30日到期）")
    assert light_on(task, D(2026, 7, 1), clock) == ("red", "已逾期 1 个工作日（完成时限 2026年6月30日）")


def test_a_parent_is_judged_on_schedule_once_it_or_a_sub_task_has_reported(county, people, running, clock):
    office = as_actor(people["supervision"])
    parent = running(on=D(2026, 11, 30))
    one, two = services.decompose_task(office, parent, [{"lead_unit": county.units["transport"]}, {"lead_unit": county.units["ndrc"]}])
    services.sign_task(as_actor(people["lead_liaison"]), one)
    services.sign_task(as_actor(people["liaison"]), two)
    assert Task.objects.values_list("progress", "light", "light_reason", "schedule").get(pk=parent.pk) == (0, "green", "按期推进", "")
    services.report_progress(as_actor(people["liaison"]), Task.objects.get(pk=two.pk), percent=96, text="进展")
    assert Task.objects.values_list("progress", "light", "light_reason", "schedule").get(pk=parent.pk) == (
        48, "yellow", "欠进度（已报 48%）", "behind")
    assert shown(parent) == (48, "yellow", "欠进度：已报 48%，序时进度 91.7%")


# --- the daily relight writes only what changed ---------------------------------------------------------


def test_the_next_days_relight_rewrites_nothing_when_nothing_happened_and_a_real_change_still_relights(people, running, clock):
    # Monday 6 July: one task overdue since 30 June, one due on Thursday the 9th, one a calendar-year task
    # at 20%; then Tuesday the 7th, with nothing reported, extended or noticed.
    overdue = running(start_date=D(2026, 6, 1), due_date=D(2026, 6, 30), percent=90)
    near = running(start_date=D(2026, 6, 1), due_date=D(2026, 7, 9), percent=90)
    behind = running(percent=20)
    refresh = lambda day: lights.refresh_lights(TASK_KIND, day)  # noqa: E731 — the sweep's daily pass
    clock(D(2026, 7, 6), 7)
    refresh(D(2026, 7, 6))
    monday = {t.code: (t.light, t.light_reason) for t in Task.objects.order_by("code")}
    assert monday == {overdue.code: ("red", "已逾期（完成时限 2026年6月30日）"),
                      near.code: ("yellow", "临近完成时限（2026年7月9日到期）"),
                      behind.code: ("yellow", "欠进度（已报 20%）")}
    clock(D(2026, 7, 7), 7)
    assert refresh(D(2026, 7, 7)) == 0  # before: 3, every reason carried a count that moved overnight
    assert {t.code: (t.light, t.light_reason) for t in Task.objects.order_by("code")} == monday
    # What a page shows that Tuesday has moved on by the day all the same.
    assert [matters_clock.shown_reason(t, D(2026, 7, 7)) for t in Task.objects.order_by("code")] == [
        "已逾期 5 个工作日（完成时限 2026年6月30日）", "距完成时限还有 2 个工作日（2026年7月9日到期）",
        "欠进度：已报 20%，序时进度 51.9%"]  # 6 months and 7 days of July's 31, of 12
    # A report past 序时进度 and an approved extension are real changes: the matter is relit at once.
    liaison = as_actor(people["lead_liaison"])
    services.report_progress(liaison, Task.objects.get(pk=behind.pk), percent=60, text="加快推进")
    assert Task.objects.values_list("light", "light_reason").get(pk=behind.pk) == ("green", "按期推进")
    request = services.request_extension(liaison, Task.objects.get(pk=overdue.pk), new_due=D(2026, 7, 31), reason="征地批复未下达")
    services.decide_extension(as_actor(people["leader"]), request, approve=True, note="同意")
    assert Task.objects.values_list("light", "light_reason").get(pk=overdue.pk) == ("green", "按期推进")
    # And a due date moved behind the services' back is put right by the next pass, that row alone.
    Task.objects.filter(pk=near.pk).update(due_date=D(2026, 7, 8))
    assert refresh(D(2026, 7, 7)) == 1
    assert Task.objects.values_list("light", "light_reason").get(pk=near.pk) == ("yellow", "临近完成时限（2026年7月8日到期）")
    assert refresh(D(2026, 7, 7)) == 0
