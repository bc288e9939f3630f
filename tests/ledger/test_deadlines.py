"""完成时限 wordings from a county's task decomposition sheet: what each reads as for the 2026 campaign,
what is refused (naming the wording, never guessed), and properties over every month and date."""

import calendar as gregorian
import datetime as dt

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from duban.ledger.deadlines import Deadline, DeadlineError, parse_deadline
from duban.matters.cycles import ReportCycle

d = dt.date
STANDING = "standing"


# --- wordings and what they read as --------------------------------------------------------------------

WORDINGS = [
    # text, campaign year, due date (or STANDING), report cycle
    ("2026年12月底前", 2026, d(2026, 12, 31), ""),
    ("6月底前", 2026, d(2026, 6, 30), ""),
    ("6月底以前", 2026, d(2026, 6, 30), ""),
    ("6月底之前", 2026, d(2026, 6, 30), ""),
    ("6月末", 2026, d(2026, 6, 30), ""),
    ("6月份", 2026, d(2026, 6, 30), ""),
    ("6月内", 2026, d(2026, 6, 30), ""),
    ("6月30日前", 2026, d(2026, 6, 30), ""),
    ("6月30日", 2026, d(2026, 6, 30), ""),
    ("6月30号前", 2026, d(2026, 6, 30), ""),
    ("2026.6.30", 2026, d(2026, 6, 30), ""),
    ("2026-06-30", 2026, d(2026, 6, 30), ""),
    ("2026/6/30", 2026, d(2026, 6, 30), ""),
    ("20260630", 2026, d(2026, 6, 30), ""),
    ("6.30", 2026, d(2026, 6, 30), ""),
    ("２０２６年６月３０日前", 2026, d(2026, 6, 30), ""),  # full-width digits
    ("２０２６．６．３０", 2026, d(2026, 6, 30), ""),
    (" 6 月 底 前 。", 2026, d(2026, 6, 30), ""),  # spaces and a full stop
    ("六月三十日前", 2026, d(2026, 6, 30), ""),
    ("十二月底前", 2026, d(2026, 12, 31), ""),
    ("二〇二六年十二月三十一日前", 2026, d(2026, 12, 31), ""),
    ("9月上旬", 2026, d(2026, 9, 10), ""),
    ("9月中旬", 2026, d(2026, 9, 20), ""),
    ("9月中旬前", 2026, d(2026, 9, 20), ""),
    ("9月下旬", 2026, d(2026, 9, 30), ""),
    ("2月下旬", 2028, d(2028, 2, 29), ""),
    ("第三季度", 2026, d(2026, 9, 30), ""),
    ("三季度", 2026, d(2026, 9, 30), ""),
    ("三季度末", 2026, d(2026, 9, 30), ""),
    ("第3季度", 2026, d(2026, 9, 30), ""),
    ("第四季度末前", 2026, d(2026, 12, 31), ""),
    ("一季度内", 2026, d(2026, 3, 31), ""),
    ("2027年一季度", 2026, d(2027, 3, 31), ""),
    ("上半年", 2026, d(2026, 6, 30), ""),
    ("年中", 2026, d(2026, 6, 30), ""),
    ("2027年上半年", 2026, d(2027, 6, 30), ""),
    ("下半年", 2026, d(2026, 12, 31), ""),
    ("年底前", 2026, d(2026, 12, 31), ""),
    ("年底", 2026, d(2026, 12, 31), ""),
    ("年末", 2026, d(2026, 12, 31), ""),
    ("年内", 2026, d(2026, 12, 31), ""),
    ("今年底", 2026, d(2026, 12, 31), ""),
    ("12月底", 2026, d(2026, 12, 31), ""),
    ("2026年度内", 2026, d(2026, 12, 31), ""),
    ("2026年", 2026, d(2026, 12, 31), ""),
    ("全年", 2026, d(2026, 12, 31), ""),  # work spread over the year is done by its end
    ("3至6月", 2026, d(2026, 6, 30), ""),  # a period is due at its end
    ("2026年4月至9月", 2026, d(2026, 9, 30), ""),
    ("延期至2027年3月31日", 2026, d(2027, 3, 31), ""),
    ("6月30日（星期二）前", 2026, d(2026, 6, 30), ""),  # the weekday fits the date and is dropped
    ("2027年3月底前", 2026, d(2027, 3, 31), ""),
    ("明年3月底前", 2026, d(2027, 3, 31), ""),
    ("次年一季度", 2026, d(2027, 3, 31), ""),
    ("6月底前", 2027, d(2027, 6, 30), ""),
    ("2月底前", 2028, d(2028, 2, 29), ""),  # leap year
    ("2月底前", 2026, d(2026, 2, 28), ""),
    ("2028年2月29日前", 2026, d(2028, 2, 29), ""),
    ("2026年10月31日前", 2026, d(2026, 10, 31), ""),  # a Saturday: calendar dates are kept as written
    ("10月1日", 2026, d(2026, 10, 1), ""),  # National Day, kept too
    ("力争9月底前完成", 2026, d(2026, 9, 30), ""),
    ("确保12月31日前全面完成", 2026, d(2026, 12, 31), ""),
    ("即日起至6月30日", 2026, d(2026, 6, 30), ""),
    ("截至2026年6月30日", 2026, d(2026, 6, 30), ""),
    ("6月底前上报方案", 2026, d(2026, 6, 30), ""),
    ("12月底前完成前期工作", 2026, d(2026, 12, 31), ""),
    ("长期坚持", 2026, STANDING, ""),
    ("持续推进", 2026, STANDING, ""),
    ("常态化推进", 2026, STANDING, ""),
    ("常态化", 2026, STANDING, ""),
    ("长期", 2026, STANDING, ""),
    # A report rhythm alone names no day the work is done: standing work with that cycle.
    ("每月25日前报送进展", 2026, STANDING, "monthly:25"),
    ("每月25日前报送上月进展", 2026, STANDING, "monthly:25"),
    ("每周五前报送", 2026, STANDING, "weekly:5"),
    ("每周日前", 2026, STANDING, "weekly:7"),
    ("每季度", 2026, STANDING, "quarterly:0"),
    ("按季度报送", 2026, STANDING, "quarterly:0"),
    ("每季度结束后10日内报送", 2026, STANDING, "quarterly:10"),
    ("每月", 2026, STANDING, "monthly:0"),
    ("按月报送进展", 2026, STANDING, "monthly:0"),
    ("每月底前报送", 2026, STANDING, "monthly:0"),
    ("每月上旬报送上月进展", 2026, STANDING, "monthly:10"),
    ("每周", 2026, STANDING, "weekly:5"),
    ("每半月报送一次", 2026, STANDING, "halfmonthly"),
    ("每5个工作日报送", 2026, STANDING, "workdays:5"),
    ("每日报送", 2026, STANDING, "workdays:1"),
    ("每两周", 2026, STANDING, "days:14"),
    ("双周调度", 2026, STANDING, "days:14"),
    ("每半年报送一次", 2026, STANDING, "halfyearly"),
    ("每年9月10日前", 2026, STANDING, "yearly:910"),
    ("每季度最后一个月的25日前", 2026, STANDING, "quarterlast:25"),
    ("由相关部门长期推进", 2026, STANDING, ""),
    ("长期坚持，每月25日前报送进展", 2026, STANDING, "monthly:25"),
    ("12月底前完成，每月25日前报送进展", 2026, d(2026, 12, 31), "monthly:25"),
    ("12月底前完成。每周五前报送进展。", 2026, d(2026, 12, 31), "weekly:5"),
]


@pytest.mark.parametrize("text, year, due, cycle", WORDINGS, ids=[f"{w[0].strip()}-{w[1]}" for w in WORDINGS])
def test_a_wording_reads_as_its_date_or_as_standing_work(text, year, due, cycle):
    deadline = parse_deadline(text, year)
    assert deadline.text == text
    assert deadline.report_cycle == cycle
    if due == STANDING:
        assert (deadline.standing, deadline.due_date, deadline.milestones) == (True, None, ())
    else:
        assert (deadline.standing, deadline.due_date, deadline.milestones) == (False, due, (due,))


MILESTONES = [
    ("6月底前完成方案，12月底前全面完成", [d(2026, 6, 30), d(2026, 12, 31)]),
    ("6月底前完成方案；9月底前完成建设；12月底前投用", [d(2026, 6, 30), d(2026, 9, 30), d(2026, 12, 31)]),
    ("6月底前完成方案\n12月底前全面完成", [d(2026, 6, 30), d(2026, 12, 31)]),  # a line break in the Excel cell
    ("12月底前全面完成，6月底前完成方案", [d(2026, 6, 30), d(2026, 12, 31)]),  # written out of order
    ("上半年完成征地，2027年3月底前建成", [d(2026, 6, 30), d(2027, 3, 31)]),
    ("6月底前完成方案，6月30日前启动", [d(2026, 6, 30)]),  # the same day twice is one milestone
    ("6月底、12月底", [d(2026, 6, 30), d(2026, 12, 31)]),  # a list of dates
    ("4月8日、7月8日、10月8日、次年1月8日前", [d(2026, 4, 8), d(2026, 7, 8), d(2026, 10, 8), d(2027, 1, 8)]),
]


@pytest.mark.parametrize("text, dates", MILESTONES)
def test_several_dates_are_milestones_and_the_last_is_due(text, dates):
    assert parse_deadline(text, 2026) == Deadline(text=text, due_date=dates[-1], milestones=tuple(dates))


def test_milestones_keep_the_report_cycle():
    deadline = parse_deadline("6月底前完成方案，12月底前全面完成，每月25日前报送进展", 2026)
    assert deadline.milestones == (d(2026, 6, 30), d(2026, 12, 31))
    assert (deadline.due_date, deadline.report_cycle) == (d(2026, 12, 31), "monthly:25")


# --- relative wordings need the day of assignment ------------------------------------------------------

RELATIVE = [
    ("本月底前", d(2026, 2, 10), d(2026, 2, 28)),
    ("当月内", d(2028, 2, 3), d(2028, 2, 29)),
    ("下月底前", d(2026, 12, 5), d(2027, 1, 31)),
    ("次月底", d(2026, 1, 31), d(2026, 2, 28)),
    ("15日内", d(2026, 3, 1), d(2026, 3, 16)),
    ("三十天内完成", d(2026, 12, 15), d(2027, 1, 14)),
]


@pytest.mark.parametrize("text, today, due", RELATIVE)
def test_a_relative_wording_counts_from_today(text, today, due):
    assert parse_deadline(text, 2026, today=today).due_date == due


@pytest.mark.django_db
def test_working_days_are_counted_on_the_public_calendar():
    # 09-29, 09-30, 10-08, 10-09, 10-10 (worked Saturday), 10-12, 10-13, 10-14, 10-15, 10-16
    assert parse_deadline("10个工作日内", 2026, today=d(2026, 9, 28)).due_date == d(2026, 10, 16)


@pytest.mark.parametrize("text", ["本月底前", "下月底前", "15日内", "10个工作日内"])
def test_a_relative_wording_without_today_is_refused(text):
    with pytest.raises(DeadlineError, match=f"完成时限“{text}”是相对时限"):
        parse_deadline(text, 2026)


# --- refused wordings ----------------------------------------------------------------------------------

REFUSED = [
    # text, what the message says
    ("下半年适时", "无法识别"),
    ("立即", "没有具体日期"),
    ("即日起", "没有具体日期"),
    ("立行立改", "没有具体日期"),
    ("尽快完成", "没有具体日期"),
    ("6月前", "有歧义（6月开始前还是结束前？），请写成“5月底前”或“6月底前”"),
    ("1月前", "请写成“上年12月底前”或“1月底前”"),
    ("三季度前", "有歧义（第三季度开始前还是结束前？），请写成“6月底前”或“9月底前”"),
    ("上半年前", "无法识别"),
    ("下半年前", "无法识别"),
    ("2月30日前", "中的日期2026年2月30日不存在"),
    ("2027年2月29日", "中的日期2027年2月29日不存在"),
    ("2026-6-31", "中的日期2026年6月31日不存在"),
    ("13月底前", "中的月份“13月”不存在"),
    ("每月32日前报送", "中的“每月32日”不存在"),
    ("每0个工作日", "超出范围"),
    ("6月初", "无法识别"),
    ("6月中", "无法识别"),
    ("12月下", "无法识别"),
    ("2026年五", "无法识别"),
    ("6月底左右", "无法识别"),
    ("2026年6月30日后", "无法识别"),
    ("6月30日24时前", "无法识别"),
    ("月底前", "无法识别"),
    ("视情况而定", "没有写明具体期限"),
    ("待定", "无法识别"),
    ("根据上级部署", "没有写明具体期限"),
    ("每周末", "无法识别"),
    ("每周一、三", "无法识别"),
    ("Q3", "无法识别"),
    ("1999年12月底前", "无法识别"),
    ("长期坚持，6月底前出台方案", "既有完成日期又是长期工作，请拆成两项任务"),
    ("已完成", "是完成情况（工作进展），不是完成时限"),
    ("欠进度", "是完成情况（工作进展），不是完成时限"),
    ("每周一调度", "有歧义（每周星期一，还是每周一次？）"),
    ("6月30日（星期三）前", "中的2026年6月30日是星期二，与括号中的“星期三”不符"),
    ("9月至6月", "中开始晚于结束"),
    ("从2026年3月起", "只写了开始时间"),
    ("20261月20日", "是否指“2026年1月20日”？"),
    ("每季度末（分别在3月25日、6月20日）", "括号中的日期不是每季度同一天"),
    ("每月25日前报送，每周五前报送", "写了不止一个报送周期"),
]


@pytest.mark.parametrize("text, reason", REFUSED)
def test_a_wording_it_cannot_read_for_sure_is_refused_naming_it(text, reason):
    with pytest.raises(DeadlineError) as refused:
        parse_deadline(text, 2026, today=d(2026, 3, 1))
    assert f"完成时限“{text}”" in str(refused.value)
    assert reason in str(refused.value)


def test_the_refusal_says_how_to_write_it():
    with pytest.raises(DeadlineError) as refused:
        parse_deadline("下半年适时", 2026)
    assert str(refused.value) == (
        "无法识别完成时限“下半年适时”，请写成“2026年12月31日前”“6月底前”“第三季度”“长期坚持”等格式"
    )


@pytest.mark.parametrize("text", ["", "  ", "。", "\n"])
def test_an_empty_cell_is_refused(text):
    with pytest.raises(DeadlineError, match="完成时限为空"):
        parse_deadline(text, 2026)


def test_a_deadline_error_is_a_value_error():
    assert issubclass(DeadlineError, ValueError)


# --- properties ----------------------------------------------------------------------------------------

years = st.integers(2020, 2035)
months = st.integers(1, 12)
dates = st.dates(min_value=d(2000, 1, 1), max_value=d(2099, 12, 31))
FULL_WIDTH = str.maketrans("0123456789.-/", "０１２３４５６７８９．－／")


def chinese(n: int) -> str:
    """1..31 in Chinese numerals, as a county writes a month or a day (十二, 二十五, 三十一)."""
    digits = "〇一二三四五六七八九"
    tens, units = divmod(n, 10)
    return ("" if tens == 0 else "十" if tens == 1 else digits[tens] + "十") + (digits[units] if units else "")


def month_end(year: int, month: int) -> dt.date:
    return d(year, month, gregorian.monthrange(year, month)[1])


@given(year=years, month=months)
def test_the_end_of_any_month_is_its_last_day(year, month):
    assert parse_deadline(f"{year}年{month}月底前", 2026).due_date == month_end(year, month)
    assert parse_deadline(f"{month}月底前", year).due_date == month_end(year, month)
    assert parse_deadline(f"{chinese(month)}月末", year).due_date == month_end(year, month)


@given(day=dates)
def test_a_date_written_any_usual_way_is_that_date(day):
    written = [
        f"{day.year}年{day.month}月{day.day}日前",
        f"{day:%Y-%m-%d}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day:%Y%m%d}",
        f"{day.year}年{chinese(day.month)}月{chinese(day.day)}日",
    ]
    for text in written:
        assert parse_deadline(text, 2026).due_date == day, text
        assert parse_deadline(text.translate(FULL_WIDTH), 2026).due_date == day, text
    assert parse_deadline(f"{day.month}月{day.day}日前", day.year).due_date == day


@given(year=years, quarter=st.integers(1, 4))
def test_a_quarter_ends_on_its_last_day(year, quarter):
    for text in (f"第{quarter}季度", f"{'一二三四'[quarter - 1]}季度末", f"第{'一二三四'[quarter - 1]}季度内"):
        assert parse_deadline(text, year).due_date == month_end(year, 3 * quarter)


@given(year=years, ends=st.lists(months, min_size=1, max_size=4))
def test_the_due_date_is_the_last_milestone(year, ends):
    text = "，".join(f"{m}月底前完成第{chinese(i + 1)}阶段" for i, m in enumerate(ends))
    deadline = parse_deadline(text, year)
    assert deadline.milestones == tuple(sorted({month_end(year, m) for m in ends}))
    assert deadline.due_date == month_end(year, max(ends))


cycles = st.one_of(
    st.builds(ReportCycle, st.just("weekly"), st.integers(1, 7)),
    st.builds(ReportCycle, st.just("monthly"), st.integers(0, 31)),
    st.builds(ReportCycle, st.just("quarterly"), st.integers(0, 31)),
    st.builds(ReportCycle, st.just("workdays"), st.integers(1, 250)),
    st.just(ReportCycle("halfmonthly")),
    st.builds(ReportCycle, st.just("quarterlast"), st.integers(1, 31)),
    st.just(ReportCycle("halfyearly")),
    st.builds(ReportCycle, st.just("yearly"), st.dates(d(2000, 1, 1), d(2000, 12, 31)).map(lambda day: 100 * day.month + day.day)),
    st.builds(ReportCycle, st.just("days"), st.integers(1, 366)),
)


@given(cycle=cycles)
def test_a_cycle_label_written_in_the_sheet_reads_back_as_that_cycle(cycle):
    assert parse_deadline(cycle.label, 2026) == Deadline(text=cycle.label, standing=True, report_cycle=str(cycle))


TEXT = st.text(
    st.sampled_from(list("0123456789年月日号底末前以内中上下旬季度第半每周个工作天今明长期坚持推进常态化一二三四五六十廿.-/，；。 \n完成方案适时左右即起至、")),
    max_size=16,
)


@hsettings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, year=years)
def test_any_text_is_read_or_refused_naming_it_and_nothing_else(text, year):
    try:
        deadline = parse_deadline(text, year)
    except DeadlineError as refused:
        assert f"“{text.strip()}”" in str(refused) or "完成时限为空" in str(refused)
        return
    if deadline.standing:
        assert deadline.due_date is None and deadline.milestones == ()
    else:
        assert deadline.due_date == deadline.milestones[-1]
        assert list(deadline.milestones) == sorted(set(deadline.milestones))
    assert str(ReportCycle.parse(deadline.report_cycle)) == deadline.report_cycle
