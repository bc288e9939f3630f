"""The appeals desk at benchmark size (issue 8, acceptance 7): the appeal list at 200k appeals against its floor,
and the public intake's requests/s with 2 gunicorn workers against an empty Django view on the same server.

    .venv/bin/python -m bench.appeals                       # both, on SQLite in a throwaway data dir
    .venv/bin/python -m bench.appeals --postgres postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python -m bench.appeals --appeals 20000 --seconds 5      # a quick look (the doc is not rewritten)

The list: bulk-generated appeals (load generation, not the services: no timelines, no audit), requested with
Django's test Client in this process as the business office (who sees every appeal) and as a unit's liaison;
the floor, interleaved request by request, is the page's own queries replayed in raw SQL plus the empty page
(bench.pages does the same for the task page). Bar: median ≤ 30 ms and ≤ 3× the floor.

The intake: `gunicorn --workers 2` serving the site plus bench.ledger_list's bare view, on the same database;
a few client threads on this machine first POST the public form (a CSRF token from one GET per client, the rate
limits raised through DUBAN_APPEAL_SUBMITS_PER_IP / _PER_PHONE, every request expected to end in the result
page's redirect), then GET the bare view for as long. Bar: intake ≥ 50% of the bare view's rate, zero errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL = 200_000
INTAKE_BAR = 0.5
CLIENTS = 4

CATEGORIES = ("land", "approval", "financing", "utilities", "policy", "enforcement", "arrears", "other")
# state → share of all appeals: a year or two of a county's desk, most closed.
STATE_SHARES = {"submitted": 0.01, "accepted": 0.01, "dispatched": 0.02, "handling": 0.10, "replied": 0.03, "closed": 0.78,
                "declined": 0.03, "merged": 0.02}
OPEN_LIGHTS = {"green": 0.70, "yellow": 0.18, "red": 0.12}
TEXTS = ("新建车间用电增容申请已提交两个月，至今未安排勘察。", "承建的道路工程已竣工验收两年，尚欠工程款。",
         "施工许可申请材料已齐全，窗口要求补充的材料前后说法不一。", "招商引资时承诺的设备购置补贴至今未兑现。",
         "一个月内被不同部门检查五次，检查内容重复。", "申请的创业担保贷款已审核通过，银行一直未放款。")


@dataclass
class Generated:
    appeals: int = 0
    cooperating: int = 0
    seconds: float = 0.0
    per_state: Counter = field(default_factory=Counter)


def generate(count: int, *, seed: int = 8, log=print) -> Generated:
    """Write `count` appeals into the demo county (bulk inserts), then ANALYZE.

    No timeline events and no replies are written, so the rates' stored facts (Appeal.first_unit … handling_days,
    which the services write and migration 0006 fills from the events and replies) keep their defaults: not
    dispatched as far as the response goes, never replied — what the events and replies say. The rates index
    (appeal_rates_idx) is read whole all the same, which is what the rates' time depends on."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.generate import _insert, analyze
    from duban.appeals import creditcode
    from duban.appeals.models import Appeal, AppealUnit, enterprise_key_of
    from duban.appeals.selectors import office_unit
    from duban.core.models import Unit

    rng = random.Random(seed)
    started = time.monotonic()
    result = Generated()
    units = list(Unit.objects.filter(kind__in=["department", "township"]).order_by("id"))
    weights = [1 / (rank + 3) ** 0.9 for rank in range(len(units))]
    office = office_unit()
    enterprises = [(f"企业{n:05d}有限公司", creditcode.make(f"91649900{n:09d}")) for n in range(5000)]
    states = rng.choices(list(STATE_SHARES), weights=list(STATE_SHARES.values()), k=count)
    now = timezone.now()
    first = dt.date(2025, 6, 1)
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA synchronous=OFF")  # a throwaway database: no fsync while loading
    with transaction.atomic():
        batch = []
        for n, state in enumerate(states, start=1):
            name, code = rng.choice(enterprises)
            unit = rng.choices(units, weights)[0]
            day = first + dt.timedelta(days=n * 540 // count)
            open_ = state in ("submitted", "accepted", "dispatched", "handling", "replied")
            due = day + dt.timedelta(days=rng.randrange(1, 20)) if open_ else None
            light = rng.choices(list(OPEN_LIGHTS), list(OPEN_LIGHTS.values()))[0] if open_ else "grey"
            accepted = state not in ("submitted", "declined")
            dispatched = state not in ("submitted", "accepted", "declined", "merged")
            holder = office if state in ("submitted", "accepted", "replied") else unit if state in ("dispatched", "handling") else None
            batch.append(Appeal(
                code=f"SQ{day.year}-{n:06d}", secret_hash="sha256$bench$" + "0" * 64, channel=rng.choice(["web", "phone", "hotline"]),
                category=rng.choice(CATEGORIES), enterprise_name=name, credit_code=code, enterprise_key=enterprise_key_of(code, name),
                contact_name="马经理", phone=f"139{n:08d}", identity_hidden=rng.random() < 0.05, title=rng.choice(TEXTS)[:60],
                description=rng.choice(TEXTS), state=state, start_date=day, due_date=due, due_sort=due or dt.date.max,
                light=light, light_reason="", lead_unit=unit if dispatched else None, holder_unit=holder,
                accepted_on=day if accepted else None, dispatched_at=now if dispatched else None,
                outcome="resolved" if state == "closed" else "", rating="satisfied" if state == "closed" else "",
                closed_on=day + dt.timedelta(days=7) if state == "closed" else None, sendback_count=1 if rng.random() < 0.04 else 0,
                created_at=now - dt.timedelta(seconds=count - n), updated_at=now, light_checked_on=now.date()))
            result.per_state[state] += 1
            if len(batch) == 5000:
                Appeal.objects.bulk_create(batch)
                batch = []
        Appeal.objects.bulk_create(batch)
        rows = []
        for appeal_id, lead in Appeal.objects.filter(lead_unit__isnull=False).values_list("id", "lead_unit_id"):
            if rng.random() < 0.1:
                other = rng.choice(units).pk
                if other != lead:
                    rows.append((appeal_id, other))
        _insert(AppealUnit._meta.db_table, ("appeal_id", "unit_id"), rows)
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA synchronous=FULL")
    analyze()
    result.appeals, result.cooperating = Appeal.objects.count(), len(rows)
    result.seconds = time.monotonic() - started
    log(f"    {result.appeals:,} 件诉求、{result.cooperating:,} 条配合单位，用时 {result.seconds:.1f} 秒")
    return result


def existing() -> Generated | None:
    """What an earlier run left in the database (--reuse), or None when it holds no appeals."""
    from django.db.models import Count

    from duban.appeals.models import Appeal, AppealUnit

    per_state = Counter(dict(Appeal.objects.order_by().values_list("state").annotate(n=Count("*"))))
    if not per_state:
        return None
    return Generated(appeals=sum(per_state.values()), cooperating=AppealUnit.objects.count(), per_state=per_state)


def list_subjects():
    """The appeal list as the business office (open appeals by urgency; newest first) and as a busy unit's liaison."""
    from django.db.models import Count
    from django.urls import reverse

    from bench.pages import Page
    from duban.appeals.models import Appeal
    from duban.core.choices import Role
    from duban.core.models import User

    base = reverse("appeals:appeal_list")
    office = User.objects.filter(role_grants__role=Role.BUSINESS, is_active=True).order_by("id").first()
    loads = dict(Appeal.objects.filter(lead_unit__isnull=False).values_list("lead_unit_id").annotate(n=Count("*")))
    liaisons = list(User.objects.filter(role_grants__role=Role.LIAISON, is_active=True, unit_id__in=loads))
    busy = max(liaisons, key=lambda u: (loads[u.unit_id], -u.pk))
    return [
        Page("appeals-open", "诉求列表·营商办·在办（按时限）", f"{base}?state=open&sort=due", office),
        Page("appeals-new", "诉求列表·营商办·全部（最新在前）", f"{base}?sort=new", office),
        Page("appeals-unit", f"诉求列表·联络员（{busy.unit.name}，{loads[busy.unit_id]:,} 件）", base, busy),
    ]


# --- the public intake under gunicorn ---------------------------------------------------------------


@dataclass
class Rate:
    key: str
    label: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, seconds: float = 60) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url}")


def _drive(name: str, label: str, seconds: float, clients: int, request_once) -> Rate:
    """`clients` threads calling `request_once(session)` for `seconds`; each returns True if the answer was right."""
    import requests

    rate = Rate(name, label)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run():
        session = requests.Session()
        while time.monotonic() < stop:
            ok, status = request_once(session)
            with lock:
                rate.requests += 1
                rate.errors += not ok
                rate.statuses[status] += 1

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate.seconds = time.monotonic() - started
    return rate


def measure_intake(seconds: float = 20, clients: int = CLIENTS, workers: int = 2, log=print) -> tuple[Rate, Rate, Rate]:
    """Intake POSTs/s, the bare view's GETs/s and the form's GETs/s on one gunicorn with `workers` workers."""
    from duban.appeals import creditcode

    port = _free_port()
    env = {**os.environ, "DUBAN_APPEAL_SUBMITS_PER_IP": "100000000", "DUBAN_APPEAL_SUBMITS_PER_PHONE": "100000000",
           "DUBAN_DEBUG": "false", "DUBAN_ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", "bench.appeals_wsgi:application"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    counter = iter(range(10**9))
    lock = threading.Lock()
    try:
        _wait(base + "/__bench__/bare/")

        def intake(session):
            if "csrftoken" not in session.cookies:
                session.get(base + "/appeal/", timeout=30)
            with lock:
                n = next(counter)
            data = {"csrfmiddlewaretoken": session.cookies["csrftoken"], "enterprise_name": f"压测企业{n}有限公司",
                    "credit_code": creditcode.make(f"91649900{n % 10**9:09d}"), "contact_name": "马经理",
                    "phone": f"139{n % 10**8:08d}", "category": "utilities", "description": "新建车间用电增容申请已提交两个月，至今未安排勘察。"}
            response = session.post(base + "/appeal/", data=data, allow_redirects=False, timeout=30,
                                    headers={"Referer": base + "/appeal/"})
            return response.status_code == 302, response.status_code

        def bare(session):
            response = session.get(base + "/__bench__/bare/", timeout=30)
            return response.status_code == 200, response.status_code

        def form(session):
            response = session.get(base + "/appeal/", timeout=30)
            return response.status_code == 200, response.status_code

        for _ in range(3):  # warm both workers
            _drive("warm", "", 1, clients, bare)
        posted = _drive("intake", "公开提交诉求（POST /appeal/，含校验、限流计数、写库、时间线和审计）", seconds, clients, intake)
        empty = _drive("bare", "空的 Django 视图（同一服务器、同一中间件）", seconds, clients, bare)
        page = _drive("form", "公开提交页面（GET /appeal/，表单）", seconds, clients, form)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for rate in (posted, empty, page):
        log(f"    {rate.key:7} {rate.per_second:7.1f} 次/秒（{rate.requests} 次，{rate.seconds:.1f} 秒，错误 {rate.errors}，{dict(rate.statuses)}）")
    return posted, empty, page


# --- the command and the doc ------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.appeals", description="企业诉求：诉求列表（20 万件）与公开提交的吞吐（issue 8）")
    parser.add_argument("--appeals", type=int, default=FULL, help="诉求件数（默认 200000）")
    parser.add_argument("--runs", type=int, default=40, help="列表每种形态计时的请求次数（默认 40）")
    parser.add_argument("--seconds", type=float, default=20, help="公开提交和空视图各压测的秒数（默认 20）")
    parser.add_argument("--postgres", metavar="URL", help="在该 PostgreSQL 服务器上新建一个临时数据库来测（结束后删除）")
    parser.add_argument("--data-dir", help="数据目录（默认新建临时目录，结束后删除）")
    parser.add_argument("--keep", action="store_true", help="保留生成的数据（数据目录或 PostgreSQL 临时库）")
    parser.add_argument("--reuse", action="store_true",
                        help="与 --data-dir 合用：数据目录里已有生成的诉求时直接计时；与 --postgres 合用：直接在 URL 指定的库"
                             "（此前 --keep 保留的库）上计时，不新建也不删除")
    parser.add_argument("--list-only", action="store_true", help="只测诉求列表，不测公开提交；不写入文档")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)
    from bench.__main__ import _create_pg_database, _drop_pg_database

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="duban-bench-appeals-")
    os.environ.update({"DUBAN_DATA_DIR": data_dir, "DUBAN_DEBUG": "false", "DJANGO_SETTINGS_MODULE": "duban.settings",
                       "DUBAN_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"})
    os.environ.pop("DUBAN_DATABASE_URL", None)
    pg = None
    if args.postgres and args.reuse:
        os.environ["DUBAN_DATABASE_URL"] = args.postgres  # a database kept by an earlier --keep: neither created nor dropped
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

    from bench import pages
    from bench.__main__ import _load, _short, machine, write_doc
    from bench.generate import analyze
    from duban.core import demo

    call_command("migrate", verbosity=0)
    made = existing() if args.reuse else None
    if made:
        analyze()  # migrations may have added indexes since
        print(f"1/3 沿用已生成的数据：{made.appeals:,} 件诉求、{made.cooperating:,} 条配合单位")
    else:
        demo.load(stories=False)
        print(f"1/3 演示县；生成 {args.appeals:,} 件诉求（批量写表，不经过业务服务）")
        made = generate(args.appeals)
    print(f"2/3 诉求列表：每种形态预热 5 次后请求 {args.runs} 次（Django 测试客户端，进程内）")
    listed = pages.measure(runs=args.runs, subjects=list_subjects)
    if args.list_only:
        print("（只测了诉求列表，未写入文档）")
        return 0
    print(f"3/3 公开提交：gunicorn 2 个 worker，{CLIENTS} 个客户端线程，各 {args.seconds:.0f} 秒")
    connection.close()
    posted, empty, page = measure_intake(seconds=args.seconds)
    share = posted.per_second / empty.per_second if empty.per_second else 0.0
    intake_ok = share >= INTAKE_BAR and posted.errors == 0 and empty.errors == 0
    list_ok = all(p.passes for p in listed)
    print(f"公开提交 {posted.per_second:.1f} 次/秒 = 空视图的 {share:.0%}（要求 ≥ 50%，零错误）：{'达标' if intake_ok else '未达标'}；"
          f"诉求列表：{'全部达标' if list_ok else '未达标'}")
    if args.appeals >= FULL and args.runs >= 30 and args.seconds >= 10:
        info = machine()
        title = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
        command = (".venv/bin/python -m bench.appeals" + (" --postgres …" if args.postgres else "")
                   + (" --data-dir …" if args.data_dir else "") + (" --reuse" if args.reuse else ""))
        lines = [
            f"## Appeals desk at 200k appeals — {title}",
            "",
            f"- **Date:** {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
            f"- **Command:** `{command}`",
            f"- **Machine:** {info['cpu']}, {info['memory']} RAM; {info['database']}",
            f"- **Data** (bulk inserts, not the services): {made.appeals:,} appeals over ~50 units, "
            + ", ".join(f"{k} {v:,}" for k, v in made.per_state.most_common()) + f"; {made.cooperating:,} cooperating-unit links.",
            f"- **List method:** as bench.pages — Django's test Client in the benchmark's process, {args.runs} timed requests per "
            "page after 5 warm-up requests, interleaved with the floor (the page's own queries replayed in raw SQL + the empty "
            "page). Bar: median ≤ 30 ms and ≤ 3× the floor.",
            f"- **Intake method:** `gunicorn --workers 2` (bench/appeals_wsgi.py: the site plus the bare view of bench.ledger_list) "
            f"on the same database; {CLIENTS} client threads on the same machine for {args.seconds:.0f} s each: the public form "
            "POSTed (a CSRF token from one GET per client; the rate limits raised to 10⁸ through DUBAN_APPEAL_SUBMITS_PER_IP "
            "and _PER_PHONE; every answer must be the 302 to the result page), then the bare view GET. Bar: intake ≥ 50% of "
            "the bare view's rate, zero errors.",
            "",
            "| page | median | p95 | CPU | queries | raw SQL | empty page | floor | page / floor | bar |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|:-:|",
        ]
        for p in listed:
            lines.append(f"| **{p.key}** — {p.label} | **{p.page_ms:.1f} ms** | {p.p95_ms:.1f} ms | {p.cpu_ms:.1f} ms | {len(p.queries)} | "
                         f"{p.raw_ms:.2f} ms | {p.empty_ms:.1f} ms | {p.floor_ms:.1f} ms | {p.ratio:.1f}× | {'✅' if p.passes else '❌'} |")
        lines += ["", "Slowest queries per list page (one request):", ""]
        for p in listed:
            lines.append(f"- **{p.key}**: {len(p.queries)} queries, {sum(t for t, _sql in p.queries) * 1000:.1f} ms in the database; the slowest:")
            for seconds, sql in sorted(p.queries, reverse=True)[:3]:
                lines.append(f"  - {seconds * 1000:.2f} ms — `{_short(sql)}`")
        lines += ["", "| server (2 workers) | requests | errors | requests/s |", "|---|--:|--:|--:|"]
        for rate in (posted, empty, page):
            lines.append(f"| {rate.label} | {rate.requests:,} | {rate.errors} | {rate.per_second:.1f} |")
        lines += ["", f"Intake / bare view: **{share:.0%}** ({'✅' if intake_ok else '❌'} bar ≥ 50%, zero errors).", "",
                  f"Load on the machine during the run (1/5/15-minute load average): {_load()}."]
        write_doc(Path(args.output), f"{connection.vendor}-appeals", "\n".join(lines))
        print(f"结果已写入 {args.output}")
    else:
        print("（规模小于规格，未写入文档）")
    return 0  # the verdict is printed and written down; make bench goes on (as python -m bench does)


if __name__ == "__main__":
    sys.exit(main())
