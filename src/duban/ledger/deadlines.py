"""The 完成时限 wordings of a county's task decomposition sheet (任务分解表, SPEC §3), read without guessing.

`parse_deadline("6月底前完成方案，12月底前全面完成", 2026)` gives due 2026-12-31 with milestones 06-30 and
12-31. A wording is split at ，；。 and line breaks into clauses; each clause is a time phrase, optionally
after a lead word (力争, 确保, 于, 截至, 即日起至 …) and before the work it names ("完成方案"). What follows
the phrase may not hold another date, period or hedge (适时, 左右, 视情 …): "下半年适时" is refused, not
read as 12-31. Digits may be full-width or Chinese (六月三十日, 二〇二六年); spaces are ignored.

Dates are calendar dates as written (the clock counts working days itself), in the campaign year unless the
wording names one (2000–2099: 2027年, 二〇二七年; 今年/本年 = the campaign year, 明年/次年 = the next):
- "6月30日(前)", "2026.6.30", "2026-06-30", "2026/6/30", "6.30", "20260630" → that day;
- "6月底(前)", "6月末", "6月份", "6月内", "6月" → the month's last day;
- "9月上旬/中旬/下旬" (with or without 前) → the 10th / 20th / last day: the end of that third;
- "(第)三季度(末)(内)", "第3季度" → the quarter's last day; "上半年", "年中" → 06-30;
  "下半年", "年底(前)", "年内", "今年底", "2026年(度)(内)" → 12-31.
- "全年" → 12-31 (the work runs over the year); "延期至/延长至 6月30日" → the date it was moved to;
- "4月8日、7月8日、10月8日、次年1月8日前" → each date a milestone; "4月至9月", "7月3日至7月15日" → the end;
- "3月14日（星期五）前": the weekday is checked against the date and dropped, refused when it does not fit.
- "2024" alone → 2024-12-31; "6月底和7月底", "分别于…" → milestones; "(5月-8月)", a whole cell in brackets, as
  without them; "截止：2019-06-18", "预计10月底前" → that day.
A list piece without timing is the work going on ("2024年完成甲、乙建设"), and a clause without timing next to
one that has it is the work too ("12月底前完成，组织验收").
Standing work (长期坚持, 持续推进, 常态化(推进), 长期) has no due date, also with the unit in front
("由相关部门长期推进"). A wording that only sets a report rhythm ("每月25日前报送进展") is standing too, with
that report cycle: it names no day the work is done.
Report rhythms give a ReportCycle code (see duban.matters.cycles), and each cycle's label reads back as it;
bare "每月"/"按月" is by the month's last day, "每周"/"每周一次" by Friday, "每季度"/"以季度为节点" by the
quarter's last day, "每季度结束后10日内" by the 10th of the month after, "每季度最后一个月的25日前" by the
25th of the quarter's last month, "每季度末（分别在3月25日、6月25日…）" by what the brackets spell out,
"每半年" by 06-30 and 12-31, "每年9月10日前" yearly, "双周"/"每两周" 14 days after the last report,
"每日(一督查)" every working day.
With a reference `today` (the day of assignment) relative wordings are read too: "本月底前", "下月底前",
"15日内" (calendar days), "10个工作日内" (working days, from the calendar table), "3个月内", "(自)交办之日起…",
"下周一报送".

Refused, with a message naming the wording: anything unrecognised; dates that do not exist (2月30日);
"6月前" and "三季度前" (before June starts or before it ends? a county writes both); "每周一调度" (every
Monday, or once a week?); "立即", "即日起", "立行立改", "即查即改", "及时", "尽快", also next to a date (no date to
count to: write the day by which it must be done); "按期", "按要求", "根据…", "适时", "限时" (the period is
written somewhere else); a start alone ("从2026年3月起", "本月起"); a status pasted into the column
(欠进度, 已完成, 进度滞后, 正在整改, 已完工, 项目暂缓 …: how far the work has got, not when it is due); a period that ends before it starts; a
bracketed note ("(本次报送于5月29日)"); a standing wording together with a completion date ("长期坚持，6月底前
出台方案": split it into two tasks); two report cycles; relative wordings without `today`.
A refusal whose slip has one likely reading proposes it ("20251月20日" → 是否指“2025年1月20日”？, also a
missing 日, a day the month lacks, a wording without its note) in the message and in
`DeadlineError.proposal`: shown to the user, never applied.
"""

from __future__ import annotations

import calendar as gregorian
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from duban.matters.cycles import CycleKind, ReportCycle


@dataclass(frozen=True)
class Deadline:
    """A parsed 完成时限: a due date (the last of its milestones), or standing work, and a report cycle."""

    text: str
    due_date: dt.date | None = None
    standing: bool = False
    report_cycle: str = ""
    # Every date the wording names, ascending; the last is due_date. Empty for standing work.
    milestones: tuple[dt.date, ...] = ()


class DeadlineError(ValueError):
    """A 完成时限 wording that cannot be read without guessing; the message is for the county's user.

    `proposal` is the likely reading of a slip ("20251月20日" → "2025年1月20日"), already named in the
    message; it is only ever shown, never applied.
    """

    def __init__(self, message: str, proposal: str = ""):
        super().__init__(message)
        self.proposal = proposal


# --- numbers -------------------------------------------------------------------------------------------

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"[0-9]{1,3}|[〇零一二三四五六七八九十两廿]{1,3}"
_YEAR = r"20[0-9]{2}|二[〇零][〇零一二三四五六七八九]{2}"
_QUARTER = r"[1-4一二三四]"
_SUFFIX = r"(?:前|以前|之前)?"


def _number(s: str) -> int:
    """An Arabic or Chinese numeral (六, 十二, 二十五, 廿五, 三十一, 二〇二六) as an int."""
    if s.isascii():
        return int(s)
    s = s.replace("廿", "二十")
    if "十" not in s:
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    tens, _, units = s.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        raise ValueError(s)
    return 10 * (_CN_DIGITS[tens] if tens else 1) + (_CN_DIGITS[units] if units else 0)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, gregorian.monthrange(year, month)[1])


# --- clauses --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What a clause is read against, and the messages that name the whole wording."""

    text: str  # the wording as the user wrote it, for messages
    year: int  # the year a phrase without one is in
    today: dt.date | None
    explicit_year: bool  # the clause began with a year ("2026年", "今年")

    def refuse(self, reason: str = "") -> DeadlineError:
        if reason:
            return DeadlineError(f"完成时限“{self.text}”{reason}")
        return DeadlineError(
            f"无法识别完成时限“{self.text}”，请写成“{self.year}年12月31日前”“6月底前”“第三季度”“长期坚持”等格式"
        )

    def date(self, year: int, month: int, day: int) -> dt.date:
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise self.refuse(f"中的日期{year}年{month}月{day}日不存在") from None

    def month_end(self, month: int) -> dt.date:
        if not 1 <= month <= 12:
            raise self.refuse(f"中的月份“{month}月”不存在")
        return _month_end(self.year, month)

    def needs_today(self) -> dt.date:
        if self.today is None:
            raise self.refuse(f"是相对时限，没有交办日期无法换算，请写成具体日期，如“{self.year}年6月30日前”")
        return self.today


# A clause's meaning: a date, standing work, or a report cycle.
_Part = dt.date | bool | ReportCycle
_Handler = Callable[[re.Match, _Context], _Part | None]  # None: the pattern does not apply after all
# (pattern, handler, may follow a year), tried in the order registered (a stack of decorators bottom up):
# refusals of ambiguous phrases before the looser phrases that would otherwise take them.
_PATTERNS: list[tuple[re.Pattern, _Handler, bool]] = []


def _counted(ctx: _Context, kind: CycleKind, n: int, high: int, too_big: str) -> ReportCycle:
    """A cycle by the number the wording names ("每月25日"), refused with `too_big` outside 1 to `high`."""
    if not 1 <= n <= high:
        raise ctx.refuse(too_big)
    return ReportCycle(kind, n)


def _phrase(pattern: str, *, after_year: bool = False):
    """Register a handler for a time phrase at the start of a clause."""

    def register(handler: _Handler) -> _Handler:
        _PATTERNS.append((re.compile(pattern), handler, after_year))
        return handler

    return register


# Immediacy has no date to count to: the sheet must say by when.
@_phrase(r"立即|立刻|马上|立行立改|即查即改|即知即改|立查立改|即日起|即时|及时|尽快|随时|限期")
def _immediate(m, ctx):
    raise ctx.refuse(f"没有具体日期，请写明须在哪天前完成，如“{ctx.year}年3月31日前”")


# "按期", "按要求": the period is somewhere else (the notice, the rules), not in the sheet.
@_phrase(r"按期|按时(?!间节点)|如期|按(?:照)?(?:\S*?)要求|按规定|根据|限时|适时|择机|视情")
def _unspecified(m, ctx):
    raise ctx.refuse(f"没有写明具体期限，请写明须在哪天前完成，如“{ctx.year}年12月31日前”")


@_phrase(r"(?:长期|持续|常态化|常态长效|长效|常年)(?:坚持|推进|开展|落实|执行|抓好|跟踪)?")
def _standing(m, ctx):
    return True


@_phrase(r"每周一(?!次|前|以前|之前|$)")
def _monday_or_once(m, ctx):
    # "每周一调度" is "every Monday" to some and "once a week" (like 每日一督查) to others.
    raise ctx.refuse("有歧义（每周星期一，还是每周一次？），请写成“每周一前”（星期一）或“每周五前”（每周一次）")


@_phrase(r"(?:每|按)(?:周|星期)一次")
def _weekly_once(m, ctx):
    return ReportCycle(CycleKind.WEEKLY, 5)


@_phrase(r"(?:每|隔)?双周(?:一次)?|每(?:两|2)周(?:一次)?|每隔一周|隔周")
def _fortnightly(m, ctx):
    return ReportCycle(CycleKind.DAYS, 14)


@_phrase(rf"每(?P<n>{_NUM})天(?:一次)?")
def _every_days(m, ctx):
    n = _number(m["n"])
    return _counted(ctx, CycleKind.DAYS, n, 366, f"中的“每{n}天”超出范围（1到366）")


@_phrase(r"每(?:周|星期|礼拜)(?P<wd>[1-7一二三四五六日天])" + _SUFFIX)
def _weekly(m, ctx):
    wd = m["wd"]
    return ReportCycle(CycleKind.WEEKLY, 7 if wd in "日天" else _number(wd))


@_phrase(r"(?:每|按)(?:周|星期)(?![0-9一二三四五六七日天])")
def _weekly_bare(m, ctx):
    return ReportCycle(CycleKind.WEEKLY, 5)  # a week's report is due by the end of the working week


@_phrase(rf"每月(?P<d>{_NUM})[日号]" + _SUFFIX)
def _monthly(m, ctx):
    day = _number(m["d"])
    return _counted(ctx, CycleKind.MONTHLY, day, 31, f"中的“每月{day}日”不存在")


@_phrase(r"每月(?P<x>[上中下])旬(?:末|底)?(?:前|以前|之前|内)?")
def _monthly_xun(m, ctx):
    return ReportCycle(CycleKind.MONTHLY, {"上": 10, "中": 20, "下": 0}[m["x"]])


@_phrase(r"(?:每|按)半个?月")
def _halfmonthly(m, ctx):
    return ReportCycle(CycleKind.HALFMONTHLY)


@_phrase(r"(?:每|按|逐)月度?(?:月?(?:底|末)" + _SUFFIX + r"|(?:至少)?一次)?(?![0-9〇零一二三四五六七八九十两廿])")
def _monthly_end(m, ctx):
    return ReportCycle(CycleKind.MONTHLY, 0)


@_phrase(rf"每季度?(?:结束后|次月|后)(?P<d>{_NUM})(?:[日号天])(?:内|前|以前|之前)?")
def _quarterly_after(m, ctx):
    day = _number(m["d"])
    return _counted(ctx, CycleKind.QUARTERLY, day, 31, f"中的“{day}日”超出一个月")


@_phrase(rf"每季度?(?:的)?(?:最后一个月|末月)(?:的)?(?P<d>{_NUM})[日号]" + _SUFFIX)
def _quarter_last_month(m, ctx):
    day = _number(m["d"])
    return _counted(ctx, CycleKind.QUARTERLAST, day, 31, f"中的“{day}日”超出一个月")


@_phrase(r"(?:每|按)季度?(?:(?:末|底)" + _SUFFIX + r"|一次)?|以季度?为(?:节点|周期|单位)")
def _quarterly_end(m, ctx):
    return ReportCycle(CycleKind.QUARTERLY, 0)


@_phrase(r"(?:每|按)半年(?:(?:末|底)" + _SUFFIX + r"|一次)?")
def _halfyearly(m, ctx):
    return ReportCycle(CycleKind.HALFYEARLY)


@_phrase(rf"每年(?P<m>{_NUM})月(?P<d>{_NUM})[日号]" + _SUFFIX)
def _yearly(m, ctx):
    month, day = _number(m["m"]), _number(m["d"])
    ctx.date(2000, month, day) if 1 <= month <= 12 else ctx.month_end(month)  # refuse 2月30日, 13月 as such
    return ReportCycle(CycleKind.YEARLY, 100 * month + day)


@_phrase(r"每年(?:年)?(?:末|底)" + _SUFFIX)
def _yearly_end(m, ctx):
    return ReportCycle(CycleKind.YEARLY, 1231)


@_phrase(rf"每(?P<n>{_NUM})个工作日")
def _workdays(m, ctx):
    n = _number(m["n"])
    return _counted(ctx, CycleKind.WORKDAYS, n, 250, f"中的“每{n}个工作日”超出范围（1到250）")


@_phrase(r"每(?:个工作日|日|天)(?:一次?)?|日报制?")
def _daily(m, ctx):
    return ReportCycle(CycleKind.WORKDAYS, 1)


@_phrase(r"(?:本|当)月(?:(?:底|末|内)|(?P<x>[上中下])旬(?:末|底)?)" + _SUFFIX)
def _this_month(m, ctx):
    today = ctx.needs_today()
    end = _month_end(today.year, today.month)
    return end.replace(day={"上": 10, "中": 20, "下": end.day}[m["x"]]) if m["x"] else end


@_phrase(r"(?:下|次)月(?:底|末|内)" + _SUFFIX)
def _next_month(m, ctx):
    today = ctx.needs_today()
    return _month_end(today.year + today.month // 12, today.month % 12 + 1)


@_phrase(r"下(?:周|星期)(?P<wd>[1-7一二三四五六日天])" + _SUFFIX)
def _next_week(m, ctx):
    today = ctx.needs_today()
    wd = 7 if m["wd"] in "日天" else _number(m["wd"])
    return today + dt.timedelta(days=7 - today.weekday() + wd - 1)


@_phrase(rf"(?P<n>{_NUM})个月内")
def _within_months(m, ctx):
    today, n = ctx.needs_today(), _number(m["n"])
    year, month = today.year + (today.month - 1 + n) // 12, (today.month - 1 + n) % 12 + 1
    return today.replace(year=year, month=month, day=min(today.day, _month_end(year, month).day))


@_phrase(rf"(?P<n>{_NUM})个?(?:日|天)内")
def _within_days(m, ctx):
    return ctx.needs_today() + dt.timedelta(days=_number(m["n"]))


@_phrase(rf"(?P<n>{_NUM})个工作日内")
def _within_workdays(m, ctx):
    from duban.core import calendar  # reads the holiday table: only wordings that need it touch the database

    return calendar.add_workdays(ctx.needs_today(), _number(m["n"]))


@_phrase(r"(?P<y>20[0-9]{2})(?P<s>[./-])(?P<m>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})(?![0-9])" + _SUFFIX)
@_phrase(r"(?P<m>[0-9]{1,2})(?P<s>[./-])(?P<d>[0-9]{1,2})(?![0-9./-])" + _SUFFIX)
@_phrase(r"(?P<y>20[0-9]{2})(?P<m>[0-9]{2})(?P<d>[0-9]{2})(?![0-9])" + _SUFFIX)
def _numeric_date(m, ctx):
    year = m.groupdict().get("y")
    return ctx.date(int(year) if year else ctx.year, int(m["m"]), int(m["d"]))


@_phrase(rf"(?P<m>{_NUM})月份?(?P<d>{_NUM})[日号]" + _SUFFIX, after_year=True)
def _day(m, ctx):
    return ctx.date(ctx.year, _number(m["m"]), _number(m["d"]))


@_phrase(rf"(?P<m>{_NUM})月份?(?P<x>[上中下])旬(?:末|底)?(?:前|以前|之前|内)?", after_year=True)
def _xun(m, ctx):
    # A 旬 ends on the 10th, the 20th or the month's last day; "中旬前" is read as by the end of it too.
    end = ctx.month_end(_number(m["m"]))
    return end.replace(day={"上": 10, "中": 20, "下": end.day}[m["x"]])


@_phrase(rf"(?P<m>{_NUM})月份?(?:底|末)" + _SUFFIX, after_year=True)
def _month_end_phrase(m, ctx):
    return ctx.month_end(_number(m["m"]))


@_phrase(rf"(?P<m>{_NUM})月份?(?:前|以前|之前)", after_year=True)
def _before_month(m, ctx):
    month = _number(m["m"])
    ctx.month_end(month)  # refuse 13月 as such
    earlier = f"{month - 1}月底前" if month > 1 else "上年12月底前"
    raise ctx.refuse(f"有歧义（{month}月开始前还是结束前？），请写成“{earlier}”或“{month}月底前”")


@_phrase(rf"(?P<m>{_NUM})月份?内?(?![0-9〇零一二三四五六七八九十两廿中])", after_year=True)
def _month(m, ctx):
    return ctx.month_end(_number(m["m"]))


@_phrase(rf"第?(?P<q>{_QUARTER})季度?(?:前|以前|之前)", after_year=True)
def _before_quarter(m, ctx):
    q = _number(m["q"])
    earlier = f"{3 * q - 3}月底前" if q > 1 else "上年12月底前"
    raise ctx.refuse(f"有歧义（第{'一二三四'[q - 1]}季度开始前还是结束前？），请写成“{earlier}”或“{3 * q}月底前”")


@_phrase(rf"第?(?P<q>{_QUARTER})季度内?", after_year=True)
@_phrase(rf"第?(?P<q>{_QUARTER})季度?(?:末|底)" + _SUFFIX, after_year=True)
def _quarter(m, ctx):
    return _month_end(ctx.year, 3 * _number(m["q"]))


@_phrase(r"(?P<h>[上下])半年(?:(?:底|末)" + _SUFFIX + r"|内)?(?!前|以前|之前)", after_year=True)
def _half_year(m, ctx):
    return _month_end(ctx.year, 6 if m["h"] == "上" else 12)


@_phrase(r"(?P<nian>年)?中" + _SUFFIX, after_year=True)
def _mid_year(m, ctx):
    return _month_end(ctx.year, 6) if m["nian"] or ctx.explicit_year else None


@_phrase(r"全年(?:内)?", after_year=True)
def _whole_year(m, ctx):
    return _month_end(ctx.year, 12)  # work spread over the year is done by its end


@_phrase(r"(?P<nian>年)?度?(?:(?:底|末)" + _SUFFIX + "|内)", after_year=True)
def _year_end(m, ctx):
    return _month_end(ctx.year, 12) if m["nian"] or ctx.explicit_year else None


@_phrase(r"度?", after_year=True)
def _year_alone(m, ctx):
    return _month_end(ctx.year, 12) if ctx.explicit_year else None


@_phrase(r"(?P<y>20[0-9]{2})$")
def _bare_year(m, ctx):
    return _month_end(int(m["y"]), 12)  # a cell that says only "2024": within that year


_YEAR_PREFIX = re.compile(rf"(?:(?P<y>{_YEAR})|(?P<rel>今|本|当|明|次))年")
_LEAD = re.compile(
    r"(?:并且?|且|同时|力争|争取|确保|务必|必须|须|应当?|要|预计(?:至|到)?|持续(?:至|到)|分别|于|在|截至|截止(?:到|于|日期|时间)?:?|到"
    r"|(?:自|从)?交办之日起|(?:自|从)?即日起?(?:至|到)"
    r"|(?:延期|延长|顺延|推迟|调整)(?:至|到)|延至)*"
)
# What may follow the time phrase is the work ("完成方案"), never more timing or a hedge.
_HARMLESS = re.compile(r"上月|本月|当月|上周|本周|当周|上季度|本季度|当季度|月度|年度|日常|前期")
_TIMING = re.compile(
    r"[0-9]|年|月|日|号|旬|季|周|星期|底|末|初|适时|左右|视|待|另行|择机|尽快|逐步|之前|以前|之后|以后|前后|后"
    r"|每|长期|持续|常态|常年|立即|即日|随时|[二两三四五六七八九十](?:期|次)"
)
# A rest that starts like this continues the time phrase ("12月下", "2026年五") or lists another one
# ("每周一、三"); "上报", "下达", "明确", "中期评估" are work and may follow.
_DANGLING = re.compile(
    r"[前内底末份度、和及或至~—–\-第半旬初〇零一二三四五六七八九十两廿]|以前|今|明(?!确)"
    r"|[上中下](?:$|[前后内底末份度旬半午今明上中下、0-9〇零一二三四五六七八九十两廿])"
)
_SEPARATORS = re.compile(r"[,;。\n\r]")
_LIST = re.compile(r"、|和")


# Brackets after a date name its weekday, checked against the date and dropped: "3月14日（星期五）前".
_WEEKDAY = re.compile(r"\((?P<said>(?:星期|周|礼拜)(?P<d>[1-7一二三四五六日天]))\)")
_BRACKET = re.compile(r"\((?P<inner>[^()]*)\)")
_NOTE = re.compile(r"\((?!(?:星期|周|礼拜)[1-7一二三四五六日天]\))[^()]*\)")  # a bracket that is no weekday
# "每季度末（分别在3月25日、6月25日、9月25日、12月25日前）": the brackets spell out the rhythm.
_QUARTER_DAYS = re.compile(r"每季度?末?\((?:分别)?(?:在|于|为)?(?P<days>[^()]+)\)(?P<rest>.*)")
_RANGE = re.compile(r"至|到|—|~")
_TIME_OF_DAY = re.compile(r"(?:(?:上午|中午|下午)?下班(?:前|以前|之前)?)?")
_START_ONLY = re.compile(r"(?:从|自)(?P<start>.+?)(?:起|开始)(?:实施|执行|施行)?|(?!即日)(?P<bare>(?:本|当|下|次)月|[0-9]{1,2}月|20[0-9]{2}年)起")
# How far a task has got is not when it is due: a 完成情况 pasted into the 完成时限 column.
_STATUS = re.compile(
    r"(?:该问题|该项目|项目)?(?:已|未|尚未|基本|全面|提前|已提前|按期|按时|如期|逾期|部分|已全部|全部)?"
    r"(?:完成|办结|启动|完工|竣工|整改)(?:整改|年度任务|建设)?"
    r"|(?:欠|超|达)进度|未达序时|(?:进度|进展|严重)?滞后(?:序时)?|序时推进|正在(?:推进|办理|整改|施工|实施)中?"
    r"|(?:推进|进行|施工|实施|办理|整改)中|(?:项目)?暂缓"
)
_WEEKDAYS = "一二三四五六日"


class _NoteRefused(DeadlineError):
    """A bracketed note the ledger cannot hold ("(本次报送于5月29日)"): the wording without it is proposed."""


def _outside_brackets(text: str, separators: re.Pattern) -> list[int]:
    """Where `separators` match in `text` outside round brackets."""
    depth, at = 0, []
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and separators.match(text, i):
            at.append(i)
    return at


def _read_clause(clause: str, text: str, year: int, today: dt.date | None) -> list[_Part]:
    """The meanings of one clause: one, or one per date of a list ("4月8日、7月8日前")."""
    clause = clause[_LEAD.match(clause).end():]
    quarter_days = _QUARTER_DAYS.fullmatch(clause)
    if quarter_days:
        return [_quarter_days(quarter_days, text, year, today)]
    # A list of dates ("4月8日、7月8日前", "6月底和7月底"); a piece without timing is the work going on
    # ("2024年完成大瑶中学、杨花中学建设"), kept with the piece before it.
    elements, start = [], 0
    for end in [*_outside_brackets(clause, _LIST), len(clause)]:
        piece = clause[start:end]
        if elements and not _TIMING.search(piece) and not _DANGLING.match(piece):
            elements[-1] += clause[start - 1:end]
        else:
            elements.append(piece)
        start = end + 1
    parts = []
    for element in elements:
        part, year = _read_element(element, text, year, today)  # a year named carries to the next date
        parts.append(part)
    return parts


def _read_element(element: str, text: str, year: int, today: dt.date | None) -> tuple[_Part, int]:
    """One time phrase (a period "4月至9月" reads as its end), and the year it was in."""
    ctx = _Context(text, year, today, explicit_year=False)
    element = re.sub(r"(?<=[月日号旬底末])[-–](?=[0-9〇零一二三四五六七八九十两])", "至", element)  # "5月-8月"
    element = re.sub(r"^([0-9]{1,2})[-–](?=[0-9]{1,2}月)", r"\1至", element)  # "3-4月"
    if _START_ONLY.fullmatch(element) and not _RANGE.search(element):
        raise ctx.refuse(f"只写了开始时间，没有完成时限，请写明须在哪天前完成，如“{year}年12月31日前”")
    for at in _outside_brackets(element, _RANGE):
        left, right = re.sub(r"^(?:自|从)", "", element[:at]), element[at + 1:]  # "自2018年7月至2019年3月"
        if not left or not right:
            continue
        if re.fullmatch(_NUM, left) and re.match(rf"(?:{_NUM})月", right):
            left += "月"  # "3至6月"
        try:
            first, year_of = _read_single(left, text, year, today)
            last, _ = _read_single(right, text, year_of, today)
        except DeadlineError:
            continue  # "6月底前报送至县政府办": the 至 is part of the work
        if isinstance(first, dt.date) and isinstance(last, dt.date):
            if first > last:
                raise ctx.refuse(f"中开始晚于结束（{first:%Y-%m-%d}—{last:%Y-%m-%d}），请核对")
            return last, year_of
    return _read_single(element, text, year, today)


def _read_single(element: str, text: str, year: int, today: dt.date | None) -> tuple[_Part, int]:
    """One time phrase with an optional weekday in brackets or a subject in front ("由相关部门长期推进")."""
    ctx = _Context(text, year, today, explicit_year=False)
    weekday = _WEEKDAY.search(element)
    if weekday:
        part, year = _read_single(element[:weekday.start()] + element[weekday.end():], text, year, today)
        said = weekday["d"]
        number = 7 if said in "日天" else _number(said)
        if not isinstance(part, dt.date):
            raise ctx.refuse()
        if part.isoweekday() != number:
            raise ctx.refuse(
                f"中的{part.year}年{part.month}月{part.day}日是星期{_WEEKDAYS[part.isoweekday() - 1]}，"
                f"与括号中的“{weekday['said']}”不符，请核对日期"
            )
        return part, year
    bracket = _BRACKET.search(element)
    if bracket:
        raise _NoteRefused(str(ctx.refuse(f"中括号内的“{bracket['inner']}”无法记入完成时限，请删去括号或另行注明")))
    if element.startswith("由"):
        # The unit that does the work, written in front of the time: "由县发改局牵头持续推进".
        for end in range(2, len(element)):
            if _TIMING.search(element[1:end]):
                break
            try:
                return _read_single(element[end:], text, year, today)
            except DeadlineError:
                continue
        raise ctx.refuse()
    return _parse_clause(element, text, year, today)


def _quarter_days(match: re.Match, text: str, year: int, today: dt.date | None) -> ReportCycle:
    """The rhythm that "每季度末（分别在3月25日、6月25日…）" spells out, if the dates make one."""
    ctx = _Context(text, year, today, explicit_year=False)
    days = []
    for element in _LIST.split(match["days"]):
        day, year = _read_element(element, text, year, today)
        if not isinstance(day, dt.date):
            raise ctx.refuse()
        days.append(day)
    rest = match["rest"]
    if _DANGLING.match(rest) or _TIMING.search(_HARMLESS.sub("", rest)):
        raise ctx.refuse()
    months = {d.month % 3 for d in days}
    if len(days) > 1 and months == {0} and all(d == _month_end(d.year, d.month) for d in days):
        return ReportCycle(CycleKind.QUARTERLY, 0)
    if len(days) > 1 and len({d.day for d in days}) == 1 and months in ({0}, {1}):
        return ReportCycle(CycleKind.QUARTERLAST if months == {0} else CycleKind.QUARTERLY, days[0].day)
    raise ctx.refuse("括号中的日期不是每季度同一天，请写成“每季度最后一个月25日前”或“每季度结束后10日内”")


def _parse_clause(clause: str, text: str, year: int, today: dt.date | None) -> tuple[_Part, int]:
    """The meaning of one time phrase and the year it was in, or DeadlineError."""
    prefix = _YEAR_PREFIX.match(clause)
    if prefix:
        if prefix["y"]:
            year = _number(prefix["y"])
        elif prefix["rel"] in "明次":
            year += 1
        clause = clause[prefix.end():]
    ctx = _Context(text, year, today, explicit_year=bool(prefix))
    for pattern, handler, after_year in _PATTERNS:
        if prefix and not after_year:
            continue
        match = pattern.match(clause)
        if match is None:
            continue
        try:
            part = handler(match, ctx)
        except DeadlineError:
            raise
        except (KeyError, ValueError):  # a malformed Chinese numeral such as 十十
            raise ctx.refuse() from None
        rest = clause[match.end():]
        rest = rest[_TIME_OF_DAY.match(rest).end():]  # "下班前" is still that day
        # A phrase followed by more timing is a different, longer phrase (or none): try the next pattern.
        if part is not None and not _DANGLING.match(rest) and not _TIMING.search(_HARMLESS.sub("", rest)):
            return part, year
    raise ctx.refuse()


def _parse(text: str, year: int, today: dt.date | None) -> Deadline:
    shown = text.strip()
    normal = unicodedata.normalize("NFKC", text)  # full-width digits, commas, dots and brackets to half-width
    whole = "".join(normal.split())
    if re.fullmatch(r"\([^()]+\)", whole):  # the whole cell in brackets: "(5月-8月)"
        normal = whole[1:-1]
    clauses = [c for c in ("".join(c.split()).rstrip(".!") for c in _SEPARATORS.split(normal)) if c]
    ctx = _Context(shown, year, today, explicit_year=False)
    if clauses and _STATUS.fullmatch(clauses[0]):
        raise ctx.refuse(
            f"是完成情况（工作进展），不是完成时限，请填写须完成的日期，如“{year}年12月31日前”；进展请在报送进展时填写"
        )
    # A clause with no timing at all is the work ("12月底前完成，组织验收"), once another clause has some.
    if any(_TIMING.search(c) for c in clauses):
        clauses = [c for c in clauses if _TIMING.search(c)]
    parts = [part for c in clauses for part in _read_clause(c, shown, year, today)]
    if not parts:
        raise DeadlineError("完成时限为空，请填写，如“6月底前”“长期坚持”")
    dates = sorted({p for p in parts if isinstance(p, dt.date)})
    standing = any(p is True for p in parts)
    cycles = {p for p in parts if isinstance(p, ReportCycle)}
    if len(cycles) > 1:
        raise ctx.refuse("写了不止一个报送周期，请只保留一个")
    cycle = str(cycles.pop()) if cycles else ""
    if dates and standing:
        raise ctx.refuse("既有完成日期又是长期工作，请拆成两项任务，或只写其中一种")
    if not dates:
        # A report rhythm alone names no day the work is done: it is standing work reported on that cycle.
        return Deadline(text=text, standing=True, report_cycle=cycle)
    return Deadline(text=text, due_date=dates[-1], report_cycle=cycle, milestones=tuple(dates))


def _last_day_instead(m: re.Match, year: int) -> str:
    """"6月31日" as the last day of that month; anything else as written."""
    month, day, year = int(m["m"]), int(m["d"]), int(m["y"] or year)
    if not 1 <= month <= 12 or day <= _month_end(year, month).day:
        return m[0]
    return m[0][: -len(m["d"]) - 1] + f"{_month_end(year, month).day}日"


# Slips a county's sheet makes, each with what was surely meant; only ever proposed.
_SLIPS: list[tuple[re.Pattern, Callable[[re.Match, int], str]]] = [
    (re.compile(r"(20[0-9]{2})(?=[0-9]{1,2}月)"), lambda m, year: m[1] + "年"),  # "20251月20日"
    (re.compile(r"([0-9]{1,2}月[0-9]{1,2})(?![0-9日号])"), lambda m, year: m[1] + "日"),  # "1月20"
    (re.compile(r"(?:(?P<y>20[0-9]{2})年)?(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日"), _last_day_instead),  # "6月31日"
]


def _proposal(shown: str, year: int, today: dt.date | None, *, drop_notes: bool) -> str:
    """The reading a refused wording surely meant, if correcting its slips (or dropping a note) makes one."""
    corrected = unicodedata.normalize("NFKC", shown)
    for pattern, fix in _SLIPS:
        corrected = pattern.sub(lambda m, fix=fix: fix(m, year), corrected)
    # A weekday that does not fit its date is not dropped: which of the two is wrong is anybody's guess.
    for candidate in (corrected, _NOTE.sub("", corrected) if drop_notes else corrected):
        if candidate == unicodedata.normalize("NFKC", shown):
            continue
        try:
            _parse(candidate, year, today)
        except DeadlineError:
            continue
        return candidate
    return ""


def parse_deadline(text: str, year: int, *, today: dt.date | None = None) -> Deadline:
    """Read a 完成时限 wording for a campaign `year` (relative wordings count from `today`); never guess.

    A refused wording with a likely reading names it ("是否指“2025年1月20日”？") in the message and in
    `DeadlineError.proposal`; it is never applied.
    """
    try:
        return _parse(text, year, today)
    except DeadlineError as refused:
        proposal = _proposal(text.strip(), year, today, drop_notes=isinstance(refused, _NoteRefused))
        if not proposal:
            raise
        reason = str(refused).split("，请")[0]  # the proposal replaces the general advice
        raise DeadlineError(
            f"{reason}，是否指“{proposal}”？如是，请照此改正后重新提交（系统不会自动改动）", proposal
        ) from None
