"""Load generation: a county with 100k key-work tasks and 1M progress reports, fast.

This is volume, not behaviour: after the demo county (units, people and roles, through the services) the
tasks, their cooperating units and their reports are written straight into the tables — Task rows with
`bulk_create`, the reports and the many-to-many rows with `executemany` (COPY on PostgreSQL) — in one
transaction, without timelines or audit entries. Then the planner's statistics are refreshed (ANALYZE).

The distribution is what a county ledger looks like after a year or two: ~50 units of very different
loads, most tasks in progress or closed, a fifth of the open ones yellow and a fifth red, due dates across
2026–2027 with some standing (长期坚持) tasks, and titles built from the county's vocabulary. One word of
the vocabulary, `RARE_WORD`, is in about 1% of the titles, so a text search on it matches ~1% of tasks.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone

RARE_WORD = "森林防火"
RARE_SHARE = 0.01

ACTIONS = ("推进", "完成", "开展", "落实", "实施", "加快", "组织", "推动", "办理", "做好", "深化", "持续抓好")
OBJECTS = (
    "签约项目落地", "重点项目开工", "征地拆迁", "用地手续办理", "审批提速", "企业诉求办结", "燃气安全排查", "老旧小区改造",
    "高标准农田建设", "招商引资", "标准化厂房建设", "供水管网改造", "雨污分流改造", "农村公路建设", "清理拖欠企业账款",
    "惠企政策兑现", "“三合一”场所整治", "建筑施工安全整治", "食品安全抽检", "矛盾纠纷化解", "农村改厕", "国土绿化",
    "批而未供土地处置", "专项债券项目申报", "工业技术改造", "政务服务“一网通办”", "低效用地盘活", "防汛隐患排查",
    "农村饮水安全", "特色产业发展", "村级集体经济", "城中村改造", "公共停车泊位建设", "生活垃圾分类", "散煤清洁取暖",
    "校园安全排查", "自建房安全整治", "道路交通安全整治", "非法采砂整治", "营商环境评价整改",
)
SUFFIXES = ("工作", "专项行动", "攻坚", "年度任务", "提升工程", "整治行动", "三年行动", "百日攻坚")
STANDARDS = (
    "制定工作方案，明确责任分工\n按月调度推进情况\n年底前完成目标任务",
    "建立工作台账，逐项明确责任人和时限\n发现问题限期整改\n整改完成率100%",
    "完成项目前期手续\n主体工程开工建设\n完成年度投资计划",
)
REPORT_TEXTS = (
    "按照工作方案有序推进，本月完成阶段性任务", "召开专题推进会，协调解决存在问题", "深入一线调度，工程形象进度符合计划",
    "完成入户调查和政策宣传", "组织联合检查，发现问题已交办整改", "对标对表查漏补缺，资料整理归档",
    "与相关部门对接，手续办理有序推进", "施工单位加大投入，进度明显加快", "开展回访，群众和企业满意度提升",
    "专班集中办公，逐项销号", "上报市级审查，正在按意见补正", "完成年度目标任务的主要工作量",
)
PROBLEMS = ("", "", "资金到位不足", "个别群众诉求未化解", "上级审批周期较长", "施工受天气影响")
NEXT_STEPS = ("继续按计划推进", "加快施工进度", "协调解决资金问题", "做好验收准备", "加大督导力度")

# state → share of all tasks; the open ones carry lights, the finished ones are grey.
STATE_SHARES = {
    "draft": 0.03, "assigned": 0.05, "in_progress": 0.45, "completion_requested": 0.07, "closed": 0.35,
    "suspended": 0.02, "cancelled": 0.03,
}
OPEN_LIGHTS = {"green": 0.60, "yellow": 0.22, "red": 0.18}
LIGHT_REASONS = {"green": "按期推进", "yellow": "欠进度（已报 40%）", "red": "已逾期（完成时限 2026年3月31日）", "grey": "已办结"}
REPORTING_STATES = {"in_progress", "completion_requested", "closed", "suspended", "cancelled"}


@dataclass
class Generated:
    tasks: int = 0
    reports: int = 0
    cooperating: int = 0
    seconds: float = 0.0
    analyze_seconds: float = 0.0
    per_state: Counter = field(default_factory=Counter)
    per_light: Counter = field(default_factory=Counter)
    rare_titles: int = 0


def existing() -> Generated | None:
    """What an earlier run generated into this database (for --reuse), or None if it is empty."""
    from duban.ledger.models import ProgressReport, Task

    tasks = Task.objects.count()
    if not tasks:
        return None
    made = Generated(tasks=tasks, reports=ProgressReport.objects.count(),
                     cooperating=Task.cooperating_units.through.objects.count())
    made.per_state = Counter(dict(Task.objects.values_list("state").annotate(n=models.Count("id")).values_list("state", "n")))
    made.per_light = Counter(dict(Task.objects.values_list("light").annotate(n=models.Count("id")).values_list("light", "n")))
    made.rare_titles = Task.objects.filter(title__contains=RARE_WORD).count()
    return made


def generate(tasks: int, reports: int, *, seed: int = 100, log=print, shares: dict[str, float] | None = None) -> Generated:
    """Write `tasks` tasks and `reports` progress reports into the demo county; ANALYZE afterwards.
    `shares` replaces STATE_SHARES (the sweep's benchmark wants every task open)."""
    from duban.core.demo import DEPARTMENTS, DEPUTIES, OFFICES, TOWNSHIPS
    from duban.core.models import Unit, User
    from duban.ledger.demo_tasks import FRONTS
    from duban.ledger.models import Campaign, Front, ProgressReport, Task

    expected = ["id", "task_id", "unit_id", "author_id", "reported_on", "created_at", "percent", "text", "problems", "next_steps"]
    if [f.attname for f in ProgressReport._meta.concrete_fields] != expected:
        raise SystemExit("ProgressReport's columns changed: update bench/generate.py (it writes them with executemany)")

    rng = random.Random(seed)
    result = Generated()
    started = time.monotonic()
    people = {u.username: u for u in User.objects.all()}
    codes = [code for code, *_ in DEPARTMENTS] + [code for code, _ in TOWNSHIPS]
    units = {u.pk: u for u in Unit.objects.filter(kind__in=["department", "township", "section", "village"])}
    unit_of_code = {code: people[f"{code}_head"].unit for code in codes}
    for user in people.values():  # sections and villages: their one liaison's login names them
        if user.unit_id in units and user.unit not in unit_of_code.values() and user.username not in unit_of_code:
            unit_of_code[user.username] = user.unit
    names = {name: code for code, name, *_ in [*DEPARTMENTS, *OFFICES]} | {name: code for code, name in TOWNSHIPS}
    front_units = {names[u.name]: u for u in Unit.objects.filter(name__in=names)}
    deputy = {code: login for login, _title, charge in DEPUTIES for code in charge}
    liaison = {}
    head = {}
    for user in people.values():
        if user.unit_id:
            roles = user.roles
            if "liaison" in roles:
                liaison.setdefault(user.unit_id, user.pk)
            if "unit_head" in roles:
                head.setdefault(user.unit_id, user.pk)
    # Loads differ a lot between units: a few carry many tasks, most a handful (Zipf-like weights).
    unit_codes = list(unit_of_code)
    rng.shuffle(unit_codes)
    weights = [1 / (rank + 3) ** 0.9 for rank in range(len(unit_codes))]

    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA synchronous=OFF")  # a throwaway database: no fsync while loading
    with transaction.atomic():
        now = timezone.now()
        campaigns = {year: Campaign.objects.create(name=f"{year}年执行力亮剑行动", year=year) for year in (2026, 2027)}
        fronts = {}
        for year, campaign in campaigns.items():
            for number, name, _leaders, lead, _members, goal in FRONTS:
                fronts[year, number] = Front.objects.create(campaign=campaign, number=number, name=name,
                                                            lead_unit=front_units[lead], description=goal)
        log(f"  写入 {tasks:,} 项任务 …")
        shares = shares or STATE_SHARES
        states = rng.choices(list(shares), weights=list(shares.values()), k=tasks)
        start_2026 = dt.date(2026, 1, 1)
        batch = []
        for n, state in enumerate(states, start=1):
            code = rng.choices(unit_codes, weights=weights)[0]
            unit = unit_of_code[code]
            charge_code = code if code in deputy else code.split("_")[0]
            standing = rng.random() < 0.05
            due = None if standing else start_2026 + dt.timedelta(days=rng.randrange(30, 730))
            year = 2026 if due is None or due.year == 2026 else 2027
            start = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 60))
            if due is not None and due < start:
                due = start + dt.timedelta(days=rng.randrange(30, 300))
            rare = rng.random() < RARE_SHARE
            obj = RARE_WORD if rare else rng.choice(OBJECTS)
            title = f"{unit.display_name}{rng.choice(ACTIONS)}{obj}{rng.choice(SUFFIXES)}"
            result.rare_titles += rare
            if state in {"closed", "cancelled"}:
                light = "grey"
            elif state == "draft":
                light = "green"
            else:
                light = rng.choices(list(OPEN_LIGHTS), weights=list(OPEN_LIGHTS.values()))[0]
            progress = 100 if state in {"closed", "completion_requested"} else 0 if state in {"draft", "assigned"} else rng.randrange(5, 96)
            signed = state in REPORTING_STATES
            batch.append(Task(
                code=f"{year}-{n:06d}", campaign=campaigns[year], front=fronts[year, rng.randint(1, 8)], seq=str(n),
                title=title, standard=rng.choice(STANDARDS), state=state, version=rng.randint(1, 12),
                leader_in_charge=people.get(deputy.get(charge_code, "xianzhang")), lead_unit=unit,
                responsible_person_id=head.get(unit.pk), responsible_name="" if head.get(unit.pk) else "单位主要负责人",
                deadline_text="长期坚持" if standing else f"{due.year}年{due.month}月底前", standing=standing,
                due_date=due, due_sort=due or dt.date.max, start_date=start, report_cycle="monthly:25",
                reward_penalty="按期完成加1分，逾期扣2分", source="meeting", source_ref="县委办〔2026〕8号",
                progress=progress, light=light, light_reason=LIGHT_REASONS[light],
                schedule="done" if state == "closed" else "", signed_at=now if signed else None,
                grade="good" if state == "closed" else "", closed_on=due if state in {"closed", "cancelled"} else None,
                completed_on=due if state in {"closed", "completion_requested"} else None,
                paused_since=start if state == "suspended" else None, pause_reason="等待上级批复" if state == "suspended" else "",
                return_count=1 if rng.random() < 0.04 else 0, reassign_count=1 if rng.random() < 0.02 else 0,
                created_at=now, updated_at=now, light_checked_on=now.date(),
            ))
            result.per_state[state] += 1
            result.per_light[light] += 1
            if len(batch) == 5000:
                # The task queryset's bulk_create derives search_text (and due_sort) for every row with the
                # function save() and write() use (Matter.derived); on SQLite the FTS5 triggers index them.
                Task.objects.bulk_create(batch)
                batch = []
        Task.objects.bulk_create(batch)
        result.tasks = Task.objects.count()

        ids = list(Task.objects.order_by("id").values_list("id", "lead_unit_id", "state", "start_date"))
        coop_rows = []
        unit_ids = [u.pk for u in unit_of_code.values()]
        for task_id, lead_id, _state, _start in ids:
            if rng.random() < 0.3:
                for other in rng.sample(unit_ids, rng.randint(1, 2)):
                    if other != lead_id:
                        coop_rows.append((task_id, other))
        _insert(Task.cooperating_units.through._meta.db_table, ("task_id", "unit_id"), coop_rows)
        result.cooperating = len(coop_rows)

        log(f"  写入 {reports:,} 条进展报送 …")
        reporting = [row for row in ids if row[2] in REPORTING_STATES]
        counts = Counter(rng.choices(range(len(reporting)), k=reports))
        tz = timezone.get_default_timezone()

        def report_rows():
            for index, k in sorted(counts.items()):
                task_id, unit_id, _state, start = reporting[index]
                author = liaison.get(unit_id)
                for j in range(k):
                    day = start + dt.timedelta(days=25 + 30 * j)
                    yield (task_id, unit_id, author, day, dt.datetime.combine(day, dt.time(10, j % 60), tzinfo=tz),
                           min(100, 5 + 95 * (j + 1) // k), rng.choice(REPORT_TEXTS), rng.choice(PROBLEMS), rng.choice(NEXT_STEPS))

        _insert(ProgressReport._meta.db_table, tuple(expected[1:]), report_rows())
        result.reports = ProgressReport.objects.count()
    result.seconds = time.monotonic() - started
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA synchronous=FULL")  # measure with the settings production runs with
    log("  ANALYZE …")
    started = time.monotonic()
    analyze()
    result.analyze_seconds = time.monotonic() - started
    return result


def analyze() -> None:
    """Fresh planner statistics; on PostgreSQL also the visibility map (VACUUM), as autovacuum would have done
    on a live server, so that index-only scans are possible."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _insert(table: str, columns: tuple[str, ...], rows, batch: int = 50_000) -> None:
    """Append `rows` (tuples in `columns` order) to `table`: executemany on SQLite, COPY on PostgreSQL."""
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        from duban.core import versions

        versions.raise_now()  # a COPY is not a statement the data version's query wrapper sees
        return
    sql = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    chunk = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(row)
            if len(chunk) == batch:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)


# --- the hazard ledger --------------------------------------------------------------------------------

HAZARD_STATES = {"found": 0.08, "rectifying": 0.30, "awaiting": 0.07, "closed": 0.55}
HAZARD_PLACES = ("南街", "北关", "东环路", "农贸市场", "中心学校", "卫生院", "加油站", "建材市场", "物流园", "林场", "砂石厂", "餐馆后厨")
HAZARD_TITLES = ("液化气钢瓶与灶具间距不足", "消防通道堆放杂物", "深基坑无临边防护", "电气线路私拉乱接", "灭火器过期未更换",
                 "林区违规野外用火", "危化品储存不规范", "安全出口锁闭", "施工现场未设警示标志", "车辆超载运输")


def generate_hazards(count: int, *, seed: int = 200, log=print) -> int:
    """`count` hazards (隐患台账) over the demo county's townships and units, written with bulk_create in one
    transaction (no timelines or audit entries), the open ones lit; returns how many exist afterwards."""
    from duban.core.models import Unit
    from duban.safety.models import Hazard, Sector

    have = Hazard.objects.count()
    if have >= count:
        return have
    started = time.monotonic()
    rng = random.Random(seed)
    Sector.ensure_defaults()
    sectors = list(Sector.objects.all())
    townships = list(Unit.objects.filter(kind="township"))
    units = list(Unit.objects.filter(kind__in=["department", "township"]))
    states, weights = zip(*HAZARD_STATES.items(), strict=True)
    first = dt.date(2024, 1, 1)
    made = []
    with transaction.atomic():
        for n in range(have + 1, count + 1):
            state = rng.choices(states, weights)[0]
            found = first + dt.timedelta(days=rng.randrange(0, 900))
            town = rng.choice(townships)
            due = found + dt.timedelta(days=rng.randrange(7, 90)) if state != "found" else None
            light = "grey" if state == "closed" else rng.choices(list(OPEN_LIGHTS), list(OPEN_LIGHTS.values()))[0]
            made.append(Hazard(
                code=f"YH{found.year}-{n:06d}", sector=rng.choice(sectors), level="major" if rng.random() < 0.05 else "general",
                place=f"{town.name}{rng.choice(HAZARD_PLACES)}{rng.randrange(1, 200)}号", title=rng.choice(HAZARD_TITLES),
                township=town, found_on=found, start_date=found, found_by_name="排查员", state=state, light=light,
                lead_unit=None if state == "found" else rng.choice(units), due_date=due, measures="按要求整改" if due else "",
                closed_on=due if state == "closed" else None, completed_on=due if state in ("closed", "awaiting") else None,
            ))
            if len(made) == 5000:
                Hazard.objects.bulk_create(made)
                made = []
        Hazard.objects.bulk_create(made)
    analyze()
    log(f"    {count - have:,} 条隐患（用时 {time.monotonic() - started:.1f} 秒）")
    return count


def supervision_history(*, skip: set[int] = frozenset(), seed: int = 14, log=print) -> tuple[int, int]:
    """Load generation for the 督办记录 list and the 中梗阻 page (issue 14): the actions the ladder would have
    issued on the generated tasks — a red open task a 提醒, a 催办 and a 督办通知单 (open or answered), every
    tenth of them a 约谈建议 too; a yellow one a 提醒; a third of the closed ones a 提醒 back then — and each
    task's timeline as the 中梗阻 analytics reads it: 立账交办 (its arrival at the unit), 退回 for a task
    returned, 申请调整承办单位 for one passed on. Bulk inserts, as `generate`; the tasks in `skip` get none
    (the task page's subject keeps its own). Returns (actions, events) written."""
    from django.contrib.contenttypes.models import ContentType

    from duban.ledger.models import Task
    from duban.matters import obstruction, registry
    from duban.matters.models import MatterEvent
    from duban.supervision.models import SupervisionAction

    rng = random.Random(seed)
    task_type = ContentType.objects.get_for_model(Task).pk
    tz = timezone.get_default_timezone()
    rows = Task.objects.order_by("id").values_list("id", "code", "title", "state", "light", "lead_unit_id", "start_date", "due_date",
                                                   "return_count", "reassign_count")
    actions, events, number = [], [], 0
    at = lambda day, hour=9: dt.datetime.combine(day, dt.time(hour), tzinfo=tz)  # noqa: E731
    for task_id, code, title, state, light, unit_id, start, due, returns, reassigns in rows.iterator(chunk_size=5000):
        if task_id in skip:
            continue
        if state != "draft":
            events.append(("ledger.task", task_id, unit_id, None, "县委督查室", "registered", at(start), "", "{}"))
        if returns:
            events.append(("ledger.task", task_id, unit_id, None, "县委督查室", "returned", at(start + dt.timedelta(days=60)), "佐证材料不全", "{}"))
        if reassigns:
            events.append(("ledger.task", task_id, unit_id, None, "单位联络员", "reassign_requested", at(start + dt.timedelta(days=10)),
                           "不属于本单位职责", "{}"))
        if due is None:
            continue
        steps = []
        if state in {"assigned", "in_progress", "completion_requested"} and light == "red":
            steps = [("remind", -3, "done"), ("urge", 1, "done"), ("notice", 3, rng.choice(["open", "replied"]))]
            if rng.random() < 0.1:
                steps.append(("interview", 10, "done"))
        elif state in {"assigned", "in_progress"} and light == "yellow":
            steps = [("remind", -3, "done")]
        elif state == "closed" and rng.random() < 0.33:
            steps = [("remind", -3, "done")]
        for kind, offset, action_state in steps:
            day = due + dt.timedelta(days=offset)
            notice = kind == "notice"
            if notice:
                number += 1
            actions.append((kind, action_state, task_type, task_id, code, title, 1, kind, True,
                            f"县督字〔{day.year}〕{number}号" if notice else "", unit_id, None, f"请抓紧推进：{title}", None, day, at(day),
                            due, day + dt.timedelta(days=5) if notice else None, "已按要求推进" if action_state == "replied" else "",
                            at(day + dt.timedelta(days=2)) if action_state == "replied" else None, None, None))
    action_columns = ("kind", "state", "matter_type_id", "matter_id", "matter_code", "matter_title", "deadline_cycle", "slot", "automatic",
                      "number", "target_unit_id", "target_person_id", "text", "issued_by_id", "issued_on", "issued_at", "due_date",
                      "reply_due", "reply", "replied_at", "replied_by_id", "chases_id")
    if [f.attname for f in SupervisionAction._meta.concrete_fields][1:] != list(action_columns):
        raise SystemExit("SupervisionAction's columns changed: update bench/generate.py (supervision_history)")
    event_columns = ("kind", "matter_id", "unit_id", "person_id", "person_name", "event", "at", "text", "data")
    if [f.attname for f in MatterEvent._meta.concrete_fields][1:] != list(event_columns):
        raise SystemExit("MatterEvent's columns changed: update bench/generate.py (supervision_history)")
    log(f"    写入 {len(actions):,} 条督办记录、{len(events):,} 条办理记录 …")
    with transaction.atomic():
        _insert(SupervisionAction._meta.db_table, action_columns, actions)
        _insert(MatterEvent._meta.db_table, event_columns, events)
        with connection.cursor() as cursor:  # statistics of the events just written: else the planner reads the
            cursor.execute(f"ANALYZE {connection.ops.quote_name(MatterEvent._meta.db_table)}")  # update below one by one
        # What the runner keeps for each restart event it writes (立账交办, 退回): the tasks' last_restart_at.
        obstruction.refresh_restarts(registry.for_model(Task))
    analyze()
    return len(actions), len(events)
