"""`python -m bench.dashboard`: the leaders' dashboard and the big screen's data at benchmark size (issue 11).

    python -m bench.dashboard                         # SQLite in a throwaway data dir; writes docs/benchmarks.md
    python -m bench.dashboard --data-dir DIR --keep   # keep the generated data; later: --data-dir DIR --reuse
    python -m bench.dashboard --postgres postgres://postgres@127.0.0.1:5432/postgres

Data (load generation, bulk inserts): the demo county, 100k tasks with 1M progress reports (bench.generate), the
supervision history on them, 100k hazards, 200k appeals (bench.appeals), 2,000 projects with their procedures
and monthly reports (bench.projects).

Pages, as the principal leader (the whole county) and as a leader in charge (their charge):
- **cold**: the data version raised before each request (what a write does), so the figures are computed from
  the data (core.versions.figures computes and keeps them);
- **warm**: nothing written between requests: the figures kept at the version are read back;
- **raw SQL**: the cold request's own queries replayed on a plain DB-API connection (the counts themselves);
  the ratio is cold ÷ raw SQL.
Bars (issue 11): cold ≤ 150 ms, warm ≤ 30 ms. The numbers are checked against direct counts in raw SQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLD_MS, WARM_MS = 150.0, 30.0
SIZES = {"tasks": 100_000, "reports": 1_000_000, "hazards": 100_000, "appeals": 200_000, "projects": 2_000}


@dataclass
class Timed:
    key: str
    label: str
    url: str
    user: object
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    queries: int = 0
    warm_queries: int = 0
    size: int = 0

    @staticmethod
    def _ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    @property
    def cold_ms(self) -> float:
        return self._ms(self.cold)

    @property
    def warm_ms(self) -> float:
        return self._ms(self.warm)

    @property
    def raw_ms(self) -> float:
        return self._ms(self.raw)

    @property
    def ratio(self) -> float:
        return self.cold_ms / self.raw_ms if self.raw_ms else float("inf")

    @property
    def passes(self) -> bool:
        return self.cold_ms <= COLD_MS and self.warm_ms <= WARM_MS


def build(log=print) -> dict[str, int]:
    """The county and every kind at benchmark size, in the current database (empty)."""
    from bench import appeals, generate, projects
    from duban.core import demo

    demo.load(stories=False)
    made = generate.generate(SIZES["tasks"], SIZES["reports"], log=log)
    actions, _events = generate.supervision_history(log=log)
    hazards = generate.generate_hazards(SIZES["hazards"], log=log)
    appeal_rows = appeals.generate(SIZES["appeals"], log=log)
    project_rows = projects.generate(SIZES["projects"], log=log)
    generate.analyze()
    return {"tasks": made.tasks, "reports": made.reports, "actions": actions, "hazards": hazards,
            "appeals": appeal_rows.appeals, "projects": project_rows.projects}


def existing() -> dict[str, int] | None:
    from duban.appeals.models import Appeal
    from duban.ledger.models import ProgressReport, Task
    from duban.projects.models import Project
    from duban.safety.models import Hazard
    from duban.supervision.models import SupervisionAction

    found = {"tasks": Task.objects.count(), "reports": ProgressReport.objects.count(), "actions": SupervisionAction.objects.count(),
             "hazards": Hazard.objects.count(), "appeals": Appeal.objects.count(), "projects": Project.objects.count()}
    return found if found["tasks"] and found["appeals"] and found["projects"] else None


def subjects() -> list[Timed]:
    from django.db.models import Count
    from django.urls import reverse

    from duban.core.models import LeaderCharge, User

    principal = User.objects.get(username="shuji")
    busiest = (LeaderCharge.objects.values("leader_id").annotate(n=Count("*")).order_by("-n", "leader_id").first())
    leader = User.objects.get(pk=busiest["leader_id"])
    return [
        Timed("dashboard", "驾驶舱·县委书记（全县）", reverse("reports:dashboard"), principal),
        Timed("dashboard-leader", f"驾驶舱·分管县领导（{leader.full_name}，分管 {busiest['n']} 个单位）", reverse("reports:dashboard"), leader),
        Timed("screen", "大屏数据·全县（每 3 分钟刷新一次的 JSON）", reverse("reports:screen_data"), principal),
    ]


def _recorded(client, url: str):
    from django.db import connection

    got = []

    def wrapper(execute, sql, params, many, context):
        got.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: status {response.status_code}")
    return got, len(response.content)


def measure(runs: int, warmup: int = 3, log=print) -> list[Timed]:
    from django.test import Client

    from bench.ledger_list import raw_connection
    from bench.pages import _raw_sql
    from duban.core import versions

    raw, mark = raw_connection()
    if mark == "?":  # the SQL functions Django registers on its SQLite connections (date parts, …)
        from django.db.backends.sqlite3._functions import register

        register(raw)
    result = subjects()
    for page in result:
        client = Client()
        client.force_login(page.user)
        versions.raise_now()
        recorded, page.size = _recorded(client, page.url)  # cold: computed
        page.queries = len(recorded)
        replay = [(_raw_sql(sql, mark), params) for sql, params in recorded
                  if sql.lstrip().upper().startswith(("SELECT", "WITH")) and "core_figuresnapshot" not in sql and "core_dataversion" not in sql]
        page.warm_queries = len(_recorded(client, page.url)[0])  # warm: kept
        for _ in range(warmup):
            versions.raise_now()
            client.get(page.url)
            client.get(page.url)
        gc.collect()
        for _ in range(runs):
            versions.raise_now()
            started = time.perf_counter()
            client.get(page.url)
            page.cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            client.get(page.url)
            page.warm.append(time.perf_counter() - started)
            started = time.perf_counter()
            for sql, params in replay:
                raw.execute(sql, params).fetchall()
            page.raw.append(time.perf_counter() - started)
        log(f"  {page.key:17} 冷 {page.cold_ms:7.1f} ms（{page.queries} 条查询）  热 {page.warm_ms:5.1f} ms（{page.warm_queries} 条）"
            f"  原生SQL {page.raw_ms:7.1f} ms  冷/原生 {page.ratio:.2f}×  {page.size / 1024:.0f} KB  "
            + ("达标" if page.passes else "未达标"))
    raw.close()
    return result


def check_numbers(log=print) -> list[str]:
    """The dashboard's headline numbers against direct counts in raw SQL (whole county): the differences."""
    from bench.ledger_list import raw_connection
    from duban.core.models import User
    from duban.reports import figures

    d = figures.dashboard(User.objects.get(username="shuji"))
    raw, _mark = raw_connection()

    def one(sql: str) -> int:
        return raw.execute(sql).fetchone()[0]

    open_states = "('assigned', 'in_progress', 'completion_requested')"
    expected = {
        "在办任务": (d.tasks.total.open.value, one(f"SELECT COUNT(*) FROM ledger_task WHERE state IN {open_states}")),
        "红灯": (d.tasks.total.overdue.value, one(f"SELECT COUNT(*) FROM ledger_task WHERE state IN {open_states} AND light = 'red'")),
        "逾期未完成": (d.tasks.late.value, one(f"SELECT COUNT(*) FROM ledger_task WHERE state IN {open_states} AND due_date < '{d.on.isoformat()}'")),
        "排查隐患": (d.hazards.found.value, one("SELECT COUNT(*) FROM safety_hazard")),
        "已办结": (d.tasks.total.finished.value, one("SELECT COUNT(*) FROM ledger_task WHERE state = 'closed'")),
        "督办记录": (d.actions.total.value, one("SELECT COUNT(*) FROM supervision_supervisionaction")),
    }
    raw.close()
    wrong = [f"{name}：驾驶舱 {got:,}，直接计数 {want:,}" for name, (got, want) in expected.items() if got != want]
    for name, (got, want) in expected.items():
        log(f"  {name}：驾驶舱 {got:,}，直接计数 {want:,} " + ("一致" if got == want else "不一致"))
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description="领导驾驶舱与大屏在基准规模下的耗时（issue 11）")
    parser.add_argument("--runs", type=int, default=30, help="冷、热各计时的请求次数（默认 30）")
    parser.add_argument("--postgres", metavar="URL", help="在该 PostgreSQL 服务器上新建一个临时数据库来测（结束后删除）")
    parser.add_argument("--data-dir", help="数据目录（默认新建临时目录，结束后删除）")
    parser.add_argument("--keep", action="store_true", help="保留生成的数据")
    parser.add_argument("--reuse", action="store_true", help="数据目录（或 --postgres 指定的库）里已有生成的数据时直接计时")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)
    from bench.__main__ import _create_pg_database, _drop_pg_database

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="duban-bench-dashboard-")
    os.environ.update({"DUBAN_DATA_DIR": data_dir, "DUBAN_DEBUG": "false", "DJANGO_SETTINGS_MODULE": "duban.settings",
                       "DUBAN_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"})
    os.environ.pop("DUBAN_DATABASE_URL", None)
    pg = None
    if args.postgres and args.reuse:
        os.environ["DUBAN_DATABASE_URL"] = args.postgres
    elif args.postgres:
        pg, url = _create_pg_database(args.postgres)
        os.environ["DUBAN_DATABASE_URL"] = url
    try:
        return _run(args)
    finally:
        if pg and not args.keep:
            _drop_pg_database(args.postgres, pg)
        if not args.keep and not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif args.keep:
            print(f"数据保留在：{os.environ.get('DUBAN_DATABASE_URL') or data_dir}")


def _run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.__main__ import _load, machine, write_doc
    from bench.generate import analyze

    call_command("migrate", verbosity=0)
    made = existing() if args.reuse else None
    started = time.monotonic()
    if made:
        analyze()
        print("1/3 沿用已生成的数据：" + "、".join(f"{k} {v:,}" for k, v in made.items()))
    else:
        print("1/3 生成数据（批量写表，不经过业务服务）")
        made = build()
    seconds = time.monotonic() - started
    print("2/3 数字与直接计数核对：")
    wrong = check_numbers()
    print(f"3/3 计时：冷（每次请求前数据版本加一）与热（其间无写入）交替各 {args.runs} 次，并重放冷请求的查询（原生 SQL）")
    timed = measure(args.runs)
    ok = all(t.passes for t in timed) and not wrong
    print("全部达标。" if ok else "未达标：" + "、".join([t.key for t in timed if not t.passes] + wrong))
    full = all(made.get(k, 0) >= v for k, v in SIZES.items() if k in made) and args.runs >= 30
    if full:
        info = machine()
        title = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
        lines = [
            f"## Leaders' dashboard at benchmark size — {title}",
            "",
            f"- **Date:** {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
            f"- **Command:** `.venv/bin/python -m bench.dashboard{' --postgres …' if args.postgres else ''}` (part of `make bench`)",
            f"- **Machine:** {info['cpu']}, {info['memory']} RAM; {info['database']}",
            "- **Data** (bulk inserts" + (f", {seconds:.0f} s" if seconds > 5 else ", reused") + "): "
            + ", ".join(f"{v:,} {k}" for k, v in made.items()) + ".",
            f"- **Method:** Django's test Client in the benchmark's process, {args.runs} requests of each kind after 3 warm-up rounds. "
            "*Cold*: the data version raised just before the request (as any write does), so every figure is computed from the "
            "data; *warm*: nothing written since the last request, so the figures kept at the version are read back "
            "(docs/adr/022). *Raw SQL*: the cold request's own queries replayed on a plain DB-API connection. "
            f"Bars: cold ≤ {COLD_MS:.0f} ms, warm ≤ {WARM_MS:.0f} ms.",
            "- **Numbers:** " + ("the headline numbers equal direct counts in raw SQL." if not wrong else "differ: " + "; ".join(wrong)),
            "",
            "| page | cold | queries | warm | queries | raw SQL | cold / raw SQL | size | bar |",
            "|---|--:|--:|--:|--:|--:|--:|--:|:-:|",
        ]
        for t in timed:
            lines.append(f"| **{t.key}** — {t.label} | **{t.cold_ms:.1f} ms** | {t.queries} | **{t.warm_ms:.1f} ms** | {t.warm_queries} | "
                         f"{t.raw_ms:.1f} ms | {t.ratio:.2f}× | {t.size / 1024:.0f} KB | {'✅' if t.passes else '❌'} |")
        lines += ["", f"Load on the machine during the run (1/5/15-minute load average): {_load()}."]
        write_doc(Path(args.output), f"{connection.vendor}-dashboard", "\n".join(lines))
        print(f"结果已写入 {args.output}")
    else:
        print("（规模小于规格，未写入文档）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
