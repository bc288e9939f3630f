"""The key-project ledger at benchmark size (issue 9): 20k projects, 200k procedures and 240k monthly reports; the
project list and the pipeline page against their floor.

    .venv/bin/python -m bench.projects                      # on SQLite in a throwaway data dir
    .venv/bin/python -m bench.projects --postgres postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python -m bench.projects --projects 2000      # a quick look (the doc is not rewritten)

Data: bulk inserts (executemany / COPY) into the demo county (load generation, not the services: no timelines, no audit) — every
project with 10 procedures (the 8 default types and 4 more) and a year of monthly reports (the months before
this one submitted for the projects that invest, this one due, the rest planned), the lights written as the
sweep would leave them (a project red with its late procedure and that procedure's unit in the reason).

Pages, as bench.pages measures them (Django's test Client in this process, the floor interleaved request by
request: the page's own queries replayed in raw SQL plus the empty page of bench.ledger_list):
    projects-office   /projects/ as the project office (发改局 联络员), default order
    projects-red      /projects/?light=red as the project office
    projects-leader   /projects/ as the deputy county leader in charge of the most projects (and in scope: those of
                      the units in their charge, and those whose procedures those units handle)
    pipeline          /projects/pipeline/ as the project office
Bar: median ≤ 30 ms and ≤ 3× the floor. A page still a placeholder (404) is not timed: its list query is, alone
(the FilterSet's queryset for that user and those parameters: the first 50 rows and the count, through the ORM
and replayed in raw SQL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL = 20_000
PROCEDURES = 10  # per project
BATCH = 5000
PAGE = 50

STAGE_SHARES = {"lead": 0.10, "negotiating": 0.08, "signed": 0.07, "preparing": 0.20, "started": 0.35, "completed": 0.08,
                "producing": 0.09, "stopped": 0.03}
REPORTING = {"preparing", "started", "completed"}
INVESTED = REPORTING | {"producing"}
AHEAD = {"lead", "negotiating", "signed"}
LEVELS = {"province": 0.03, "city": 0.12, "county": 0.55, "none": 0.30}
INDUSTRIES = ("manufacturing", "new_energy", "materials", "agri_food", "tourism", "services", "infrastructure", "social", "agriculture")
TYPES = ("industrial", "infrastructure", "social", "real_estate", "agricultural")
OPEN_LIGHTS = {"green": 0.60, "yellow": 0.15, "red": 0.25}
# Four more procedure types, so that every project has 10 (one of each type at most).
EXTRA_TYPES = (("soil", "水土保持方案", "started", 20, "shuili"), ("relics", "文物勘探", "started", 30, "wenlv"),
               ("fire", "消防设计审查", "started", 15, "zhujian"), ("air_defense", "人防审查", "started", 10, "zhujian"))
HANDLERS = {"approval": "县发展和改革局", "land_expropriation": "县自然资源局", "land_transfer": "县自然资源局", "land_supply": "县自然资源局",
            "planning": "县自然资源局", "eia": "县生态环境分局", "energy": "县发展和改革局", "construction_permit": "县住房和城乡建设局",
            "soil": "县水利局", "relics": "县文化和旅游局", "fire": "县住房和城乡建设局", "air_defense": "县住房和城乡建设局"}
NAMES = ("新型建材", "光伏组件", "农产品冷链物流园", "污水管网改造", "中学新建", "文旅综合体", "风电场", "食品精深加工", "装备制造产业园", "保障性住房",
         "高标准农田", "供热管网", "储能电站", "数据中心", "医院综合楼", "公路改扩建")


@dataclass
class Generated:
    projects: int = 0
    procedures: int = 0
    reports: int = 0
    seconds: float = 0.0
    per_stage: Counter = field(default_factory=Counter)
    per_light: Counter = field(default_factory=Counter)


def _procedure_types():
    from duban.core.models import Unit
    from duban.projects.models import ProcedureType

    ProcedureType.ensure_defaults()
    for sort, (code, name, before, days, _unit) in enumerate(EXTRA_TYPES, start=9):
        ProcedureType.objects.get_or_create(code=code, defaults={"name": name, "required_before": before, "workdays": days, "sort": sort * 10})
    units = {u.name: u for u in Unit.objects.filter(name__in=set(HANDLERS.values()))}
    for code, unit in HANDLERS.items():
        ProcedureType.objects.filter(code=code).update(default_unit=units[unit])
    return list(ProcedureType.objects.select_related("default_unit").order_by("sort", "id"))


def _bulk(model, objs) -> None:
    """What MatterQuerySet.bulk_create writes, without Django's per-row SQL assembly (most of its time at 440k rows):
    the derived columns filled the same way, the values as the driver takes them (datetimes prepared once each),
    appended by bench.generate._insert (executemany on SQLite, COPY on PostgreSQL)."""
    from django.db import connection

    from bench.generate import _insert

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamps: dict = {}

    def value(f, v):
        if isinstance(v, dt.datetime):
            if v not in stamps:
                stamps[v] = f.get_db_prep_save(v, connection)
            return stamps[v]
        return v

    rows = []
    for obj in objs:
        obj.fill_derived()
        rows.append(tuple(value(f, getattr(obj, f.attname)) for f in fields))
    _insert(model._meta.db_table, tuple(f.column for f in fields), rows)


def generate(count: int, *, seed: int = 9, log=print) -> Generated:
    """Write `count` projects with PROCEDURES procedures and 12 monthly reports each into the demo county, then ANALYZE."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.generate import analyze
    from duban.core.models import LeaderCharge, Unit, User
    from duban.projects.models import InvestmentReport, Procedure, Project
    from duban.projects.services import report_day

    rng = random.Random(seed)
    started = time.monotonic()
    result = Generated()
    today = timezone.localdate()
    year = today.year
    now = timezone.now()
    kinds = _procedure_types()
    units = list(Unit.objects.filter(kind__in=["department", "township"]).order_by("id"))
    weights = [1 / (rank + 3) ** 0.9 for rank in range(len(units))]
    towns = [u for u in units if u.kind == "township"]
    charge = dict(LeaderCharge.objects.values_list("unit_id", "leader_id"))
    principals = list(User.objects.filter(role_grants__role="principal").order_by("id"))
    stages = rng.choices(list(STAGE_SHARES), weights=list(STAGE_SHARES.values()), k=count)
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA synchronous=OFF")  # a throwaway database: no fsync while loading
    with transaction.atomic():
        for start in range(0, count, BATCH):
            projects, plans = [], []
            for n in range(start, min(count, start + BATCH)):
                stage = stages[n]
                unit = rng.choices(units, weights)[0]
                leader = rng.choice(principals) if rng.random() < 0.05 else None
                total = Decimal(rng.randrange(2000, 150000))
                annual = (total * Decimal(rng.uniform(0.2, 0.5))).quantize(Decimal("1")) if stage in INVESTED else Decimal("0")
                begun = today - dt.timedelta(days=rng.randrange(30, 900))
                projects.append(Project(
                    code=f"XM{year}-B{n:06d}", name=f"{rng.choice(NAMES)}项目（{n:05d}）", investor=f"企业{n % 5000:04d}有限公司",
                    industry=rng.choice(INDUSTRIES), project_type=rng.choice(TYPES), level=rng.choices(list(LEVELS), list(LEVELS.values()))[0],
                    township=rng.choice(towns), location="工业园区", content="建设生产厂房及配套设施", total_investment=total, plan_year=year,
                    annual_plan=annual, cumulative_before=(total * Decimal("0.2")).quantize(Decimal("1")) if stage in INVESTED else Decimal("0"),
                    state=stage, lead_unit=unit, leader_in_charge_id=leader.pk if leader else charge.get(unit.pk), start_date=begun,
                    lead_on=begun, signed_on=begun + dt.timedelta(days=60) if stage not in ("lead", "negotiating") else None,
                    light="grey" if stage in ("producing", "stopped") else "green", light_reason="", light_checked_on=today,
                    closed_on=today if stage in ("producing", "stopped") else None, created_at=now, updated_at=now))
                plans.append(annual)
            _bulk(Project, projects)
            ids = dict(Project.objects.filter(code__in=[p.code for p in projects]).values_list("code", "id"))
            procedures, reports, red = [], [], {}
            for project, annual in zip(projects, plans, strict=True):
                pk = ids[project.code]
                chosen = rng.sample(kinds, PROCEDURES)
                for sort, kind in enumerate(sorted(chosen, key=lambda k: k.sort), start=1):
                    if project.state in AHEAD:
                        state, light = "pending", "green"
                    elif project.state == "preparing":
                        state = rng.choices(["done", "waived", "in_progress", "pending"], [45, 5, 30, 20])[0]
                        light = rng.choices(list(OPEN_LIGHTS), list(OPEN_LIGHTS.values()))[0] if state == "in_progress" else \
                            "green" if state == "pending" else "grey"
                    else:
                        state, light = rng.choices(["done", "waived"], [92, 8])[0], "grey"
                    began = today - dt.timedelta(days=rng.randrange(5, 200))
                    due = (today - dt.timedelta(days=rng.randrange(1, 90)) if light == "red" else
                           today + dt.timedelta(days=rng.randrange(1, 4)) if light == "yellow" else
                           today + dt.timedelta(days=rng.randrange(5, 60))) if state == "in_progress" else None
                    reason = {"red": f"已逾期（完成时限 {due}）" if due else "", "yellow": f"临近完成时限（{due}到期）" if due else "",
                              "grey": "已办结" if state == "done" else "无需办理"}.get(light, "未启动" if state == "pending" else "")
                    procedures.append(Procedure(
                        project_id=pk, procedure_type=kind, name=kind.name, title=f"{project.name} {kind.name}", code=f"{project.code}-{sort:02d}",
                        required_before=kind.required_before, workdays=kind.workdays, lead_unit_id=kind.default_unit_id,
                        leader_in_charge_id=project.leader_in_charge_id, sort=kind.sort, state=state, start_date=began, due_date=due,
                        completed_on=began + dt.timedelta(days=20) if state == "done" else None,
                        closed_on=began + dt.timedelta(days=20) if state in ("done", "waived") else None,
                        light=light, light_reason=reason, light_checked_on=today, created_at=now, updated_at=now))
                    if light == "red" and pk not in red:
                        red[pk] = f"{kind.name}（{kind.default_unit.short_name or kind.default_unit.name}）{reason}"[:120]
                monthly = (annual / 12).quantize(Decimal("0.1"))
                for month in range(1, 13):
                    due = report_day(year, month)
                    if project.state in INVESTED and month < today.month:
                        state, light = "submitted", "grey"
                    elif project.state in REPORTING and month == today.month:
                        state, light = "due", "red" if today > due else "green"
                    else:
                        state, light = "upcoming", "green"
                    completed = (monthly * Decimal(rng.uniform(0.6, 1.3))).quantize(Decimal("0.1")) if state == "submitted" else None
                    reports.append(InvestmentReport(
                        project_id=pk, year=year, month=month, code=f"{project.code}-{year}{month:02d}", title=f"{project.name} {year}年{month}月投资月报",
                        state=state, planned=monthly, completed=completed, lead_unit_id=project.lead_unit_id,
                        leader_in_charge_id=project.leader_in_charge_id, start_date=dt.date(year, month, 1), due_date=due,
                        submitted_at=now if completed is not None else None, completed_on=due if completed is not None else None,
                        closed_on=due if completed is not None else None, light=light, light_checked_on=today, created_at=now, updated_at=now))
            _bulk(Procedure, procedures)
            _bulk(InvestmentReport, reports)
            for pk, reason in red.items():
                Project.objects.filter(pk=pk).update(light="red", light_reason=reason)
            result.procedures += len(procedures)
            result.reports += len(reports)
            log(f"    {min(count, start + BATCH):,} / {count:,} 个项目")
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA synchronous=FULL")
    analyze()
    projects = Project.objects.all()
    result.projects = projects.count()
    result.per_stage = Counter(projects.values_list("state", flat=True))
    result.per_light = Counter(projects.values_list("light", flat=True))
    result.seconds = time.monotonic() - started
    log(f"    {result.projects:,} 个项目、{result.procedures:,} 项手续、{result.reports:,} 份月报，用时 {result.seconds:.1f} 秒")
    return result


def subjects():
    """The project list (the office: default order, and the red ones; the leader with the most projects in scope) and
    the pipeline page."""
    from django.db.models import Count
    from django.urls import reverse

    from bench.pages import Page
    from duban.core.choices import Role
    from duban.core.models import User
    from duban.projects import policies
    from duban.projects.models import Project

    office = next(u for u in User.objects.filter(role_grants__role=Role.LIAISON, is_active=True, unit_id=policies.office_unit_id()).order_by("id"))
    loads = dict(Project.objects.values_list("leader_in_charge_id").annotate(n=Count("*")))
    leaders = list(User.objects.filter(role_grants__role=Role.LEADER, is_active=True))
    leader = max(leaders, key=lambda u: (loads.get(u.pk, 0), -u.pk))  # the deputy leading the most projects (包抓)
    base = reverse("projects:project_list")
    return [
        Page("projects-office", "项目列表·县重点项目办（默认排序）", base, office),
        Page("projects-red", "项目列表·县重点项目办·红灯", f"{base}?light=red", office),
        Page("projects-leader", f"项目列表·分管县领导（{leader.full_name}，{Project.objects.visible_to(leader).count():,} 个）", base, leader),
        Page("pipeline", "项目推进全景·县重点项目办", reverse("projects:pipeline"), office),
    ]


@dataclass
class Alone:
    key: str
    label: str
    rows: int = 0
    orm: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)

    @property
    def orm_ms(self) -> float:
        return statistics.median(self.orm) * 1000

    @property
    def raw_ms(self) -> float:
        return statistics.median(self.raw) * 1000


def list_sql_alone(page, runs: int, warmup: int = 3, log=print) -> Alone | None:
    """The list's own query for a page still a placeholder: the FilterSet's queryset for the page's user and
    parameters (its first PAGE rows with the unit and leader, and the count), through the ORM and in raw SQL."""
    from urllib.parse import urlsplit

    from django.db import connection
    from django.http import QueryDict
    from django.test import RequestFactory

    from bench.ledger_list import raw_connection
    from bench.pages import _raw_sql
    from duban.projects.selectors import project_filter

    parts = urlsplit(page.url)
    if parts.path.rstrip("/").endswith("pipeline"):
        return None  # no query of its own to stand in for it before the page is written
    request = RequestFactory().get(page.url)
    request.user = page.user
    alone = Alone(page.key, page.label)
    recorded: list[tuple[str, tuple]] = []

    def run():
        filterset = project_filter(request, QueryDict(parts.query))
        rows = filterset.qs.select_related("lead_unit", "leader_in_charge")
        return len(list(rows[:PAGE])), rows.count()

    def keep(execute, sql, params, many, context):
        recorded.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        _rows, alone.rows = run()
    raw, mark = raw_connection()
    replay = [(_raw_sql(sql, mark), params) for sql, params in recorded if sql.lstrip().upper().startswith("SELECT")]
    alone.queries = [sql for sql, _p in replay]
    for n in range(warmup + runs):
        began = time.perf_counter()
        run()
        orm = time.perf_counter() - began
        began = time.perf_counter()
        for sql, params in replay:
            raw.execute(sql, params).fetchall()
        if n >= warmup:
            alone.orm.append(orm)
            alone.raw.append(time.perf_counter() - began)
    raw.close()
    log(f"  {alone.key:16} 仅列表查询：ORM {alone.orm_ms:6.1f} ms，原生SQL {alone.raw_ms:6.2f} ms（{len(replay)} 条，{alone.rows:,} 行符合）")
    return alone


def measure(runs: int, log=print):
    """The pages that answer 200 through bench.pages; the placeholders' list queries alone."""
    from django.conf import settings
    from django.test import Client
    from django.urls import clear_url_caches

    from bench import pages

    settings.ROOT_URLCONF = "bench.ledger_list"
    clear_url_caches()
    pending, live = [], []
    for page in subjects():
        client = Client()
        client.force_login(page.user)
        status = client.get(page.url).status_code
        (live if status == 200 else pending).append(page)
        if status != 200:
            log(f"  {page.key:16} {page.url} 返回 {status}（页面尚未实现），不计时页面")
    timed = pages.measure(runs=runs, subjects=lambda: live) if live else []
    alone = [a for a in (list_sql_alone(p, runs, log=log) for p in pending) if a is not None]
    return timed, alone, pending


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.projects", description="重点项目：项目列表与推进全景（2 万个项目，issue 9）")
    parser.add_argument("--projects", type=int, default=FULL, help="项目个数（默认 20000；每个项目 10 项手续、12 份月报）")
    parser.add_argument("--runs", type=int, default=40, help="每个页面计时的请求次数（默认 40）")
    parser.add_argument("--postgres", metavar="URL", help="在该 PostgreSQL 服务器上新建一个临时数据库来测（结束后删除）")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)
    from bench.__main__ import _create_pg_database, _drop_pg_database

    data_dir = tempfile.mkdtemp(prefix="duban-bench-projects-")
    os.environ.update({"DUBAN_DATA_DIR": data_dir, "DUBAN_DEBUG": "false", "DJANGO_SETTINGS_MODULE": "duban.settings",
                       "DUBAN_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"})
    os.environ.pop("DUBAN_DATABASE_URL", None)
    pg = None
    if args.postgres:
        pg, url = _create_pg_database(args.postgres)
        os.environ["DUBAN_DATABASE_URL"] = url
    try:
        return _run(args)
    finally:
        if pg:
            _drop_pg_database(args.postgres, pg)
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.__main__ import _load, _short, machine, write_doc
    from duban.core import demo

    call_command("migrate", verbosity=0)
    demo.load(stories=False)
    print(f"1/2 演示县；生成 {args.projects:,} 个项目（批量写表，不经过业务服务）")
    made = generate(args.projects)
    print(f"2/2 项目列表与推进全景：每个页面预热 5 次后请求 {args.runs} 次（Django 测试客户端，进程内）")
    timed, alone, pending = measure(args.runs)
    ok = all(p.passes for p in timed)
    print(f"已计时 {len(timed)} 个页面：{'全部达标' if ok else '未达标'}；尚未实现 {len(pending)} 个")
    if args.projects >= FULL and args.runs >= 30 and timed and not pending:
        info = machine()
        title = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
        lines = [
            f"## Key projects at 20k projects — {title}",
            "",
            f"- **Date:** {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
            f"- **Command:** `.venv/bin/python -m bench.projects{' --postgres …' if args.postgres else ''}`",
            f"- **Machine:** {info['cpu']}, {info['memory']} RAM; {info['database']}",
            f"- **Data** (bulk inserts, not the services, {made.seconds:.0f} s): {made.projects:,} projects, "
            + ", ".join(f"{k} {v:,}" for k, v in made.per_stage.most_common()) + f"; {made.procedures:,} procedures; {made.reports:,} monthly reports; "
            + "lights " + ", ".join(f"{k} {v:,}" for k, v in made.per_light.most_common()) + ".",
            f"- **Method:** as bench.pages — Django's test Client in the benchmark's process, {args.runs} timed requests per page after "
            "5 warm-up requests, interleaved with the floor (the page's own queries replayed in raw SQL + the empty page). "
            "Bar: median ≤ 30 ms and ≤ 3× the floor.",
            "",
            "| page | median | p95 | CPU | queries | raw SQL | empty page | floor | page / floor | bar |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|:-:|",
        ]
        for p in timed:
            lines.append(f"| **{p.key}** — {p.label} | **{p.page_ms:.1f} ms** | {p.p95_ms:.1f} ms | {p.cpu_ms:.1f} ms | {len(p.queries)} | "
                         f"{p.raw_ms:.2f} ms | {p.empty_ms:.1f} ms | {p.floor_ms:.1f} ms | {p.ratio:.1f}× | {'✅' if p.passes else '❌'} |")
        lines += ["", "Slowest queries per page (one request):", ""]
        for p in timed:
            lines.append(f"- **{p.key}**: {len(p.queries)} queries, {sum(t for t, _sql in p.queries) * 1000:.1f} ms in the database; the slowest:")
            for seconds, sql in sorted(p.queries, reverse=True)[:3]:
                lines.append(f"  - {seconds * 1000:.2f} ms — `{_short(sql)}`")
        lines += ["", f"Load on the machine during the run (1/5/15-minute load average): {_load()}."]
        write_doc(Path(args.output), f"{connection.vendor}-projects", "\n".join(lines))
        print(f"结果已写入 {args.output}")
    else:
        print("（规模小于规格或有页面尚未实现，未写入文档）")
    return 0  # the verdict is printed (and written down at full size); make bench goes on


if __name__ == "__main__":
    sys.exit(main())
