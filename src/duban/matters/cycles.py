"""The periodic report cycle of a matter (SPEC §2): "每周五前", "每月25日前", "每季度末" … kept as a code.

Canonical codes (what the CharField holds; `str(ReportCycle.parse(code)) == code` for every valid code):

    ""             no cycle
    "weekly:D"     by weekday D of every week, 1 = Monday … 7 = Sunday          每周五前
    "monthly:N"    by day N (1–31) of every month, the last day when the month is shorter; 0 = the last day
                                                                                每月25日前 / 每月月底前
    "quarterly:0"  by the last day of each quarter (03-31, 06-30, 09-30, 12-31)  每季度末
    "quarterly:N"  by day N (1–31) of the month after each quarter (Jan, Apr, Jul, Oct), i.e. the report on
                   the quarter just ended, as in "每季度结束后10日内"              每季度次月10日前
    "halfmonthly"  by the 15th and by the last day of every month               每半月
    "workdays:N"   N (1–250) working days after the previous report              每5个工作日

A "by day X" due date that falls on a day off moves back to the last working day before it: "每月25日前报送"
with the 25th on a Sunday is due on Friday the 23rd, because the office receives reports on working days and
"前" rules out the Monday after. Across a long holiday two nominal dates can therefore share one due date.
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
    HALFMONTHLY = "halfmonthly"
    WORKDAYS = "workdays"


# The kinds that carry a number, and its allowed range.
_RANGES = {
    CycleKind.WEEKLY: (1, 7),
    CycleKind.MONTHLY: (0, 31),
    CycleKind.QUARTERLY: (0, 31),
    CycleKind.WORKDAYS: (1, 250),
}
# No leading zeros and no spaces, so that each cycle has exactly one code.
_CODE = re.compile(r"(?P<kind>[a-z]+)(?::(?P<n>0|[1-9][0-9]{0,2}))?")
_KINDS = {kind.value for kind in CycleKind if kind is not CycleKind.NONE}
_FORMATS = "weekly:5、monthly:25、monthly:0、quarterly:0、quarterly:10、workdays:5、halfmonthly 或空"


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
    def label(self) -> str:
        """The cycle as a county document words it."""
        match self.kind:
            case CycleKind.WEEKLY:
                return f"每周{_WEEKDAY_NAMES[self.n - 1]}前"
            case CycleKind.MONTHLY:
                return f"每月{self.n}日前" if self.n else "每月月底前"
            case CycleKind.QUARTERLY:
                return f"每季度次月{self.n}日前" if self.n else "每季度末"
            case CycleKind.HALFMONTHLY:
                return "每半月"
            case CycleKind.WORKDAYS:
                return f"每{self.n}个工作日"
        return "无"

    def next_due(self, after: dt.date) -> dt.date | None:
        """The first due date strictly after `after` (always a working day); None for no cycle."""
        if self.kind is CycleKind.NONE:
            return None
        if self.kind is CycleKind.WORKDAYS:
            return calendar.add_workdays(after, self.n)
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
        if self.n == 0:  # quarterly, by the quarter's last day
            return [last] if month % 3 == 0 else []
        return [min(self.n, last)] if month % 3 == 1 else []
