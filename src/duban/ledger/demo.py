"""The demo campaign of `duban demo`: eight fronts and ~150 tasks with months of history, written through the services.

Every task is created, registered, signed for, reported on, returned, extended, reassigned, paused, suspended,
cancelled and closed by `ledger.services`, acting as the people of the demo county (the office's staff, the
units' liaisons and heads, the leaders in charge), so each task's timeline and the audit trail are the ones
the web pages would have written. The history lies in the past: `core.demo.DemoClock` sets the time of every
step, and the steps run in time order, so the audit chain is in time order too. Every actor carries the
request id "duban-demo", which marks the whole history as generated.

The story is told relative to today: the campaign was launched about nine months ago, due dates sit before
and after today, and at the end every light is recomputed for today, so the demo shows tasks in every state
and every light whenever it is loaded. Randomness is seeded: the same day gives the same demo.
"""

from __future__ import annotations

import calendar as gregorian
import datetime as dt
import math
import random
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from duban.core import audit, calendar
from duban.core.actor import Actor
from duban.ledger import services
from duban.ledger.choices import QualityGrade, RequestState, TaskSource
from duban.ledger.demo_tasks import (
    CANCEL_REASONS,
    FRONTS,
    NOTICE,
    PAUSE_REASONS,
    PLANS,
    RETURN_EVIDENCE,
    REWARDS,
    SUSPEND_REASON,
    SUSPEND_REASONS,
    WORDS,
    Plan,
)
from duban.ledger.models import Campaign, Front, ProgressReport, Task
from duban.matters.clock import elapsed_share

REQUEST_ID = "duban-demo"
# Fates whose due date must lie ahead of today, and those whose due date must have passed.
FUTURE = {"green", "ahead", "behind", "silent", "requested", "returned", "paused", "paused_resumed", "reassigned",
          "reassign_rejected", "reassign_pending", "assigned", "draft", "suspended", "cancelled"}
COUNTED = {"个", "家", "项", "座", "户", "处", "件", "场", "辆次"}  # units that never come in fractions
PAST = {"overdue", "ext_pending", "ext_rejected", "closed_late"}
CLOSING = {"closed", "closed_return", "closed_late"}


def month_end(year: int, month: int) -> dt.date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.date(year, month, gregorian.monthrange(year, month)[1])


@dataclass(order=True)
class Step:
    at: dt.datetime
    order: int
    run: Callable[[], object] = field(compare=False)
    label: str = field(compare=False, default="")


@dataclass
class Handle:
    """A task that later steps act on (its id is known once the step that creates it has run)."""

    plan: Plan
    lead: str
    coop: tuple[str, ...] = ()  # a sub-task has no cooperating units of its own
    pk: int | None = None
    reports: int = 0
    last_percent: int = 0

    def get(self) -> Task:
        return Task.objects.get(pk=self.pk)


class _Story:
    """The steps of one task, each strictly later than the one before."""

    def __init__(self, demo: LedgerDemo, handle: Handle, seed: int):
        self.demo, self.handle = demo, handle
        self.rng = random.Random(seed)
        self.last: dt.datetime | None = None

    def add(self, day: dt.date, run: Callable[[], object], hour: float | None = None) -> dt.date:
        if not self.demo.launch <= day <= self.demo.last_day:
            raise ValueError(f"demo step for {self.handle.plan.title} on {day} is outside {self.demo.launch}…{self.demo.last_day}")
        if hour is None:
            hour = self.rng.uniform(8.5, 17.5)
        moment = self.demo.at(day, hour)
        if self.last is not None and moment <= self.last:
            moment = self.last + dt.timedelta(minutes=self.rng.randint(3, 40))
        self.last = moment
        self.demo.steps.append(Step(moment, len(self.demo.steps), run, f"{self.handle.plan.title} / {self.handle.lead} / {getattr(run, '__qualname__', '')}"))
        return day


@dataclass
class LedgerResult:
    campaign: str = ""
    fronts: int = 0
    tasks: int = 0
    reports: int = 0
    per_state: dict[str, int] = field(default_factory=dict)
    per_light: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """What `duban demo` prints of the campaign it loaded."""
        from duban.ledger.choices import TaskState
        from duban.matters.choices import Light

        states = "，".join(f"{TaskState(s).label} {self.per_state.get(s, 0)}" for s in TaskState)
        lights = "，".join(f"{Light(v).label} {self.per_light.get(v, 0)}" for v in Light)
        return (
            f"{self.campaign}：{self.fronts} 条战线，{self.tasks} 项任务（含分解到乡镇的子任务），{self.reports} 次进展报送。\n"
            f"  按状态：{states}\n  按亮灯：{lights}"
        )


class LedgerDemo:
    """One load of the demo campaign relative to `now`: plan the steps, run them under the clock, settle the lights."""

    def __init__(self, now: dt.datetime, seed: int = 2026):
        self.today = timezone.localdate(now)
        self.year = self.today.year if self.today.month >= 3 else self.today.year - 1
        launch = max(dt.date(self.year, 2, 24), self.today - dt.timedelta(days=330))
        self.launch = calendar.next_workday(min(launch, self.today - dt.timedelta(days=120)))
        self.last_day = calendar.add_workdays(self.today, -1)  # steps happen up to yesterday's office hours
        # The county (units, people) is set up the week before the campaign's launch.
        self.county_opened = self.at(calendar.add_workdays(self.launch, -5), 9)
        self.rng = random.Random(seed)
        self.steps: list[Step] = []
        self.handles: list[Handle] = []

    # --- time ------------------------------------------------------------------------------------

    def at(self, day: dt.date, hour: float) -> dt.datetime:
        minutes = round(hour * 60)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=timezone.get_default_timezone())

    def workday(self, day: dt.date, shift: int = 0) -> dt.date:
        """The working day `shift` working days from `day` (0: `day` or the next working day)."""
        return calendar.add_workdays(day, shift) if shift else calendar.next_workday(day)

    def before_today(self, days: int) -> dt.date:
        return min(self.last_day, calendar.add_workdays(self.today - dt.timedelta(days=days), 0))

    def due_date(self, spec: str, fate: str) -> dt.date | None:
        today = self.today
        if spec == "long":
            return None
        if spec == "soon":
            return calendar.add_workdays(today, self.rng.choice([1, 2, 3]))
        if spec == "y":
            due = dt.date(self.year, 12, 31)
        elif spec.startswith("q"):
            due = month_end(self.year, 3 * int(spec[1:]))
        elif spec.startswith("m"):
            due = month_end(today.year, today.month + int(spec[1:]))
        elif spec.startswith("d"):
            due = today + dt.timedelta(days=int(spec[1:]))
        else:
            raise ValueError(f"unknown due spec {spec!r}")
        if fate in FUTURE and due <= today + dt.timedelta(days=20):
            due = month_end(today.year, today.month + 2)
        if fate in PAST and due >= today:
            due = month_end(today.year, today.month - 1)
        return max(due, month_end(self.launch.year, self.launch.month + 2))

    def deadline_text(self, due: dt.date | None, spec: str) -> str:
        if due is None:
            return "长期坚持"
        year = "" if due.year == self.year else f"{due.year}年"
        if spec.startswith("q") and due == month_end(self.year, due.month):
            return f"第{'一二三四'[due.month // 3 - 1]}季度"
        if spec == "y" and due == dt.date(self.year, 12, 31):
            return "年底前"
        if due == month_end(due.year, due.month):
            return f"{year}{due.month}月底前"
        return f"{year}{due.month}月{due.day}日前"

    # --- who --------------------------------------------------------------------------------------

    def actor(self, login: str) -> Actor:
        return Actor(user=self.county.people[login], request_id=REQUEST_ID)

    def deputy_of(self, code: str) -> str | None:
        from duban.core.demo import DEPUTIES

        for login, _title, codes in DEPUTIES:
            if code in codes:
                return login
        return None

    # --- loading ---------------------------------------------------------------------------------

    def begin(self, county, timeline) -> None:
        """The campaign opens on its launch morning; then every task's story runs in time order on `timeline`."""
        self.county = county

        def launch():
            self.campaign = self._campaign()
            for index, plan in enumerate(PLANS):
                self._plan(index, plan)
            for step in sorted(self.steps):
                timeline.add(step.at, step.run, step.label)

        timeline.add(self.at(self.launch, 8.5), launch, "开展专项行动")

    def settle(self) -> LedgerResult:
        """Recompute every light for today (what the sweep does each morning) and count what was made."""
        for task in Task.objects.filter(campaign=self.campaign).order_by("-parent_id", "id"):
            if task.parent_id is None and task.children.exists():
                continue  # a parent is refreshed with each of its children
            services.refresh_light(task, self.today)
        tasks = Task.objects.filter(campaign=self.campaign)
        return LedgerResult(
            campaign=self.campaign.name, fronts=self.campaign.fronts.count(), tasks=tasks.count(),
            reports=ProgressReport.objects.filter(task__campaign=self.campaign).count(),
            per_state=dict(Counter(tasks.values_list("state", flat=True))),
            per_light=dict(Counter(tasks.values_list("light", flat=True))),
        )

    def _campaign(self) -> Campaign:
        # There is no campaign service yet: write the rows here and audit them as a service would.
        actor = Actor.system("duban demo")
        campaign = Campaign.objects.create(
            name=f"{self.year}年执行力亮剑行动", year=self.year,
            description="以亮剑精神盯住不落实的事，处理不落实的人。重点工作“建账、立账、销账”，做到任务、标准、责任、时限、奖惩“五明确”。",
        )
        audit.record(actor, "campaign.create", campaign, after=audit.snapshot(campaign))
        self.fronts = {}
        for number, name, leaders, lead, members, goal in FRONTS:
            front = Front.objects.create(campaign=campaign, number=number, name=name, lead_unit=self.county.units[lead], description=goal)
            front.lead_leaders.set([self.county.people[login] for login in leaders])
            front.member_units.set([self.county.units[code] for code in members])
            audit.record(actor, "front.create", front, after={
                **audit.snapshot(front), "lead_leaders": leaders, "member_units": [self.county.units[c].pk for c in members],
            })
            self.fronts[number] = front
        return campaign

    # --- one task's story --------------------------------------------------------------------------

    def _plan(self, index: int, plan: Plan) -> None:
        handle = Handle(plan, plan.lead, plan.coop)
        self.handles.append(handle)
        story = _Story(self, handle, seed=index * 7919 + 1)
        rng = story.rng
        due = self.due_date(plan.due, plan.fate)
        if plan.opened is None:  # the office types the sheet in on the afternoon of the launch conference
            opened, hour = self.launch, 14 + index * 1.5 / 60
        else:
            opened, hour = self.before_today(plan.opened), rng.uniform(8.5, 11)
        lead_unit = self.county.units.get(plan.lead) if plan.lead else None
        deputy = self.deputy_of(plan.lead) if plan.lead else None
        values = dict(
            title=plan.title, standard=plan.standard, front=self.fronts[plan.front], seq=str(index + 1),
            lead_unit=lead_unit, leader_in_charge=self.county.people[deputy] if deputy else None,
            responsible_person=self.county.people.get(f"{plan.lead}_head") if plan.lead else None,
            assigning_leader=self.county.people[plan.assigned_by] if plan.assigned_by else None,
            due_date=due, standing=due is None, deadline_text=self.deadline_text(due, plan.due), start_date=opened,
            report_cycle=plan.cycle, reward_penalty=REWARDS[index % len(REWARDS)] if plan.standard else "",
            source=TaskSource.INSTRUCTION if plan.assigned_by else TaskSource.MEETING,
            source_ref=("县委书记批示" if plan.assigned_by == "shuji" else "县长批示") if plan.assigned_by else NOTICE.format(year=self.year),
        )
        coop = [self.county.units[code] for code in plan.coop]

        def create():
            task = services.create_task(self.actor("ducha3"), self.campaign, cooperating_units=coop, **values)
            handle.pk = task.pk

        story.add(opened, create, hour=hour)
        if plan.fate == "draft":
            return
        if plan.opened is None:  # registered and assigned (立账交办) two working days later, all in one sitting
            registered = self.workday(self.launch, 2)
            story.add(registered, lambda: services.register_task(self.actor("ducha1"), handle.get()), hour=9 + index * 0.6 / 60)
        else:
            registered = opened
            story.add(registered, lambda: services.register_task(self.actor("ducha1"), handle.get()))
        if plan.parts:
            self._split(story, handle, registered, due)
            return
        self._life(story, handle, plan.fate, registered, due)

    def _split(self, story: _Story, parent: Handle, registered: dt.date, due: dt.date | None) -> None:
        """Decompose the task per township; each sub-task lives its own fate, the parent reports the roll-up."""
        plan = parent.plan
        children = [Handle(plan, code) for code, _fate in plan.parts]

        def decompose():
            # Sub-tasks keep the parent's time limit: decompose_task copies the parent's wording (完成时限) too.
            parts = [{"lead_unit": self.county.units[h.lead]} for h in children]
            made = services.decompose_task(self.actor("ducha1"), parent.get(), parts)
            for handle, child in zip(children, made, strict=True):
                handle.pk = child.pk

        story.add(registered, decompose)
        ends = []
        for number, (child, (_code, fate)) in enumerate(zip(children, plan.parts, strict=True)):
            self.handles.append(child)
            child_story = _Story(self, child, seed=zlib.crc32(f"{plan.title}/{number}".encode()))
            child_story.last = story.last
            ends.append(self._life(child_story, child, fate, registered, due))
        if plan.fate == "split_closed":
            self._life(story, parent, "closed", registered, due, after=max(ends), rollup=True)
        else:
            self._life(story, parent, "green", registered, due, rollup=True)

    def _life(self, s: _Story, h: Handle, fate: str, registered: dt.date, due: dt.date | None, *,
              after: dt.date | None = None, rollup: bool = False) -> dt.date:
        """Everything after registration: signing, reports and what the fate adds. Returns the last day used."""
        rng, plan = s.rng, h.plan
        lead = h.lead
        if fate == "assigned":
            return registered
        if fate in {"reassign_pending", "reassigned", "reassign_rejected"}:
            asked = self.workday(registered, 1)
            other = self.county.units[plan.new_lead].display_name
            reason = f"该项工作主要职能在{other}，我单位不具备牵头条件，申请调整由{other}牵头。"
            s.add(asked, lambda who=f"{lead}_lly": services.request_reassignment(
                self.actor(who), h.get(), reason=reason, suggested_unit=self.county.units[plan.new_lead]))
            if fate == "reassign_pending":
                return asked
            decided = self.workday(asked, 2)
            approve = fate == "reassigned"
            note = "经研究，同意调整。" if approve else f"该项工作属{self.county.units[lead].display_name}职责，仍由原单位牵头，请抓紧推进。"
            s.add(decided, lambda: services.decide_reassignment(
                self.actor("ducha1"), h.get().reassign_requests.get(state=RequestState.PENDING), approve=approve, note=note))
            if approve:
                h.lead = lead = plan.new_lead
            registered, fate = decided, "green"
        signed = self.workday(registered, rng.choice([0, 1, 1, 1, 2]))
        signer = f"{lead}_lly" if rng.random() < 0.8 else f"{lead}_head"
        s.add(signed, lambda: services.sign_task(self.actor(signer), h.get()))

        # When reporting stops, and what ends the story.
        end = self.last_day
        finish: list[tuple[str, dt.date]] = []
        if fate == "silent":
            end = self.before_today(50)
        elif fate == "requested":
            end = self.workday(self.last_day, -rng.randint(1, 3))
            finish = [("request", self.workday(end, 1))]
        elif fate == "returned":
            first = self.before_today(rng.randint(45, 60))
            finish = [("request", first), ("return", self.workday(first, 2))]
        elif fate in CLOSING:
            if fate == "closed_late":
                ask = self.workday(due, rng.randint(4, 12))
            else:
                ask = self.workday(min(due, self.today) if due else self.today, -rng.randint(3, 12))
            ask = min(ask, self.workday(self.last_day, -15 if fate == "closed_return" else -10))
            if after is not None:  # a parent asks once its last sub-task is closed
                ask = self.workday(after, 1)
            ask = max(ask, self.workday(signed, 15))
            if fate == "closed_return":
                finish = [("request", ask), ("return", self.workday(ask, 2)), ("request", self.workday(ask, 5)), ("close", self.workday(ask, 7))]
            else:
                finish = [("request", ask), ("close", self.workday(ask, rng.randint(2, 5)))]
            end = self.workday(ask, -1)
        elif fate == "suspended":
            end = self.before_today(rng.randint(25, 45))
            finish = [("suspend", self.workday(end, 1))]
        elif fate == "cancelled":
            end = self.before_today(rng.randint(50, 80))
            finish = [("cancel", self.workday(end, 1))]
        elif fate == "paused":
            end = self.before_today(rng.randint(20, 40))
            finish = [("pause", self.workday(end, 1))]
        elif fate == "paused_resumed":
            paused = self.workday(self.launch + dt.timedelta(days=100))
            finish = [("pause", paused), ("resume", self.workday(paused, 20))]
        elif fate in {"extended", "ext_rejected"}:
            ask = min(self.workday(due, -6), self.workday(self.last_day, -8))
            finish = [("extend", ask), ("approve" if fate == "extended" else "reject", self.workday(ask, 2))]
        elif fate == "ext_pending":
            finish = [("extend", self.workday(self.last_day, -2))]

        # The report days: a few working days before each due date of the cycle.
        from duban.matters.cycles import ReportCycle

        cycle = ReportCycle.parse(plan.cycle)
        days, nominal = [], signed
        marks = {kind: day for kind, day in finish}
        # Reports are refused while the office holds a completion request, and a paused unit does not report.
        quiet = [(marks["pause"], marks.get("resume", dt.date.max))] if "pause" in marks else []
        if fate == "returned":
            quiet.append((marks["request"], marks["return"]))

        def allowed(day):
            return not any(start <= day <= stop for start, stop in quiet)

        while True:
            nominal = cycle.next_due(nominal)
            day = max(self.workday(nominal, -rng.randint(0, 3)), self.workday(signed, 1))
            if day > end:
                break
            if days and day <= days[-1]:
                continue
            if allowed(day):
                days.append(day)
        policy = "rollup" if rollup else {
            "ahead": "ahead", "behind": "behind", "overdue": "late", "ext_pending": "late", "ext_rejected": "late",
            "soon": "soon",
        }.get(fate, "finish" if fate in CLOSING | {"requested", "returned"} else "track")
        if due is None and policy == "track":
            policy = "standing"
        returned_on = marks.get("return")
        approved_on = marks.get("approve")
        before_request = [d for d in days if "request" not in marks or d < marks["request"]]
        timeline: list[tuple[dt.date, int, Callable[[], object]]] = []
        for k, day in enumerate(days):
            target = days[k + 1] if k + 1 < len(days) else max(self.today + dt.timedelta(days=7), day)
            ramp = min(1.0, (k + 1) / max(1, len(before_request)))
            after_return = returned_on is not None and day > returned_on
            step_policy = "late" if fate == "extended" and day < approved_on else policy
            timeline.append((day, 0, self._report_step(h, step_policy, day, target, ramp, after_return, random.Random(rng.random()))))
            if h.coop and k == len(days) // 2 and not rollup and rng.random() < 0.5:
                coop_day = self.workday(day, 1)
                if allowed(coop_day) and coop_day <= end and (k + 1 == len(days) or coop_day < days[k + 1]):
                    timeline.append((coop_day, 1, self._coop_report(h, rng.choice(h.coop))))
        for kind, day in finish:
            timeline.append((day, 2, self._finish_step(h, kind, rng)))
        for day, _order, run in sorted(timeline, key=lambda item: (item[0], item[1])):
            s.add(day, run)
        return max([signed, *days, *(d for _k, d in finish)])

    # --- steps -------------------------------------------------------------------------------------

    def _report_step(self, h: Handle, policy: str, day: dt.date, target: dt.date, ramp: float, after_return: bool, rng: random.Random):
        def run():
            task = h.get()
            percent = self._percent(task, h, policy, day, target, ramp, after_return, rng)
            text, problems, next_steps = self._words(h.plan, percent, rng, rollup=policy == "rollup")
            lead = self._code(task.lead_unit_id)
            who = f"{lead}_lly" if rng.random() < 0.85 else f"{lead}_head"
            services.report_progress(self.actor(who), task, percent=percent, text=text, problems=problems, next_steps=next_steps)
            h.reports += 1
            h.last_percent = percent

        return run

    def _percent(self, task: Task, h: Handle, policy: str, day: dt.date, target: dt.date, ramp: float, after_return: bool, rng) -> int:
        prev = h.last_percent
        if policy == "rollup":
            return task.progress
        if policy == "standing":
            return min(90, max(prev + rng.randint(5, 12), 15))
        if policy == "finish":
            if after_return:
                return 95
            return 100 if ramp >= 1 else max(prev, min(95, round(100 * ramp) + rng.randint(-3, 3)))
        due = task.due_date
        share_at = lambda d: elapsed_share(task.start_date, due, d) * 100  # noqa: E731
        if policy == "track":
            value = math.ceil(share_at(target)) + rng.randint(1, 5)
        elif policy == "soon":  # the last stretch before a near due date
            value = min(94, math.ceil(share_at(day)) - rng.randint(2, 6))
        elif policy == "ahead":
            value = math.ceil(share_at(target)) + rng.randint(12, 20)
        elif policy == "behind":
            value = min(int(share_at(day)) - rng.randint(12, 20), int(share_at(self.today)) - 8)
        else:  # late: slipping before the due date, crawling after it
            value = int(share_at(day) * 0.8) if day <= due else prev + rng.randint(1, 4)
            value = min(value, 92)
        return max(prev, min(99, max(5, value)))

    def _words(self, plan: Plan, percent: int, rng, *, rollup: bool = False) -> tuple[str, str, str]:
        words = WORDS.get(plan.kind, WORDS["general"])
        band = 3 if percent >= 100 else 2 if percent >= 70 else 1 if percent >= 30 else 0
        text = rng.choice(words.phases[band])
        if rollup:
            text = f"汇总各乡镇进展：{text}"
        if plan.goals and percent < 100:
            done = "，".join(f"{what}{_amount(target * percent / 100, target, unit)}{unit}" for what, target, unit in plan.goals)
            text += f"。截至目前，累计{done}，完成目标任务的{percent}%"
        elif plan.goals:
            text += "。" + "，".join(f"{what}{_amount(target, target, unit)}{unit}" for what, target, unit in plan.goals) + "，全面完成目标任务"
        problems = rng.choice(words.problems) if percent < 100 and rng.random() < 0.7 else ""
        next_steps = rng.choice(words.next_steps) if percent < 100 else "做好资料归档，申请销账"
        return text + "。", problems, next_steps

    def _coop_report(self, h: Handle, code: str):
        def run():
            task = h.get()
            lead = task.lead_unit.display_name if task.lead_unit_id else "牵头单位"
            services.report_progress(self.actor(f"{code}_lly"), task, percent=task.progress,
                                     text=f"配合{lead}做好相关工作，本单位承担的事项已按时间节点推进。",
                                     next_steps=f"继续配合{lead}推进，按要求报送配合工作情况")

        return run

    def _finish_step(self, h: Handle, kind: str, rng: random.Random):
        plan = h.plan
        items = [line for line in plan.standard.splitlines() if line.strip()]
        lead = lambda: h.lead  # noqa: E731 (a reassignment may change the lead before the step runs)

        def run():
            task = h.get()
            if kind == "request":
                who = f"{lead()}_head" if rng.random() < 0.6 else f"{lead()}_lly"
                summary = "已完成：" + "；".join(items) + "。"
                why_none = rng.choice(("纸质验收材料已报县督查室存档。", "已由县督查室现场核验，材料在单位存档备查。"))
                services.request_completion(self.actor(who), task, summary=summary, no_evidence_reason=why_none)
            elif kind == "return":
                miss = rng.randrange(len(items))
                checklist = [i != miss for i in range(len(items))]
                reason = f"“{items[miss]}”佐证材料不足，请补充{rng.choice(RETURN_EVIDENCE)}后重新申请销账。"
                services.return_task(self.actor("ducha2"), task, reason=reason, checklist=checklist)
            elif kind == "close":
                grade = rng.choices([QualityGrade.EXCELLENT, QualityGrade.GOOD, QualityGrade.PASS], weights=[3, 5, 2])[0]
                services.close_task(self.actor("ducha2"), task, checklist=[True] * len(items), grade=grade,
                                    note="经现场核验，各项标准均已达到。")
            elif kind in {"extend", "approve", "reject"}:
                self._extension(task, kind, plan, rng)
            elif kind == "pause":
                reason = PAUSE_REASONS.get(plan.kind, "等待上级部门审批，非本单位可控，挂起计时")
                services.pause_clock(self.actor("ducha1"), task, reason=reason)
            elif kind == "resume":
                services.resume_clock(self.actor("ducha1"), task)
            elif kind == "suspend":
                services.suspend_task(self.actor("shuji"), task, reason=SUSPEND_REASONS.get(plan.lead, SUSPEND_REASON))
            elif kind == "cancel":
                services.cancel_task(self.actor("xianzhang"), task, reason=CANCEL_REASONS.get(plan.lead, "经县委常委会会议研究，撤销该任务"))

        return run

    def _extension(self, task: Task, kind: str, plan: Plan, rng: random.Random) -> None:
        # The task's leader in charge decides (a sub-task keeps its parent's leader, not its township's deputy).
        leader = Actor(user=task.leader_in_charge, request_id=REQUEST_ID) if task.leader_in_charge_id else self.actor("xianzhang")
        if kind == "extend":
            new_due = month_end(self.today.year, self.today.month + rng.choice([2, 3]))
            words = WORDS.get(plan.kind, WORDS["general"])
            services.request_extension(self.actor(f"{self._code(task.lead_unit_id)}_head"), task, new_due=new_due,
                                       reason=f"{words.delay}，无法按期完成，申请延期至{new_due:%Y年%m月%d日}。")
            return
        request = task.extension_requests.get(state=RequestState.PENDING)
        if kind == "approve":
            services.decide_extension(leader, request, approve=True, note="同意延期，请倒排工期，确保按新时限完成。")
        else:
            services.decide_extension(leader, request, approve=False, note="不同意延期，请加大力度，确保按期完成。")

    def _code(self, unit_id: int | None) -> str:
        if not hasattr(self, "_codes"):
            self._codes = {unit.pk: code for code, unit in self.county.units.items()}
        return self._codes[unit_id]


def _amount(value: float, target: float, unit: str) -> str:
    if unit in COUNTED or (isinstance(target, int) and target >= 20):
        return str(round(value))
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text or "0"


__all__ = ["LedgerDemo", "LedgerResult", "REQUEST_ID"]
