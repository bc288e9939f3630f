"""The periodic report cycle of a matter (SPEC §2): "每周五前", "每月25日前", "每季度末" … kept as a code.

Canonical codes (what the CharField holds; `str(ReportCycle.parse(code)) == code` for every valid code):

    ""             no cycle
    "weekly:D"     by weekday D of every week, 1 = Monday … 7 = Sunday          每周五前
    "monthly:N"    by day N (1–31) of every month, the last day when the month is shorter; 0 = the last day
                                                                                每月25日前 / 每月月底前
    "quarterly:0"  by the last day of each quarter (03-31, 06-30, 09-30, 12-31)  每季度末
    "quarterly:N"  by day N (1–31) of the month after each quarter (Jan, Apr, Jul, Oct), i.e. the report on
                   the quarter just ended, as in "每季度结束后10日内"              每季度次月10日前
    "quarterlast:N" by day N (1–31) of the last month of each quarter (Mar, Jun, Sep, Dec) 每季度最后一个月25日前
    "halfmonthly"  by the 15th and by the last day of every month               每半月
    "halfyearly"   by the last day of each half year (06-30, 12-31)             每半年
    "yearly:MMDD"  by one day of every year, month × 100 + day (101–1231)       每年9月10日前 = yearly:910
    "workdays:N"   N (1–250) working days after the previous report              每5个工作日
    "days:N"       N (1–366) calendar days after the previous report             每两周 = days:14

A "by day X" due date that falls on a day off moves back to the last working day before it: "每月25日前报送"
with the 25th on a Sunday is due on Friday the 23rd, because the office receives reports on working days and
"前" rules out the Monday after (a cycle counted from the previous report moves forward instead when moving
back would land on or before that report). Across a long holiday two nominal dates can therefore share one due date.
"monthly:31" and "monthly:0" fall due on the same days but stay distinct codes, as the sheets word them.
"""

from __future__ import annotations

import calendar as gregorian
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from duban.core import calendar

_WEEKDAY_NAMES = "一二三四五六日"


class CycleKind(StrEnum):
    """The part of a cycle code before the colon."""

    NONE = ""
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    QUARTERLAST = "quarterlast"
    HALFMONTHLY = "halfmonthly"
    HALFYEARLY = "halfyearly"
    YEARLY = "yearly"
    WORKDAYS = "workdays"
    DAYS = "days"


# The kinds that carry a number, and its allowed range.
_RANGES = {
    CycleKind.WEEKLY: (1, 7),
    CycleKind.MONTHLY: (0, 31),
    CycleKind.QUARTERLY: (0, 31),
    CycleKind.QUARTERLAST: (1, 31),
    CycleKind.YEARLY: (101, 1231),
    CycleKind.WORKDAYS: (1, 250),
    CycleKind.DAYS: (1, 366),
}
# The kinds counted from the previous report rather than from the calendar.
_RELATIVE = {CycleKind.WORKDAYS, CycleKind.DAYS}
# No leading zeros and no spaces, so that each cycle has exactly one code.
_CODE = re.compile(r"(?P<kind>[a-z]+)(?::(?P<n>0|[1-9][0-9]{0,3}))?")
_KINDS = {kind.value for kind in CycleKind if kind is not CycleKind.NONE}
_FORMATS = (
    "weekly:5、monthly:25、monthly:0、quarterly:0、quarterly:10、quarterlast:25、halfmonthly、halfyearly、"
    "yearly:910、workdays:5、days:14 或空"
)


@dataclass(frozen=True)
class ReportCycle:
    """How often a matter must report progress; `ReportCycle()` is no cycle."""

    kind: CycleKind = CycleKind.NONE
    n: int = 0

    def __post_init__(self):
        try:
            object.__setattr__(self, "kind", CycleKind(self.kind))
        except ValueError:
            raise ValueError(f"无法识别报送周期“{self.kind}”，应为{_FORMATS}") from None
        if self.kind not in _RANGES:
            if self.n:
                raise ValueError(f"报送周期“{self.kind}”不带数字")
            return
        low, high = _RANGES[self.kind]
        if not low <= self.n <= high:
            raise ValueError(f"报送周期“{self.kind}:{self.n}”的数字应在{low}到{high}之间")
        if self.kind is CycleKind.YEARLY and not _is_month_day(*divmod(self.n, 100)):
            raise ValueError(f"报送周期“{self.kind}:{self.n}”不是一年中的日期（月×100+日，如 910 为9月10日）")

    @classmethod
    def parse(cls, code: str) -> ReportCycle:
        """The cycle a stored code stands for; ValueError (in Chinese) on anything but a canonical code."""
        if code == "":
            return cls()
        match = _CODE.fullmatch(code)
        if (
            match is None
            or match["kind"] not in _KINDS
            or (match["n"] is None) != (match["kind"] not in _RANGES)
        ):
            raise ValueError(f"无法识别报送周期“{code}”，应为{_FORMATS}")
        return cls(CycleKind(match["kind"]), int(match["n"] or 0))

    def __str__(self) -> str:
        return f"{self.kind}:{self.n}" if self.kind in _RANGES else str(self.kind)

    def __bool__(self) -> bool:
        return self.kind is not CycleKind.NONE

    @property
    def counts_from_report(self) -> bool:
        """Whether the next report is due a span after the previous one (not on the calendar's dates)."""
        return self.kind in _RELATIVE

    @property
    def label(self) -> str:
        """The cycle as a county document words it."""
        match self.kind:
            case CycleKind.WEEKLY:
                return f"每周{_WEEKDAY_NAMES[self.n - 1]}前"
            case CycleKind.MONTHLY:
                return f"每月{self.n}日前" if self.n else "每月月底前"
            case CycleKind.QUARTERLY:
                return f"每季度次月{self.n}日前" if self.n else "每季度末"
            case CycleKind.QUARTERLAST:
                return f"每季度最后一个月{self.n}日前"
            case CycleKind.HALFMONTHLY:
                return "每半月"
            case CycleKind.HALFYEARLY:
                return "每半年"
            case CycleKind.YEARLY:
                return f"每年{self.n // 100}月{self.n % 100}日前"
            case CycleKind.WORKDAYS:
                return f"每{self.n}个工作日"
            case CycleKind.DAYS:
                return "每两周" if self.n == 14 else f"每{self.n}天"
        return "无"

    def next_due(self, after: dt.date) -> dt.date | None:
        """The first due date strictly after `after` (always a working day); None for no cycle."""
        if self.kind is CycleKind.NONE:
            return None
        if self.kind is CycleKind.WORKDAYS:
            return calendar.add_workdays(after, self.n)
        if self.kind is CycleKind.DAYS:
            nominal = after + dt.timedelta(days=self.n)
            if calendar.is_workday(nominal):
                return nominal
            before = calendar.add_workdays(nominal, -1)
            return before if before > after else calendar.add_workdays(nominal, 0)
        for nominal in self._nominal_dates(after):
            due = nominal if calendar.is_workday(nominal) else calendar.add_workdays(nominal, -1)
            # "The last working day on or before" keeps the order of the nominal dates, so the due dates
            # ascend with them and the first one past `after` is the answer.
            if due > after:
                return due
        raise AssertionError("unreachable: the nominal dates never end")

    def _nominal_dates(self, start: dt.date) -> Iterator[dt.date]:
        """The dates the cycle names, ascending and without end, from `start`'s week or month on."""
        if self.kind is CycleKind.WEEKLY:
            day = start + dt.timedelta(days=(self.n - start.isoweekday()) % 7)
            while True:
                yield day
                day += dt.timedelta(days=7)
        year, month = start.year, start.month
        while True:
            last = gregorian.monthrange(year, month)[1]
            for day in self._days_in_month(month, last):
                yield dt.date(year, month, day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def _days_in_month(self, month: int, last: int) -> list[int]:
        """The nominal due days of one month (of `last` days), ascending."""
        if self.kind is CycleKind.MONTHLY:
            return [min(self.n, last) if self.n else last]
        if self.kind is CycleKind.HALFMONTHLY:
            return [15, last]
        if self.kind is CycleKind.HALFYEARLY:
            return [last] if month % 6 == 0 else []
        if self.kind is CycleKind.YEARLY:
            return [min(self.n % 100, last)] if month == self.n // 100 else []
        if self.kind is CycleKind.QUARTERLAST:
            return [min(self.n, last)] if month % 3 == 0 else []
        if self.n == 0:  # quarterly, by the quarter's last day
            return [last] if month % 3 == 0 else []
        return [min(self.n, last)] if month % 3 == 1 else []


def _is_month_day(month: int, day: int) -> bool:
    """Whether month/day is a day of some year (2月29日 is, in leap years)."""
    return 1 <= month <= 12 and 1 <= day <= gregorian.monthrange(2000, month)[1]
