"""The ledger list page (ledger:task_list) at 100k tasks: server time against its floor (SPEC §9).

Four shapes (issue 3), each requested as the supervision office (who sees every task):

    unit   one unit's open tasks by due date          ?unit=<id>&state=open&sort=due
    open   all open tasks by due date                 ?state=open&sort=due
    text   the same with a text search                ?state=open&sort=due&q=森林防火
    deep   page 500 of the open list                  ?state=open&sort=due&cursor=<row 24,950>

The page's server time is Django's test Client in this process (middleware, session, view, queries,
template; no network), median and p95 of `runs` requests after a warm-up. Its floor, measured in the same
run, is the same query in raw SQL — same WHERE, ORDER BY and LIMIT, on a plain DB-API connection, rows
fetched — plus an empty Django page: this site's layout (base.html) with no content, through the same
middleware for the same signed-in user. The bar: median ≤ 30 ms and ≤ 3× the floor. A bare view (an
HttpResponse, no template) is timed too and shown beside it, with the ratio it would give.
"""

from __future__ import annotations

import gc
import re
import statistics
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.test import Client
from django.urls import clear_url_caches, include, path, reverse

from bench.generate import RARE_WORD
from duban.ledger import search
from duban.ledger.search import FTS_TABLE, PG_COLUMN

PAGE_SIZE = 50
DEEP_PAGE = 500
BAR_MS = 30.0
BAR_RATIO = 3.0
# Redmine 5 on SQLite at 100k issues, the same four shapes on a machine like ours (issue 3).
REDMINE_MS = {"unit": 74, "open": 129, "text": 139, "deep": 363}
OPEN = ("assigned", "completion_requested", "in_progress")  # the page's "open" filter, as the FilterSet sorts it


def empty_page(request):
    """The floor's Django part: an empty page of this site — its layout (base.html) with no content."""
    return render(request, "base.html")


def bare_view(request):
    """A view that does nothing at all (shown for comparison): middleware, session and user only."""
    return HttpResponse("<!doctype html><title>bench</title>")


urlpatterns = [
    path("__bench__/empty/", empty_page, name="bench_empty"),
    path("__bench__/bare/", bare_view, name="bench_bare"),
    path("", include("duban.urls")),
]


@dataclass
class Shape:
    key: str
    label: str
    params: dict
    sql_where: str
    sql_params: list
    count_where: str = ""  # the rows the list has in all (the deep page counts the whole open list)
    count_params: list = field(default_factory=list)
    rows_matched: int = 0
    expected_first: str = ""
    page: list[float] = field(default_factory=list)
    page_cpu: list[float] = field(default_factory=list)  # this process's CPU time: robust to other load on the machine
    raw: list[float] = field(default_factory=list)
    empty: list[float] = field(default_factory=list)
    empty_cpu: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    queries: list[tuple[float, str]] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)

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
    def empty_cpu_ms(self) -> float:
        return ms(statistics.median(self.empty_cpu))

    @property
    def cpu_ratio(self) -> float:
        """Page CPU over the floor in CPU terms (raw SQL + the empty page's CPU): the ratio as it would be on a
        machine of its own (on SQLite the raw SQL's time is all CPU)."""
        return self.cpu_ms / (self.raw_ms + self.empty_cpu_ms)

    @property
    def bare_ms(self) -> float:
        return ms(statistics.median(self.bare))

    @property
    def floor_ms(self) -> float:
        return self.raw_ms + self.empty_ms

    @property
    def bare_ratio(self) -> float:
        return self.page_ms / (self.raw_ms + self.bare_ms)

    @property
    def ratio(self) -> float:
        return self.page_ms / self.floor_ms

    @property
    def passes(self) -> bool:
        return self.page_ms <= BAR_MS and self.ratio <= BAR_RATIO


def ms(seconds: float) -> float:
    return seconds * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# The floor's SQL: the 50 (+1) rows of the page with the columns a row shows, written the way one would by
# hand — the page's ids from the index in a subquery, then those rows and their four names.
ROW_SQL = """
SELECT t.id, t.code, t.title, t.state, t.due_date, t.standing, t.progress, t.light, t.light_reason, t.responsible_name,
       f.name, l.full_name, u.name, u.short_name, r.full_name
FROM (SELECT t.id FROM ledger_task t WHERE {where} ORDER BY t.due_sort, t.id LIMIT {limit}) AS page
JOIN ledger_task t ON t.id = page.id
LEFT JOIN ledger_front f ON f.id = t.front_id
LEFT JOIN core_user l ON l.id = t.leader_in_charge_id
LEFT JOIN core_unit u ON u.id = t.lead_unit_id
LEFT JOIN core_user r ON r.id = t.responsible_person_id
ORDER BY t.due_sort, t.id
"""
IN_OPEN = "t.state IN (%s, %s, %s)"
UNIT_WHERE = "(t.lead_unit_id = %s OR t.id IN (SELECT task_id FROM ledger_task_cooperating_units WHERE unit_id = %s))"
# PostgreSQL: the spelling the page's filter uses there (TaskFilter.filter_unit), the faster one by hand too
UNIT_WHERE_PG = "(t.lead_unit_id = %s OR t.id = ANY(ARRAY(SELECT task_id FROM ledger_task_cooperating_units WHERE unit_id = %s)))"
# The text search as the page runs it: the bigram index (SQLite FTS5 / PostgreSQL GIN on the tsvector).
TEXT_WHERE = f"t.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"
TEXT_WHERE_PG = f"t.{PG_COLUMN} @@ to_tsquery('simple'::regconfig, %s)"
AFTER_WHERE = "(t.due_sort, t.id) > (%s, %s)"  # keyset, as SQL writes it (a row value)


def shapes() -> list[Shape]:
    """The four shapes, with the unit of median load and the cursor of page 500 worked out from the data."""
    from duban.ledger.filters import keyset_for
    from duban.ledger.models import Task

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lead_unit_id, COUNT(*) FROM ledger_task WHERE state IN (%s, %s, %s) GROUP BY lead_unit_id ORDER BY 2", OPEN
        )
        loads = cursor.fetchall()
    unit_id, _count = loads[len(loads) // 2]
    query = search.parse(RARE_WORD)
    pg = connection.vendor == "postgresql"
    text_where, text_param = (TEXT_WHERE_PG, search.pg_tsquery(query)) if pg else (TEXT_WHERE, search.fts5_match(query))
    result = [
        Shape("unit", "一个单位的在办任务，按完成时限", {"unit": unit_id, "state": "open", "sort": "due"},
              f"{IN_OPEN} AND {UNIT_WHERE_PG if connection.vendor == 'postgresql' else UNIT_WHERE}", [*OPEN, unit_id, unit_id]),
        Shape("open", "全部在办任务，按完成时限", {"state": "open", "sort": "due"}, IN_OPEN, [*OPEN]),
        Shape("text", f"同上，加关键词“{RARE_WORD}”", {"state": "open", "sort": "due", "q": RARE_WORD},
              f"{IN_OPEN} AND {text_where}", [*OPEN, text_param]),
    ]
    # Page 500 starts after row 499 × 50 of the open list: its cursor names that row (keyset, not OFFSET).
    # (A small quick run has fewer pages: then the deepest full page.)
    open_rows = Task.objects.filter(state__in=OPEN).count()
    page = min(DEEP_PAGE, max(2, open_rows // PAGE_SIZE - 1))
    last = Task.objects.filter(state__in=OPEN).order_by("due_sort", "id").values("due_sort", "id")[(page - 1) * PAGE_SIZE - 1]
    cursor = keyset_for("due").encode("after", SimpleNamespace(**last))
    deep = Shape("deep", f"在办任务第 {page} 页（游标翻页）", {"state": "open", "sort": "due", "cursor": cursor},
                 f"{IN_OPEN} AND {AFTER_WHERE}", [*OPEN, last["due_sort"], last["id"]],
                 count_where=IN_OPEN, count_params=[*OPEN])
    result.append(deep)
    for shape in result:
        with connection.cursor() as c:
            c.execute(f"SELECT COUNT(*) FROM ledger_task t WHERE {shape.count_where or shape.sql_where}",
                      shape.count_params or shape.sql_params)
            shape.rows_matched = c.fetchone()[0]
            c.execute(ROW_SQL.format(where=shape.sql_where, limit=1), shape.sql_params)
            shape.expected_first = c.fetchone()[1]
    return result


def raw_connection():
    """A plain DB-API connection to the same database, outside Django (the floor's SQL part)."""
    params = connection.get_connection_params()
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.connect(params["database"]), "?"
    import psycopg

    params = {k: v for k, v in params.items() if k in {"dbname", "user", "password", "host", "port"}}
    return psycopg.connect(**params, autocommit=True), "%s"


def explain(sql: str, params: list) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN (COSTS OFF) " + sql, params)
        # The plan's nodes on the task table (the joins of the four names are the same in every shape).
        nodes = [row[0].strip().removeprefix("->  ") for row in cursor.fetchall()]
        return [n for n in nodes if "ledger_task" in n or n.startswith(("Limit", "Sort", "Filter", "Index Cond"))]


def measure(runs: int = 30, warmup: int = 5, log=print, only: set[str] | None = None) -> list[Shape]:
    """Time every shape (or those named in `only`): the page, its raw SQL and the empty page, interleaved so
    that all see the same machine."""
    from duban.core.models import User

    settings.ROOT_URLCONF = "bench.ledger_list"
    clear_url_caches()
    office = User.objects.get(username="ducha1")
    client = Client()
    client.force_login(office)
    base = reverse("ledger:task_list")
    empty_url = reverse("bench_empty")
    bare_url = reverse("bench_bare")
    raw, mark = raw_connection()
    result = [shape for shape in shapes() if not only or shape.key in only]
    for shape in result:
        url = f"{base}?{urlencode(shape.params)}"
        sql = ROW_SQL.format(where=shape.sql_where, limit=PAGE_SIZE + 1)
        raw_sql = sql.replace("%s", mark)
        shape.plan = explain(sql, shape.sql_params)
        response = client.get(url)
        body = response.content.decode()
        codes = re.findall(r'<tr data-code="([^"]+)"', body)
        expected_rows = min(PAGE_SIZE, shape.rows_matched)  # a quick run with little data may have fewer matches
        if response.status_code != 200 or len(codes) != expected_rows or codes[0] != shape.expected_first:
            raise SystemExit(f"{shape.key}: the page did not show the expected {expected_rows} rows "
                             f"(status {response.status_code}, {len(codes)} rows, first {codes[:1]} ≠ {shape.expected_first})")
        shape.queries = _queries(client, url)
        for _ in range(warmup):
            client.get(url)
            client.get(empty_url)
            client.get(bare_url)
            raw.execute(raw_sql, shape.sql_params).fetchall()
        gc.collect()
        for _ in range(runs):
            started, cpu = time.perf_counter(), time.process_time()
            client.get(url)
            shape.page.append(time.perf_counter() - started)
            shape.page_cpu.append(time.process_time() - cpu)
            started = time.perf_counter()
            raw.execute(raw_sql, shape.sql_params).fetchall()
            shape.raw.append(time.perf_counter() - started)
            started, cpu = time.perf_counter(), time.process_time()
            client.get(empty_url)
            shape.empty.append(time.perf_counter() - started)
            shape.empty_cpu.append(time.process_time() - cpu)
            started = time.perf_counter()
            client.get(bare_url)
            shape.bare.append(time.perf_counter() - started)
        log(f"  {shape.key:5} 页面 {shape.page_ms:6.1f} ms（p95 {shape.p95_ms:.1f}，CPU {shape.cpu_ms:.1f}）  SQL {shape.raw_ms:5.2f} ms  "
            f"空页面 {shape.empty_ms:4.1f} ms（CPU {shape.empty_cpu_ms:.1f}；空视图 {shape.bare_ms:.1f}）  {len(shape.queries)} 条查询  "
            f"倍数 {shape.ratio:.1f}×（按 CPU {shape.cpu_ratio:.1f}×）")
    raw.close()
    return result


def _queries(client: Client, url: str) -> list[tuple[float, str]]:
    """Each query the page runs, with its time (one request)."""
    timed: list[tuple[float, str]] = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(wrapper):
        client.get(url)
    return timed
