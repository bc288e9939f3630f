"""`make bench` (= `python -m bench`): the ledger list page, the task page, the home page (for the office, a
unit head and a busy liaison), the 督办记录 list and the 中梗阻 page at 100k tasks and 1M reports, each against
its floor, and the whole ledger's Excel export (wall time and peak memory of the process, bench.export).

    python -m bench                              # SQLite in a throwaway data dir; writes docs/benchmarks.md
    python -m bench --postgres postgres://postgres@127.0.0.1:5432/postgres
                                                 # a throwaway database created on that server, dropped after
    python -m bench --tasks 10000 --reports 100000 --runs 10     # a quick look (the doc is not rewritten)
    python -m bench --data-dir DIR --keep                        # keep the generated data, then re-measure it:
    python -m bench --data-dir DIR --reuse [--shapes unit,deep]  # (a subset of shapes is not written to the doc)
    python -m bench --postgres postgres://…/DBNAME --reuse      # PostgreSQL: re-measure a database kept with --keep

The data is load generation (bench.generate: bulk inserts, not the services); the figures are the page's
server time in this process (bench.ledger_list, bench.pages). Excel import/export has its own script, bench/excel_bench.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
FULL = {"tasks": 100_000, "reports": 1_000_000}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="台账列表页在 10 万任务、100 万条进展下的服务端耗时（SPEC §9）")
    parser.add_argument("--tasks", type=int, default=FULL["tasks"], help="任务数（默认 100000）")
    parser.add_argument("--reports", type=int, default=FULL["reports"], help="进展报送条数（默认 1000000）")
    parser.add_argument("--runs", type=int, default=40, help="每种形态计时的请求次数（预热之后；默认 40，至少 30 才写入文档）")
    parser.add_argument("--postgres", metavar="URL", help="在该 PostgreSQL 服务器上新建一个临时数据库来测（结束后删除）")
    parser.add_argument("--data-dir", help="数据目录（默认新建临时目录，结束后删除）")
    parser.add_argument("--keep", action="store_true", help="保留生成的数据（数据目录或 PostgreSQL 临时库）")
    parser.add_argument("--reuse", action="store_true",
                        help="与 --data-dir 合用：数据目录里已有生成的数据时直接计时；与 --postgres 合用：直接在 URL 指定的库"
                             "（此前 --keep 保留的库）上计时，不新建也不删除")
    parser.add_argument("--shapes", help="只测这几种形态（逗号分隔：unit,open,text,deep,task,home-office,home-head,home-liaison,"
                                         "hazards,hazards-town,actions,obstruction,export）；不写入文档")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"),
                        help="结果文档；只有在规格规定的规模（10 万任务、100 万进展、≥30 次）下才写入")
    args = parser.parse_args(argv)

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="duban-bench-")
    os.environ["DUBAN_DATA_DIR"] = data_dir
    os.environ.pop("DUBAN_DATABASE_URL", None)
    os.environ["DUBAN_DEBUG"] = "false"
    os.environ["DUBAN_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "duban.settings"
    pg_database = None
    if args.postgres and args.reuse:
        os.environ["DUBAN_DATABASE_URL"] = args.postgres  # a database kept by an earlier --keep: neither created nor dropped
    elif args.postgres:
        pg_database, url = _create_pg_database(args.postgres)
        os.environ["DUBAN_DATABASE_URL"] = url
    try:
        return _run(args, data_dir)
    finally:
        if pg_database and not args.keep:
            _drop_pg_database(args.postgres, pg_database)
        if not args.keep and not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif args.keep:
            print(f"数据保留在：{os.environ.get('DUBAN_DATABASE_URL') or data_dir}")


def _run(args, data_dir: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import export, generate, ledger_list, pages
    from duban.core import demo

    print(f"数据库：{connection.vendor}（{os.environ.get('DUBAN_DATABASE_URL') or Path(data_dir) / 'duban.sqlite3'}）")
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    if args.reuse and generate.existing():
        made = generate.existing()
        generate.analyze()  # migrations may have added indexes since
        print(f"1–2/3 沿用 {data_dir} 里已生成的数据：{made.tasks:,} 项任务、{made.reports:,} 条进展报送")
    else:
        demo.load(stories=False)  # the county: units, people, roles and charges, through the services
        print(f"1/3 建库并装入演示县（{time.monotonic() - started:.1f} 秒）")
        print("2/3 生成数据（负载生成：批量写表，不经过业务服务，不写时间线和审计）")
        made = generate.generate(args.tasks, args.reports)
        print(f"    {made.tasks:,} 项任务、{made.reports:,} 条进展报送、{made.cooperating:,} 条配合单位关系，"
              f"用时 {made.seconds:.1f} 秒，ANALYZE {made.analyze_seconds:.1f} 秒")
    print(f"3/3 计时：每种形态预热 5 次后请求 {args.runs} 次（以督查室身份，Django 测试客户端，进程内）")
    only = set(args.shapes.split(",")) if args.shapes else None
    shapes = ledger_list.measure(runs=args.runs, only=only) if not only or only & LIST_SHAPES else []
    page_list = []
    if not only or only - LIST_SHAPES:
        print("    任务页与首页（issue 14）：")
        page_list = pages.measure(runs=args.runs, only=only)
    exports = []
    if not only or "export" in only:
        print("    Excel 导出（issue 14，各在一个子进程里）：")
        exports = export.measure()
    print()
    if shapes:
        print(render_table(shapes))
        print()
    if page_list:
        print(render_pages_table(page_list))
        print()
    failing = [s for s in [*shapes, *page_list] if not s.passes]
    print("全部页面达标（中位数 ≤ 30 ms 且 ≤ 3 倍下限）。" if not failing else
          "未达标：" + "、".join(f"{s.key}（{s.page_ms:.1f} ms，{s.ratio:.1f} 倍）" for s in failing))
    for e in exports:
        print(f"导出 {e.way}：{e.wall_s:.1f} 秒、{e.peak_mb:.0f} MB（≤ {export.BAR_SECONDS:.0f} 秒、≤ {export.BAR_MB:.0f} MB）："
              + ("达标" if e.passes else "未达标"))
    # bench.pages adds a few reports to its task (kept in the data): a reused data set is at least the size.
    full = made.tasks >= FULL["tasks"] and made.reports >= FULL["reports"] and args.runs >= 30 and not only
    if full:
        write_doc(Path(args.output), connection.vendor, render_section(args, shapes, made, connection))
        write_doc(Path(args.output), f"{connection.vendor}-pages", render_pages_section(args, page_list, made, connection))
        write_doc(Path(args.output), f"{connection.vendor}-export", render_export_section(args, exports, made, connection))
        print(f"结果已写入 {args.output}")
    else:
        print("（规模小于规格，未写入文档）")
    return 0


LIST_SHAPES = {"unit", "open", "text", "deep"}


def render_pages_table(page_list) -> str:
    header = ["页面", "页面中位数", "p95", "CPU", "查询数", "大小", "原生SQL", "空页面", "下限", "倍数", "达标", "按CPU倍数"]
    rows = [header]
    for p in page_list:
        rows.append([f"{p.key} {p.label}", f"{p.page_ms:.1f} ms", f"{p.p95_ms:.1f} ms", f"{p.cpu_ms:.1f} ms", str(len(p.queries)),
                     f"{p.size / 1024:.0f} KB", f"{p.raw_ms:.2f} ms", f"{p.empty_ms:.1f} ms", f"{p.floor_ms:.1f} ms",
                     f"{p.ratio:.1f}×", "是" if p.passes else "否", f"{p.cpu_ratio:.1f}×"])
    return _format(rows)


def render_pages_section(args, page_list, made, connection) -> str:
    from bench import pages

    lines = [
        *_heading("Task page, home page, 督办记录 and 中梗阻 at 100k tasks", args, connection),
        f"- **Data:** as the list's section above ({made.tasks:,} tasks, {made.reports:,} reports), plus one open task of the "
        f"busiest unit given {pages.REPORTS} reports and {pages.SUBTASKS} sub-tasks (bench.pages, kept in the data).",
        f"- **Method:** Django's test Client in this process, {args.runs} timed requests per page after 5 warm-up requests, "
        "interleaved with the floor: the page's own queries (those the empty page does not run too) replayed in raw SQL on "
        "a DB-API connection, rows fetched, plus the empty page (the layout through the same middleware). Bar (issue 14): "
        "median ≤ 30 ms and ≤ 3× the floor.",
        "",
        "| page | median | p95 | CPU | queries | size | raw SQL | empty page | floor | page / floor | bar | page / floor (CPU) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|--:|",
    ]
    for p in page_list:
        lines.append(f"| **{p.key}** — {p.label} | **{p.page_ms:.1f} ms** | {p.p95_ms:.1f} ms | {p.cpu_ms:.1f} ms | {len(p.queries)} | "
                     f"{p.size / 1024:.0f} KB | {p.raw_ms:.2f} ms | {p.empty_ms:.1f} ms | {p.floor_ms:.1f} ms | {p.ratio:.1f}× | "
                     f"{'✅' if p.passes else '❌'} | {p.cpu_ratio:.1f}× |")
    lines += ["", "Slowest queries per page (one request):", ""]
    for p in page_list:
        total = sum(t for t, _sql in p.queries) * 1000
        lines.append(f"- **{p.key}**: {len(p.queries)} queries, {total:.1f} ms in the database; the slowest:")
        for seconds, sql in sorted(p.queries, reverse=True)[:3]:
            lines.append(f"  - {seconds * 1000:.2f} ms — `{_short(sql)}`")
    lines += ["", f"Load on the machine during the run (1/5/15-minute load average): {_load()}."]
    return "\n".join(lines)


def _heading(what: str, args, connection, *, script: str = "") -> list[str]:
    """A section's title and its date, command and machine lines."""
    info = machine()
    title = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
    return [
        f"## {what} — {title}",
        "",
        f"- **Date:** {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- **Command:** `{_command(args)}`{script}",
        f"- **Machine:** {info['cpu']}, {info['memory']} RAM; {info['database']}",
    ]


def render_export_section(args, exports, made, connection) -> str:
    from bench.export import BAR_MB, BAR_SECONDS

    lines = [
        *_heading("Excel export of the whole ledger at 100k tasks", args, connection, script=" (bench/export.py)"),
        f"- **Data:** as the list's section above ({made.tasks:,} tasks, {made.reports:,} reports): every task, in task-number "
        "order, with its latest report (the sheet's 最新进展 column).",
        "- **Method:** each way in a child process of its own, run once: *export* is the export itself (query, rows, the "
        "streamed .xlsx), *process* the child from start to exit (Django's start-up included), *CPU* the child's user + "
        "system time, *peak* its maximum resident set (os.wait4's ru_maxrss). "
        f"Bar (issue 14): ≤ {BAR_SECONDS:.0f} s and ≤ {BAR_MB:.0f} MB peak.",
        "",
        "| way | rows | export | process | CPU | peak memory | file | bar |",
        "|---|--:|--:|--:|--:|--:|--:|:-:|",
    ]
    for e in exports:
        lines.append(f"| **{e.way}** — {e.label} | {e.rows:,} | {e.export_s:.1f} s | **{e.wall_s:.1f} s** | {e.cpu_s:.1f} s | "
                     f"**{e.peak_mb:.0f} MB** | {e.file_mb:.1f} MB | {'✅' if e.passes else '❌'} |")
    lines += ["", f"Load on the machine during the run (1/5/15-minute load average): {_load()}."]
    return "\n".join(lines)


def render_table(shapes) -> str:
    header = ["形态", "匹配行数", "页面中位数", "p95", "CPU", "查询数", "同一查询原生SQL", "空页面", "下限", "倍数", "达标", "按CPU倍数", "空视图/倍数", "Redmine 5"]
    rows = [header]
    for s in shapes:
        rows.append([
            f"{s.key} {s.label}", f"{s.rows_matched:,}", f"{s.page_ms:.1f} ms", f"{s.p95_ms:.1f} ms", f"{s.cpu_ms:.1f} ms",
            str(len(s.queries)), f"{s.raw_ms:.2f} ms", f"{s.empty_ms:.1f} ms", f"{s.floor_ms:.1f} ms", f"{s.ratio:.1f}×",
            "是" if s.passes else "否", f"{s.cpu_ratio:.1f}×", f"{s.bare_ms:.1f} ms / {s.bare_ratio:.1f}×",
            f"{_redmine(s.key)} ms",
        ])
    return _format(rows)


def _redmine(key: str) -> int:
    from bench.ledger_list import REDMINE_MS

    return REDMINE_MS[key]


def _format(rows: list[list[str]]) -> str:
    import unicodedata

    def width(text):
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def machine() -> dict[str, str]:
    import django
    from django.db import connection

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    if connection.vendor == "sqlite":
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=FULL)"
    else:
        version = connection.cursor().connection.info.server_version
        database = f"PostgreSQL {version // 10000}.{version % 10000}"
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores", "memory": memory, "os": platform.platform(),
        "python": platform.python_version(), "django": django.get_version(), "database": database,
    }


HEADER = """# Benchmarks

Written by `make bench` (`python -m bench`, package `bench/`): each run replaces the section of its database
(SQLite by default, PostgreSQL with `--postgres URL`). SPEC §9 bars for the ledger list page: server time
median ≤ 30 ms and ≤ 3× its floor (the same query in raw SQL plus an empty Django page, measured in the same
run). The task page, the home page, the 督办记录 list and the 中梗阻 page: the same bar (issue 14); the whole
ledger's Excel export: ≤ 10 s and ≤ 300 MB peak for the process (`bench/export.py`). Excel import: `bench/excel_bench.py`.
"""
NOTES_MARK = "<!-- notes: kept by make bench -->"


def write_doc(path: Path, vendor: str, section: str) -> None:
    """Replace this database's section of the doc, keep the other database's section and the notes."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    begin, end = f"<!-- bench:{vendor} -->", f"<!-- /bench:{vendor} -->"
    block = f"{begin}\n{section}\n{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    elif NOTES_MARK in text:
        text = text.replace(NOTES_MARK, block + "\n\n" + NOTES_MARK)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def render_section(args, shapes, made, connection) -> str:
    from bench.ledger_list import DEEP_PAGE, PAGE_SIZE

    info = machine()
    command = _command(args)
    title = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
    lines = [
        f"## Ledger list page at 100k tasks — {title}",
        "",
        f"- **Date:** {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- **Command:** `{command}`",
        f"- **Machine:** {info['cpu']}, {info['memory']} RAM, {info['os']}",
        f"- **Software:** Python {info['python']}, Django {info['django']}, {info['database']}",
        f"- **Data** (load generation: bulk inserts, not the services): {made.tasks:,} tasks over ~50 units, "
        f"{made.reports:,} progress reports, {made.cooperating:,} cooperating-unit links; states "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(made.per_state.items(), key=lambda kv: -kv[1]))
        + "; lights " + ", ".join(f"{k} {v:,}" for k, v in sorted(made.per_light.items(), key=lambda kv: -kv[1]))
        + f"; due dates across 2026–2027, 5% standing; the search word is in {made.rare_titles:,} titles. "
        + (f"Generated in {made.seconds:.0f} s, then ANALYZE ({made.analyze_seconds:.0f} s)." if not args.reuse else
           "Generated by an earlier run of the same generator with `--keep`, migrated to the current schema and "
           "re-analysed, then measured with `--reuse`."),
        f"- **Method:** the page `ledger:task_list` requested with Django's test Client in the benchmark's process, signed in "
        f"as the supervision office (sees every task): {args.runs} timed requests per shape after 5 warm-up requests, "
        f"interleaved with the floor's two parts. Every page is checked to show {PAGE_SIZE} rows starting at the right task. "
        "*Page CPU* is this process's CPU time per request (on SQLite the database works inside the process, so it is "
        "counted too): it is what the page costs when the machine is not shared. *page / floor (CPU)* is the same ratio "
        "in CPU time (page CPU over raw SQL + the empty page's CPU), the figure to compare across runs on a shared "
        "machine; on PostgreSQL the database works in another process, so there it is only indicative.",
        "",
        "| shape | rows in the list | page median | page p95 | page CPU | queries | same query, raw SQL | empty page | floor | page / floor | bar | page / floor (CPU) | bare view (page / its floor) | Redmine 5 |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|--:|--:|--:|",
    ]
    for s in shapes:
        lines.append(
            f"| **{s.key}** — {s.label} | {s.rows_matched:,} | **{s.page_ms:.1f} ms** | {s.p95_ms:.1f} ms | {s.cpu_ms:.1f} ms | {len(s.queries)} | "
            f"{s.raw_ms:.2f} ms | {s.empty_ms:.1f} ms | {s.floor_ms:.1f} ms | {s.ratio:.1f}× | {'✅' if s.passes else '❌'} | "
            f"{s.cpu_ratio:.1f}× | {s.bare_ms:.1f} ms ({s.bare_ratio:.1f}×) | {_redmine(s.key)} ms |"
        )
    lines += [
        "",
        f"Shapes: **unit** = `?unit=<a unit of median load>&state=open&sort=due` (lead or cooperating unit); **open** = "
        f"`?state=open&sort=due`; **text** = the same with `&q=森林防火`; **deep** = page {DEEP_PAGE} of the open list, "
        f"reached by its keyset cursor (the row {(DEEP_PAGE - 1) * PAGE_SIZE:,} of the list, computed directly), as the "
        "page's own 下一页 link would give it. *Empty page* — the floor's Django part, the one the ratio and the bar use: "
        "this site's layout (base.html, navigation for the signed-in user) with no content, through the same middleware "
        "— session read and idle-timeout write, user, roles, CSRF — which the list page must do too and no query of its "
        "own can avoid. *Bare view*: an HttpResponse with no template through the same middleware, shown with the ratio "
        "it would give (see the notes). Redmine 5 figures: the same four shapes on SQLite at 100k issues (issue 3).",
        "",
        "### What the page does, per shape (one request, each query's time)",
        "",
    ]
    for s in shapes:
        total = sum(t for t, _sql in s.queries) * 1000
        lines.append(f"- **{s.key}**: {len(s.queries)} queries, {total:.1f} ms in the database; the slowest:")
        for seconds, sql in sorted(s.queries, reverse=True)[:3]:
            lines.append(f"  - {seconds * 1000:.2f} ms — `{_short(sql)}`")
    lines += ["", "### Query plans of the floor's row query (EXPLAIN)", ""]
    for s in shapes:
        lines.append(f"- **{s.key}**: " + "; ".join(f"`{step.strip()}`" for step in s.plan))
    lines += ["", f"Load on the machine during the run (1/5/15-minute load average): {_load()}."]
    return "\n".join(lines)


def _command(args) -> str:
    """The command that produced the figures, as typed (a PostgreSQL password hidden)."""
    if not (args.postgres or args.reuse or args.data_dir):
        return "make bench"
    words = [".venv/bin/python -m bench"]
    if args.postgres:
        words.append(f"--postgres {_redact(args.postgres)}")
    if args.data_dir:
        words.append(f"--data-dir {args.data_dir}")
    words += [flag for flag, on in (("--keep", args.keep), ("--reuse", args.reuse)) if on]
    if args.runs != 40:
        words.append(f"--runs {args.runs}")
    return " ".join(words)


def _load() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"
    except OSError:
        return "unknown"


def _short(sql: str, limit: int = 220) -> str:
    import re

    sql = re.sub(r"\s+", " ", sql)
    sql = re.sub(r'SELECT (.{60}).*? FROM', r"SELECT \1… FROM", sql)
    return (sql[:limit] + "…" if len(sql) > limit else sql).replace("|", "\\|").replace("`", "'")


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _create_pg_database(url: str) -> tuple[str, str]:
    import psycopg

    name = f"duban_bench_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    return name, urlunsplit(parts._replace(path=f"/{name}"))


def _drop_pg_database(url: str, name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    sys.exit(main())
