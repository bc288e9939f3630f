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
Standing work (长期坚持, 持续推进, 常态化(推进), 长期) has no due date. A wording that only sets a report
rhythm ("每月25日前报送进展") is standing too, with that report cycle: it names no day the work is done.
Report rhythms give a ReportCycle code (see duban.matters.cycles), and each cycle's label reads back as it;
bare "每月"/"按月" is by the month's last day, "每周" by Friday, "每季度" by the quarter's last day,
"每季度结束后10日内" by the 10th of the month after, "每日" every working day.
With a reference `today` (the day of assignment) relative wordings are read too: "本月底前", "下月底前",
"15日内" (calendar days), "10个工作日内" (working days, from the calendar table).

Refused, with a message naming the wording: anything unrecognised; dates that do not exist (2月30日);
"6月前" and "三季度前" (before June starts or before it ends? a county writes both); "立即", "即日起",
"立行立改", "尽快", also next to a date (no date to count to: write the day by which it must be done); a standing
wording together with a completion date ("长期坚持，6月底前出台方案": split it into two tasks); two report
cycles; relative wordings without `today`.
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
    """A 完成时限 wording that cannot be read without guessing; the message is for the county's user."""


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


def _phrase(pattern: str, *, after_year: bool = False):
    """Register a handler for a time phrase at the start of a clause."""

    def register(handler: _Handler) -> _Handler:
        _PATTERNS.append((re.compile(pattern), handler, after_year))
        return handler

    return register


# Immediacy has no date to count to: the sheet must say by when.
@_phrase(r"立即|立刻|马上|立行立改|即日起|即时|尽快|随时|限期")
def _immediate(m, ctx):
    raise ctx.refuse(f"没有具体日期，请写明须在哪天前完成，如“{ctx.year}年3月31日前”")


@_phrase(r"(?:长期|持续|常态化|常态长效|长效)(?:坚持|推进|开展|落实|执行|抓好)?")
def _standing(m, ctx):
    return True


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
    if not 1 <= day <= 31:
        raise ctx.refuse(f"中的“每月{day}日”不存在")
    return ReportCycle(CycleKind.MONTHLY, day)


@_phrase(r"每月(?P<x>[上中下])旬(?:末|底)?(?:前|以前|之前|内)?")
def _monthly_xun(m, ctx):
    return ReportCycle(CycleKind.MONTHLY, {"上": 10, "中": 20, "下": 0}[m["x"]])


@_phrase(r"(?:每|按)半个?月")
def _halfmonthly(m, ctx):
    return ReportCycle(CycleKind.HALFMONTHLY)


@_phrase(r"(?:每|按)月度?(?:月?(?:底|末)" + _SUFFIX + r")?(?![0-9〇零一二三四五六七八九十两廿])")
def _monthly_end(m, ctx):
    return ReportCycle(CycleKind.MONTHLY, 0)


@_phrase(rf"每季度?(?:结束后|次月|后)(?P<d>{_NUM})(?:[日号天])(?:内|前|以前|之前)?")
def _quarterly_after(m, ctx):
    day = _number(m["d"])
    if not 1 <= day <= 31:
        raise ctx.refuse(f"中的“{day}日”超出一个月")
    return ReportCycle(CycleKind.QUARTERLY, day)


@_phrase(r"(?:每|按)季度?(?:(?:末|底)" + _SUFFIX + ")?")
def _quarterly_end(m, ctx):
    return ReportCycle(CycleKind.QUARTERLY, 0)


@_phrase(rf"每(?P<n>{_NUM})个工作日")
def _workdays(m, ctx):
    n = _number(m["n"])
    if not 1 <= n <= 250:
        raise ctx.refuse(f"中的“每{n}个工作日”超出范围（1到250）")
    return ReportCycle(CycleKind.WORKDAYS, n)


@_phrase(r"每(?:个工作日|日|天)")
def _daily(m, ctx):
    return ReportCycle(CycleKind.WORKDAYS, 1)


@_phrase(r"(?:本|当)月(?:底|末|内)" + _SUFFIX)
def _this_month(m, ctx):
    today = ctx.needs_today()
    return _month_end(today.year, today.month)


@_phrase(r"(?:下|次)月(?:底|末|内)" + _SUFFIX)
def _next_month(m, ctx):
    today = ctx.needs_today()
    return _month_end(today.year + today.month // 12, today.month % 12 + 1)


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


@_phrase(r"(?P<nian>年)?度?(?:(?:底|末)" + _SUFFIX + "|内)", after_year=True)
def _year_end(m, ctx):
    return _month_end(ctx.year, 12) if m["nian"] or ctx.explicit_year else None


@_phrase(r"度?", after_year=True)
def _year_alone(m, ctx):
    return _month_end(ctx.year, 12) if ctx.explicit_year else None


_YEAR_PREFIX = re.compile(rf"(?:(?P<y>{_YEAR})|(?P<rel>今|本|当|明|次))年")
_LEAD = re.compile(r"(?:并且?|且|同时|力争|争取|确保|务必|必须|须|要|于|在|截至|截止(?:到|于)?|到|(?:自|从)?即日起?(?:至|到))*")
# What may follow the time phrase is the work ("完成方案"), never more timing or a hedge.
_HARMLESS = re.compile(r"上月|本月|当月|上周|本周|当周|上季度|本季度|当季度|月度|年度|日常|前期")
_TIMING = re.compile(
    r"[0-9]|年|月|日|号|旬|季|周|星期|底|末|初|适时|左右|视|待|另行|择机|尽快|逐步|之前|以前|之后|以后|前后|后"
    r"|每|长期|持续|常态|立即|即日|随时"
)
# A rest that starts like this continues the time phrase ("12月下", "2026年五") or lists another one
# ("每周一、三"); "上报", "下达", "明确", "中期评估" are work and may follow.
_DANGLING = re.compile(
    r"[前内底末份度、和及或至~—–\-第半旬初〇零一二三四五六七八九十两廿]|以前|今|明(?!确)"
    r"|[上中下](?:$|[前后内底末份度旬半午今明上中下、0-9〇零一二三四五六七八九十两廿])"
)
_SEPARATORS = re.compile(r"[,;。\n\r]")


def _parse_clause(clause: str, text: str, year: int, today: dt.date | None) -> _Part:
    """The meaning of one clause of a wording, or DeadlineError."""
    clause = clause[_LEAD.match(clause).end():]
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
        # A phrase followed by more timing is a different, longer phrase (or none): try the next pattern.
        if part is not None and not _DANGLING.match(rest) and not _TIMING.search(_HARMLESS.sub("", rest)):
            return part
    raise ctx.refuse()


def parse_deadline(text: str, year: int, *, today: dt.date | None = None) -> Deadline:
    """Read a 完成时限 wording for a campaign `year` (relative wordings count from `today`); never guess."""
    shown = text.strip()
    normal = unicodedata.normalize("NFKC", text)  # full-width digits, commas and dots to half-width
    clauses = ["".join(c.split()).rstrip(".!") for c in _SEPARATORS.split(normal)]
    parts = [_parse_clause(c, shown, year, today) for c in clauses if c]
    if not parts:
        raise DeadlineError("完成时限为空，请填写，如“6月底前”“长期坚持”")
    ctx = _Context(shown, year, today, explicit_year=False)
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
