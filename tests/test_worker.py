"""The background worker as operators run it: real `duban worker` and `duban serve` processes.

One machine: `duban serve` runs a worker beside gunicorn (SQLite queue in the data dir), starts and stops
it with itself and restarts it if it dies. Several machines: web nodes run `duban serve --no-worker`, and
`duban worker` processes elsewhere take the jobs from Redis; a periodic slot runs once however many
processes reach for it.

The processes share a throwaway installation on the suite's kind of database: an SQLite file in a temporary
data dir, or a fresh PostgreSQL database on the server the suite uses (pytest-django's own test database is
invisible to other processes). The Redis tests use their own queue name, so they never touch another queue.
"""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "Duban-test-2026"
TEST_REDIS_URL = os.environ.get("DUBAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
MUST_RUN = bool(os.environ.get("CI") or os.environ.get("DUBAN_TEST_POSTGRES"))


# --- a throwaway installation ------------------------------------------------------------------------


class Site:
    """A migrated installation: its data dir, its database, and the environment its processes run with."""

    def __init__(self, data_dir: Path, database_url: str | None):
        self.data_dir = data_dir
        self.database_url = database_url
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        self.env.update(DUBAN_DATA_DIR=str(data_dir), DUBAN_SECRET_KEY="test-" + "k" * 50, PYTHONUNBUFFERED="1")
        if database_url:
            self.env["DUBAN_DATABASE_URL"] = database_url

    def run(self, *args, env=None, check=True):
        done = subprocess.run([sys.executable, "-m", "duban", *args], cwd=REPO, env={**self.env, **(env or {})},
                              capture_output=True, text=True, timeout=300)
        if check and done.returncode != 0:
            raise AssertionError(f"duban {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
        return done

    def start(self, name, *args, env=None) -> "Process":
        return Process(self, name, args, env)

    def sql(self, query: str, params=()):
        """Rows of one query (written with %s placeholders) on the installation's database."""
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url, autocommit=True) as db:
                cursor = db.execute(query, params)
                return cursor.fetchall() if cursor.description else []
        db = sqlite3.connect(self.data_dir / "duban.sqlite3", timeout=30)
        try:
            with db:
                return db.execute(query.replace("%s", "?"), params).fetchall()
        finally:
            db.close()


class Process:
    """A long-running `duban …` process whose output goes to a file the test reads."""

    def __init__(self, site: Site, name: str, args, env):
        self.log = site.data_dir / f"{name}-{uuid.uuid4().hex[:6]}.log"
        self.file = self.log.open("w")
        self.popen = subprocess.Popen([sys.executable, "-m", "duban", *args], cwd=REPO, env={**site.env, **(env or {})},
                                      stdout=self.file, stderr=subprocess.STDOUT)
        self.pid = self.popen.pid

    @property
    def output(self) -> str:
        return self.log.read_text()

    def wait_for(self, pattern: str, timeout: float = 60, times: int = 1) -> re.Match:
        """The `times`-th match of `pattern` in the output, once there."""
        def seen():
            found = list(re.finditer(pattern, self.output))
            return found[times - 1] if len(found) >= times else None

        return wait_until(seen, timeout, f"{pattern!r} ({times}×) in the output of {self.log.name}", self)

    def stop(self, sig=signal.SIGTERM, timeout: float = 30) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        try:
            return self.popen.wait(timeout)
        finally:
            self.file.close()

    def kill(self):
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()
        self.file.close()


def wait_until(check, timeout: float, what: str, process: Process | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        if process is not None and process.popen.poll() is not None:
            raise AssertionError(f"the process ended (exit code {process.popen.returncode}) before {what}:\n{process.output}")
        time.sleep(0.1)
    tail = f"\n{process.output}" if process is not None else ""
    raise AssertionError(f"waited {timeout} s for {what}{tail}")


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting for a parent that does not reap it has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_postgres_database():
    """A new database on the suite's PostgreSQL server (same credentials): its URL and a function that drops it."""
    import psycopg

    db = settings.DATABASES["default"]
    server = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"], "password": db["PASSWORD"] or None}
    name = f"duban_worker_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    auth = urllib.parse.quote(server["user"] or "postgres") + (f":{urllib.parse.quote(server['password'])}" if server["password"] else "")
    return f"postgres://{auth}@{server['host']}:{server['port']}/{name}", drop


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An installation migrated once for this module, with a system admin who may sign in."""
    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    database_url, drop = fresh_postgres_database() if on_postgres else (None, None)
    try:
        made = Site(tmp_path_factory.mktemp("site"), database_url)
        made.run("manage", "migrate", "--no-input", "-v", "0")
        made.run("createuser", "sysadmin", "--name", "陈系统", "--role", "sysadmin", "--password", PASSWORD)
        yield made
    finally:
        if drop:
            drop()


@pytest.fixture
def redis_queue():
    """Environment for a Redis job queue of this test's own, and its keys removed afterwards."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        if MUST_RUN:
            pytest.fail(f"Redis at {TEST_REDIS_URL} is not reachable: {exc}")
        pytest.skip(f"Redis at {TEST_REDIS_URL} is not reachable")
    queue = f"duban-test-{uuid.uuid4().hex[:8]}"
    yield {"DUBAN_REDIS_URL": TEST_REDIS_URL, "DUBAN_JOB_QUEUE": queue}
    for key in client.scan_iter(match=f"huey.*{queue}*"):
        client.delete(key)
    client.close()


def runs_of(site: Site, name: str, trigger: str | None = None):
    query = "SELECT state, node, message, requested_by, trigger FROM core_jobrun WHERE name = %s"
    params = [name]
    if trigger:
        query += " AND trigger = %s"
        params.append(trigger)
    return site.sql(query + " ORDER BY id", params)


def add_expired_session(site: Site, key: str) -> None:
    site.sql("INSERT INTO django_session (session_key, session_data, expire_date) VALUES (%s, %s, %s)",
             [key, "x", "2020-01-01 00:00:00"])


class Browser:
    """Signs in and posts forms the way a browser does (cookies, CSRF token), over real HTTP."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, form_page: str, data: dict) -> tuple[int, str]:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(form_page)).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + form_page})
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.url

    def sign_in(self, username: str, password: str) -> None:
        self.post("/login/", "/login/", {"username": username, "password": password})


def wait_for_http(base: str, server: Process) -> None:
    def answers():
        try:
            with urllib.request.urlopen(base + "/login/", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    wait_until(answers, 60, f"{base} to answer", server)


# --- one slot, several processes ------------------------------------------------------------------------

RACE = """
import os, sys, time
from pathlib import Path
from duban.core import jobs
ran = []
def body(now):
    ran.append(now)
    time.sleep(0.3)
    return "ran in " + str(os.getpid())
go = Path(sys.argv[-1])
print("READY", flush=True)
while not go.exists():
    time.sleep(0.001)
took = jobs.run_slot("test.race", body, slot="2026-03-02T10:05:00+08:00", task_id="copy-%d" % os.getpid())
print("RAN" if took else "SKIPPED", len(ran), flush=True)
"""


def test_four_processes_reaching_for_the_same_slot_at_once_run_it_once(site):
    script, go = site.data_dir / "race.py", site.data_dir / "race.go"
    script.write_text("import django, os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'duban.settings')\ndjango.setup()\n" + RACE)
    racers = [subprocess.Popen([sys.executable, str(script), str(go)], cwd=REPO, env=site.env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(4)]
    assert [racer.stdout.readline().strip() for racer in racers] == ["READY"] * 4  # all loaded, none started
    go.touch()
    results = [racer.communicate(timeout=120) for racer in racers]

    lines = sorted(out.strip() for out, err in results)
    assert lines == ["RAN 1", "SKIPPED 0", "SKIPPED 0", "SKIPPED 0"], results
    ((state, node, message, _, trigger),) = runs_of(site, "test.race")
    winner = next(r.pid for r, (out, _) in zip(racers, results, strict=False) if out.startswith("RAN"))
    assert (state, trigger, message, node.rsplit(":", 1)[1]) == ("success", "schedule", f"ran in {winner}", str(winner))


# --- several machines: Redis, a web node without a worker, a dedicated worker --------------------------------


def test_a_job_queued_by_a_web_request_is_run_by_a_separately_started_worker(site, redis_queue):
    add_expired_session(site, "expired-before-the-acceptance-test")
    worker = site.start("worker", "worker", "--workers", "1", env=redis_queue)
    port = free_port()
    web = site.start("web", "serve", "--no-migrate", "--port", str(port), "--workers", "1",
                     env={**redis_queue, "DUBAN_EMBEDDED_WORKER": "0"})  # a web node of several: `--no-worker` does the same
    try:
        worker.wait_for(r"Huey consumer started")
        base = f"http://127.0.0.1:{port}"
        wait_for_http(base, web)
        browser = Browser(base)
        browser.sign_in("sysadmin", PASSWORD)
        assert "清理过期的登录会话" in browser.get("/manage/jobs/")

        status, landed = browser.post("/manage/jobs/core.clear_sessions/run/", "/manage/jobs/", {})

        assert status == 200 and landed == base + "/manage/jobs/"
        runs = wait_until(lambda: [r for r in runs_of(site, "core.clear_sessions", "manual") if r[0] != "running"], 30,
                          "the worker to run the job", worker)
        ((state, node, message, requested_by, _),) = runs
        assert (state, message, requested_by) == ("success", "删除 1 个过期会话", "陈系统（sysadmin）")
        assert node.rsplit(":", 1)[1] == str(worker.pid)  # the worker ran it, not the web node
        assert site.sql("SELECT COUNT(*) FROM django_session WHERE session_key = %s", ["expired-before-the-acceptance-test"]) == [(0,)]
    finally:
        web.stop()
        code = worker.stop()
    assert code == 0
    assert "任务队列：Redis redis://127.0.0.1:6379/9（队列 duban-test-" in worker.output
    assert re.search(r"core\.clear_sessions +每天 03:10 +清理过期的登录会话", worker.output)
    assert "Executing duban.core.tasks.core.clear_sessions" in worker.output
    assert "Executing" not in web.output and "随 Web 服务启动" not in web.output
    assert "后台任务由单独的 duban worker 运行" in web.output


# --- one machine: the worker inside `duban serve` ------------------------------------------------------------


def test_serve_runs_its_worker_beside_the_web_server_restarts_it_and_stops_it_with_itself(site):
    server = site.start("serve", "serve", "--no-migrate", "--port", str(free_port()), "--workers", "1")
    try:
        child = int(server.wait_for(r"后台任务进程已随 Web 服务启动（pid (\d+)").group(1))
        server.wait_for(r"Huey consumer started")
        assert parent_of(child) == server.pid
        assert "任务队列：SQLite " in server.output and "jobs.sqlite3（仅限本机）" in server.output

        # A job queued on this machine (as a page would queue it) is run by the embedded worker.
        add_expired_session(site, "expired-before-serve")
        site.run("manage", "shell", "-c",
                 "from duban.core import jobs; from duban.core.actor import Actor; jobs.run_now(Actor.system('测试'), 'core.clear_sessions')")
        ((state, node, message, _, _),) = wait_until(
            lambda: [r for r in runs_of(site, "core.clear_sessions", "manual") if r[3] == "测试" and r[0] != "running"], 30,
            "the embedded worker to run the job", server)
        assert (state, message, node.rsplit(":", 1)[1]) == ("success", "删除 1 个过期会话", str(child))

        # The worker dies: the server starts another.
        os.kill(child, signal.SIGKILL)
        server.wait_for(r"意外退出")
        second = int(server.wait_for(r"后台任务进程已随 Web 服务启动（pid (\d+)", times=2).group(1))
        server.wait_for(r"Huey consumer started", times=2)  # its signal handlers are in place
        assert second != child
        assert alive(second) and parent_of(second) == server.pid
    except BaseException:
        server.kill()
        raise

    assert server.stop(signal.SIGTERM) == 0
    assert not alive(second)
    assert "Consumer exiting." in server.output


def test_a_worker_whose_server_is_killed_outright_stops_by_itself(site):
    server = site.start("serve", "serve", "--no-migrate", "--port", str(free_port()), "--workers", "1")
    try:
        child = int(server.wait_for(r"后台任务进程已随 Web 服务启动（pid (\d+)").group(1))
        server.wait_for(r"Huey consumer started")
    finally:
        server.kill()  # SIGKILL: the server cannot stop its worker

    wait_until(lambda: not alive(child), 15, f"the orphaned worker {child} to stop")
    assert "Consumer exiting." in server.output


def test_a_worker_refuses_to_start_on_a_database_not_yet_migrated(tmp_path):
    fresh = Site(tmp_path, None)

    done = fresh.run("worker", check=False)

    assert done.returncode == 1
    assert "数据库尚未迁移到当前版本（还有" in done.stderr and "请先运行 `duban manage migrate`" in done.stderr
