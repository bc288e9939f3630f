"""The `duban` command: `serve`, `worker`, `manage …`, and every management command of duban's own apps.

    duban serve [--host H] [--port P] [--workers N] [--no-worker]
    duban worker [--workers N] [--worker-type thread|process] [--no-periodic]
    duban demo | createuser | audit verify | backup -o FILE | restore FILE | …
    duban export ledger|appeals -o FILE.xlsx [filters]
    duban manage <any Django management command>
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
    import django

    django.setup()


def own_commands() -> dict[str, str]:
    """Management commands defined by duban's apps (name → app), so new ones appear here by themselves."""
    from django.core.management import get_commands

    return {name: app for name, app in get_commands().items() if app.startswith("duban.")}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _setup()
    from django.core.management import execute_from_command_line

    commands = own_commands()
    if not argv or argv[0] in {"-h", "--help", "help"}:
        _usage(commands)
        return 0
    name, rest = argv[0], argv[1:]
    if rest and f"{name}_{rest[0]}" in commands:
        # `duban export appeals …` runs an app's own `export_appeals` (one management command name per app), beside
        # the ledger's `duban export ledger …`.
        name, rest = f"{name}_{rest[0]}", rest[1:]
    if name == "serve":
        return serve(rest)
    if name == "worker":
        return worker(rest)
    if name == "manage":
        execute_from_command_line(["duban manage", *rest])
        return 0
    if name in commands:
        refusal = prepare_database(name, rest)
        if refusal:
            print(refusal, file=sys.stderr)
            return 2
        execute_from_command_line(["duban", name, *rest])
        return 0
    print(f"duban: 没有“{name}”这个命令。可用的命令：serve、worker、manage、" + "、".join(sorted(commands)), file=sys.stderr)
    return 2


# Commands that build their own schema (restore migrates after checking the database is empty) or touch no table.
SCHEMA_FREE = frozenset({"restore"})
# Setting-up commands that may migrate a brand-new database themselves before they run.
MIGRATE_FIRST = frozenset({"demo", "createuser"})


def pending_migrations() -> list:
    """The migrations not yet applied to the database (all of them on a brand-new data directory)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def prepare_database(name: str, rest: list[str]) -> str | None:
    """Make sure `duban NAME` finds its tables: migrate first for a setting-up command, else one line saying what to run.

    Returns the one-line refusal to print, or None when the command may run. A database that cannot be reached
    at all is a refusal too — never a traceback.
    """
    from django.core.management import call_command
    from django.db import DatabaseError

    if name in SCHEMA_FREE or any(arg in {"-h", "--help"} for arg in rest):
        return None
    try:
        plan = pending_migrations()
        if not plan:
            return None
        if name in MIGRATE_FIRST:
            print(f"duban {name}：数据库还没有建立到当前版本，先执行 {len(plan)} 个迁移……", file=sys.stderr, flush=True)
            call_command("migrate", interactive=False, verbosity=0)
            return None
    except DatabaseError as exc:
        return f"duban {name}：无法访问数据库（{_first_line(exc)}），请检查 DUBAN_DATABASE_URL 与数据目录后重试。"
    return f"duban {name}：数据库尚未迁移到当前版本（还有 {len(plan)} 个迁移未执行），请先运行 `duban manage migrate`。"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _usage(commands: dict[str, str]) -> None:
    print(__doc__.strip())
    print("\ncommands: serve, worker, manage, " + ", ".join(sorted(commands)))
    print("`duban <command> --help` describes each one.")


def serve(args: list[str]) -> int:
    """Migrate, collect static files, then run gunicorn (static files via WhiteNoise) and, beside it, a background worker."""
    from django.conf import settings
    from django.core.management import call_command

    from duban.env import env_int, env_str

    parser = argparse.ArgumentParser(prog="duban serve", description="运行督办系统（生产级 Web 服务，附带后台任务进程）")
    parser.add_argument("--host", default=env_str("DUBAN_HOST", "127.0.0.1", "address `duban serve` listens on"))
    parser.add_argument("--port", type=int, default=env_int("DUBAN_PORT", 8000, "port `duban serve` listens on", minimum=1))
    parser.add_argument("--workers", type=int, default=env_int("DUBAN_WEB_WORKERS", 2, "gunicorn worker processes", minimum=1))
    parser.add_argument("--no-migrate", action="store_true", help="不自动迁移数据库")
    parser.add_argument("--no-worker", action="store_true", default=not settings.EMBEDDED_WORKER,
                        help="不在本机运行后台任务进程（多节点部署由专门的 `duban worker` 运行；同 DUBAN_EMBEDDED_WORKER=0）")
    opts = parser.parse_args(args)

    if not opts.no_migrate:
        from django.db import DatabaseError

        try:
            call_command("migrate", interactive=False, verbosity=0)
        except DatabaseError as exc:
            print(f"duban serve：无法访问数据库（{_first_line(exc)}），请检查 DUBAN_DATABASE_URL 与数据目录后重试。", file=sys.stderr)
            return 2
    call_command("collectstatic", interactive=False, verbosity=0)

    from django.db import connections
    from gunicorn.app.base import BaseApplication

    connections.close_all()  # never share a database connection across gunicorn's fork

    from duban.wsgi import application

    class _Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{opts.host}:{opts.port}")
            self.cfg.set("workers", opts.workers)
            self.cfg.set("threads", 4)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("timeout", 120)
            self.cfg.set("accesslog", "-")
            self.cfg.set("proc_name", "duban")
            self.cfg.set("control_socket_disable", True)  # one fixed socket path would clash between instances

        def load(self):
            return application

        def run(self):
            arbiter = _arbiter_class()(self)
            arbiter.job_worker = None if opts.no_worker else EmbeddedWorker()
            try:
                arbiter.run()
            except RuntimeError as exc:
                print(f"\nError: {exc}\n", file=sys.stderr, flush=True)
                sys.exit(1)

    worker_note = "，后台任务由单独的 duban worker 运行" if opts.no_worker else ""
    print(f"督办系统已启动：http://{opts.host}:{opts.port}/  （数据目录 {settings.DATA_DIR}{worker_note}，Ctrl+C 停止）", flush=True)
    _Server().run()
    return 0


class EmbeddedWorker:
    """The background worker `duban serve` runs as its child (`duban worker --embedded-in PID`).

    Started with the web server, restarted (after a growing pause) if it dies, stopped with SIGTERM when the
    server stops — running jobs finish first, for up to STOP_SECONDS — and killed after that. The child
    runs in its own session, so Ctrl+C reaches only the server, which stops it in order; should the server
    be killed outright, the child notices its parent is gone and stops by itself.
    """

    STOP_SECONDS = 30

    def __init__(self):
        self.process = None
        self.started = 0.0
        self.failures = 0
        self.restart_at = 0.0
        self.stopping = False

    def start(self) -> None:
        import subprocess

        self.process = subprocess.Popen([sys.executable, "-m", "duban", "worker", "--embedded-in", str(os.getpid())], start_new_session=True)
        self.started = time.monotonic()

    def poll(self) -> int | None:
        """The child's exit code once it has ended (reaping it before gunicorn's waitpid(-1) does)."""
        return None if self.process is None else self.process.poll()

    def check(self) -> None:
        """Restart the child if it ended by itself; called about once a second by the server's main loop."""
        if self.stopping or self.process is None:
            return
        code = self.poll()
        now = time.monotonic()
        if code is None:
            return
        if not self.restart_at:
            self.failures = 1 if now - self.started > 60 else self.failures + 1
            pause = min(60, 2 ** self.failures)
            print(f"后台任务进程（pid {self.process.pid}）意外退出，退出码 {code}；{pause} 秒后重启", file=sys.stderr, flush=True)
            self.restart_at = now + pause
        elif now >= self.restart_at:
            self.restart_at = 0.0
            self.start()

    def request_stop(self) -> None:
        self.stopping = True
        if self.poll() is None:
            self.process.terminate()

    def wait(self) -> None:
        import subprocess

        if self.process is None:
            return
        try:
            self.process.wait(self.STOP_SECONDS)
        except subprocess.TimeoutExpired:
            print(f"后台任务进程 {self.STOP_SECONDS} 秒内没有停止，强制结束", file=sys.stderr, flush=True)
            self.process.kill()
            self.process.wait()


def _arbiter_class():
    """gunicorn's master process, which also starts, watches and stops the embedded background worker."""
    from gunicorn.arbiter import Arbiter

    class DubanArbiter(Arbiter):
        job_worker: EmbeddedWorker | None = None

        def start(self):
            super().start()
            if self.job_worker:
                self.job_worker.start()

        def reap_workers(self):
            if self.job_worker:
                self.job_worker.poll()
            super().reap_workers()

        def manage_workers(self):
            super().manage_workers()
            if self.job_worker:
                self.job_worker.check()

        def stop(self, graceful=True):
            if self.job_worker:
                self.job_worker.request_stop()  # it winds down while the web workers do
            super().stop(graceful)
            if self.job_worker:
                self.job_worker.wait()

    return DubanArbiter


def worker(args: list[str]) -> int:
    """Run a background worker (huey's consumer): the jobs the pages queue, and the periodic jobs."""
    from django.conf import settings
    from django.db import connection, connections

    from duban.core import jobs

    defaults = settings.HUEY.get("consumer", {})
    parser = argparse.ArgumentParser(prog="duban worker", description="运行后台任务进程：执行网页提交的任务（如发送通知）和定时任务")
    parser.add_argument("--workers", type=int, default=defaults.get("workers", 2),
                        help="同时运行的任务数（默认取 DUBAN_JOB_WORKERS，为 2）")
    parser.add_argument("--worker-type", choices=["thread", "process"], default=defaults.get("worker_type", "thread"),
                        help="用线程（默认）还是进程运行任务")
    parser.add_argument("--no-periodic", action="store_true",
                        help="本进程不安排定时任务，只执行队列中的任务（定时任务由其他节点安排；有几个节点安排都只运行一次）")
    parser.add_argument("--embedded-in", type=int, metavar="PID", help=argparse.SUPPRESS)  # started by `duban serve`
    opts = parser.parse_args(args)
    if opts.workers < 1:
        parser.error("--workers 至少为 1")

    refusal = prepare_database("worker", [])
    if refusal:
        print(refusal, file=sys.stderr)
        return 1
    periodic = jobs.periodic_jobs()  # loads every app's tasks.py
    consumer = jobs.make_consumer(**{**defaults, "workers": opts.workers, "worker_type": opts.worker_type, "periodic": not opts.no_periodic})
    connections.close_all()  # worker processes are forked: none may inherit this connection

    unit = "个线程" if opts.worker_type == "thread" else "个进程"
    head = "后台任务进程已随 Web 服务启动" if opts.embedded_in else "督办后台任务进程已启动"
    db = settings.DATABASES["default"]
    where = f"{db.get('HOST')}:{db.get('PORT')}/" if db.get("HOST") else ""
    lines = [
        f"{head}（pid {os.getpid()}，同时运行 {opts.workers} {unit}的任务）",
        f"  任务队列：{jobs.queue_description()}",
        f"  数据库：{connection.vendor} {where}{db['NAME']}",
        "  定时任务：" + ("本进程不安排（--no-periodic）" if opts.no_periodic else "由本进程按时安排；同一时点在所有节点中只运行一次"),
        *(f"    {job.name:<24} {job.schedule.describe():<12} {job.title}" for job in periodic),
    ]
    if not opts.embedded_in:
        lines.append("  Ctrl+C 停止（正在运行的任务先做完）")
    print("\n".join(lines), flush=True)
    if opts.embedded_in:
        _stop_when_parent_ends(opts.embedded_in)
    consumer.run()
    return 0


def _stop_when_parent_ends(parent_pid: int) -> None:
    """Stop this worker (letting running jobs finish) once `duban serve` is gone, however it went."""
    import signal
    import threading

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
