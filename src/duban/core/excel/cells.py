"""A cell as counties fill it in: its text as shown, a date however it is written (an Excel date, 2026-03-05,
2026.3.5, 2026/3/5, 2026年3月5日), an amount in 万元 however it is written (5, 5.5, "5万元", "50000元").

Each reader returns None for an empty cell and raises CellError, whose message says in Chinese what is wrong
and how to write it, for a cell it cannot read: the import that calls it names the row and column.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from duban.core.text import strip_invisible


class CellError(ValueError):
    """A cell that cannot be read as what its column holds; the message says why, in Chinese."""


def clean(value) -> str:
    """A cell's value as the text it shows: stripped, Windows line ends folded, whole numbers without ".0",
    no zero-width or bidi-control characters (a sheet is input like a form)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        value = value.date() if not (value.hour or value.minute or value.second) else value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value.year}年{value.month}月{value.day}日"
    text = strip_invisible(str(value)).replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕")


def header_key(text) -> str:
    """The comparable form of a header cell: NFKC, no spaces, no remark in brackets ("完成时限（2026年）")."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text = "".join(text.split())
    return _BRACKETS.sub("", text).strip(":：*")


def writable(text: str) -> str:
    """Text Excel can hold (no control characters)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def text_cell(cell, value: str) -> None:
    """Write `value` into an openpyxl cell as text: a name or reason beginning with = is not a formula to run."""
    from duban.core.text import formula_like

    cell.value = value
    cell.data_type = "s"
    cell.quotePrefix = formula_like(value)


_DATE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
_DATETIME = re.compile(r"^(.+?)[\sT]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's leap-year bug is before March 1900)


def parse_date(value) -> dt.date | None:
    """The date a cell holds: an Excel date (or its serial number, as a cell formatted as a number shows it)
    or text in the usual ways; None if empty."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # 1954–2119: a date cell read as its serial number
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(f"“{clean(value)}”不是日期，请写成 2026-03-05、2026.3.5 或 2026年3月5日")
    text = clean(value).replace(" ", "")
    timed = _DATETIME.match(text)
    if timed:
        text = timed.group(1)
    match = _DATE.match(text)
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise CellError(f"“{clean(value)}”不是有效日期（没有这一天）") from None
    raise CellError(f"“{clean(value)}”不是日期，请写成 2026-03-05、2026.3.5 或 2026年3月5日")


def parse_datetime(value, tz) -> dt.datetime | None:
    """A date and time in time zone `tz` ("2026-03-05 14:30", an Excel date-time; a date alone is its
    midnight); None if empty."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    timed = _DATETIME.match(clean(value)) if isinstance(value, str) else None
    day = parse_date(timed.group(1) if timed else value)
    hour = minute = second = 0
    if timed:
        hour, minute, second = int(timed.group(2)), int(timed.group(3)), int(timed.group(4) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise CellError(f"“{clean(value)}”不是有效时间")
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz)


_AMOUNT = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(万元|万|元)?$")


def parse_amount(value, *, places: int = 2) -> Decimal | None:
    """An amount in 万元: a number as it stands, "5万元" / "5万" as 5, "50000元" as 5; None if empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(f"“{clean(value)}”不是金额")
    if isinstance(value, (int, float, Decimal)):
        amount = Decimal(str(value))
    else:
        text = clean(value).replace(",", "").replace("，", "").replace(" ", "")
        match = _AMOUNT.match(text)
        if not match:
            raise CellError(f"“{clean(value)}”不是金额，请写成数字（单位万元），如 5 或 5万元")
        try:
            amount = Decimal(match.group(1))
        except InvalidOperation:
            raise CellError(f"“{clean(value)}”不是金额") from None
        if match.group(2) == "元":
            amount = amount / 10000
    if amount < 0:
        raise CellError(f"“{clean(value)}”是负数，金额不能为负")
    return amount.quantize(Decimal(1).scaleb(-places))
