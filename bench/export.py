"""The ledger's Excel export at benchmark size (issue 14): wall time and peak memory of the process doing it.

    python -m bench.export cli OUT.xlsx     # one export in this process: `duban export ledger -o OUT.xlsx`
    python -m bench.export http OUT.xlsx    # GET /ledger/export/ as the office, the streamed body written to OUT

`measure()` runs each in a child process of its own, with the benchmark's database (its environment), so that
the peak memory is that process's alone (os.wait4's ru_maxrss of the child, not the benchmark's), and times the
child from start to exit (Django's start-up included, as a user waits for it) and the export itself. Bar (issue
14): 100k rows in ≤ 10 s and ≤ 300 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BAR_SECONDS, BAR_MB = 10.0, 300.0
WAYS = {"cli": "`duban export ledger -o FILE`（命令行，系统身份，全部任务）",
        "http": "GET /ledger/export/（督查室，经 Django 测试客户端，流式写入文件）"}


@dataclass
class Export:
    way: str
    rows: int
    export_s: float  # the export itself, in the child
    wall_s: float  # the child process, start to exit
    cpu_s: float  # the child's CPU time (user + system; on SQLite the database's work is in it too)
    peak_mb: float
    file_mb: float

    @property
    def label(self) -> str:
        return WAYS[self.way]

    @property
    def passes(self) -> bool:
        return self.wall_s <= BAR_SECONDS and self.peak_mb <= BAR_MB


def measure(ways=("cli", "http"), log=print) -> list[Export]:
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root), os.environ.get("PYTHONPATH", "")])}
    found = []
    with tempfile.TemporaryDirectory(prefix="duban-export-") as tmp:
        for way in ways:
            out = Path(tmp) / f"{way}.xlsx"
            started = time.perf_counter()
            child = subprocess.Popen([sys.executable, "-m", "bench.export", way, str(out)], env=env, stdout=subprocess.PIPE, text=True)
            stdout = child.stdout.read()
            _pid, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - started
            if status != 0:
                raise SystemExit(f"export ({way}) failed: {stdout[-2000:]}")
            got = json.loads(stdout.strip().splitlines()[-1])
            found.append(Export(way, got["rows"], got["seconds"], wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.stat().st_size / 1048576))
            e = found[-1]
            log(f"  export-{way:5} {e.rows:,} 行  导出 {e.export_s:.1f} 秒，进程 {e.wall_s:.1f} 秒（CPU {e.cpu_s:.1f} 秒），峰值内存 {e.peak_mb:.0f} MB，"
                f"文件 {e.file_mb:.1f} MB  {'达标' if e.passes else '未达标'}（≤ {BAR_SECONDS:.0f} 秒、≤ {BAR_MB:.0f} MB）")
    return found


def _run(way: str, out: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
    if way == "cli":
        from duban.cli import main

        started = time.perf_counter()
        if main(["export", "-v", "0", "ledger", "-o", out]):
            raise SystemExit("duban export failed")
        seconds = time.perf_counter() - started
    else:
        import django

        django.setup()
        from django.test import Client
        from django.urls import reverse

        from duban.core.models import User

        client = Client()
        client.force_login(User.objects.get(username="ducha1"))
        started = time.perf_counter()
        response = client.get(reverse("ledger:export"))
        if response.status_code != 200:
            raise SystemExit(f"status {response.status_code}")
        with open(out, "wb") as target:
            for chunk in response.streaming_content:
                target.write(chunk)
        seconds = time.perf_counter() - started
    from duban.ledger.models import Task

    return {"rows": Task.objects.count(), "seconds": round(seconds, 2)}


if __name__ == "__main__":
    print(json.dumps(_run(sys.argv[1], sys.argv[2])))
