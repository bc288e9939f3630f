"""The appeals' rates (SPEC §5, issue 8): pure reads through `Appeal.objects.visible_to`, by period (受理日期),
category and unit; every figure is a list of the appeal list's FilterSet (`LINKS`), so a number and its list
always hold the same appeals.

口径 (the definitions; the same words are on the page's 口径说明 box and in docs/guide.zh.md):

- 统计范围: the appeals the reader may see, accepted (受理日期) within the period, not declined, not merged, and
  not ruled out (不纳入考核, listed apart with their number) — `Appeal.objects.counted()`.
- 响应率 = appeals whose FIRST dispatch was signed for within the sign limit ÷ appeals due to respond (应签收:
  dispatched, and the first dispatch signed for or sent back, or its sign limit passed). A send-back on the
  first dispatch is not a response, and a second dispatch does not mend the first; an appeal still within its
  first sign limit is not yet counted either way (as 12345 centres count 按时签收: only what was due). Counted
  against the unit of the first dispatch (首次派单单位).
- 解决率 = closed appeals whose last reply's outcome is 已解决 ÷ closed appeals.
- 满意率 = appeals whose latest rating is 满意 or 基本满意 ÷ rated appeals. The latest rating, not only the closed
  appeals' final one: an appeal closes only when rated (basically) satisfied, so over closed appeals the rate
  would be 100% by construction; an appeal re-opened after 不满意 counts as unsatisfied until rated again.
- 按时办结率 = appeals every reply of which was within its reply limit, and not now past one unanswered ÷
  appeals due to reply (应答复: replied at least once, or 办理中 past the reply limit). An appeal nobody answers
  is late, not left out (else never replying would never be late).
- 平均办理时长 = mean working days (core.calendar.workdays_between) from 受理日期 to the last reply, over the
  replied appeals, one decimal.
- 退单 = send-back events (MatterEvent "sent_back") per unit that sent back, and the appeals they were on
  (the number linked); 重复诉求 = repeats (a new appeal within 90 days of a closed one) per unit that closed it.

Rates come from whole counts and are rounded half up to one decimal only when shown.

How they are counted (issue 11's speed): each appeal's facts are columns of its row, written by the services in
the step that changes them — the first dispatch's unit (first_unit) and sign limit (first_sign_limit, from the
time limits in force at that dispatch), what first followed it (first_answer: on_time, late, or "" while nothing
has), and the replies' (replied, late_reply, last_reply_on, handling_days) — so the page is one GROUP BY over the
rates index (models.RATE_COLUMNS) with today as a parameter: a first dispatch not answered by its sign limit is
late from the day after, without a daily refresh. Migration 0006 filled the columns from the timeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from duban.appeals.choices import SATISFIED_RATINGS, AppealState, Category, Outcome
from duban.appeals.filters import AppealFilter
from duban.appeals.kind import APPEAL_KIND
from duban.appeals.models import Appeal, FirstAnswer
from duban.core.excel.cells import text_cell
from duban.core.models import Unit
from duban.matters.models import MatterEvent

# The page's own filters (the rest of the FilterSet is left out: every figure's list carries only these).
PERIOD_PARAMS = ("accepted_from", "accepted_to", "category")

# Each figure → the FilterSet parameters of its list (a unit's row adds its unit under UNIT_PARAM).
LINKS = {
    "counted": {},
    "response_due": {"response": "due"},
    "responded": {"response": "on_time"},
    "closed": {"state": AppealState.CLOSED},
    "resolved": {"state": AppealState.CLOSED, "outcome": Outcome.RESOLVED},
    "rated": {"rated": "true"},
    "satisfied": {"satisfied": "true"},
    "timely_due": {"timely": "due"},
    "on_time": {"timely": "on_time"},
    "replied": {"replied": "true"},
    "sent_back": {"sent_back": "1"},
    "repeats": {"repeat": "true"},
}
# The unit a figure counts against: the lead unit (承办单位), but the first dispatch's unit for the response, the
# unit that sent back for send-backs and the unit that closed the earlier appeal for repeats.
UNIT_PARAM = {"response_due": "first_unit", "responded": "first_unit", "sent_back": "sent_back_by", "repeats": "repeat_unit"}
UNIT_DROPS = {"sent_back": "sent_back", "repeats": "repeat"}  # the unit's own parameter replaces the total's


def percent(part: int, whole: int) -> Decimal | None:
    """part/whole as a percentage, unrounded (None: nothing to count)."""
    return None if not whole else Decimal(part) * 100 / Decimal(whole)


def one_decimal(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def shown_percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{one_decimal(value)}%"


@dataclass
class Figures:
    """One row of the rates: its counts, and the rates and mean they make."""

    label: str
    key: dict = field(default_factory=dict)  # the row's grouping parameter ({"category": "land"}, {"unit": 7})
    counted: int = 0
    response_due: int = 0
    responded: int = 0
    closed: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0
    timely_due: int = 0
    on_time: int = 0
    replied: int = 0
    handling_days: int = 0  # summed over the replied appeals
    sent_back: int = 0  # appeals sent back (linked)
    sent_back_events: int = 0  # send-backs (an appeal may be sent back twice)
    repeats: int = 0
    links: dict = field(default_factory=dict)

    @property
    def response_rate(self):
        return percent(self.responded, self.response_due)

    @property
    def resolution_rate(self):
        return percent(self.resolved, self.closed)

    @property
    def satisfaction_rate(self):
        return percent(self.satisfied, self.rated)

    @property
    def on_time_rate(self):
        return percent(self.on_time, self.timely_due)

    @property
    def average_days(self) -> Decimal | None:
        return None if not self.replied else one_decimal(Decimal(self.handling_days) / Decimal(self.replied))

    def shown(self, name: str) -> str:
        return shown_percent(getattr(self, name))

    def cells(self) -> list[dict]:
        """The page's cells of the row, in COLUMNS' order: a count with the link to its list, a rate, the mean."""
        out = []
        for _header, name in PAGE_COLUMNS:
            if name in RATES:
                out.append({"name": name, "text": self.shown(name), "link": ""})
            elif name == "average_days":
                out.append({"name": name, "text": "—" if self.average_days is None else str(self.average_days), "link": ""})
            else:
                extra = self.sent_back_events if name == "sent_back" and self.sent_back_events != self.sent_back else None
                out.append({"name": name, "text": str(getattr(self, name)), "link": self.links.get(name, ""), "events": extra})
        return out

    def absorb(self, counts: dict, *, main: bool = True, response: bool = True) -> None:
        """Add one group's counts (`compute`'s GROUP BY): the lead unit's figures (`main`), the first dispatch's
        (`response`)."""
        if main:
            for name in MAIN_COUNTS:
                setattr(self, name, getattr(self, name) + (counts[f"n_{name}"] or 0))
        if response:
            self.response_due += counts["n_response_due"]
            self.responded += counts["n_responded"]


@dataclass
class Metrics:
    filterset: AppealFilter
    params: dict  # the period and category as given or defaulted (what every link carries)
    total: Figures
    by_category: list[Figures]
    by_unit: list[Figures]
    ruled_out: list  # the ruled-out appeals (不纳入考核), listed apart
    ruled_out_link: str
    on: dt.date


# --- the conditions ------------------------------------------------------------------------------
# Each figure is a condition on the appeal's row: its state and ratings, and the facts the services store as the
# appeal moves (Appeal.first_unit … handling_days), so that the rates are counts, not a walk of the timelines.


def response_q(value: str, on: dt.date) -> Q:
    """The FilterSet's `response` parameter (due / on_time / late) as a condition: on time or late as decided by
    what first followed the first dispatch; late too if nothing has and its sign limit passed before `on`; not
    due (in neither) while within it, or never dispatched."""
    on_time = Q(first_answer=FirstAnswer.ON_TIME)
    late = Q(first_answer=FirstAnswer.LATE) | Q(first_answer="", first_sign_limit__lt=on)
    if value == "on_time":
        return on_time
    if value == "late":
        return late
    return on_time | late


def timely_q(value: str, on: dt.date) -> Q:
    """The FilterSet's `timely` parameter as a condition: due to reply (replied, or 办理中 past the reply limit),
    on time (every reply on time and not now overdue) or late."""
    overdue = Q(state=AppealState.HANDLING, due_date__lt=on)
    if value == "on_time":
        return Q(replied=True, late_reply=False) & ~overdue
    if value == "late":
        return Q(late_reply=True) | overdue
    return Q(replied=True) | overdue


# Figures' counts from the lead unit's side (the first dispatch's are response_due and responded).
MAIN_COUNTS = ("counted", "closed", "resolved", "rated", "satisfied", "timely_due", "on_time", "replied", "handling_days",
               "sent_back", "sent_back_events", "repeats")
# A row of the rates is a sum of groups by these (a category's, a unit's); the fine groups tell apart what the
# counts do (Appeal's RATE_GROUPS: the rates index walked in its order).
GROUP_KEYS = ("category", "lead_unit_id", "first_unit_id", "repeat_unit_id")
FINE_KEYS = (*GROUP_KEYS, "state", "outcome", "rating", "replied", "late_reply", "first_answer", "sendback_count")

# Each count of a Figures row over the fine groups (g_n appeals each, of which g_overdue 办理中 past the reply limit
# and g_past_limit past the first sign limit with nothing after the first dispatch): the same definitions as
# timely_q and response_q, taken apart by the group's columns. %s: the values, in OUTER_PARAMS' order.
OUTER_COUNTS = {
    "counted": "SUM(g_n)",
    "closed": "SUM(CASE WHEN state = %s THEN g_n ELSE 0 END)",
    "resolved": "SUM(CASE WHEN state = %s AND outcome = %s THEN g_n ELSE 0 END)",
    "rated": "SUM(CASE WHEN rating <> '' THEN g_n ELSE 0 END)",
    "satisfied": f"SUM(CASE WHEN rating IN ({', '.join(['%s'] * len(SATISFIED_RATINGS))}) THEN g_n ELSE 0 END)",
    "timely_due": "SUM(CASE WHEN replied THEN g_n ELSE g_overdue END)",
    "on_time": "SUM(CASE WHEN replied AND NOT late_reply THEN g_n - g_overdue ELSE 0 END)",
    "replied": "SUM(CASE WHEN replied THEN g_n ELSE 0 END)",
    "handling_days": "SUM(g_days)",
    "sent_back": "SUM(CASE WHEN sendback_count > 0 THEN g_n ELSE 0 END)",
    "sent_back_events": "SUM(sendback_count * g_n)",
    "repeats": "SUM(CASE WHEN repeat_unit_id IS NOT NULL THEN g_n ELSE 0 END)",
    "response_due": "SUM(CASE WHEN first_answer IN (%s, %s) THEN g_n ELSE g_past_limit END)",
    "responded": "SUM(CASE WHEN first_answer = %s THEN g_n ELSE 0 END)",
}
OUTER_PARAMS = [AppealState.CLOSED, AppealState.CLOSED, Outcome.RESOLVED, *sorted(SATISFIED_RATINGS), FirstAnswer.ON_TIME,
                FirstAnswer.LATE, FirstAnswer.ON_TIME]


def groups_of(counted, on: dt.date) -> list[dict]:
    """The counted appeals' counts by GROUP_KEYS, each named n_<count>: the fine groups as the index gives them
    (four aggregates per appeal, the index walked in its order, no sort), summed into the rows' groups over those
    few thousand — a quarter less than fourteen conditional counts per appeal at 200k appeals (the ORM has no
    GROUP BY over a subquery: plain SQL around it)."""
    fine = counted.order_by().values(*FINE_KEYS).annotate(
        g_n=Count("pk"), g_overdue=Count("pk", filter=Q(state=AppealState.HANDLING, due_date__lt=on)),
        g_past_limit=Count("pk", filter=Q(first_answer="", first_sign_limit__lt=on)), g_days=Sum("handling_days"))
    try:
        inner, params = fine.query.sql_with_params()
    except EmptyResultSet:  # nothing to count (Appeal.objects.none(): the period did not parse)
        return []
    keys = ", ".join(GROUP_KEYS)
    counts = ", ".join(f"{expression} AS n_{name}" for name, expression in OUTER_COUNTS.items())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {keys}, {counts} FROM ({inner}) fine GROUP BY {keys}", [*(str(p) for p in OUTER_PARAMS), *params])
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:  # whole numbers (PostgreSQL's SUM of integers is a numeric)
        row.update({name: int(row[name]) for name in names if name.startswith("n_") and row[name] is not None})
    return rows


# --- the page's figures ------------------------------------------------------------------------------


def default_params(params, on: dt.date) -> dict:
    """The page's period and category: as asked, else this year to date."""
    given = {k: params.get(k) for k in PERIOD_PARAMS if params.get(k)}
    if not given.get("accepted_from") and not given.get("accepted_to"):
        given["accepted_from"] = dt.date(on.year, 1, 1).isoformat()
        given["accepted_to"] = on.isoformat()
    return given


def as_query(params: dict) -> QueryDict:
    """The parameters as the list page reads them from its address (a multiple choice needs a QueryDict)."""
    return QueryDict(urlencode(params))


def list_url(params: dict) -> str:
    return reverse("appeals:appeal_list") + "?" + urlencode(params)


@lru_cache(maxsize=4096)
def _pair(key: str, value) -> str:
    return urlencode({key: value})


def _fast_url(path: str, params: dict) -> str:
    """list_url with the path already reversed and each key=value encoded once (the rates make ~550 links)."""
    return path + "?" + "&".join(_pair(k, v) for k, v in params.items())


def link_of(base: dict, figure: str, key: dict, path: str | None = None) -> str:
    """The list of the appeals behind one figure of a row keyed by `key` (a category, or a unit)."""
    params = {**base, "counting": "counted", **LINKS[figure]}
    if "unit" in key:
        params.pop(UNIT_DROPS.get(figure, ""), None)
        params[UNIT_PARAM.get(figure, "lead_unit")] = key["unit"]
    else:
        params.update(key)
    return _fast_url(path or reverse("appeals:appeal_list"), params)


def compute(user, params, on: dt.date | None = None, *, ruled_out: bool = True) -> Metrics:
    """The rates of the appeals `user` may see, accepted within the period of `params` (this year by default),
    of its category if one is given; by category and by unit, with the ruled-out appeals apart (their rows
    only if `ruled_out`: the dashboard shows the rates alone)."""
    on = on or timezone.localdate()
    base = default_params(params, on)
    visible = Appeal.objects.visible_to(user)
    filterset = AppealFilter(as_query({**base, "counting": "counted"}), queryset=visible)
    counted = filterset.qs if filterset.is_valid() else Appeal.objects.none()
    total = Figures(gettext("合计"))
    categories: dict[str, Figures] = {}
    units: dict[int, Figures] = {}

    def unit_row(pk: int) -> Figures:
        return units.setdefault(pk, Figures("", {"unit": pk}))

    # One GROUP BY: a group's counts go to its category, to its lead unit (承办单位) and, for the response, to the
    # unit of its first dispatch (首次派单单位), and its repeats to the unit that closed the earlier appeal.
    groups = groups_of(counted, on)
    for group in groups:
        category = group["category"]
        total.absorb(group)
        row = categories.get(category) or categories.setdefault(category, Figures(str(Category(category).label), {"category": category}))
        row.absorb(group)
        if group["lead_unit_id"]:
            unit_row(group["lead_unit_id"]).absorb(group, response=False)
        if group["first_unit_id"]:
            unit_row(group["first_unit_id"]).absorb(group, main=False)
        if group["repeat_unit_id"]:
            unit_row(group["repeat_unit_id"])
    for row in units.values():  # send-backs and repeats count against the unit that sent back, or closed: below
        row.sent_back = row.sent_back_events = row.repeats = 0
    for group in groups:
        if group["repeat_unit_id"]:
            unit_row(group["repeat_unit_id"]).repeats += group["n_repeats"]
    # The send-back events of the counted appeals: walked from the events (few: not a GROUP BY, which SQLite would
    # walk in the order of the unit index of every event), each asking for its appeal.
    counted_one = counted.order_by().filter(pk=OuterRef("matter_id"), sendback_count__gt=0)
    sendbacks = (MatterEvent.objects.filter(Exists(counted_one), kind=APPEAL_KIND.key, event="sent_back")
                 .order_by().values_list("unit_id", "matter_id"))
    seen = set()
    for unit_id, matter_id in sendbacks:
        if unit_id is None:
            continue
        row = unit_row(unit_id)
        row.sent_back_events += 1
        if (unit_id, matter_id) not in seen:
            seen.add((unit_id, matter_id))
            row.sent_back += 1

    names = dict(Unit.objects.filter(pk__in=units).values_list("pk", "name"))
    for pk, row in units.items():
        row.label = names.get(pk, "")
    by_unit = sorted(units.values(), key=lambda r: r.label)
    path = reverse("appeals:appeal_list")
    by_category = [categories[c] for c in Category.values if c in categories]
    for row in [total, *by_category, *by_unit]:
        row.links = {figure: link_of(base, figure, row.key, path) for figure in LINKS}

    ruled = AppealFilter(as_query({**base, "counting": "ruled_out"}), queryset=visible)
    ruled_rows = list(ruled.qs.select_related("lead_unit").order_by("accepted_on", "id")) if ruled_out and ruled.is_valid() else []
    return Metrics(filterset=filterset, params=base, total=total, by_category=by_category, by_unit=by_unit,
                   ruled_out=ruled_rows, ruled_out_link=list_url({**base, "counting": "ruled_out"}), on=on)


# --- the Excel copy ---------------------------------------------------------------------------------

# (header, figure or rate); the page's columns in the page's order.
COLUMNS = [
    (_("受理诉求"), "counted"), (_("应签收"), "response_due"), (_("按时签收"), "responded"), (_("响应率"), "response_rate"),
    (_("已办结"), "closed"), (_("已解决"), "resolved"), (_("解决率"), "resolution_rate"), (_("已评价"), "rated"),
    (_("满意和基本满意"), "satisfied"), (_("满意率"), "satisfaction_rate"), (_("应答复"), "timely_due"), (_("按时答复"), "on_time"),
    (_("按时办结率"), "on_time_rate"), (_("已答复"), "replied"), (_("平均办理时长（工作日）"), "average_days"), (_("退单诉求"), "sent_back"),
    (_("退单次数"), "sent_back_events"), (_("重复诉求"), "repeats"),
]
PAGE_COLUMNS = [c for c in COLUMNS if c[1] != "sent_back_events"]  # the page shows the events beside the appeals
RATES = {"response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate"}
DEFINITIONS = [
    _("统计范围：受理日期在统计期间内、已受理（不含不予受理和合并）且纳入考核的诉求；不纳入考核的诉求另列。"),
    _("响应率 = 首次派单后在签收时限内签收的诉求 ÷ 应签收的诉求（已派单，且首次派单已签收、已退单或签收时限已过）；首次派单即退单的不算响应，计入首次派单单位。"),
    _("解决率 = 已办结且最后一次答复为“已解决”的诉求 ÷ 已办结的诉求。"),
    _("满意率 = 最近一次评价为满意或基本满意的诉求 ÷ 已评价的诉求（重办中的诉求按最近一次“不满意”计）。"),
    _("按时办结率 = 每一轮答复都在答复时限内、且当前未超期的诉求 ÷ 应答复的诉求（已答复过，或办理中已过答复时限）。"),
    _("平均办理时长 = 已答复诉求从受理日期到最后一次答复日期的工作日数的平均值。"),
    _("退单：按退单单位统计退单次数和涉及的诉求；重复诉求：按办结原诉求的单位统计。比率按整数计算，显示时保留一位小数。"),
]


def cell_value(row: Figures, name: str):
    value = getattr(row, name)
    if name in RATES:
        return None if value is None else float(one_decimal(value))
    return None if value is None else (float(value) if isinstance(value, Decimal) else value)


def workbook(metrics: Metrics):
    """The page's figures as an .xlsx workbook (openpyxl): the total, by category, by unit, the ruled-out
    appeals, and the definitions; rates as percentages to one decimal, as on the page."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "诉求办理指标"
    period = f"受理日期 {metrics.params.get('accepted_from', '')} 至 {metrics.params.get('accepted_to', '')}"
    if metrics.params.get("category"):
        period += f"，诉求类别：{Category(metrics.params['category']).label}"
    sheet.append(["企业诉求办理指标（" + period + "）"])
    sheet["A1"].font = Font(bold=True, size=14)
    for title, rows in (("按诉求类别", [*metrics.by_category, metrics.total]), ("按承办单位", metrics.by_unit)):
        sheet.append([])
        sheet.append([title])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        sheet.append(["", *(str(header) for header, _name in COLUMNS)])
        for row in rows:
            sheet.append([row.label, *(cell_value(row, name) for _header, name in COLUMNS)])
    sheet.column_dimensions["A"].width = 24
    ruled = book.create_sheet("不纳入考核")
    ruled.append(["受理编号", "诉求类别", "承办单位", "受理日期", "不纳入考核理由"])
    for appeal in metrics.ruled_out:
        ruled.append([appeal.code, str(appeal.get_category_display()), str(appeal.lead_unit or ""), appeal.accepted_on, ""])
        text_cell(ruled.cell(ruled.max_row, 5), appeal.excluded_reason)
    notes = book.create_sheet("口径说明")
    for line in DEFINITIONS:
        notes.append([str(line)])
    notes.column_dimensions["A"].width = 120
    return book

