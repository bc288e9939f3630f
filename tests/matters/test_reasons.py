"""A light's reason as stored (stable: only a real change rewrites it) and as shown (the day counts and the
elapsed share put in on the day the page is rendered), under frozen time across the National Day holiday:
1–7 October 2026 off, Saturday 10 October worked."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from duban.matters import clock

pytestmark = pytest.mark.django_db  # the calendar reads the admin's holiday table

D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))


def shown(reason: str, **fields) -> str:
    """What `{% light_reason m %}` renders today for a values row whose stored reason is `reason`."""
    return Template("{% load matter_tags %}{% light_reason m %}").render(Context({"m": {"light_reason": reason, **fields}}))


@pytest.fixture
def on(time_machine):
    def move(day: dt.date):
        time_machine.move_to(dt.datetime(day.year, day.month, day.day, 9, tzinfo=CST), tick=False)
    return move


def test_days_left_count_only_working_days_across_the_holiday(on):
    stored = "临近完成时限（2026年10月8日到期）"
    expected = {D(2026, 9, 28): 3, D(2026, 9, 29): 2, D(2026, 9, 30): 1, D(2026, 10, 4): 1, D(2026, 10, 7): 1}
    for day, left in expected.items():
        on(day)
        assert shown(stored) == f"距完成时限还有 {left} 个工作日（2026年10月8日到期）"
    on(D(2026, 10, 8))
    assert shown(stored) == "今天到期"  # before the morning's relight has stored it


def test_working_days_late_count_the_adjusted_saturday_and_not_the_holiday(on):
    stored = "已逾期（完成时限 2026年9月30日）"
    on(D(2026, 10, 7))
    assert shown(stored) == "已过完成时限（2026年9月30日）"  # past it, no working day lost yet
    on(D(2026, 10, 8))
    assert shown(stored) == "已逾期 1 个工作日（完成时限 2026年9月30日）"
    on(D(2026, 10, 10))
    assert shown(stored) == "已逾期 3 个工作日（完成时限 2026年9月30日）"  # Saturday, worked
    on(D(2026, 10, 12))
    assert shown(stored) == "已逾期 4 个工作日（完成时限 2026年9月30日）"


def test_the_elapsed_share_is_the_matters_own_on_the_day_shown(on):
    year = {"start_date": D(2026, 1, 1), "due_date": D(2026, 12, 31)}
    on(D(2026, 11, 30))
    assert shown("欠进度（已报 30%）", **year) == "欠进度：已报 30%，序时进度 91.7%"
    on(D(2026, 12, 15))
    assert shown("欠进度（已报 30%）", **year) == "欠进度：已报 30%，序时进度 95.7%"  # 11 months and 15 days of 31
    # A row without its clock (a list that did not select it) shows the stored words, not a wrong share.
    assert shown("欠进度（已报 30%）") == "欠进度（已报 30%）"


def test_a_parents_reason_is_its_childs_with_the_childs_date(on):
    on(D(2026, 10, 8))
    assert shown("子任务 2026-0001-2：已逾期（完成时限 2026年9月30日）", due_date=D(2026, 12, 31)) == (
        "子任务 2026-0001-2：已逾期 1 个工作日（完成时限 2026年9月30日）")
    assert shown("子任务 2026-0001-2：临近完成时限（2026年10月9日到期）") == (
        "子任务 2026-0001-2：距完成时限还有 1 个工作日（2026年10月9日到期）")
    # The child's elapsed share is not the parent's: shown as stored.
    assert shown("子任务 2026-0001-2：欠进度（已报 30%）", start_date=D(2026, 1, 1), due_date=D(2026, 12, 31)) == (
        "子任务 2026-0001-2：欠进度（已报 30%）")


def test_reasons_without_a_moving_count_are_shown_as_stored(on):
    on(D(2026, 10, 12))
    for reason in ("按期推进", "督办通知未回复", "今天到期", "进展逾期未报（应于 09月25日 前报送）", "已办结", "",
                   "已逾期 2 个工作日（完成时限 2026年9月29日）"):  # a paused clock's: stored with its counts
        assert shown(reason) == reason


def test_the_dot_carries_the_shown_reason_in_its_title(on):
    on(D(2026, 10, 10))
    html = Template("{% load matter_tags %}{% light_dot m.light m|light_reason %}").render(
        Context({"m": {"light": "red", "light_reason": "已逾期（完成时限 2026年9月30日）"}}))
    assert 'title="红灯：已逾期 3 个工作日（完成时限 2026年9月30日）"' in html


def test_a_paused_matter_is_stored_with_its_counts_as_of_the_day_it_stopped():
    matter = SimpleNamespace(due_date=D(2026, 9, 30), start_date=D(2026, 9, 1), paused_since=D(2026, 10, 8), progress=50,
                             under_notice=False, next_report_due=None, last_report_on=D(2026, 9, 20), completed_on=None)
    for day in (D(2026, 10, 8), D(2026, 10, 12), D(2026, 11, 2)):
        assert clock.evaluate(matter, day, closed=False).reason == "已逾期 1 个工作日（完成时限 2026年9月30日）"
    matter.paused_since = None
    assert clock.evaluate(matter, D(2026, 10, 12), closed=False).reason == "已逾期（完成时限 2026年9月30日）"
