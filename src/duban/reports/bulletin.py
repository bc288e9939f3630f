"""What a weekly or monthly bulletin (工作通报) says, and its issue: the period, its number and who issued it.

口径 (each figure as the document states it):

- The period: an ISO week ("2026-W48", Monday to Sunday) or a month ("2026-11"). Figures are counted up to the
  period's last day, or today while the period runs (截至日).
- 重点工作: the key-work tasks in hand on the day the bulletin is made (assigned, in progress, completion
  requested, or suspended), by light and by 超/达/欠进度 (`Matter.schedule`); overdue = in hand and past the
  完成时限 on the 截至日; finished = 销账 (closed_on) within the period.
- 企业诉求: appeals accepted in the period (`appeals.metrics`: counted, not declined, merged or ruled out), those
  closed (办结) in the period, and the period's 满意率 as `appeals.metrics` defines it.
- 安全隐患: hazards found in the period and, of them, struck off (`safety.selectors.rates`).
- 项目投资: the month's plan and completion, and the year's annual plan and completion to date
  (`projects.metrics.investment`), for the month the period ends in.
- 红黑榜: the scoring board of the month the period ends in (scoring periods are months) and its lists
  (`scoring.lists.draw`); a weekly bulletin says which month it shows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.core import audit
from duban.core.actor import Actor
from duban.core.choices import Role, UnitCategory
from duban.core.errors import ServiceError
from duban.matters.choices import Light, Schedule
from duban.matters.counts import light_counts
from duban.reports.models import Bulletin
from duban.scoring import selectors as scoring
from duban.scoring.choices import ListColour
from duban.supervision import services as supervision

WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
BAD_WEEK = gettext_lazy("周次格式应为“2026-W48”（年份-W周次，按 ISO 周计，周一至周日），请改正后重试。")
BAD_MONTH = gettext_lazy("月份格式应为“2026-11”（年份-月份），请改正后重试。")


@dataclass(frozen=True)
class BulletinPeriod:
    code: str  # "2026-W48" or "2026-11"
    start: dt.date
    end: dt.date

    @property
    def weekly(self) -> bool:
        return "W" in self.code

    @property
    def label(self) -> str:
        """2026年第48周（11月23日至11月29日） or 2026年11月."""
        if self.weekly:
            year, week = self.code.split("-W")
            return _("%(year)s年第%(week)s周（%(start)s至%(end)s）") % {
                "year": year, "week": int(week), "start": _short(self.start), "end": _short(self.end)}
        return _("%(year)s年%(month)s月") % {"year": self.start.year, "month": self.start.month}

    @property
    def kind_label(self) -> str:
        return _("周通报") if self.weekly else _("月通报")

    @property
    def scoring_period(self) -> scoring.Period:
        """Scores are monthly: a week counts in the month it ends in."""
        return scoring.month_of(self.end)


def _short(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def parse_week(text: str) -> BulletinPeriod:
    match = WEEK.match((text or "").strip())
    if not match:
        raise ServiceError(BAD_WEEK, field="week")
    year, week = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100:
        raise ServiceError(BAD_WEEK, field="week")
    try:
        start = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ServiceError(_("%(year)s年没有第%(week)s周（ISO 周次为 1 至 52 或 53）。周次格式应为“2026-W48”。")
                           % {"year": year, "week": week}, field="week") from None
    return BulletinPeriod(f"{year}-W{week:02d}", start, start + dt.timedelta(days=6))


def parse_month(text: str) -> BulletinPeriod:
    match = MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise ServiceError(BAD_MONTH, field="month")
    month = scoring.parse(f"{int(match.group(1))}-{int(match.group(2)):02d}")
    return BulletinPeriod(month.code, month.start, month.end)


def parse_period(code: str) -> BulletinPeriod:
    """Either form, as stored in Bulletin.period."""
    return parse_week(code) if "W" in code.upper() else parse_month(code)


# --- the figures -----------------------------------------------------------------------------------------


@dataclass
class OverdueRow:
    code: str
    title: str
    lead_unit: str
    due_date: dt.date
    days: int


@dataclass
class ListEntry:
    category: str  # its label, 县直部门 / 乡镇
    rank: int
    unit: str
    score: str


@dataclass
class BulletinData:
    period: BulletinPeriod
    as_of: dt.date
    lights: dict[str, int]
    in_hand: int
    overdue: list[OverdueRow]
    finished: int
    schedule: dict[str, int]
    by_campaign: list[tuple[str, dict[str, int]]]
    appeals_new: int
    appeals_closed: int
    appeals_rated: int
    appeals_satisfied: int
    satisfaction: str  # "93.3%" or "—"
    hazards_found: int
    hazards_closed: int
    hazard_rate: str
    investment: dict
    scoring_label: str
    scoring_published: bool
    red: list[ListEntry] = field(default_factory=list)
    black: list[ListEntry] = field(default_factory=list)


def gather(user, period: BulletinPeriod, *, today: dt.date | None = None) -> BulletinData:
    """The period's figures as `user` may see them (the supervision office sees the whole county)."""
    from duban.ledger.choices import OPEN_STATES, TaskState
    from duban.ledger.models import Task

    today = today or timezone.localdate()
    as_of = min(period.end, today)
    tasks = Task.objects.visible_to(user).exclude(state=TaskState.DRAFT)
    in_hand = tasks.filter(state__in=[*OPEN_STATES, TaskState.SUSPENDED])
    lights = light_counts(in_hand)
    schedule = {value: 0 for value in (Schedule.AHEAD, Schedule.ON_SCHEDULE, Schedule.BEHIND)}
    for value in in_hand.order_by().values_list("schedule", flat=True):
        if value in schedule:
            schedule[value] += 1
    overdue = [OverdueRow(t.code, t.title, t.lead_unit.name if t.lead_unit else "", t.due_date, (as_of - t.due_date).days)
               for t in tasks.filter(state__in=OPEN_STATES, due_date__lt=as_of).select_related("lead_unit").order_by("due_date", "code")]
    finished = tasks.filter(state=TaskState.CLOSED, closed_on__gte=period.start, closed_on__lte=period.end).count()
    by_campaign: dict[str, dict[str, int]] = {}
    for name, light in in_hand.order_by("campaign__name").values_list("campaign__name", "light"):
        by_campaign.setdefault(name, dict.fromkeys(Light.values, 0))[light] += 1

    data = BulletinData(
        period=period, as_of=as_of, lights=lights, in_hand=sum(lights.values()), overdue=overdue, finished=finished,
        schedule=schedule, by_campaign=list(by_campaign.items()), **_appeals(user, period, as_of), **_hazards(user, period, as_of),
        investment=_investment(user, period.end), **_lists(period))
    return data


def _appeals(user, period, as_of) -> dict:
    from duban.appeals import selectors as appeals
    from duban.appeals.models import Appeal

    figures = appeals.rates(user, {"accepted_from": period.start.isoformat(), "accepted_to": period.end.isoformat()}, on=as_of).total
    closed = Appeal.objects.visible_to(user).counted().filter(closed_on__gte=period.start, closed_on__lte=period.end).count()
    return {"appeals_new": figures.counted, "appeals_closed": closed, "appeals_rated": figures.rated,
            "appeals_satisfied": figures.satisfied, "satisfaction": figures.shown("satisfaction_rate")}


def _hazards(user, period, as_of) -> dict:
    from duban.safety.selectors import rates

    total = rates(user, QueryDict(f"found_from={period.start.isoformat()}&found_to={period.end.isoformat()}"), on=as_of).total
    rate = "—" if total.closed_rate is None else f"{total.closed_rate:.1f}%"
    return {"hazards_found": total.found, "hazards_closed": total.closed, "hazard_rate": rate}


def _investment(user, day: dt.date) -> dict:
    from duban.projects import selectors as projects

    request = SimpleNamespace(user=user, GET=QueryDict())  # the FilterSets read the requesting user only
    figures = projects.investment(request, day.year)
    month = figures.months[day.month - 1]
    return {"year": day.year, "month": day.month, "month_plan": projects.shown_amount(month.planned.value),
            "month_done": projects.shown_amount(month.completed.value), "annual_plan": projects.shown_amount(figures.plan.plan),
            "to_date": projects.shown_amount(figures.completed.value), "annual_rate": figures.annual_rate_text}


def _lists(period: BulletinPeriod) -> dict:
    month = period.scoring_period
    board = scoring.board_of(month)
    drawn = scoring.lists_of(board)
    labels = dict(UnitCategory.choices)
    red, black = [], []
    for category in scoring.RANKED_CATEGORIES:
        rows = {r.unit_id: r for r in board.category(category)}
        for colour, out in ((ListColour.RED.value, red), (ListColour.BLACK.value, black)):
            for unit_id in drawn.get(category, {}).get(colour, []):
                row = rows[unit_id]
                out.append(ListEntry(str(labels[category]), row.rank, row.unit_name, f"{row.score}"))
    return {"scoring_label": month.label, "scoring_published": board.published is not None, "red": red, "black": black}


# --- issuing ---------------------------------------------------------------------------------------------


def office_user(username: str | None = None):
    """The account a command-line bulletin is issued as: the one named, else the first active office member."""
    from duban.core.models import User

    people = User.objects.filter(is_active=True, role_grants__role=Role.SUPERVISION).order_by("id")
    if username:
        people = people.filter(username=username)
    user = people.first()
    if user is None:
        if username:
            raise ServiceError(_("“%(name)s”不是在用的督查室账号。请用 --user 指定督查室工作人员的用户名。") % {"name": username}, field="user")
        raise ServiceError(_("系统中还没有督查室账号，无法签发通报。请先用 duban createuser 建立督查室账号，或用 --user 指定。"), field="user")
    return user


def refresh_scores(actor: Actor, period: BulletinPeriod) -> None:
    """Record the scoring month's outcomes up to now (the hourly job does too), so that its lists are current."""
    from duban.scoring import services as scoring_services

    if Role.SUPERVISION in actor.roles:
        scoring_services.refresh(actor, period.scoring_period)


def current(period: BulletinPeriod) -> Bulletin | None:
    return Bulletin.objects.filter(period=period.code).order_by("-issued_at", "-id").first()


def issue(actor: Actor, period: BulletinPeriod, *, anew: bool = False) -> Bulletin:
    """The bulletin of `period` in force: the one already issued (same number), or a new one taking the next
    number of the office's 县督字 series under its row lock (always a new one when `anew`). Audited."""
    if Role.SUPERVISION not in actor.roles:
        raise ServiceError(_("只有督查室可以签发工作通报。"))
    with transaction.atomic():
        if not anew:
            existing = current(period)
            if existing is not None:
                return existing
        bulletin = Bulletin(period=period.code, issued_on=timezone.localdate(), issued_by=actor.user, issued_by_name=actor.name,
                            issued_at=timezone.now())
        supervision.take_document_numbers([bulletin])  # the same counter, and lock, as the supervision notices
        bulletin.save()
        audit.record(actor, "reports.bulletin.issue", bulletin, after={"period": period.code, "number": bulletin.number, "anew": anew},
                     message=f"签发{period.kind_label}“{period.label}”（{bulletin.number}）")
    return bulletin
