"""The figures of the project ledger (SPEC §6): investment against plan, completion rates, the pipeline, 三个一批.

Every figure is read through the list it links to — the project list's FilterSet (`selectors.project_filter`,
scoped by `Project.objects.visible_to`) or the monthly reports' (`selectors.report_filter`) — and each number
carries that list's query string, so a number and its list always hold the same rows.

口径 (the same words are in the pages' 口径说明 boxes):

- 项目库 (pipeline): the projects the reader sees, by stage (终止 apart), each with its total investment (总投资).
- 月计划 / 月完成: the month's planned investment of every monthly report of the year (InvestmentReport.planned),
  and the completed investment of the reports submitted (已报送); 累计 are their running sums from January.
- 年度计划: the annual planned investment (Project.annual_plan) of the projects whose plan year is the year;
  年度完成率 = 累计完成 ÷ 年度计划. By level and by leader in charge: the same projects' plan and their
  本年累计完成 (Project.year_completed, the sum of their submitted reports of the plan year).
- 三个一批: the projects signed (签约), started (开工) and put into production (投产) within a period, by the date
  of that move (signed_on, started_on, producing_on), whatever their stage now; with their total investment.

Rates come from the unrounded amounts (Decimal) and are rounded half up to one decimal only when shown — but a
rate short of 100% is shown 99.9%, never 100.0% (333.33 three times against a plan of 1000 is 99.999%: not done).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from duban.core.models import User
from duban.projects import kind, selectors
from duban.projects.choices import PIPELINE, Level, ReportState, Stage

ZERO = Decimal("0")
# The pages' own filters of the project list (the pipeline's and 三个一批's); every number's link carries them.
PROJECT_PARAMS = ("level", "industry", "leader")


def rate(done, plan) -> Decimal | None:
    """完成率 in percent, unrounded (None without a plan)."""
    if not plan:
        return None
    return Decimal(done or 0) * 100 / Decimal(plan)


ONE_DECIMAL = Decimal("0.1")
JUST_SHORT = Decimal("99.9")


def shown_rate(value: Decimal | None) -> str:
    """A rate as the pages show it: one decimal, rounded half up (48.571… → "48.6%"), except that a plan not met
    is never shown met — 99.999 is "99.9%", not "100.0%"; "—" without a plan."""
    if value is None:
        return "—"
    shown = value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    if value < 100 <= shown:
        shown = JUST_SHORT
    return f"{shown}%"


def shown_amount(value) -> str:
    """万元 to the hundred yuan, grouped, without trailing zeros: 52000.00 → "52,000", 800.50 → "800.5"; "—" for none."""
    if value is None:
        return "—"
    shown = format(Decimal(value).quantize(Decimal("0.01")), ",f").rstrip("0").rstrip(".")
    return shown or "0"


def report_list(**params) -> str:
    return reverse("projects:report_list") + ("?" + urlencode(params, doseq=True) if params else "")


def _kept(params: QueryDict, names) -> QueryDict:
    kept = QueryDict(mutable=True)
    for name in names:
        values = [v for v in params.getlist(name) if v]
        if values:
            kept.setlist(name, values)
    return kept


def project_filters(request, params):
    """The project list's FilterSet on the pages' own filters, and the valid ones as link parameters (an invalid
    filter is left out of the figures by the FilterSet, so it is left out of the links too)."""
    filterset = selectors.project_filter(request, _kept(params, PROJECT_PARAMS))
    errors = filterset.errors
    links = {name: values if name == "level" else values[0]
             for name, values in filterset.data.lists() if name not in errors}
    return filterset, links


# --- the pipeline ----------------------------------------------------------------------------------------


@dataclass
class StageFigures:
    stage: str
    label: str
    count: int = 0
    investment: Decimal = ZERO
    link: str = ""
    width: int = 0  # the funnel bar, in the chart's units (0‥FUNNEL["width"])
    x: int = 0
    y: int = 0

    @property
    def investment_text(self) -> str:
        return shown_amount(self.investment)

    @property
    def bar_y(self) -> int:
        return self.y + (FUNNEL["row"] - FUNNEL["bar"]) // 2

    @property
    def text_y(self) -> int:
        return self.y + FUNNEL["row"] // 2 + 5


@dataclass
class Pipeline:
    stages: list[StageFigures]
    stopped: StageFigures
    total: StageFigures
    filterset: object
    params: dict


# The funnel's SVG: a label column, the bars centred on the bar column, the figures' column.
FUNNEL = {"left": 170, "width": 520, "right": 220, "row": 36, "bar": 28}  # the label column fits "Preliminary procedures"
FUNNEL["total"] = FUNNEL["left"] + FUNNEL["width"] + FUNNEL["right"]
FUNNEL["height"] = FUNNEL["row"] * len(PIPELINE)
FUNNEL["figures_x"] = FUNNEL["left"] + FUNNEL["width"] + 10


def pipeline(request, params) -> Pipeline:
    """项目库: per stage of the pipeline (终止 apart) the projects the reader sees and their total investment, in
    one aggregate query."""
    filterset, links = project_filters(request, params)
    counted = {row["state"]: row for row in
               filterset.qs.order_by().values("state").annotate(n=Count("id"), invested=Sum("total_investment"))}

    def figures(stage) -> StageFigures:
        row = counted.get(stage, {})
        return StageFigures(stage, str(Stage(stage).label), row.get("n", 0), row.get("invested") or ZERO,
                            kind.project_list(stage=stage, **links))

    stages = [figures(stage) for stage in PIPELINE]
    widest = max([s.count for s in stages] + [1])
    for n, s in enumerate(stages):
        s.width = max(round(FUNNEL["width"] * s.count / widest), 2) if s.count else 0
        s.x = FUNNEL["left"] + (FUNNEL["width"] - s.width) // 2
        s.y = n * FUNNEL["row"]
    total = StageFigures("", gettext("合计（不含终止）"), sum(s.count for s in stages), sum((s.investment for s in stages), ZERO),
                         kind.project_list(stage=list(PIPELINE), **links))
    return Pipeline(stages, figures(Stage.STOPPED), total, filterset, links)


# --- investment against plan -----------------------------------------------------------------------------


@dataclass
class Amount:
    """A sum of 万元 and the list of the rows summed (empty link: a running sum, made of linked numbers)."""

    value: Decimal = ZERO
    link: str = ""
    rows: int = 0

    @property
    def text(self) -> str:
        return shown_amount(self.value)


@dataclass
class MonthFigures:
    month: int
    planned: Amount
    completed: Amount
    planned_to_date: Amount
    completed_to_date: Amount
    annual_plan: Decimal

    @property
    def month_rate(self):
        """本月完成 ÷ 本月计划."""
        return rate(self.completed.value, self.planned.value)

    @property
    def to_date_rate(self):
        """累计完成 ÷ 累计计划 (序时)."""
        return rate(self.completed_to_date.value, self.planned_to_date.value)

    @property
    def annual_rate(self):
        """累计完成 ÷ 年度计划."""
        return rate(self.completed_to_date.value, self.annual_plan)

    month_rate_text = property(lambda self: shown_rate(self.month_rate))
    to_date_rate_text = property(lambda self: shown_rate(self.to_date_rate))
    annual_rate_text = property(lambda self: shown_rate(self.annual_rate))


@dataclass
class PlanFigures:
    """One row of the by-level / by-leader tables: the projects of the year's plan, their plan and completion."""

    label: str
    projects: int = 0
    plan: Decimal = ZERO
    completed: Decimal = ZERO
    link: str = ""

    @property
    def rate(self):
        return rate(self.completed, self.plan)

    rate_text = property(lambda self: shown_rate(self.rate))

    @property
    def plan_text(self) -> str:
        return shown_amount(self.plan)

    @property
    def completed_text(self) -> str:
        return shown_amount(self.completed)


@dataclass
class Investment:
    year: int
    months: list[MonthFigures]
    planned: Amount  # the year's monthly plans
    completed: Amount  # the year's submitted reports
    plan: PlanFigures  # the annual plan of the year's projects (all levels)
    by_level: list[PlanFigures]
    by_leader: list[PlanFigures]
    chart: dict = field(default_factory=dict)

    @property
    def annual_rate(self):
        """The year's 累计完成 ÷ 年度计划."""
        return rate(self.completed.value, self.plan.plan)

    annual_rate_text = property(lambda self: shown_rate(self.annual_rate))


def investment(request, year: int) -> Investment:
    """投资完成: the year's monthly plans and completion (one query on the reports), the annual plan by level and
    by leader in charge (two on the projects)."""
    submitted = Q(state=ReportState.SUBMITTED)
    reports = selectors.report_filter(request, QueryDict(f"year={year}")).qs.order_by()
    by_month = {row["month"]: row for row in reports.values("month").annotate(
        planned=Sum("planned"), completed=Sum("completed", filter=submitted), n=Count("id"), n_done=Count("id", filter=submitted))}
    planned_projects = selectors.project_filter(request, QueryDict(f"plan_year={year}"))
    projects = planned_projects.qs.order_by()
    sums = {"n": Count("id"), "plan": Sum("annual_plan"), "done": Sum("year_completed")}

    def plan_row(label, row, **params) -> PlanFigures:
        return PlanFigures(str(label), row.get("n", 0), row.get("plan") or ZERO, row.get("done") or ZERO,
                           kind.project_list(plan_year=year, **params) if row.get("n") else "")

    levels = {row["level"]: row for row in projects.values("level").annotate(**sums)}
    by_level = [plan_row(label, levels.get(value, {}), level=value) for value, label in Level.choices]
    plan = PlanFigures(gettext("合计"), sum(r.projects for r in by_level), sum((r.plan for r in by_level), ZERO),
                       sum((r.completed for r in by_level), ZERO), kind.project_list(plan_year=year))
    months, planned_to_date, completed_to_date = [], ZERO, ZERO
    for month in range(1, 13):
        row = by_month.get(month, {})
        planned = Amount(row.get("planned") or ZERO, report_list(year=year, month=month), row.get("n", 0))
        completed = Amount(row.get("completed") or ZERO, report_list(year=year, month=month, state=ReportState.SUBMITTED), row.get("n_done", 0))
        planned_to_date += planned.value
        completed_to_date += completed.value
        months.append(MonthFigures(month, planned, completed, Amount(planned_to_date), Amount(completed_to_date), plan.plan))
    result = Investment(
        year, months,
        Amount(planned_to_date, report_list(year=year), sum(m.planned.rows for m in months)),
        Amount(completed_to_date, report_list(year=year, state=ReportState.SUBMITTED), sum(m.completed.rows for m in months)),
        plan, by_level, _by_leader(planned_projects, sums, plan_row))
    result.chart = month_chart(months)
    return result


def _by_leader(filterset, sums, plan_row) -> list[PlanFigures]:
    """A row per leader in charge (包抓领导), the biggest plan first; the projects without one last, unlinked
    (the list has no filter for "no leader"), as is a leader the list's filter does not offer (one retired)."""
    rows = list(filterset.qs.order_by().values("leader_in_charge").annotate(**sums))
    ids = [r["leader_in_charge"] for r in rows if r["leader_in_charge"]]
    names = dict(User.objects.filter(pk__in=ids).values_list("id", "full_name")) if ids else {}
    linkable = set(filterset.filters["leader"].queryset.filter(pk__in=ids).values_list("id", flat=True)) if ids else set()
    made = []
    for r in rows:
        leader = r["leader_in_charge"]
        if leader is None:
            continue
        row = plan_row(names.get(leader) or gettext("（未知）"), r, leader=leader)
        if leader not in linkable:
            row.link = ""
        made.append(row)
    made.sort(key=lambda r: (-r.plan, r.label))
    unassigned = [r for r in rows if r["leader_in_charge"] is None]
    if unassigned:
        row = plan_row(gettext("未定包抓领导"), unassigned[0])
        row.link = ""
        made.append(row)
    return made


CHART = {"width": 720, "height": 220, "top": 10, "bottom": 30, "left": 40, "bar": 18}


def month_chart(months: list[MonthFigures]) -> dict:
    """The month bars (planned beside completed), in the SVG's coordinates: presentation attributes only."""
    c = CHART
    tallest = max([m.planned.value for m in months] + [m.completed.value for m in months] + [Decimal(1)])
    room = c["height"] - c["top"] - c["bottom"]
    step = (c["width"] - c["left"]) // 12
    names = [gettext("%(n)s月") % {"n": m.month} for m in months]
    bars = []
    for n, m in enumerate(months):
        x = c["left"] + n * step + (step - 2 * c["bar"]) // 2
        for offset, amount, what in ((0, m.planned, "planned"), (c["bar"], m.completed, "completed")):
            h = int(room * amount.value / tallest)
            bars.append({"x": x + offset, "y": c["top"] + room - h, "h": h, "w": c["bar"] - 2, "what": what,
                         "link": amount.link, "title": f"{names[n]} {amount.text}"})
    labels = [{"x": c["left"] + n * step + step // 2, "text": name} for n, name in enumerate(names)]
    return {**c, "bars": bars, "labels": labels, "label_y": c["height"] - 10, "base_y": c["top"] + room}


# --- 三个一批 ------------------------------------------------------------------------------------------------

PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0?[1-9]|1[0-2])))?$")


@dataclass(frozen=True)
class Period:
    """A year, a quarter or a month: "2026", "2026-Q3", "2026-11"."""

    key: str
    year: int
    months: tuple[int, ...]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.months[0], 1)

    @property
    def end(self) -> dt.date:
        last = self.months[-1]
        return (dt.date(self.year + 1, 1, 1) if last == 12 else dt.date(self.year, last + 1, 1)) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        if len(self.months) == 12:
            return gettext("%(year)s年") % {"year": self.year}
        if len(self.months) == 3:
            return gettext("%(year)s年第%(q)s季度") % {"year": self.year, "q": (self.months[0] + 2) // 3}
        return gettext("%(year)s年%(month)s月") % {"year": self.year, "month": self.months[0]}

    def parts(self) -> list[Period]:
        """The quarters and months of a year, the months of a quarter; a month has none."""
        if len(self.months) == 12:
            return [quarter(self.year, q) for q in range(1, 5)] + [month(self.year, m) for m in range(1, 13)]
        if len(self.months) == 3:
            return [month(self.year, m) for m in self.months]
        return []


def quarter(year: int, q: int) -> Period:
    return Period(f"{year}-Q{q}", year, tuple(range(3 * q - 2, 3 * q + 1)))


def month(year: int, m: int) -> Period:
    return Period(f"{year}-{m:02d}", year, (m,))


def parse_period(text: str | None) -> Period | None:
    """"2026" → the year, "2026-Q3" → the third quarter, "2026-11" → November; None if it is none of these."""
    found = PERIOD_RE.match((text or "").strip().upper())
    if not found or not 2000 <= int(found["year"]) <= 2100:
        return None
    year = int(found["year"])
    if found["quarter"]:
        return quarter(year, int(found["quarter"]))
    if found["month"]:
        return month(year, int(found["month"]))
    return Period(str(year), year, tuple(range(1, 13)))


# Each batch → the project's date of that move and the list's parameters for a period of it.
BATCHES = (
    ("signed", _("签约"), "signed_on", "signed_from", "signed_to"),
    ("started", _("开工"), "started_on", "started_from", "started_to"),
    ("producing", _("投产"), "producing_on", "producing_from", "producing_to"),
)


@dataclass
class BatchCell:
    count: int
    investment: Decimal
    link: str

    @property
    def investment_text(self) -> str:
        return shown_amount(self.investment)


@dataclass
class BatchRow:
    period: Period
    cells: list[BatchCell]


@dataclass
class Batches:
    period: Period
    total: BatchRow
    rows: list[BatchRow]
    filterset: object
    params: dict
    headers: list = field(default_factory=lambda: [str(label) for _key, label, *_rest in BATCHES])

    @property
    def quarters(self) -> list[BatchRow]:
        return [r for r in self.rows if len(r.period.months) == 3]

    @property
    def months(self) -> list[BatchRow]:
        return [r for r in self.rows if len(r.period.months) == 1]


def batches(request, params, period: Period) -> Batches:
    """三个一批: per month of the period the projects signed, started and put into production (one grouped query
    each), summed into the period and its quarters."""
    filterset, links = project_filters(request, params)
    counted: dict[tuple[str, int], tuple[int, Decimal]] = defaultdict(lambda: (0, ZERO))
    for key, _label, date_field, _from, _to in BATCHES:
        rows = (filterset.qs.order_by().filter(**{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end})
                .values(m=ExtractMonth(date_field)).annotate(n=Count("id"), invested=Sum("total_investment")))
        for row in rows:
            counted[key, row["m"]] = (row["n"], row["invested"] or ZERO)

    def row(part: Period) -> BatchRow:
        cells = []
        for key, _label, _field, from_param, to_param in BATCHES:
            n = sum(counted[key, m][0] for m in part.months)
            invested = sum((counted[key, m][1] for m in part.months), ZERO)
            cells.append(BatchCell(n, invested, kind.project_list(**{from_param: part.start.isoformat(), to_param: part.end.isoformat()}, **links)))
        return BatchRow(part, cells)

    return Batches(period, row(period), [row(part) for part in period.parts()], filterset, links)


__all__ = ["batches", "investment", "parse_period", "pipeline", "rate", "shown_rate"]
