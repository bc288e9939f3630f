"""The task page and the home page (今日待办) at benchmark size: server time against their floor (issue 14).

    task          /ledger/tasks/<code>/ as the office: an open task of the busiest unit with 30 reports and 30 sub-tasks
    home-office   / as the supervision office (ducha1)
    home-head     / as the head of the unit with the most open tasks among units that have a head
    home-liaison  / as the liaison of the unit with the most open tasks
    hazards       /safety/hazards/ as the safety office (anwei1): the hazard ledger's first page of HAZARDS hazards
    hazards-town  /safety/hazards/?state=open as the liaison of the township with the most hazards (its scope)
    actions       /supervision/actions/ (督办记录, newest first, first page of 50) as the office, over the actions
                  bench.generate.supervision_history writes once into the data
    obstruction   /supervision/obstruction/ (中梗阻, the county table) as the office, over the same data and timelines

Each page's floor, measured in the same run: the page's own queries (those an empty page does not run too)
replayed in raw SQL on a plain DB-API connection, rows fetched, plus the empty page of bench.ledger_list (this
site's layout through the same middleware). The bar of issue 14: median ≤ 30 ms and ≤ 3× the floor.
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.urls import clear_url_caches, reverse

from bench.ledger_list import BAR_MS, BAR_RATIO, OPEN, ms, percentile, raw_connection

SUBTASKS = 30
REPORTS = 30
HAZARDS = 100_000


@dataclass
class Page:
    key: str
    label: str
    url: str
    user: object
    page: list[float] = field(default_factory=list)
    page_cpu: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    empty: list[float] = field(default_factory=list)
    empty_cpu: list[float] = field(default_factory=list)
    queries: list[tuple[float, str]] = field(default_factory=list)
    replay: list[tuple[str, tuple]] = field(default_factory=list)
    size: int = 0

    @property
    def page_ms(self) -> float:
        return ms(statistics.median(self.page))

    @property
    def p95_ms(self) -> float:
        return ms(percentile(self.page, 95))

    @property
    def cpu_ms(self) -> float:
        return ms(statistics.median(self.page_cpu))

    @property
    def raw_ms(self) -> float:
        return ms(statistics.median(self.raw))

    @property
    def empty_ms(self) -> float:
        return ms(statistics.median(self.empty))

    @property
    def floor_ms(self) -> float:
        return self.raw_ms + self.empty_ms

    @property
    def ratio(self) -> float:
        return self.page_ms / self.floor_ms

    @property
    def cpu_ratio(self) -> float:
        return self.cpu_ms / (self.raw_ms + ms(statistics.median(self.empty_cpu)))

    @property
    def passes(self) -> bool:
        return self.page_ms <= BAR_MS and self.ratio <= BAR_RATIO


def subject_task():
    """An open task of the busiest unit with REPORTS reports and SUBTASKS sub-tasks (made once, kept in the data)."""
    from duban.ledger.models import ProgressReport, Task

    busiest = (Task.objects.filter(state__in=OPEN).values("lead_unit_id").annotate(n=Count("*")).order_by("-n", "lead_unit_id")
               .first()["lead_unit_id"])
    # (not .first(): ordering by pk would group by it too)
    made = list(Task.objects.filter(parent__isnull=False).values("parent_id").annotate(n=Count("*")).filter(n__gte=SUBTASKS)
                .order_by("parent_id")[:1])
    if made:
        return Task.objects.get(pk=made[0]["parent_id"])
    with transaction.atomic():
        task = (Task.objects.filter(state="in_progress", lead_unit_id=busiest, parent__isnull=True)
                .annotate(r=Count("reports")).order_by("-r", "id").first())
        children = list(Task.objects.filter(lead_unit_id=busiest, parent__isnull=True).exclude(pk=task.pk)
                        .order_by("id").values_list("pk", flat=True)[:SUBTASKS])
        Task.objects.filter(pk__in=children).update(parent=task)
        have = task.reports.count()
        last = task.reports.order_by("-created_at").first()
        start = last.created_at if last else dt.datetime(2026, 1, 10, 10, tzinfo=dt.UTC)
        ProgressReport.objects.bulk_create([
            ProgressReport(task=task, unit_id=busiest, author_id=last.author_id if last else None,
                           reported_on=(start + dt.timedelta(days=7 * (i + 1))).date(), created_at=start + dt.timedelta(days=7 * (i + 1)),
                           percent=min(99, 50 + i), text=f"第{have + i + 1}次报送：按计划推进", problems="", next_steps="继续推进")
            for i in range(max(0, REPORTS - have))
        ])
    from bench.generate import analyze

    analyze()
    return task


def subjects() -> list[Page]:
    from duban.core.choices import Role
    from duban.core.models import User
    from duban.ledger.models import Task

    loads = dict(Task.objects.filter(state__in=OPEN).values_list("lead_unit_id").annotate(n=Count("*")))

    def busiest(role):
        people = list(User.objects.filter(role_grants__role=role, is_active=True, unit_id__in=loads))
        return max(people, key=lambda u: (loads[u.unit_id], -u.pk))

    from bench.generate import generate_hazards, supervision_history
    from duban.safety.models import Hazard
    from duban.supervision.models import SupervisionAction

    task = subject_task()
    if not SupervisionAction.objects.exists():  # made once, kept in the data (the task page's subject gets none)
        supervision_history(skip={task.pk})
    actions = SupervisionAction.objects.count()
    office = User.objects.get(username="ducha1")
    head, liaison = busiest(Role.UNIT_HEAD), busiest(Role.LIAISON)
    hazards = generate_hazards(HAZARDS)
    towns = dict(Hazard.objects.values_list("township_id").annotate(n=Count("*")))
    town_liaison = max(User.objects.filter(role_grants__role=Role.LIAISON, is_active=True, unit_id__in=towns),
                       key=lambda u: (towns[u.unit_id], -u.pk))
    return [
        Page("hazards", f"隐患台账·安委办（{hazards:,} 条隐患）", reverse("safety:hazard_list"), User.objects.get(username="anwei1")),
        Page("hazards-town", f"隐患台账·乡镇联络员（{town_liaison.unit.name}，{towns[town_liaison.unit_id]:,} 条）",
             reverse("safety:hazard_list") + "?state=open", town_liaison),
        Page("task", f"任务页（{task.reports.count()} 条进展、{task.children.count()} 项子任务）",
             reverse("ledger:task_detail", args=[task.code]), office),
        Page("home-office", "首页·督查室", reverse("home"), office),
        Page("home-head", f"首页·单位负责人（{head.unit.name}，在办 {loads[head.unit_id]:,} 项）", reverse("home"), head),
        Page("home-liaison", f"首页·联络员（{liaison.unit.name}，在办 {loads[liaison.unit_id]:,} 项）", reverse("home"), liaison),
        Page("actions", f"督办记录·督查室（共 {actions:,} 条，第一页）", reverse("supervision:action_list"), office),
        Page("obstruction", "中梗阻分析·全县（督查室）", reverse("supervision:obstruction"), office),
    ]


def _recorded(client: Client, url: str) -> tuple[list[tuple[float, str, tuple]], int]:
    got: list[tuple[float, str, tuple]] = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            got.append((time.perf_counter() - started, sql, tuple(params or ())))

    with connection.execute_wrapper(wrapper):
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: status {response.status_code}")
    return got, len(response.content)


def _raw_sql(sql: str, mark: str) -> str:
    """Django's SQL as a DB-API connection takes it (sqlite3: `?` placeholders and a bare `%`)."""
    return sql.replace("%s", mark).replace("%%", "%") if mark == "?" else sql


def measure(runs: int = 30, warmup: int = 5, log=print, only: set[str] | None = None, subjects=subjects) -> list[Page]:
    """Time each page (`subjects()`: the task and home pages, or another bench's) and its floor, interleaved request
    by request."""
    settings.ROOT_URLCONF = "bench.ledger_list"  # the site plus the empty page of the floor
    clear_url_caches()
    empty_url = reverse("bench_empty")
    raw, mark = raw_connection()
    result = [page for page in subjects() if not only or page.key in only]
    for page in result:
        client = Client()
        client.force_login(page.user)
        client.get(page.url)
        empty_sql = {sql for _t, sql, _p in _recorded(client, empty_url)[0]}
        recorded, page.size = _recorded(client, page.url)
        page.queries = [(t, sql) for t, sql, _p in recorded]
        page.replay = [(_raw_sql(sql, mark), params) for _t, sql, params in recorded
                       if sql not in empty_sql and sql.lstrip().upper().startswith("SELECT")]
        for _ in range(warmup):
            client.get(page.url)
            client.get(empty_url)
            for sql, params in page.replay:
                raw.execute(sql, params).fetchall()
        gc.collect()
        for _ in range(runs):
            started, cpu = time.perf_counter(), time.process_time()
            client.get(page.url)
            page.page.append(time.perf_counter() - started)
            page.page_cpu.append(time.process_time() - cpu)
            started = time.perf_counter()
            for sql, params in page.replay:
                raw.execute(sql, params).fetchall()
            page.raw.append(time.perf_counter() - started)
            started, cpu = time.perf_counter(), time.process_time()
            client.get(empty_url)
            page.empty.append(time.perf_counter() - started)
            page.empty_cpu.append(time.process_time() - cpu)
        log(f"  {page.key:12} 页面 {page.page_ms:6.1f} ms（p95 {page.p95_ms:.1f}，CPU {page.cpu_ms:.1f}）  原生SQL {page.raw_ms:5.2f} ms"
            f"（{len(page.replay)} 条）  空页面 {page.empty_ms:4.1f} ms  {len(page.queries)} 条查询  {page.size / 1024:.0f} KB  "
            f"倍数 {page.ratio:.1f}×（按 CPU {page.cpu_ratio:.1f}×）")
    raw.close()
    return result
