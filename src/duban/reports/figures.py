"""Every number of the leaders' dashboard (领导驾驶舱) and the big screen, each with the list behind it.

A number is a `Figure`: its value and the address of the list that holds exactly that many rows. The link is
built from the same filter parameters the count was taken with, and the list applies its own app's FilterSet
over the same scope (`objects.visible_to(user)`), so a number and its list agree by construction; a test walks
every link of the page to check.

The counting of the ledger's tasks happens here, in a fixed number of grouped queries (one GROUP BY over the
tasks in scope for every count by campaign, front, unit, light, state and schedule; one for each monthly
trend), whatever the number of tasks. The other modules' figures are theirs: `appeals.metrics.compute`,
`projects.metrics.investment` and `batches`, `safety.selectors.rates`; they are called, not re-implemented.

Every public function takes the user (and what the page chose) and returns dataclasses: what they count may
later come from precomputed tallies without a change to the views.

口径 (definitions):
- 在办 (open): 已交办待签收, 承办中, 申请销账. Lights, 超/达/欠进度 and 逾期 (red) are counted over the open tasks.
- 已办结 (finished): 已销账. 办结率 = 已办结 ÷ (在办 + 已办结).
- By unit: a task counts against the top-level unit that leads it (a section's task against its department),
  the list being the unit's tasks with its sub-units' (`lead_unit`).
- Trend: per month, the tasks closed that month (办结日期), and the tasks due that month now red.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlencode

from django.db.models import Case, Count, Q, Sum, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core.models import Unit
from duban.ledger.choices import OPEN_STATES, TaskState
from duban.ledger.models import Campaign, Front, Task
from duban.matters.choices import Light, Schedule
from duban.projects.metrics import rate as percent  # part / whole in percent, unrounded
from duban.projects.metrics import shown_rate  # one decimal, half up, never 100.0% short of 100
from duban.supervision.choices import ActionKind
from duban.supervision.models import SupervisionAction

LIGHTS = (Light.GREEN, Light.YELLOW, Light.RED, Light.GREY)
SCHEDULES = (Schedule.AHEAD, Schedule.ON_SCHEDULE, Schedule.BEHIND)
MONTHS = 12


@dataclass(frozen=True)
class Figure:
    """One number of the dashboard and the list of exactly that many rows ("" where there is none to show)."""

    value: int
    link: str = ""


def ledger_link(**params) -> str:
    """The ledger list filtered by `params` (TaskFilter's names; a list value repeats the parameter)."""
    params = {k: v for k, v in params.items() if v not in (None, "", [])}
    return reverse("ledger:task_list") + ("?" + urlencode(params, doseq=True) if params else "")


# --- the ledger's tasks ----------------------------------------------------------------------------------


@dataclass
class TaskFigures:
    """The task counts of one row (the whole scope, a campaign, a front or a unit), each linked."""

    label: str
    key: dict = field(default_factory=dict)  # the row's TaskFilter parameters ({"campaign": 3})
    all: int = 0
    closed: int = 0
    open_count: int = 0
    open_lights: dict = field(default_factory=lambda: defaultdict(int))
    open_schedules: dict = field(default_factory=lambda: defaultdict(int))

    def add(self, state: str, light: str, schedule: str, n: int) -> None:
        """Count `n` tasks of one (state, light, schedule) group into the row."""
        self.all += n
        if state == TaskState.CLOSED:
            self.closed += n
        elif state in OPEN_STATES:
            self.open_count += n
            self.open_lights[light] += n
            self.open_schedules[schedule] += n

    def link(self, **params) -> str:
        return ledger_link(**self.key, **params)

    @property
    def total(self) -> Figure:
        return Figure(self.all, self.link())

    @property
    def open(self) -> Figure:
        return Figure(self.open_count, self.link(state="open"))

    @property
    def finished(self) -> Figure:
        return Figure(self.closed, self.link(state=TaskState.CLOSED))

    @property
    def overdue(self) -> Figure:
        return self.light(Light.RED)

    def light(self, light: str) -> Figure:
        return Figure(self.open_lights.get(light, 0), self.link(state="open", light=light))

    @property
    def lights(self) -> dict[str, Figure]:
        return {light: self.light(light) for light in LIGHTS}

    def schedule(self, schedule: str) -> Figure:
        return Figure(self.open_schedules.get(schedule, 0), self.link(state="open", schedule=schedule))

    @property
    def schedules(self) -> dict[str, Figure]:
        return {s: self.schedule(s) for s in SCHEDULES}

    @property
    def completion_rate(self) -> Decimal | None:
        return percent(self.closed, self.closed + self.open_count)

    @property
    def completion_text(self) -> str:
        return shown_rate(self.completion_rate)


@dataclass
class MonthPoint:
    month: dt.date  # the first day
    finished: Figure
    turned_red: Figure

    @property
    def label(self) -> str:
        return f"{self.month.year}-{self.month.month:02d}"


@dataclass
class Tasks:
    """重点工作: the scope's totals, by campaign, by front of the chosen campaign, by lead unit, by month."""

    total: TaskFigures
    by_campaign: list[TaskFigures]
    campaign: Campaign | None  # the campaign whose fronts are shown
    campaigns: list[Campaign]
    by_front: list[TaskFigures]
    by_unit: list[TaskFigures]
    trend: list[MonthPoint]
    late: Figure = Figure(0)  # open and past the due date (逾期未完成; red also counts a matter under an open notice)


def months_back(on: dt.date, n: int = MONTHS) -> list[dt.date]:
    """The first days of the `n` months up to `on`'s, oldest first."""
    firsts, year, month = [], on.year, on.month
    for _i in range(n):
        firsts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def month_end(first: dt.date) -> dt.date:
    return (dt.date(first.year + 1, 1, 1) if first.month == 12 else dt.date(first.year, first.month + 1, 1)) - dt.timedelta(days=1)


def _month_key(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    return dt.date(value.year, value.month, 1)


def tasks(user, campaign_id: int | str | None = None, on: dt.date | None = None) -> Tasks:
    """The ledger's figures over `Task.objects.visible_to(user)`: three grouped queries on the tasks (every count by
    campaign, front, lead unit, state, light and schedule at once; the two monthly trends) and four on the small
    tables (campaigns, fronts, the lead units and their top units), whatever the number of tasks."""
    on = on or timezone.localdate()
    visible = Task.objects.visible_to(user).order_by()
    # One GROUP BY, read from task_figures_idx alone; the open tasks past their due date counted in the same pass.
    rows = list(visible.values_list("campaign_id", "front_id", "lead_unit_id", "state", "light", "schedule")
                .annotate(n=Count("*"), late=Sum(Case(When(Q(state__in=OPEN_STATES, due_date__lt=on), then=Value(1)), default=Value(0)))))

    campaign_ids = {r[0] for r in rows}
    campaigns = {c.pk: c for c in Campaign.objects.filter(pk__in=campaign_ids).order_by("-year", "id")}
    chosen = None
    if campaign_id not in (None, ""):
        try:
            chosen = campaigns.get(int(campaign_id))
        except (TypeError, ValueError):
            chosen = None
    if chosen is None and campaigns:
        chosen = next(iter(campaigns.values()))  # the newest campaign in scope
    fronts = {f.pk: f for f in Front.objects.filter(campaign=chosen).order_by("number")} if chosen else {}

    unit_ids = {r[2] for r in rows if r[2]}
    units = {u["id"]: u for u in Unit.objects.filter(pk__in=unit_ids).values("id", "path")}
    top_ids = {pk: int(u["path"].strip("/").split("/")[0]) for pk, u in units.items() if u["path"]}
    top_names = dict(Unit.objects.filter(pk__in=set(top_ids.values())).values_list("id", "name"))

    total = TaskFigures(_("合计"))
    by_campaign = {pk: TaskFigures(c.name, {"campaign": pk}) for pk, c in campaigns.items()}
    by_front = {pk: TaskFigures(f"{f.number}. {f.name}", {"front": pk}) for pk, f in fronts.items()}
    by_unit: dict[int, TaskFigures] = {}
    late = 0
    for campaign, front, unit, state, light, schedule, n, late_n in rows:
        late += late_n
        total.add(state, light, schedule, n)
        by_campaign[campaign].add(state, light, schedule, n)
        if front in by_front:
            by_front[front].add(state, light, schedule, n)
        top = top_ids.get(unit)
        if top is not None:
            by_unit.setdefault(top, TaskFigures(top_names.get(top, ""), {"lead_unit": top})).add(state, light, schedule, n)

    first_days = months_back(on)
    start, end = first_days[0], month_end(first_days[-1])
    closed = _by_month(visible.filter(state=TaskState.CLOSED, closed_on__gte=start, closed_on__lte=end), "closed_on")
    red = _by_month(visible.filter(light=Light.RED, due_date__gte=start, due_date__lte=end), "due_date")
    trend = [MonthPoint(first,
                        Figure(closed.get(first, 0), ledger_link(state=TaskState.CLOSED, closed_after=first.isoformat(),
                                                                  closed_before=month_end(first).isoformat())),
                        Figure(red.get(first, 0), ledger_link(light=Light.RED, due_after=first.isoformat(),
                                                               due_before=month_end(first).isoformat())))
             for first in first_days]

    late_link = ledger_link(state="open", due_before=(on - dt.timedelta(days=1)).isoformat())
    units_sorted = sorted(by_unit.values(), key=lambda r: (-r.overdue.value, -r.schedule(Schedule.BEHIND).value, -r.open.value, r.label))
    return Tasks(total, list(by_campaign.values()), chosen, list(campaigns.values()), list(by_front.values()), units_sorted, trend,
                 Figure(late, late_link))


def _by_month(queryset, date_field: str) -> dict[dt.date, int]:
    """Rows of `queryset` per month of `date_field`: one GROUP BY on the day, summed into months here — SQLite's
    month truncation is a Python function called on every row (~350 ms of the dashboard at 100k tasks)."""
    months: dict[dt.date, int] = defaultdict(int)
    for day, n in queryset.values_list(date_field).annotate(n=Count("*")).values_list(date_field, "n"):
        if day is not None:
            months[_month_key(day)] += n
    return months


# --- 督办: the supervision actions by step ------------------------------------------------------------------


@dataclass
class Actions:
    by_kind: list[tuple[str, str, Figure]]  # (kind, label, figure)
    total: Figure
    open: Figure
    late: Figure


def actions(user, on: dt.date | None = None) -> Actions:
    """Supervision actions in scope by 督办方式 (提醒 … 问责建议), one GROUP BY; and those awaiting a reply."""
    on = on or timezone.localdate()
    base = reverse("supervision:action_list")
    visible = SupervisionAction.objects.visible_to(user).order_by()
    counted = {kind: n for kind, n in visible.values_list("kind").annotate(n=Count("*"))}
    waiting = visible.aggregate(open=Count("id", filter=Q(state="open")), late=Count("id", filter=Q(state="open", reply_due__lt=on)))
    by_kind = [(kind, str(label), Figure(counted.get(kind, 0), f"{base}?{urlencode({'kind': kind})}")) for kind, label in ActionKind.choices]
    return Actions(by_kind, Figure(sum(counted.values()), base), Figure(waiting["open"], f"{base}?status=open"),
                   Figure(waiting["late"], f"{base}?status=late"))


# --- the other modules' figures, as their own modules compute them -----------------------------------------


@dataclass
class AppealRates:
    """企业诉求: the three rates (响应率, 解决率, 满意率), each with its two linked counts."""

    counted: Figure
    rates: list[dict]  # {"name", "label", "rate", "text", "part": Figure, "whole": Figure}
    period: dict


def appeals(user, on: dt.date | None = None) -> AppealRates:
    from duban.appeals import metrics

    m = metrics.compute(user, {}, on, ruled_out=False)
    t = m.total
    rates = []
    for name, label, part, whole, rate in (
        ("response", _("响应率"), "responded", "response_due", t.response_rate),
        ("resolution", _("解决率"), "resolved", "closed", t.resolution_rate),
        ("satisfaction", _("满意率"), "satisfied", "rated", t.satisfaction_rate),
    ):
        rates.append({"name": name, "label": label, "rate": rate, "text": shown_rate(rate),
                      "part": Figure(getattr(t, part), t.links[part]), "whole": Figure(getattr(t, whole), t.links[whole])})
    return AppealRates(Figure(t.counted, t.links["counted"]), rates, m.params)


@dataclass
class ProjectFigures:
    """重点项目: the year's investment against plan by month, and 三个一批 of the year."""

    year: int
    investment: object  # projects.metrics.Investment
    batches: object  # projects.metrics.Batches


def projects(user, on: dt.date | None = None) -> ProjectFigures:
    from django.http import QueryDict

    from duban.projects import metrics

    on = on or timezone.localdate()
    request = SimpleNamespace(user=user)  # the project FilterSets read only the user of the request
    period = metrics.parse_period(str(on.year))
    return ProjectFigures(on.year, metrics.investment(request, on.year), metrics.batches(request, QueryDict(), period))


@dataclass
class HazardFigures:
    """安全隐患: found, struck off and on time (整改率, 按期整改率), each count linked to the hazard list."""

    found: Figure
    closed: Figure
    due: Figure
    on_time: Figure
    closed_rate: str
    on_time_rate: str


def hazards(user, on: dt.date | None = None) -> HazardFigures:
    from duban.safety import selectors

    rates = selectors.rates(user, {}, on)
    t = rates.total
    base = reverse("safety:hazard_list")

    def shown(value):
        return "—" if value is None else shown_rate(Decimal(str(value)))

    return HazardFigures(Figure(t.found, base), Figure(t.closed, f"{base}?state=closed"), Figure(t.due, f"{base}?timeliness=due"),
                         Figure(t.on_time, f"{base}?timeliness=on_time"), shown(t.closed_rate), shown(t.on_time_rate))


# --- the whole dashboard ----------------------------------------------------------------------------------


def kept_key(user, page: str, *choice: str) -> str:
    """The key its figures are kept under (core.versions.figures): the page, the scope — the county for whoever
    sees everything, else the user's own —, what was chosen, the day (the figures count against today) and the
    language the page is written in."""
    from django.utils.translation import get_language

    from duban.core.scope import unit_scope

    scope = "county" if unit_scope(user).everything else f"user{user.pk}"
    return ":".join(["reports", page, scope, *choice, timezone.localdate().isoformat(), get_language() or ""])



@dataclass
class Dashboard:
    on: dt.date
    tasks: Tasks
    appeals: AppealRates
    projects: ProjectFigures
    hazards: HazardFigures
    actions: Actions


def dashboard(user, campaign_id=None, on: dt.date | None = None) -> Dashboard:
    """Every figure of the dashboard for `user`'s scope on the day `on`."""
    on = on or timezone.localdate()
    return Dashboard(on, tasks(user, campaign_id, on), appeals(user, on), projects(user, on), hazards(user, on), actions(user, on))


# --- what the charts draw: values with the address of each segment ----------------------------------------


def charts(d: Dashboard) -> dict:
    """The charts' data for json_script: every segment's value beside its list's address."""
    light_names = {Light.GREEN: _("绿灯"), Light.YELLOW: _("黄灯"), Light.RED: _("红灯"), Light.GREY: _("灰灯")}
    campaign_bars = {
        "categories": [r.label for r in d.tasks.by_campaign],
        "series": [{"key": light, "name": str(light_names[light]),
                    "data": [{"value": r.light(light).value, "url": r.light(light).link} for r in d.tasks.by_campaign]}
                   for light in LIGHTS],
    }
    front_bars = {
        "categories": [r.label for r in d.tasks.by_front],
        "series": [{"key": light, "name": str(light_names[light]),
                    "data": [{"value": r.light(light).value, "url": r.light(light).link} for r in d.tasks.by_front]}
                   for light in LIGHTS],
    }
    trend = {
        "categories": [p.label for p in d.tasks.trend],
        "series": [
            {"key": "finished", "name": _("当月办结"), "data": [{"value": p.finished.value, "url": p.finished.link} for p in d.tasks.trend]},
            {"key": "red", "name": _("当月到期现为红灯"), "data": [{"value": p.turned_red.value, "url": p.turned_red.link} for p in d.tasks.trend]},
        ],
    }
    appeal_rates = {
        "categories": [r["label"] for r in d.appeals.rates],
        "series": [{"key": "rate", "name": _("比率"),
                    "data": [{"value": None if r["rate"] is None else float(round(r["rate"], 1)), "url": r["part"].link}
                             for r in d.appeals.rates]}],
    }
    months = d.projects.investment.months
    investment = {
        "categories": [_("%(n)s月") % {"n": m.month} for m in months],
        "series": [
            {"key": "planned", "name": _("月计划投资"), "data": [{"value": float(m.planned.value), "url": m.planned.link} for m in months]},
            {"key": "completed", "name": _("月完成投资"), "data": [{"value": float(m.completed.value), "url": m.completed.link} for m in months]},
        ],
    }
    lights_pie = {"series": [{"key": "lights", "name": _("在办任务亮灯"),
                              "data": [{"name": str(light_names[light]), "key": light, "value": f.value, "url": f.link}
                                       for light, f in d.tasks.total.lights.items()]}]}
    return {"campaigns": campaign_bars, "fronts": front_bars, "trend": trend, "appeals": appeal_rates,
            "investment": investment, "lights": lights_pie}


def headline(d: Dashboard) -> dict:
    """The big screen's figures (text and link), in the order the screen shows them; updated every refresh."""
    t = d.tasks.total
    return {
        "open": {"value": t.open.value, "url": t.open.link},
        "red": {"value": t.overdue.value, "url": t.overdue.link},
        "yellow": {"value": t.light(Light.YELLOW).value, "url": t.light(Light.YELLOW).link},
        "finished": {"value": t.finished.value, "url": t.finished.link},
        "completion": {"value": t.completion_text, "url": ""},
        "behind": {"value": t.schedule(Schedule.BEHIND).value, "url": t.schedule(Schedule.BEHIND).link},
        "appeals": {"value": d.appeals.counted.value, "url": d.appeals.counted.link},
        **{f"appeal_{r['name']}": {"value": r["text"], "url": r["part"].link} for r in d.appeals.rates},
        "hazards_rate": {"value": d.hazards.closed_rate, "url": d.hazards.closed.link},
        "hazards_on_time": {"value": d.hazards.on_time_rate, "url": d.hazards.on_time.link},
        "investment_rate": {"value": d.projects.investment.annual_rate_text, "url": ""},
        "actions": {"value": d.actions.total.value, "url": d.actions.total.link},
    }
